// [SECTION] Index
// - Connections: read-only, pooled, with cached prepared statements
// - Scans: the period and scope of a filter as SQL, rows into Figures
// - Queries: overview, ranking, trend, heat map, whistles, topics, ratings
//
// The figures are counted in C++ while stepping through one range of the covering
// index tickets_stats (0003_stats.sql): a single pass gives the overview with all its
// breakdowns, a ranking or a trend, with no temporary sort. District-wide periods read
// no table row at all; a street, community or grid goes through its (place, created_at)
// index and reads only its own rows. The overview, the trend and the street ranking of
// the district or a street take their whole days from the daily aggregates of
// 0009_stats_daily.sql and scan only the partial days at the period's edges.

#include "server/store/sqlite/sqlite_stats.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "portal/core/ticket.hpp"
#include "portal/core/workflow.hpp"
#include "server/store/sqlite/sqlite.hpp"

namespace portal::server {

using core::Error;
using core::Result;

// [SECTION] Connections

struct SqliteStats::Conn {
  sqlite3* db = nullptr;
  std::map<std::string, sqlite::Stmt, std::less<>> stmts;

  ~Conn() {
    stmts.clear();  // statements before their connection
    sqlite3_close_v2(db);
  }
  // A cached statement, reset and ready to bind; nullptr when SQL does not prepare.
  sqlite::Stmt* prepare(const std::string& sql) {
    auto it = stmts.find(sql);
    if (it == stmts.end()) {
      sqlite::Stmt s(db, sql);
      if (!s.valid()) return nullptr;
      it = stmts.emplace(sql, std::move(s)).first;
    }
    it->second.reset();
    return &it->second;
  }
  bool exec(const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  Error error(const char* op) const {
    std::fprintf(stderr,
                 "{\"level\":\"error\",\"msg\":\"stats query failed\",\"op\":\"%s\","
                 "\"detail\":\"%s\"}\n",
                 op, db ? sqlite3_errmsg(db) : "closed");
    return Error::internal();
  }
};

class SqliteStats::Lease {
 public:
  explicit Lease(SqliteStats& s) : s_(s) {
    std::unique_lock lock(s_.mu_);
    s_.cv_.wait(lock, [&] { return !s_.idle_.empty(); });
    c_ = s_.idle_.back();
    s_.idle_.pop_back();
  }
  ~Lease() {
    {
      std::lock_guard lock(s_.mu_);
      s_.idle_.push_back(c_);
    }
    s_.cv_.notify_one();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Conn* operator->() const { return c_; }
  Conn& operator*() const { return *c_; }

 private:
  SqliteStats& s_;
  Conn* c_ = nullptr;
};

namespace {

// Resets its statement when done, so that no read transaction outlives a call (an
// open reader would hold back the writer's WAL checkpoints).
class Running {
 public:
  explicit Running(sqlite::Stmt* s) : s_(s) {}
  ~Running() {
    if (s_) s_->reset();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  sqlite::Stmt& operator*() const { return *s_; }
  sqlite::Stmt* operator->() const { return s_; }
  explicit operator bool() const { return s_ != nullptr; }

 private:
  sqlite::Stmt* s_;
};

// Several statements that must see the same snapshot.
class ReadTx {
 public:
  explicit ReadTx(SqliteStats::Conn& c) : c_(c) { ok_ = c_.exec("BEGIN"); }
  ~ReadTx() {
    if (ok_) c_.exec("COMMIT");
  }
  ReadTx(const ReadTx&) = delete;
  ReadTx& operator=(const ReadTx&) = delete;
  bool ok() const { return ok_; }

