// A thin RAII layer over the SQLite C API: a connection and prepared statements
// with bound parameters (never string-built SQL).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "portal/core/result.hpp"

namespace portal::server::sqlite {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& o) noexcept : s_(o.s_), db_(o.db_), rc_(o.rc_), busy_(o.busy_) {
    o.s_ = nullptr;
    o.busy_ = nullptr;
  }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool valid() const { return s_ != nullptr; }
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind_null(int i);
  Stmt& bind_blob(int i, std::string_view v);
  template <class T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  // SQLITE_ROW → true, SQLITE_DONE → false; errors are kept in last_error().
  bool step();
  int rc() const { return rc_; }
  bool failed() const { return rc_ != SQLITE_ROW && rc_ != SQLITE_DONE && rc_ != SQLITE_OK; }
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  double real(int col) const { return sqlite3_column_double(s_, col); }
  std::string text(int col) const;
  std::string blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  friend class StmtCache;
  void release();  // finalizes an own statement, resets a borrowed one

  sqlite3_stmt* s_ = nullptr;
  sqlite3* db_ = nullptr;
  int rc_ = SQLITE_OK;
  bool* busy_ = nullptr;  // set while borrowed from a StmtCache: reset, not finalized
};

// Prepared statements kept per connection and lent out: a borrowed Stmt is reset
// (ending its read) when it goes, so the next call only binds and steps. A statement
// already lent out is prepared afresh for the second borrower.
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
  ~StmtCache();
  StmtCache(const StmtCache&) = delete;
  StmtCache& operator=(const StmtCache&) = delete;
  Stmt get(std::string_view sql);

 private:
  struct Entry {
    sqlite3_stmt* s = nullptr;
    bool busy = false;
  };
  sqlite3* db_;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_map<std::string, std::unique_ptr<Entry>, Hash, std::equal_to<>> entries_;
};

// Sets the library up for this process; called before any connection opens.
void configure_library();

class Db {
 public:
  // `vfs`: a registered VFS by name, or the default one.
  static core::Result<Db> open(const std::string& path, const char* vfs = nullptr);
  Db() = default;
  ~Db();
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  Stmt prepare(std::string_view sql) const { return Stmt(db_, sql); }
  // Runs SQL without results (may hold several statements); false on error.
  bool exec(const char* sql);
  std::string last_error() const { return db_ ? sqlite3_errmsg(db_) : "closed"; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace portal::server::sqlite
