#include "server/store/sqlite/sqlite.hpp"

#include <utility>

namespace portal::server::sqlite {

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  rc_ = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &s_, nullptr);
  if (rc_ != SQLITE_OK) s_ = nullptr;
}

Stmt::~Stmt() {
  release();
}

void Stmt::release() {
  if (busy_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    *busy_ = false;
    busy_ = nullptr;
  } else {
    sqlite3_finalize(s_);
  }
  s_ = nullptr;
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    release();
    s_ = std::exchange(o.s_, nullptr);
    busy_ = std::exchange(o.busy_, nullptr);
    db_ = o.db_;
    rc_ = o.rc_;
  }
  return *this;
}

StmtCache::~StmtCache() {
  for (auto& [sql, e] : entries_) sqlite3_finalize(e->s);
}

Stmt StmtCache::get(std::string_view sql) {
  auto it = entries_.find(sql);  // no copy of the text to look it up
  if (it == entries_.end()) {
    Stmt fresh(db_, sql);
    if (!fresh.valid()) return fresh;
    auto e = std::make_unique<Entry>();
    e->s = std::exchange(fresh.s_, nullptr);
    it = entries_.emplace(std::string(sql), std::move(e)).first;
  }
  Entry& e = *it->second;
  if (e.busy) return Stmt(db_, sql);
  e.busy = true;
  Stmt s;
  s.s_ = e.s;
  s.db_ = db_;
  s.busy_ = &e.busy;
  return s;
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (s_) sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (s_) sqlite3_bind_double(s_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (s_) sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_blob(int i, std::string_view v) {
  if (s_) sqlite3_bind_blob64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  if (s_) sqlite3_bind_null(s_, i);
  return *this;
}

bool Stmt::step() {
  if (!s_) {
    rc_ = SQLITE_MISUSE;
    return false;
  }
  rc_ = sqlite3_step(s_);
  return rc_ == SQLITE_ROW;
}

void Stmt::reset() {
  if (s_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  rc_ = SQLITE_OK;
}

std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
           : std::string();
}
std::string Stmt::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
           : std::string();
}
std::optional<std::string> Stmt::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}
std::optional<std::int64_t> Stmt::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

void configure_library() {
  // Debian's SQLite counts every allocation under a global mutex (SQLITE_DEFAULT_MEMSTATUS);
  // nothing here reads those counts. Only possible before the library initialises.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
}

core::Result<Db> Db::open(const std::string& path, const char* vfs) {
  configure_library();
  Db d;
  int rc = sqlite3_open_v2(path.c_str(), &d.db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string msg = d.db_ ? sqlite3_errmsg(d.db_) : "cannot open";
    return core::Error{"db_open_failed", "cannot open database " + path + ": " + msg, {}, 500};
  }
  sqlite3_busy_timeout(d.db_, 5000);
  sqlite3_extended_result_codes(d.db_, 1);
  return d;
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

bool Db::exec(const char* sql) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

}  // namespace portal::server::sqlite