 private:
  SqliteStats::Conn& c_;
  bool ok_ = false;
};

}  // namespace

Result<std::unique_ptr<SqliteStats>> SqliteStats::open(const std::string& path, int connections) {
  std::unique_ptr<SqliteStats> s(new SqliteStats);
  for (int i = 0; i < std::max(1, connections); ++i) {
    auto c = std::make_unique<Conn>();
    const int rc =
        sqlite3_open_v2(path.c_str(), &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK)
      return Error{"db_open_failed",
                   "cannot open database " + path +
                       " for statistics: " + (c->db ? sqlite3_errmsg(c->db) : "cannot open"),
                   {},
                   500};
    sqlite3_busy_timeout(c->db, 5000);
    sqlite3_extended_result_codes(c->db, 1);
    // Read-only twice over; sorts of the few grouped queries stay in memory; 8 MB of
    // page cache each keeps the hot end of the indexes between requests.
    if (!c->exec("PRAGMA query_only=1") || !c->exec("PRAGMA temp_store=MEMORY") ||
        !c->exec("PRAGMA cache_size=-8192"))
      return Error{"db_open_failed", "cannot configure the statistics connection", {}, 500};
    // The file must already hold the tickets table (opened after migrate()).
    sqlite::Stmt probe(c->db, "SELECT 1 FROM tickets LIMIT 1");
    if (!probe.valid())
      return Error{
          "db_open_failed", "the database has no tickets table: migrate it first", {}, 500};
    probe = {};
    s->idle_.push_back(c.get());
    s->conns_.push_back(std::move(c));
  }
  return s;
}

SqliteStats::~SqliteStats() = default;

// [SECTION] Scans

namespace {

// Bound parameters of every scan: ?1 from, ?2 to (Unix seconds), ?3 the scope's id.
std::string scope_sql(const StatsScope& scope, std::string_view t) {
  const std::string p(t);
  switch (scope.kind) {
    case StatsScopeKind::district:
      return {};
    case StatsScopeKind::street:
      return " AND " + p + "street_id = ?3";
    case StatsScopeKind::community:
      return " AND " + p + "community_id = ?3";
    case StatsScopeKind::grid:
      return " AND " + p + "grid_id = ?3";
    case StatsScopeKind::unit:
      return " AND " + p +
             "id IN (SELECT id FROM tickets WHERE assignee_kind = 'unit' AND assignee_id = ?3 "
             "UNION SELECT ticket_id FROM whistles WHERE unit_id = ?3)";
  }
  return {};
}

void bind_filter(sqlite::Stmt& s, const StatsFilter& f) {
  s.bind(1, core::to_unix(f.from)).bind(2, core::to_unix(f.to));
  if (f.scope.kind != StatsScopeKind::district) s.bind(3, f.scope.id);
}

// The columns Figures need, in this order, all in the covering index. Place columns
// are read only by the queries that group by them: every column read costs.
std::string figure_columns(std::string_view t) {
  static constexpr const char* kColumns[] = {"created_at",
                                             "status",
                                             "level",
                                             "channel",
                                             "category",
                                             "overdue",
                                             "assigned_at",
                                             "responded_at",
                                             "response_due_at",
                                             "resolved_at",
                                             "resolve_due_at",
                                             "rating_resolved",
                                             "rating_satisfaction",
                                             "reopen_count"};
  std::string out;
  for (const char* c : kColumns) {
    if (!out.empty()) out += ", ";
    out += t;
    out += c;
  }
  return out;
}

struct Row {
  std::int64_t created_at = 0;
  core::Status status = core::Status::submitted;
  core::Level level = core::Level::grid;
  core::Channel channel = core::Channel::web;
  std::string category;
  bool overdue = false;
  bool assigned = false, responded = false, responded_in_time = false;
  std::int64_t response_due_at = 0;
  std::optional<std::int64_t> resolved_at;
  std::int64_t resolve_due_at = 0;
  bool rated = false, rated_resolved = false;
  int satisfaction = 0;
  int reopen_count = 0;
};

// Reads the figure columns starting at column `c`.
void read_row(const sqlite::Stmt& s, int c, Row& r) {
  r.created_at = s.int64(c + 0);
  r.status = core::parse_status(s.text(c + 1)).value_or(core::Status::submitted);
  r.level = core::parse_level(s.text(c + 2)).value_or(core::Level::grid);
  r.channel = core::parse_channel(s.text(c + 3)).value_or(core::Channel::web);
  r.category = s.text(c + 4);
  r.overdue = s.int64(c + 5) != 0;
  r.assigned = !s.is_null(c + 6);
  r.responded = r.assigned && !s.is_null(c + 7);
  r.response_due_at = s.int64(c + 8);
  r.responded_in_time = r.responded && s.int64(c + 7) <= r.response_due_at;
  r.resolved_at = s.opt_int64(c + 9);
  r.resolve_due_at = s.int64(c + 10);
  r.rated = !s.is_null(c + 12);
  r.rated_resolved = r.rated && !s.is_null(c + 11) && s.int64(c + 11) != 0;
  r.satisfaction = r.rated ? static_cast<int>(s.int64(c + 12)) : 0;
  r.reopen_count = static_cast<int>(s.int64(c + 13));
}

// `now` in Unix seconds: a ticket inside its response window, unanswered, counts in
// neither part of the response rate.
void add(Figures& f, const Row& r, int threshold, std::int64_t now) {
  ++f.total;
  if (core::is_open(r.status)) ++f.backlog;
  if (r.overdue) ++f.overdue;
  if (r.assigned && (r.responded || r.response_due_at < now)) {
    ++f.response.den;
    if (r.responded_in_time) ++f.response.num;
  }
  if (r.resolved_at) {
    ++f.on_time.den;
    if (*r.resolved_at <= r.resolve_due_at) ++f.on_time.num;
    f.handle_seconds += *r.resolved_at - r.created_at;
  }
  if (r.rated) {
    ++f.resolution.den;
    ++f.satisfaction.den;
    if (r.rated_resolved) ++f.resolution.num;
    if (r.satisfaction >= threshold) ++f.satisfaction.num;
  }
  if (r.resolved_at || r.reopen_count > 0) {
    ++f.reopen.den;
    if (r.reopen_count > 0) ++f.reopen.num;
    ++f.rating.den;
    if (r.rated) ++f.rating.num;
  }
}

// Steps through the filter's tickets, calling fn(row, key) for each; key is the text of
// `key_column` (a place column, empty when NULL), or empty without one.
template <class Fn>
core::Outcome scan(SqliteStats::Conn& c, const StatsFilter& f, const char* key_column, Fn&& fn,
                   const char* op) {
  Running s(c.prepare(
      "SELECT " + figure_columns("") + (key_column ? ", " : "") + (key_column ? key_column : "") +
      " FROM tickets WHERE created_at >= ?1 AND created_at < ?2" + scope_sql(f.scope, "")));
  if (!s) return c.error(op);
  bind_filter(*s, f);
  Row r;
  std::string key;
  while (s->step()) {
    read_row(*s, 0, r);
    if (key_column) key = s->text(14);
    fn(r, key);
  }
  if (s->failed()) return c.error(op);
  return core::Unit{};
}

// Calls fn(street_id, created_at) for each ticket created in the whole days [first, end)
// of the place ('*': every street) that holds an assignment not answered and whose
// response limit lies before `now`: the part of the response rate's denominator that the
// daily aggregates cannot hold (stats_store.hpp, "Daily aggregates"). The conditions
// repeat those of the partial index tickets_unanswered, so that it serves the query.
template <class Fn>
core::Outcome scan_unanswered(SqliteStats::Conn& c, const std::string& place, std::int64_t first,
                              std::int64_t end, std::int64_t now, Fn&& fn, const char* op) {
  const bool all = place == "*";
  Running s(c.prepare(
      std::string("SELECT COALESCE(street_id, ''), created_at FROM tickets WHERE responded_at IS "
                  "NULL AND assigned_at IS NOT NULL AND created_at >= ?1 AND created_at < ?2 AND "
                  "response_due_at < ?3") +
      // A street through the small partial index too, not through its own index of
      // every ticket it has (+ keeps the planner off that one).
      (all ? "" : " AND +street_id = ?4")));
  if (!s) return c.error(op);
  s->bind(1, day_start(first)).bind(2, day_start(end)).bind(3, now);
  if (!all) s->bind(4, place);
  while (s->step()) fn(s->text(0), s->int64(1));
  if (s->failed()) return c.error(op);
  return core::Unit{};
}

// Calls fn(daily) for each day of [first, end) of the place that has tickets.
template <class Fn>
core::Outcome scan_daily(SqliteStats::Conn& c, const std::string& place, std::int64_t first,
                         std::int64_t end, int threshold, Fn&& fn, const char* op) {
  Running s(c.prepare(std::string("SELECT ") + kDailyColumns +
                      " FROM stats_daily WHERE street_id = ?1 AND day >= ?2 AND day < ?3 AND "
                      "total <> 0 ORDER BY day"));
  if (!s) return c.error(op);
  s->bind(1, place).bind(2, first).bind(3, end);
  Daily d;
  while (s->step()) {
    read_daily([&](int i) { return s->int64(i); }, threshold, d);
    fn(d);
  }
  if (s->failed()) return c.error(op);
  return core::Unit{};
}

std::string date_of_day(std::int64_t day) {
  const auto d = core::civil_from_days(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

}  // namespace

// [SECTION] Queries

Result<Overview> SqliteStats::overview(const StatsFilter& f) {
  Lease c(*this);
  const std::int64_t now = core::to_unix(f.now);
  Overview o;
  std::int64_t by_status[9] = {}, by_level[4] = {}, by_channel[5] = {};
  std::map<std::string, std::int64_t, std::less<>> by_category;
  auto count_rows = [&](const StatsFilter& part) {
    return scan(
        *c, part, nullptr,
        [&](const Row& r, const std::string&) {
          add(o.figures, r, f.satisfaction_threshold, now);
          ++by_status[static_cast<int>(r.status)];
          ++by_level[static_cast<int>(r.level)];
          ++by_channel[static_cast<int>(r.channel)];
          auto it = by_category.find(r.category);
          if (it == by_category.end()) it = by_category.emplace(r.category, 0).first;
          ++it->second;
        },
        "stats_overview");
  };
  const auto place = daily_place(f.scope);
  if (!place) {
    if (auto ok = count_rows(f); !ok) return ok.error();
  } else {
    // Whole days from the aggregates and the edges from the tickets, in one snapshot.
    ReadTx tx(*c);
    if (!tx.ok()) return c->error("stats_overview");
    const Split sp = split_days(f);
    if (sp.before)
      if (auto ok = count_rows(*sp.before); !ok) return ok.error();
    if (sp.after)
      if (auto ok = count_rows(*sp.after); !ok) return ok.error();
    if (sp.first < sp.end) {
      auto ok = scan_daily(
          *c, *place, sp.first, sp.end, f.satisfaction_threshold,
          [&](const Daily& d) {
            add(o.figures, d.figures);
            for (int i = 0; i < 9; ++i) by_status[i] += d.by_status[i];
            for (int i = 0; i < 4; ++i) by_level[i] += d.by_level[i];
            for (int i = 0; i < 5; ++i) by_channel[i] += d.by_channel[i];
          },
          "stats_overview");
      if (!ok) return ok.error();
      ok = scan_unanswered(
          *c, *place, sp.first, sp.end, now,
          [&](const std::string&, std::int64_t) { ++o.figures.response.den; }, "stats_overview");
      if (!ok) return ok.error();
      Running s(
          c->prepare("SELECT category, SUM(n) FROM stats_daily_category WHERE street_id = ?1 AND "
                     "day >= ?2 AND day < ?3 GROUP BY category"));
      if (!s) return c->error("stats_overview");
      s->bind(1, *place).bind(2, sp.first).bind(3, sp.end);
      while (s->step()) by_category[s->text(0)] += s->int64(1);
      if (s->failed()) return c->error("stats_overview");
    }
  }
  for (int i = 0; i < 9; ++i)
    if (by_status[i])
      o.by_status[std::string(core::to_string(static_cast<core::Status>(i)))] = by_status[i];
  for (int i = 0; i < 4; ++i)
    if (by_level[i])
      o.by_level[std::string(core::to_string(static_cast<core::Level>(i)))] = by_level[i];
  for (int i = 0; i < 5; ++i)
    if (by_channel[i])
      o.by_channel[std::string(core::to_string(static_cast<core::Channel>(i)))] = by_channel[i];
  for (const auto& [k, n] : by_category)
    if (n) o.by_category[k] = n;
  return o;
}

Result<std::vector<KeyedFigures>> SqliteStats::ranking(const StatsFilter& f, RankDim dim) {
  Lease c(*this);
  const std::int64_t now = core::to_unix(f.now);
  std::map<std::string, Figures, std::less<>> by_key;
  auto count = [&](const std::string& key, const Row& r) {
    if (key.empty()) return;
    auto it = by_key.find(key);
    if (it == by_key.end()) it = by_key.emplace(key, Figures{}).first;
    add(it->second, r, f.satisfaction_threshold, now);
  };
  if (dim == RankDim::street && daily_place(f.scope)) {
    // Streets: whole days from the aggregates, the edges from the tickets.
    ReadTx tx(*c);
    if (!tx.ok()) return c->error("stats_ranking");
    const Split sp = split_days(f);
    for (const auto& part : {sp.before, sp.after})
      if (part) {
        auto ok = scan(
            *c, *part, "street_id", [&](const Row& r, const std::string& k) { count(k, r); },
            "stats_ranking");
        if (!ok) return ok.error();
      }
    if (sp.first < sp.end) {
      Running s(c->prepare(
          std::string("SELECT street_id, ") + kDailyColumns +
          " FROM stats_daily WHERE street_id NOT IN ('*', '') AND day >= ?1 AND day < ?2 AND "
          "total <> 0" +
          (f.scope.kind == StatsScopeKind::street ? " AND street_id = ?3" : "")));
      if (!s) return c->error("stats_ranking");
      s->bind(1, sp.first).bind(2, sp.end);
      if (f.scope.kind == StatsScopeKind::street) s->bind(3, f.scope.id);
      Daily d;
      while (s->step()) {
        read_daily([&](int i) { return s->int64(i + 1); }, f.satisfaction_threshold, d);
        add(by_key[s->text(0)], d.figures);
      }
      if (s->failed()) return c->error("stats_ranking");
      // A street has a row in stats_daily for every day it has tickets: the unanswered
      // ones add to streets already listed.
      auto ok = scan_unanswered(
          *c, daily_place(f.scope).value_or("*"), sp.first, sp.end, now,
          [&](const std::string& street, std::int64_t) {
            if (!street.empty()) ++by_key[street].response.den;
          },
          "stats_ranking");
      if (!ok) return ok.error();
    }
  } else if (dim != RankDim::unit) {
    const char* key = dim == RankDim::street      ? "street_id"
                      : dim == RankDim::community ? "community_id"
                                                  : "grid_id";
    auto ok = scan(
        *c, f, key, [&](const Row& r, const std::string& k) { count(k, r); }, "stats_ranking");
    if (!ok) return ok.error();
  } else {
    // A unit's tickets: assigned to it now, or whistled to it (once per ticket).
    ReadTx tx(*c);
    if (!tx.ok()) return c->error("stats_ranking_units");
    std::set<std::pair<std::string, std::int64_t>> seen;
    const std::string cols = figure_columns("t.");
    const std::string sqls[2] = {
        "SELECT t.assignee_id, t.id, " + cols +
            " FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2 AND "
            "t.assignee_kind = 'unit'" +
            scope_sql(f.scope, "t."),
        "SELECT w.unit_id, t.id, " + cols +
            " FROM tickets t JOIN whistles w ON w.ticket_id = t.id WHERE t.created_at >= ?1 AND "
            "t.created_at < ?2" +
            scope_sql(f.scope, "t.")};
    Row r;
    for (const auto& sql : sqls) {
      Running s(c->prepare(sql));
      if (!s) return c->error("stats_ranking_units");
      bind_filter(*s, f);
      while (s->step()) {
        std::string unit = s->text(0);
        if (!seen.emplace(unit, s->int64(1)).second) continue;
        read_row(*s, 2, r);
        count(unit, r);
      }
      if (s->failed()) return c->error("stats_ranking_units");
    }
  }
  std::vector<KeyedFigures> out;
  out.reserve(by_key.size());
  for (auto& [k, v] : by_key) out.push_back({k, v});
  return out;
}

Result<std::vector<TrendPoint>> SqliteStats::trend(const StatsFilter& f, TrendInterval interval) {
  Lease c(*this);
  const std::int64_t now = core::to_unix(f.now);
  std::map<std::int64_t, Figures> by_period;
  // Rows come in created_at order: remember the last period to skip the date maths.
  std::int64_t last_day = INT64_MIN, last_period = 0;
  Figures* current = nullptr;
  auto count_rows = [&](const StatsFilter& part) {
    return scan(
        *c, part, nullptr,
        [&](const Row& r, const std::string&) {
          const std::int64_t day = shanghai_day(r.created_at);
          if (day != last_day || !current) {
            last_day = day;
            last_period = period_start(day, interval);
            current = &by_period[last_period];
          }
          add(*current, r, f.satisfaction_threshold, now);
        },
        "stats_trend");
  };
  const auto place = daily_place(f.scope);
  if (!place) {
    if (auto ok = count_rows(f); !ok) return ok.error();
  } else {
    ReadTx tx(*c);
    if (!tx.ok()) return c->error("stats_trend");
    const Split sp = split_days(f);
    if (sp.before)
      if (auto ok = count_rows(*sp.before); !ok) return ok.error();
    if (sp.after)
      if (auto ok = count_rows(*sp.after); !ok) return ok.error();
    if (sp.first < sp.end) {
      auto ok = scan_daily(
          *c, *place, sp.first, sp.end, f.satisfaction_threshold,
          [&](const Daily& d) { add(by_period[period_start(d.day, interval)], d.figures); },
          "stats_trend");
      if (!ok) return ok.error();
      ok = scan_unanswered(
          *c, *place, sp.first, sp.end, now,
          [&](const std::string&, std::int64_t at) {
            ++by_period[period_start(shanghai_day(at), interval)].response.den;
          },
          "stats_trend");
      if (!ok) return ok.error();
    }
  }
  std::vector<TrendPoint> out;
  out.reserve(by_period.size());
  for (auto& [day, fig] : by_period)
    if (fig.total) out.push_back({date_of_day(day), fig});
  return out;
}

Result<std::vector<GridCount>> SqliteStats::heatmap(const StatsFilter& f) {
  Lease c(*this);
  Running s(
      c->prepare("SELECT grid_id FROM tickets WHERE created_at >= ?1 AND created_at < ?2 "
                 "AND grid_id IS NOT NULL" +
                 scope_sql(f.scope, "")));
  if (!s) return c->error("stats_heatmap");
  bind_filter(*s, f);
  std::unordered_map<std::string, std::int64_t> counts;
  while (s->step()) ++counts[s->text(0)];
  if (s->failed()) return c->error("stats_heatmap");
  std::vector<GridCount> out;
  out.reserve(counts.size());
  for (auto& [g, n] : counts) out.push_back({g, n});
  std::sort(out.begin(), out.end(),
            [](const GridCount& a, const GridCount& b) { return a.grid_id < b.grid_id; });
  return out;
}

Result<std::vector<UnitWhistles>> SqliteStats::whistles_by_unit(const StatsFilter& f) {
  Lease c(*this);
  // In a unit's scope, only that unit's own whistles.
  const std::string own = f.scope.kind == StatsScopeKind::unit ? " AND w.unit_id = ?3" : "";
  Running s(c->prepare(
      "SELECT w.unit_id, COUNT(*), SUM(w.status = 'summoned'), SUM(w.status = 'checked_in'), "
      "SUM(w.status = 'done'), SUM(w.status = 'withdrawn'), SUM(w.checked_in_at IS NOT NULL), "
      "SUM(CASE WHEN w.checked_in_at IS NOT NULL THEN w.checked_in_at - w.summoned_at ELSE 0 END) "
      "FROM tickets t JOIN whistles w ON w.ticket_id = t.id WHERE t.created_at >= ?1 AND "
      "t.created_at < ?2" +
      scope_sql(f.scope, "t.") + own + " GROUP BY w.unit_id ORDER BY w.unit_id"));
  if (!s) return c->error("stats_whistles");
  bind_filter(*s, f);
  std::vector<UnitWhistles> out;
  while (s->step())
    out.push_back({s->text(0), s->int64(1), s->int64(2), s->int64(3), s->int64(4), s->int64(5),
                   s->int64(6), s->int64(7)});
  if (s->failed()) return c->error("stats_whistles");
  return out;
}

Result<std::vector<TopicCandidate>> SqliteStats::topic_candidates(const StatsFilter& f,
                                                                  core::TimePoint previous_from,
                                                                  core::TimePoint previous_to) {
  Lease c(*this);
  StatsFilter both = f;
  both.from = std::min(f.from, previous_from);
  both.to = std::max(f.to, previous_to);
  Running s(
      c->prepare("SELECT created_at, category, street_id FROM tickets WHERE created_at >= ?1 "
                 "AND created_at < ?2 AND street_id IS NOT NULL" +
                 scope_sql(f.scope, "")));
  if (!s) return c->error("stats_topics");
  bind_filter(*s, both);
  const std::int64_t cur_from = core::to_unix(f.from), cur_to = core::to_unix(f.to);
  const std::int64_t prev_from = core::to_unix(previous_from), prev_to = core::to_unix(previous_to);
  std::map<std::pair<std::string, std::string>, TopicCandidate> by_key;
  while (s->step()) {
    const std::int64_t at = s->int64(0);
    const bool in_cur = at >= cur_from && at < cur_to;
    const bool in_prev = at >= prev_from && at < prev_to;
    if (!in_cur && !in_prev) continue;
    auto key = std::pair{s->text(1), s->text(2)};
    auto it = by_key.find(key);
    if (it == by_key.end()) it = by_key.emplace(key, TopicCandidate{key.first, key.second}).first;
    if (in_cur) ++it->second.current;
    if (in_prev) ++it->second.previous;
  }
  if (s->failed()) return c->error("stats_topics");
  std::vector<TopicCandidate> out;
  out.reserve(by_key.size());
  for (auto& [k, v] : by_key) out.push_back(v);
  return out;
}

Result<std::vector<PublicRating>> SqliteStats::recent_ratings(const StatsFilter& f, int limit) {
  Lease c(*this);
  Running s(c->prepare(
      "SELECT rated_at, rating_satisfaction, rating_resolved, category, street_id FROM tickets "
      "WHERE rated_at IS NOT NULL AND rated_at >= ?1 AND rated_at < ?2 AND "
      "rating_satisfaction IS NOT NULL" +
      // In a street (1/15 of the district) walking the newest ratings back is quicker
      // than sorting all of the street's: keep the planner off the street index.
      scope_sql(f.scope, f.scope.kind == StatsScopeKind::street ? "+" : "") +
      " ORDER BY rated_at DESC, id DESC LIMIT ?4"));
  if (!s) return c->error("stats_ratings");
  bind_filter(*s, f);
  s->bind(4, std::max(0, limit));
  std::vector<PublicRating> out;
  while (s->step())
    out.push_back({core::from_unix(s->int64(0)), static_cast<int>(s->int64(1)),
                   !s->is_null(2) && s->int64(2) != 0, s->text(3), s->text(4)});
  if (s->failed()) return c->error("stats_ratings");
  return out;
}

}  // namespace portal::server
