#include "server/store/postgres/pg.hpp"

#include <charconv>
#include <cstdlib>

namespace portal::server::pg {

bool is_postgres_url(const std::string& db) {
  return db.rfind("postgres://", 0) == 0 || db.rfind("postgresql://", 0) == 0;
}

std::string to_dollar_params(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
    out += '$';
    if (j > i + 1) {
      out.append(sql.substr(i + 1, j - i - 1));
      i = j - 1;
    } else {
      out += std::to_string(++next);
    }
  }
  return out;
}

// [SECTION] Params

void Params::push(std::optional<std::string> v, int format) {
  values_.push_back(std::move(v));
  formats_.push_back(format);
  rebuild();
}

void Params::rebuild() {
  // Strings may move when the vector grows: point at them afresh.
  ptrs_.clear();
  lengths_.clear();
  for (const auto& v : values_) {
    ptrs_.push_back(v ? v->data() : nullptr);
    lengths_.push_back(v ? static_cast<int>(v->size()) : 0);
  }
}

Params& Params::add(std::int64_t v) {
  push(std::to_string(v), 0);
  return *this;
}

Params& Params::add(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  push(std::string(buf, r.ptr), 0);
  return *this;
}

Params& Params::add(std::string_view v) {
  push(std::string(v), 0);
  return *this;
}

Params& Params::add_null() {
  push(std::nullopt, 0);
  return *this;
}

Params& Params::add_binary(std::string_view v) {
  push(std::string(v), 1);
  return *this;
}

// [SECTION] Results

bool Res::ok() const {
  if (!r_) return false;
  const auto s = PQresultStatus(r_);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

std::int64_t Res::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::atoll(n) : 0;
}

std::string Res::sqlstate() const {
  const char* s = r_ ? PQresultErrorField(r_, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

std::string Res::message() const {
  return r_ ? PQresultErrorMessage(r_) : "no result";
}

std::int64_t Res::int64(int row, int col) const {
  const char* v = PQgetvalue(r_, row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r_, row, col), out);
  return out;
}

double Res::real(int row, int col) const {
  return std::strtod(PQgetvalue(r_, row, col), nullptr);
}

// [SECTION] Connections

std::unique_ptr<Conn> Conn::open(const std::string& conninfo, std::string& error) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (!c || PQstatus(c) != CONNECTION_OK) {
    error = c ? PQerrorMessage(c) : "out of memory";
    PQfinish(c);
    return nullptr;
  }
  // Quiet notices; every time the store writes is a Unix second, so the session zone
  // matters only to people reading the database by hand. Text goes both ways as UTF-8,
  // whatever PGCLIENTENCODING or the database's default would make of it.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  auto conn = std::unique_ptr<Conn>(new Conn(c));
  if (!conn->run("SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
                 "SET client_encoding = 'UTF8'")) {
    error = conn->last_error();
    return nullptr;
  }
  return conn;
}

Conn::~Conn() {
  PQfinish(c_);
}

std::string Conn::last_error() const {
  if (!error_.empty()) return error_;
  return c_ ? PQerrorMessage(c_) : "closed";
}

bool Conn::idle_in_transaction() const {
  return c_ && PQtransactionStatus(c_) != PQTRANS_IDLE;
}

bool Conn::run(const char* sql) {
  Res r(PQexec(c_, sql));
  if (!r.ok()) {
    error_ = r.message();
    return false;
  }
  error_.clear();
  return true;
}

Res Conn::exec(std::string_view sql, const Params& params, bool binary_result) {
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    Res p(PQprepare(c_, name.c_str(), to_dollar_params(sql).c_str(), 0, nullptr));
    if (!p.ok()) {
      error_ = p.message();
      return p;
    }
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  Res r(PQexecPrepared(c_, it->second.c_str(), params.size(), params.values(), params.lengths(),
                       params.formats(), binary_result ? 1 : 0));
  if (!r.ok())
    error_ = r.message();
  else
    error_.clear();
  return r;
}

// [SECTION] Pool

Lease::~Lease() {
  if (c_) p_->give_back(std::move(c_));
}

core::Result<Lease> Pool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (c->healthy()) return Lease(this, std::move(c));
    --open_;  // lost (the server restarted, say): open a fresh one below
  }
  ++open_;
  lock.unlock();
  std::string error;
  auto c = Conn::open(conninfo_, error);
  if (!c) {
    lock.lock();
    --open_;
    cv_.notify_one();
    std::string detail = error.substr(0, error.find('\n'));
    for (auto& ch : detail)
      if (ch == '"' || ch == '\\') ch = '\'';
    std::fprintf(stderr,
                 "{\"level\":\"error\",\"msg\":\"database connection failed\",\"detail\":\"%s\"}\n",
                 detail.c_str());
    return core::Error{"db_unavailable", "the database is not reachable", {}, 503};
  }
  return Lease(this, std::move(c));
}

void Pool::give_back(std::unique_ptr<Conn> c) {
  if (c->healthy() && c->idle_in_transaction()) c->run("ROLLBACK");
  std::lock_guard lock(mu_);
  if (c->healthy() && !c->idle_in_transaction())
    idle_.push_back(std::move(c));
  else
    --open_;
  cv_.notify_one();
}

void Pool::close_idle() {
  std::lock_guard lock(mu_);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

}  // namespace portal::server::pg
