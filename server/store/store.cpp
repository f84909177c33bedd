#include "server/store/store.hpp"

#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "server/store/postgres/pg.hpp"
#include "server/store/postgres/pg_stats.hpp"
#include "server/store/postgres/pg_store.hpp"
#include "server/store/sqlite/sqlite_stats.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "server/store/stats_store.hpp"

extern char** environ;

namespace portal::server {

core::Error attachment_already_used() {
  return {"attachment_already_used",
          "names a photo that another ticket uses already (or that has expired); upload it again",
          "attachments", 409};
}

core::Result<std::optional<UserRow>> Store::session_user_row(const std::string& token_hash,
                                                             core::TimePoint now,
                                                             std::chrono::seconds idle) {
  auto uid = session_user(token_hash, now, idle);
  if (!uid) return uid.error();
  if (!*uid) return std::optional<UserRow>();
  return find_user(**uid);
}

core::Result<std::optional<Store::TicketBundle>> Store::find_ticket_bundle(
    const std::string& number) {
  auto t = find_ticket(number);
  if (!t) return t.error();
  if (!*t) return std::optional<TicketBundle>();
  TicketBundle b{std::move(**t), {}, {}};
  auto w = whistles(b.ticket.id);
  if (!w) return w.error();
  b.whistles = std::move(*w);
  auto a = ticket_attachments(b.ticket.id);
  if (!a) return a.error();
  b.attachments = std::move(*a);
  return std::optional<TicketBundle>(std::move(b));
}

core::Result<std::unique_ptr<Store>> open_store(const std::string& db) {
  if (pg::is_postgres_url(db)) {
    auto s = PgStore::open(db);
    if (!s) return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }
  auto s = SqliteStore::open(db);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(*s));
}

core::Result<std::unique_ptr<StatsStore>> open_stats_store(const std::string& db, int connections) {
  if (pg::is_postgres_url(db)) {
    auto s = PgStats::open(db, connections);
    if (!s) return s.error();
    return std::unique_ptr<StatsStore>(std::move(*s));
  }
  auto s = SqliteStats::open(db, connections);
  if (!s) return s.error();
  return std::unique_ptr<StatsStore>(std::move(*s));
}

// [SECTION] Backup and restore

namespace {

core::Error failed(const std::string& what) {
  return {"backup_failed", what, {}, 500};
}

// Copies every page of `from` into `to` with the online backup API, a few hundred
// pages a step. The source holds one read transaction throughout: in WAL mode the
// servers go on writing beside it, and the copy is the snapshot the transaction saw
// (it never restarts because of their commits).
core::Outcome sqlite_copy(sqlite3* from, sqlite3* to, const BackupProgress& progress) {
  if (sqlite3_exec(from, "BEGIN; SELECT COUNT(*) FROM sqlite_schema;", nullptr, nullptr, nullptr) !=
      SQLITE_OK)
    return failed(sqlite3_errmsg(from));
  struct End {
    sqlite3* db;
    ~End() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
  } end{from};
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) return failed(sqlite3_errmsg(to));
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(b, 256);
    if (progress) {
      const int total = sqlite3_backup_pagecount(b);
      progress(total - sqlite3_backup_remaining(b), total);
    }
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    break;
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return failed(sqlite3_errstr(rc));
  return core::Unit{};
}

core::Outcome sqlite_backup(const std::string& db, const std::string& to,
                            const BackupProgress& progress, bool restoring) {
  // Written beside the destination, then renamed: a reader never sees half a file.
  const std::string tmp = to + ".partial";
  std::filesystem::remove(tmp);
  sqlite3 *src = nullptr, *dst = nullptr;
  auto close = [&] {
    sqlite3_close_v2(src);
    sqlite3_close_v2(dst);
  };
  if (!std::filesystem::exists(db)) return failed("no such database file: " + db);
  if (sqlite3_open_v2(db.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(tmp.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
          SQLITE_OK) {
    close();
    return failed("cannot open " + (src ? tmp : db));
  }
  sqlite3_busy_timeout(src, 5000);
  auto r = sqlite_copy(src, dst, progress);
  // A backup is one self-contained file, whatever journal mode the source uses.
  if (r && !restoring) sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  close();
  if (!r) {
    std::filesystem::remove(tmp);
    return r;
  }
  std::error_code ec;
  if (restoring)
    for (const char* ext : {"-wal", "-shm"}) std::filesystem::remove(to + ext, ec);
  std::filesystem::rename(tmp, to, ec);
  if (ec) return failed("cannot rename " + tmp + ": " + ec.message());
  return core::Unit{};
}

// Runs a program to completion with the given arguments; its own output goes to ours.
core::Outcome run_tool(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    return failed(args[0] + " is not installed");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return failed(args[0] + " failed (exit status " +
                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  return core::Unit{};
}

}  // namespace

core::Outcome backup_database(const std::string& db, const std::string& to,
                              const BackupProgress& progress) {
  if (!pg::is_postgres_url(db)) return sqlite_backup(db, to, progress, false);
  // pg_dump reads one consistent snapshot while the servers go on writing.
  if (progress) progress(0, 1);
  const std::string tmp = to + ".partial";
  auto r =
      run_tool({"pg_dump", "--format=custom", "--no-owner", "--file=" + tmp, "--dbname=" + db});
  if (!r) return r;
  std::error_code ec;
  std::filesystem::rename(tmp, to, ec);
  if (ec) return failed("cannot rename " + tmp + ": " + ec.message());
  if (progress) progress(1, 1);
  return core::Unit{};
}

core::Outcome restore_database(const std::string& from, const std::string& db,
                               const BackupProgress& progress) {
  if (!std::filesystem::exists(from)) return failed("no such backup: " + from);
  if (!pg::is_postgres_url(db)) return sqlite_backup(from, db, progress, true);
  if (progress) progress(0, 1);
  auto r = run_tool({"pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
                     "--single-transaction", "--dbname=" + db, from});
  if (!r) return r;
  if (progress) progress(1, 1);
  return core::Unit{};
}

}  // namespace portal::server
