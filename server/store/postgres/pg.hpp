// A thin RAII layer over libpq: connections with a cache of prepared statements, a
// bounded pool that opens connections on demand, results read by row and column, and
// parameters always bound (never string-built SQL). SQL is written with SQLite-style
// placeholders (? or ?N) and turned into $N once, when a statement is prepared.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "portal/core/result.hpp"

namespace portal::server::pg {

// ? and ?N placeholders outside quotes become $N.
std::string to_dollar_params(std::string_view sql);

class Params {
 public:
  Params& add(std::int64_t v);
  Params& add(int v) { return add(static_cast<std::int64_t>(v)); }
  Params& add(double v);
  Params& add(std::string_view v);
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add_null();
  Params& add_binary(std::string_view v);
  template <class T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : add_null();
  }
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return ptrs_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void push(std::optional<std::string> v, int format);
  void rebuild();
  std::vector<std::optional<std::string>> values_;
  std::vector<const char*> ptrs_;
  std::vector<int> lengths_, formats_;
};

class Res {
 public:
  Res() = default;
  explicit Res(PGresult* r) : r_(r) {}
  ~Res() { PQclear(r_); }
  Res(Res&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Res& operator=(Res&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  Res(const Res&) = delete;
  Res& operator=(const Res&) = delete;

  bool ok() const;
  int rows() const { return r_ ? PQntuples(r_) : 0; }
  std::int64_t affected() const;
  std::string sqlstate() const;
  std::string message() const;

  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), PQgetlength(r_, row, col));
  }
  std::int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  std::optional<std::string> opt_text(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return text(row, col);
  }
  std::optional<std::int64_t> opt_int64(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return int64(row, col);
  }

 private:
  PGresult* r_ = nullptr;
};

class Conn {
 public:
  static std::unique_ptr<Conn> open(const std::string& conninfo, std::string& error);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Prepares `sql` (once per connection) and runs it with `params`.
  Res exec(std::string_view sql, const Params& params = {}, bool binary_result = false);
  // Runs SQL without parameters (may hold several statements); false on error.
  bool run(const char* sql);
  bool healthy() const { return c_ && PQstatus(c_) == CONNECTION_OK; }
  bool idle_in_transaction() const;
  std::string last_error() const;
  PGconn* handle() const { return c_; }

 private:
  explicit Conn(PGconn* c) : c_(c) {}
  PGconn* c_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
  std::string error_;
};

class Pool;

// A connection borrowed from a pool for the length of one store call.
class Lease {
 public:
  Lease(Pool* p, std::unique_ptr<Conn> c) : p_(p), c_(std::move(c)) {}
  Lease(Lease&& o) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Conn* operator->() const { return c_.get(); }
  Conn& operator*() const { return *c_; }

 private:
  Pool* p_;
  std::unique_ptr<Conn> c_;
};

class Pool {
 public:
  Pool(std::string conninfo, int max) : conninfo_(std::move(conninfo)), max_(max) {}
  // A connection: an idle one, a new one while fewer than `max` are open, or the next
  // one given back.
  core::Result<Lease> acquire();
  const std::string& conninfo() const { return conninfo_; }
  // Closes every idle connection (leases still out close when given back).
  void close_idle();

 private:
  friend class Lease;
  void give_back(std::unique_ptr<Conn> c);
  std::string conninfo_;
  int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;
};

// RAII transaction: rolls back unless committed.
class Tx {
 public:
  explicit Tx(Conn& c) : c_(c) { ok_ = c_.run("BEGIN"); }
  ~Tx() {
    if (ok_ && !done_) c_.run("ROLLBACK");
  }
  bool ok() const { return ok_; }
  bool commit() {
    done_ = true;
    return c_.run("COMMIT");
  }

 private:
  Conn& c_;
  bool ok_ = false, done_ = false;
};

bool is_postgres_url(const std::string& db);

}  // namespace portal::server::pg
