// StatsStore and Open311Store on PostgreSQL: the same queries as the SQLite readers,
// each call on a pooled connection. Long scans stream row by row (single-row mode),
// so that a year of the district is counted without holding it in memory.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "portal/core/json.hpp"
#include "portal/core/workflow.hpp"
#include "server/store/open311_store.hpp"
#include "server/store/postgres/pg.hpp"
#include "server/store/postgres/pg_stats.hpp"

namespace portal::server {

using core::Error;
using core::Result;

namespace {

Error query_error(pg::Conn& c, const char* op) {
  std::string detail = c.last_error();
  for (auto& ch : detail)
    if (ch == '"' || ch == '\n' || ch == '\\') ch = ' ';
  std::fprintf(stderr,
               "{\"level\":\"error\",\"msg\":\"stats query failed\",\"op\":\"%s\","
               "\"detail\":\"%s\"}\n",
               op, detail.c_str());
  return Error::internal();
}

// Runs a prepared-once query and calls fn(res, 0) for each row as it arrives.
template <class Fn>
bool stream(pg::Conn& c, const std::string& sql, const pg::Params& p, Fn&& fn) {
  const std::string pgsql = pg::to_dollar_params(sql);
  if (!PQsendQueryParams(c.handle(), pgsql.c_str(), p.size(), nullptr, p.values(), p.lengths(),
                         p.formats(), 0))
    return false;
  PQsetSingleRowMode(c.handle());
  bool ok = true;
  while (PGresult* r = PQgetResult(c.handle())) {
    pg::Res res(r);
    const auto st = PQresultStatus(r);
    if (st == PGRES_SINGLE_TUPLE) {
      if (ok) fn(res, 0);
    } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      if (ok) {
        std::string m = res.message();
        for (auto& ch : m)
          if (ch == '"' || ch == '\n' || ch == '\\') ch = ' ';
        std::fprintf(stderr,
                     "{\"level\":\"error\",\"msg\":\"stats scan failed\",\"detail\":\"%s\"}\n",
                     m.c_str());
      }
      ok = false;
    }
  }
  return ok;
}

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

pg::Params filter_params(const StatsFilter& f) {
  pg::Params p;
  p.add(core::to_unix(f.from)).add(core::to_unix(f.to));
  if (f.scope.kind != StatsScopeKind::district) p.add(f.scope.id);
  return p;
}

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

void read_row(const pg::Res& s, int i, int c, Row& r) {
  r.created_at = s.int64(i, c + 0);
  r.status = core::parse_status(s.text(i, c + 1)).value_or(core::Status::submitted);
  r.level = core::parse_level(s.text(i, c + 2)).value_or(core::Level::grid);
  r.channel = core::parse_channel(s.text(i, c + 3)).value_or(core::Channel::web);
  r.category = s.text(i, c + 4);
  r.overdue = s.int64(i, c + 5) != 0;
  r.assigned = !s.is_null(i, c + 6);
  r.responded = r.assigned && !s.is_null(i, c + 7);
  r.response_due_at = s.int64(i, c + 8);
  r.responded_in_time = r.responded && s.int64(i, c + 7) <= r.response_due_at;
  r.resolved_at = s.opt_int64(i, c + 9);
  r.resolve_due_at = s.int64(i, c + 10);
  r.rated = !s.is_null(i, c + 12);
  r.rated_resolved = r.rated && !s.is_null(i, c + 11) && s.int64(i, c + 11) != 0;
  r.satisfaction = r.rated ? static_cast<int>(s.int64(i, c + 12)) : 0;
  r.reopen_count = static_cast<int>(s.int64(i, c + 13));
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

template <class Fn>
core::Outcome scan(pg::Conn& c, const StatsFilter& f, const char* key_column, Fn&& fn,
                   const char* op) {
  const std::string sql =
      "SELECT " + figure_columns("") + (key_column ? ", " : "") + (key_column ? key_column : "") +
      " FROM tickets WHERE created_at >= ?1 AND created_at < ?2" + scope_sql(f.scope, "");
  Row r;
  std::string key;
  const bool ok = stream(c, sql, filter_params(f), [&](const pg::Res& s, int i) {
    read_row(s, i, 0, r);
    if (key_column) key = s.text(i, 14);
    fn(r, key);
  });
  if (!ok) return query_error(c, op);
  return core::Unit{};
}

// Calls fn(street_id, created_at) for each ticket created in the whole days [first, end)
// of the place ('*': every street) that holds an assignment not answered and whose
// response limit lies before `now`: the part of the response rate's denominator that the
// daily aggregates cannot hold (stats_store.hpp, "Daily aggregates"). The conditions
// repeat those of the partial index tickets_unanswered, so that it serves the query.
template <class Fn>
core::Outcome scan_unanswered(pg::Conn& c, const std::string& place, std::int64_t first,
                              std::int64_t end, std::int64_t now, Fn&& fn, const char* op) {
  const bool all = place == "*";
  pg::Params p;
  p.add(day_start(first)).add(day_start(end)).add(now);
  if (!all) p.add(place);
  const bool ok = stream(
      c,
      std::string("SELECT COALESCE(street_id, ''), created_at FROM tickets WHERE responded_at IS "
                  "NULL AND assigned_at IS NOT NULL AND created_at >= ?1 AND created_at < ?2 AND "
                  "response_due_at < ?3") +
          (all ? "" : " AND street_id = ?4"),
      p, [&](const pg::Res& s, int i) { fn(s.text(i, 0), s.int64(i, 1)); });
  if (!ok) return query_error(c, op);
  return core::Unit{};
}

// Calls fn(daily) for each day of [first, end) of the place that has tickets.
template <class Fn>
core::Outcome scan_daily(pg::Conn& c, const std::string& place, std::int64_t first,
                         std::int64_t end, int threshold, Fn&& fn, const char* op) {
  Daily d;
  const bool ok = stream(c,
                         std::string("SELECT ") + kDailyColumns +
                             " FROM stats_daily WHERE street_id = ?1 AND day >= ?2 AND "
                             "day < ?3 AND total <> 0 ORDER BY day",
                         pg::Params().add(place).add(first).add(end), [&](const pg::Res& s, int i) {
                           read_daily([&](int col) { return s.int64(i, col); }, threshold, d);
                           fn(d);
                         });
  if (!ok) return query_error(c, op);
  return core::Unit{};
}

std::string date_of_day(std::int64_t day) {
  const auto d = core::civil_from_days(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

#define LEASE(c)                            \
  auto c##_lease = pool_.acquire();         \
  if (!c##_lease) return c##_lease.error(); \
  pg::Conn& c = **c##_lease

}  // namespace

// [SECTION] Statistics

PgStats::PgStats(const std::string& url, int connections) : pool_(url, std::max(1, connections)) {}

Result<std::unique_ptr<PgStats>> PgStats::open(const std::string& url, int connections) {
  std::unique_ptr<PgStats> s(new PgStats(url, connections));
  auto c = s->pool_.acquire();
  if (!c) return c.error();
  return s;
}

Result<Overview> PgStats::overview(const StatsFilter& f) {
  LEASE(c);
  const std::int64_t now = core::to_unix(f.now);
  Overview o;
  std::int64_t by_status[9] = {}, by_level[4] = {}, by_channel[5] = {};
  std::map<std::string, std::int64_t, std::less<>> by_category;
  auto count_rows = [&](const StatsFilter& part) {
    return scan(
        c, part, nullptr,
        [&](const Row& r, const std::string&) {
          add(o.figures, r, f.satisfaction_threshold, now);
          ++by_status[static_cast<int>(r.status)];
          ++by_level[static_cast<int>(r.level)];
          ++by_channel[static_cast<int>(r.channel)];
          ++by_category[r.category];
        },
        "stats_overview");
  };
  const auto place = daily_place(f.scope);
  if (!place) {
    if (auto ok = count_rows(f); !ok) return ok.error();
  } else {
    // Whole days from the aggregates and the edges from the tickets, in one snapshot.
    pg::Tx tx(c);
    if (!tx.ok() || !c.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
      return query_error(c, "stats_overview");
    const Split sp = split_days(f);
    if (sp.before)
      if (auto ok = count_rows(*sp.before); !ok) return ok.error();
    if (sp.after)
      if (auto ok = count_rows(*sp.after); !ok) return ok.error();
    if (sp.first < sp.end) {
      auto ok = scan_daily(
          c, *place, sp.first, sp.end, f.satisfaction_threshold,
          [&](const Daily& d) {
            add(o.figures, d.figures);
            for (int i = 0; i < 9; ++i) by_status[i] += d.by_status[i];
            for (int i = 0; i < 4; ++i) by_level[i] += d.by_level[i];
            for (int i = 0; i < 5; ++i) by_channel[i] += d.by_channel[i];
          },
          "stats_overview");
      if (!ok) return ok.error();
      ok = scan_unanswered(
          c, *place, sp.first, sp.end, now,
          [&](const std::string&, std::int64_t) { ++o.figures.response.den; }, "stats_overview");
      if (!ok) return ok.error();
      const bool cats = stream(
          c,
          "SELECT category, SUM(n)::bigint FROM stats_daily_category WHERE street_id = ?1 AND "
          "day >= ?2 AND day < ?3 GROUP BY category",
          pg::Params().add(*place).add(sp.first).add(sp.end),
          [&](const pg::Res& s, int i) { by_category[s.text(i, 0)] += s.int64(i, 1); });
      if (!cats) return query_error(c, "stats_overview");
    }
    tx.commit();
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

Result<std::vector<KeyedFigures>> PgStats::ranking(const StatsFilter& f, RankDim dim) {
  LEASE(c);
  const std::int64_t now = core::to_unix(f.now);
  std::map<std::string, Figures, std::less<>> by_key;
  auto count = [&](const std::string& key, const Row& r) {
    if (key.empty()) return;
    add(by_key[key], r, f.satisfaction_threshold, now);
  };
  if (dim == RankDim::street && daily_place(f.scope)) {
    // Streets: whole days from the aggregates, the edges from the tickets.
    pg::Tx tx(c);
    if (!tx.ok() || !c.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
      return query_error(c, "stats_ranking");
    const Split sp = split_days(f);
    for (const auto& part : {sp.before, sp.after})
      if (part) {
        auto ok = scan(
            c, *part, "street_id", [&](const Row& r, const std::string& k) { count(k, r); },
            "stats_ranking");
        if (!ok) return ok.error();
      }
    if (sp.first < sp.end) {
      pg::Params p;
      p.add(sp.first).add(sp.end);
      if (f.scope.kind == StatsScopeKind::street) p.add(f.scope.id);
      Daily d;
      const bool ok = stream(
          c,
          std::string("SELECT street_id, ") + kDailyColumns +
              " FROM stats_daily WHERE street_id NOT IN ('*', '') AND day >= ?1 AND day < ?2 "
              "AND total <> 0" +
              (f.scope.kind == StatsScopeKind::street ? " AND street_id = ?3" : ""),
          p, [&](const pg::Res& s, int i) {
            read_daily([&](int col) { return s.int64(i, col + 1); }, f.satisfaction_threshold, d);
            add(by_key[s.text(i, 0)], d.figures);
          });
      if (!ok) return query_error(c, "stats_ranking");
      // A street has a row in stats_daily for every day it has tickets: the unanswered
      // ones add to streets already listed.
      auto more = scan_unanswered(
          c, daily_place(f.scope).value_or("*"), sp.first, sp.end, now,
          [&](const std::string& street, std::int64_t) {
            if (!street.empty()) ++by_key[street].response.den;
          },
          "stats_ranking");
      if (!more) return more.error();
    }
    tx.commit();
  } else if (dim != RankDim::unit) {
    const char* key = dim == RankDim::street      ? "street_id"
                      : dim == RankDim::community ? "community_id"
                                                  : "grid_id";
    auto ok = scan(
        c, f, key, [&](const Row& r, const std::string& k) { count(k, r); }, "stats_ranking");
    if (!ok) return ok.error();
  } else {
    // A unit's tickets: assigned to it now, or whistled to it (once per ticket), both
    // read in one snapshot.
    pg::Tx tx(c);
    if (!tx.ok() || !c.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
      return query_error(c, "stats_ranking_units");
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
      const bool ok = stream(c, sql, filter_params(f), [&](const pg::Res& s, int i) {
        std::string unit = s.text(i, 0);
        if (!seen.emplace(unit, s.int64(i, 1)).second) return;
        read_row(s, i, 2, r);
        count(unit, r);
      });
      if (!ok) return query_error(c, "stats_ranking_units");
    }
    tx.commit();
  }
  std::vector<KeyedFigures> out;
  out.reserve(by_key.size());
  for (auto& [k, v] : by_key) out.push_back({k, v});
  return out;
}

Result<std::vector<TrendPoint>> PgStats::trend(const StatsFilter& f, TrendInterval interval) {
  LEASE(c);
  const std::int64_t now = core::to_unix(f.now);
  std::map<std::int64_t, Figures> by_period;
  auto count_rows = [&](const StatsFilter& part) {
    return scan(
        c, part, nullptr,
        [&](const Row& r, const std::string&) {
          add(by_period[period_start(shanghai_day(r.created_at), interval)], r,
              f.satisfaction_threshold, now);
        },
        "stats_trend");
  };
  const auto place = daily_place(f.scope);
  if (!place) {
    if (auto ok = count_rows(f); !ok) return ok.error();
  } else {
    pg::Tx tx(c);
    if (!tx.ok() || !c.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
      return query_error(c, "stats_trend");
    const Split sp = split_days(f);
    if (sp.before)
      if (auto ok = count_rows(*sp.before); !ok) return ok.error();
    if (sp.after)
      if (auto ok = count_rows(*sp.after); !ok) return ok.error();
    if (sp.first < sp.end) {
      auto ok = scan_daily(
          c, *place, sp.first, sp.end, f.satisfaction_threshold,
          [&](const Daily& d) { add(by_period[period_start(d.day, interval)], d.figures); },
          "stats_trend");
      if (!ok) return ok.error();
      ok = scan_unanswered(
          c, *place, sp.first, sp.end, now,
          [&](const std::string&, std::int64_t at) {
            ++by_period[period_start(shanghai_day(at), interval)].response.den;
          },
          "stats_trend");
      if (!ok) return ok.error();
    }
    tx.commit();
  }
  std::vector<TrendPoint> out;
  out.reserve(by_period.size());
  for (auto& [day, fig] : by_period)
    if (fig.total) out.push_back({date_of_day(day), fig});
  return out;
}

Result<std::vector<GridCount>> PgStats::heatmap(const StatsFilter& f) {
  LEASE(c);
  auto r = c.exec(
      "SELECT grid_id, COUNT(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2 "
      "AND grid_id IS NOT NULL" +
          scope_sql(f.scope, "") + " GROUP BY grid_id ORDER BY grid_id",
      filter_params(f));
  if (!r.ok()) return query_error(c, "stats_heatmap");
  std::vector<GridCount> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.int64(i, 1)});
  // The same order as std::string comparison (byte order), whatever the collation.
  std::sort(out.begin(), out.end(),
            [](const GridCount& a, const GridCount& b) { return a.grid_id < b.grid_id; });
  return out;
}

Result<std::vector<UnitWhistles>> PgStats::whistles_by_unit(const StatsFilter& f) {
  LEASE(c);
  const std::string own = f.scope.kind == StatsScopeKind::unit ? " AND w.unit_id = ?3" : "";
  auto r = c.exec(
      "SELECT w.unit_id, COUNT(*), COUNT(*) FILTER (WHERE w.status = 'summoned'), "
      "COUNT(*) FILTER (WHERE w.status = 'checked_in'), COUNT(*) FILTER (WHERE w.status = 'done'), "
      "COUNT(*) FILTER (WHERE w.status = 'withdrawn'), COUNT(w.checked_in_at), "
      "COALESCE(SUM(w.checked_in_at - w.summoned_at), 0) "
      "FROM tickets t JOIN whistles w ON w.ticket_id = t.id WHERE t.created_at >= ?1 AND "
      "t.created_at < ?2" +
          scope_sql(f.scope, "t.") + own + " GROUP BY w.unit_id",
      filter_params(f));
  if (!r.ok()) return query_error(c, "stats_whistles");
  std::vector<UnitWhistles> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3), r.int64(i, 4),
                   r.int64(i, 5), r.int64(i, 6), r.int64(i, 7)});
  std::sort(out.begin(), out.end(),
            [](const UnitWhistles& a, const UnitWhistles& b) { return a.unit_id < b.unit_id; });
  return out;
}

Result<std::vector<TopicCandidate>> PgStats::topic_candidates(const StatsFilter& f,
                                                              core::TimePoint previous_from,
                                                              core::TimePoint previous_to) {
  LEASE(c);
  StatsFilter both = f;
  both.from = std::min(f.from, previous_from);
  both.to = std::max(f.to, previous_to);
  const std::int64_t cur_from = core::to_unix(f.from), cur_to = core::to_unix(f.to);
  const std::int64_t prev_from = core::to_unix(previous_from), prev_to = core::to_unix(previous_to);
  std::map<std::pair<std::string, std::string>, TopicCandidate> by_key;
  const bool ok =
      stream(c,
             "SELECT created_at, category, street_id FROM tickets WHERE created_at >= ?1 "
             "AND created_at < ?2 AND street_id IS NOT NULL" +
                 scope_sql(f.scope, ""),
             filter_params(both), [&](const pg::Res& s, int i) {
               const std::int64_t at = s.int64(i, 0);
               const bool in_cur = at >= cur_from && at < cur_to;
               const bool in_prev = at >= prev_from && at < prev_to;
               if (!in_cur && !in_prev) return;
               auto key = std::pair{s.text(i, 1), s.text(i, 2)};
               auto it = by_key.find(key);
               if (it == by_key.end())
                 it = by_key.emplace(key, TopicCandidate{key.first, key.second}).first;
               if (in_cur) ++it->second.current;
               if (in_prev) ++it->second.previous;
             });
  if (!ok) return query_error(c, "stats_topics");
  std::vector<TopicCandidate> out;
  out.reserve(by_key.size());
  for (auto& [k, v] : by_key) out.push_back(v);
  return out;
}

Result<std::vector<PublicRating>> PgStats::recent_ratings(const StatsFilter& f, int limit) {
  LEASE(c);
  auto p = filter_params(f);
  if (f.scope.kind == StatsScopeKind::district) p.add_null();  // keeps ?4 the limit
  p.add(std::max(0, limit));
  auto r = c.exec(
      "SELECT rated_at, rating_satisfaction, rating_resolved, category, COALESCE(street_id, '') "
      "FROM tickets WHERE rated_at IS NOT NULL AND rated_at >= ?1 AND rated_at < ?2 AND "
      "rating_satisfaction IS NOT NULL" +
          (f.scope.kind == StatsScopeKind::district ? std::string(" AND ?3::text IS NULL")
                                                    : scope_sql(f.scope, "")) +
          " ORDER BY rated_at DESC, id DESC LIMIT ?4",
      p);
  if (!r.ok()) return query_error(c, "stats_ratings");
  std::vector<PublicRating> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({core::from_unix(r.int64(i, 0)), static_cast<int>(r.int64(i, 1)),
                   !r.is_null(i, 2) && r.int64(i, 2) != 0, r.text(i, 3), r.text(i, 4)});
  return out;
}

// [SECTION] Open311

namespace {

const std::string kOpen311Columns =
    std::string(
        "t.number, t.category, t.description, t.lat, t.lng, t.address, t.status, t.level, "
        "t.assignee_kind, t.assignee_id, t.grid_id, t.community_id, t.street_id, t.created_at, "
        "t.updated_at, t.resolve_due_at, t.reply, t.merged_into, "
        "(SELECT ta.attachment_id FROM ticket_attachments ta WHERE ta.ticket_id = t.id AND "
        "ta.role = 'report' ORDER BY ta.pos LIMIT 1), ") +
    kOpen311AnonymousSql;

Open311Row read_open311(const pg::Res& s, int i) {
  Open311Row r;
  r.number = s.text(i, 0);
  r.category = s.text(i, 1);
  r.description = s.text(i, 2);
  r.lat = s.real(i, 3);
  r.lng = s.real(i, 4);
  r.address = s.text(i, 5);
  r.status = core::parse_status(s.text(i, 6)).value_or(core::Status::submitted);
  r.level = core::parse_level(s.text(i, 7)).value_or(core::Level::grid);
  r.assignee_kind = s.text(i, 8);
  r.assignee_id = s.text(i, 9);
  r.grid_id = s.opt_text(i, 10);
  r.community_id = s.opt_text(i, 11);
  r.street_id = s.opt_text(i, 12);
  r.created_at = core::from_unix(s.int64(i, 13));
  r.updated_at = core::from_unix(s.int64(i, 14));
  r.resolve_due_at = core::from_unix(s.int64(i, 15));
  r.reply = s.opt_text(i, 16);
  r.merged_into = s.opt_text(i, 17);
  r.photo_id = s.opt_text(i, 18);
  r.anonymous = s.int64(i, 19) != 0;
  return r;
}

std::string json_list(const std::vector<std::string>& v) {
  return core::Json(v).dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

class PgOpen311Store final : public Open311Store {
 public:
  explicit PgOpen311Store(const std::string& url) : pool_(url, 2) {}

  Result<std::vector<Open311Row>> requests(const Open311Query& q) override {
    LEASE(c);
    std::string where = " WHERE 1=1";
    pg::Params p;
    auto arg = [&p](const auto& v) {
      p.add(v);
      return "?" + std::to_string(p.size());
    };
    if (!q.numbers.empty()) {
      where += " AND t.number IN (SELECT jsonb_array_elements_text(" + arg(json_list(q.numbers)) +
               "::jsonb))";
    } else {
      if (!q.categories.empty())
        where += " AND t.category IN (SELECT jsonb_array_elements_text(" +
                 arg(json_list(q.categories)) + "::jsonb))";
      if (q.from) where += " AND t.created_at >= " + arg(core::to_unix(*q.from));
      if (q.to) where += " AND t.created_at <= " + arg(core::to_unix(*q.to));
      if (q.open)
        where += std::string(*q.open ? " AND t.status NOT IN " : " AND t.status IN ") +
                 "('resolved','closed','rejected','merged')";
    }
    const std::string limit = arg(q.limit), offset = arg(q.offset);
    auto r =
        c.exec(std::string("SELECT ") + kOpen311Columns + " FROM tickets t" + where +
                   " ORDER BY t.created_at DESC, t.id DESC LIMIT " + limit + " OFFSET " + offset,
               p);
    if (!r.ok()) return query_error(c, "open311_requests");
    std::vector<Open311Row> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_open311(r, i));
    return out;
  }

  Result<std::optional<Open311Row>> request(const std::string& number) override {
    LEASE(c);
    auto r = c.exec(std::string("SELECT ") + kOpen311Columns + " FROM tickets t WHERE t.number = ?",
                    pg::Params().add(number));
    if (!r.ok()) return query_error(c, "open311_request");
    if (!r.rows()) return std::optional<Open311Row>();
    return std::optional<Open311Row>(read_open311(r, 0));
  }

 private:
  pg::Pool pool_;
};

}  // namespace

Result<std::unique_ptr<Open311Store>> open_pg_open311_store(const std::string& url) {
  auto s = std::make_unique<PgOpen311Store>(url);
  return std::unique_ptr<Open311Store>(std::move(s));
}

}  // namespace portal::server
