#include "server/store/sqlite/wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "server/store/sqlite/sqlite.hpp"

namespace portal::server::sqlite {

namespace {

constexpr std::size_t kMaxGathered = 8u << 20;

std::atomic<std::int64_t> g_writes{0}, g_flushes{0}, g_pieces{0};

sqlite3_vfs* g_real = nullptr;

// A WAL file: the real one lives right after this header, in the memory SQLite gives.
struct WalFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::string* gathered;  // the frames written since the last flush
  sqlite3_int64 offset;   // where they go in the file
};

// The unix VFS writes at most 128 KB - 1 at a time (it masks the length to 17 bits):
// larger runs go in pieces of this size.
constexpr std::size_t kPiece = 124u << 10;

int flush(WalFile* f) {
  const std::string& g = *f->gathered;
  if (g.empty()) return SQLITE_OK;
  g_flushes.fetch_add(1, std::memory_order_relaxed);
  int rc = SQLITE_OK;
  for (std::size_t at = 0; at < g.size() && rc == SQLITE_OK; at += kPiece) {
    const std::size_t n = std::min(kPiece, g.size() - at);
    rc = f->real->pMethods->xWrite(f->real, g.data() + at, static_cast<int>(n),
                                   f->offset + static_cast<sqlite3_int64>(at));
    g_pieces.fetch_add(1, std::memory_order_relaxed);
  }
  f->gathered->clear();
  return rc;
}

WalFile* wal(sqlite3_file* p) {
  return reinterpret_cast<WalFile*>(p);
}

int wal_close(sqlite3_file* p) {
  WalFile* f = wal(p);
  const int rc = flush(f);
  const int rc2 = f->real->pMethods->xClose(f->real);
  delete f->gathered;
  f->gathered = nullptr;
  return rc != SQLITE_OK ? rc : rc2;
}

int wal_read(sqlite3_file* p, void* out, int n, sqlite3_int64 at) {
  WalFile* f = wal(p);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, n, at);
}

int wal_write(sqlite3_file* p, const void* in, int n, sqlite3_int64 at) {
  WalFile* f = wal(p);
  g_writes.fetch_add(1, std::memory_order_relaxed);
  std::string& g = *f->gathered;
  // Only a write that continues the gathered ones joins them.
  if (!g.empty() && (at != f->offset + static_cast<sqlite3_int64>(g.size()) ||
                     g.size() + static_cast<std::size_t>(n) > kMaxGathered)) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (g.empty()) f->offset = at;
  g.append(static_cast<const char*>(in), static_cast<std::size_t>(n));
  return SQLITE_OK;
}

int wal_truncate(sqlite3_file* p, sqlite3_int64 size) {
  WalFile* f = wal(p);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int wal_sync(sqlite3_file* p, int flags) {
  WalFile* f = wal(p);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int wal_file_size(sqlite3_file* p, sqlite3_int64* size) {
  WalFile* f = wal(p);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int wal_lock(sqlite3_file* p, int l) {
  return wal(p)->real->pMethods->xLock(wal(p)->real, l);
}
int wal_unlock(sqlite3_file* p, int l) {
  return wal(p)->real->pMethods->xUnlock(wal(p)->real, l);
}
int wal_check_reserved(sqlite3_file* p, int* out) {
  return wal(p)->real->pMethods->xCheckReservedLock(wal(p)->real, out);
}
int wal_file_control(sqlite3_file* p, int op, void* arg) {
  return wal(p)->real->pMethods->xFileControl(wal(p)->real, op, arg);
}
int wal_sector_size(sqlite3_file* p) {
  return wal(p)->real->pMethods->xSectorSize(wal(p)->real);
}
int wal_device(sqlite3_file* p) {
  return wal(p)->real->pMethods->xDeviceCharacteristics(wal(p)->real);
}

// Version 1: SQLite maps no shared memory and no pages from a WAL file.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved,
    wal_file_control,
    wal_sector_size,
    wal_device,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

constexpr int real_offset() {
  return static_cast<int>((sizeof(WalFile) + 15) & ~std::size_t{15});
}

int open_file(sqlite3_vfs*, const char* name, sqlite3_file* p, int flags, int* out_flags) {
  // Every file but a WAL is the default VFS's own, opened in place.
  if (!(flags & SQLITE_OPEN_WAL)) return g_real->xOpen(g_real, name, p, flags, out_flags);
  WalFile* f = wal(p);
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(p) + real_offset());
  f->base.pMethods = nullptr;  // not open: SQLite will not close it
  const int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f->gathered = new std::string();
  f->gathered->reserve(256u << 10);
  f->offset = 0;
  f->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

}  // namespace

const char* wal_batching_vfs() {
  static const char* name = [] {
    configure_library();
    g_real = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs = *g_real;  // every other call goes to the default VFS
    vfs.zName = "portal-wal-batching";
    vfs.pNext = nullptr;
    vfs.szOsFile = real_offset() + g_real->szOsFile;  // room for a WalFile around any file
    vfs.xOpen = open_file;
    sqlite3_vfs_register(&vfs, 0);
    return vfs.zName;
  }();
  return name;
}

WalBatchingStats wal_batching_stats() {
  return {g_writes.load(std::memory_order_relaxed), g_flushes.load(std::memory_order_relaxed),
          g_pieces.load(std::memory_order_relaxed)};
}

}  // namespace portal::server::sqlite
