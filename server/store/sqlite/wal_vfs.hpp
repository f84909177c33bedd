// A VFS over the default one that gathers the writes of a write-ahead log into one
// write per commit.
//
// SQLite writes each WAL frame as two writes (its 24-byte header, then the page), so a
// batch of tickets committing fifty pages cost a hundred system calls before its one
// fsync. Through this VFS the frames are kept in memory while they follow each other
// and go to the file in one write when SQLite syncs the log (every commit, since the
// connection runs with synchronous=FULL), reads it, sizes it, truncates it or closes
// it, or when 8 MB have gathered. The main database file and every other file are
// passed through untouched.
//
// Only for a connection with synchronous=FULL: other connections see a commit through
// the shared WAL index only after the sync that writes its frames. With NORMAL or OFF
// there is no sync per commit, and they would look for frames not yet in the file.
#pragma once

#include <cstdint>

namespace portal::server::sqlite {

// The VFS's name for sqlite3_open_v2(), registered on first use (not as the default).
const char* wal_batching_vfs();

// What the VFS has done since the process started, for tests and benchmarks.
struct WalBatchingStats {
  std::int64_t writes = 0;   // writes SQLite asked of WAL files
  std::int64_t flushes = 0;  // runs of them written out (one per commit)
  std::int64_t pieces = 0;   // writes made to the files for those runs
};
WalBatchingStats wal_batching_stats();

}  // namespace portal::server::sqlite
