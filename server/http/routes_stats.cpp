// The cockpit's statistics and the public board (API.md "Cockpit"). Every answer is
// JSON, or CSV with ?format=csv or Accept: text/csv (?table= picks one table of an
// answer that has several).
#include <httplib.h>

#include "server/http/respond.hpp"
#include "server/http/server.hpp"
#include "server/service/stats_service.hpp"

namespace portal::server::http {

void register_stats_routes(httplib::Server& s, Services& services, StatsService& stats);

namespace {

struct Common {
  StatsParams params;
  bool csv = false;
  std::string table;  // empty: the answer's first
};

// from, to, scope and the answer's format; every error names its parameter.
core::Result<Common> common_of(const httplib::Request& req, bool with_scope) {
  Common c;
  for (const char* field : {"from", "to"}) {
    if (!req.has_param(field)) continue;
    auto t = StatsService::parse_time(field, req.get_param_value(field));
    if (!t) return t.error();
    (std::string_view(field) == "from" ? c.params.from : c.params.to) = *t;
  }
  if (with_scope && req.has_param("scope")) {
    auto scope = StatsService::parse_scope(req.get_param_value("scope"));
    if (!scope) return scope.error();
    c.params.scope = *scope;
  }
  if (req.has_param("format")) {
    const std::string f = req.get_param_value("format");
    if (f != "json" && f != "csv")
      return core::Error::invalid("format", "unknown_format", "must be json or csv");
    c.csv = f == "csv";
  } else {
    c.csv = req.get_header_value("Accept").find("text/csv") != std::string::npos;
  }
  if (req.has_param("table")) c.table = req.get_param_value("table");
  return c;
}

void reply(httplib::Response& res, const Common& c, const core::Result<StatsAnswer>& a) {
  if (!a) return send_error(res, a.error());
  if (!c.csv) return send_json(res, 200, a->json);
  const CsvTable* table = a->tables.empty() ? nullptr : &a->tables.front();
  if (!c.table.empty()) {
    table = nullptr;
    for (const auto& t : a->tables)
      if (t.name == c.table) table = &t;
  }
  if (!table) {
    std::string names;
    for (const auto& t : a->tables) names += (names.empty() ? "" : ", ") + t.name;
    return send_error(res,
                      core::Error::invalid("table", "unknown_table", "must be one of " + names));
  }
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"stats-" + table->name + ".csv\"");
  res.set_content(render_csv(*table), "text/csv; charset=utf-8");
}

// Signed in, with a role that has a cockpit (401, 403), then the common parameters.
core::Result<std::pair<Actor, Common>> reader_of(const httplib::Request& req, Services& sv,
                                                 bool with_scope = true) {
  auto actor = signed_in_actor(req, sv);
  if (!actor) return actor.error();
  if (auto ok = StatsService::check_reader(*actor); !ok) return ok.error();
  auto c = common_of(req, with_scope);
  if (!c) return c.error();
  return std::pair{std::move(*actor), std::move(*c)};
}

core::Result<int> limit_of(const httplib::Request& req, int def, int max) {
  if (!req.has_param("limit")) return def;
  const std::string v = req.get_param_value("limit");
  int n = 0;
  if (v.empty() || v.size() > 3) n = -1;
  for (char ch : v) n = (ch >= '0' && ch <= '9' && n >= 0) ? n * 10 + (ch - '0') : -1;
  if (n < 1 || n > max)
    return core::Error::invalid("limit", "out_of_range", "must be 1 to " + std::to_string(max));
  return n;
}

}  // namespace

void register_stats_routes(httplib::Server& s, Services& sv, StatsService& stats) {
  s.Get("/api/v1/stats/overview",
        [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
          auto r = reader_of(req, sv);
          if (!r) return send_error(res, r.error());
          reply(res, r->second, stats.overview(r->first, r->second.params));
        });

  s.Get("/api/v1/stats/ranking",
        [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
          auto r = reader_of(req, sv);
          if (!r) return send_error(res, r.error());
          auto dim =
              StatsService::parse_dim(req.has_param("dim") ? req.get_param_value("dim") : "street");
          if (!dim) return send_error(res, dim.error());
          auto metric = StatsService::parse_metric(
              req.has_param("metric") ? req.get_param_value("metric") : "satisfaction_rate");
          if (!metric) return send_error(res, metric.error());
          reply(res, r->second, stats.ranking(r->first, r->second.params, *dim, *metric));
        });

  s.Get("/api/v1/stats/trend", [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
    auto r = reader_of(req, sv);
    if (!r) return send_error(res, r.error());
    auto interval = StatsService::parse_interval(
        req.has_param("interval") ? req.get_param_value("interval") : "day");
    if (!interval) return send_error(res, interval.error());
    reply(res, r->second, stats.trend(r->first, r->second.params, *interval));
  });

  s.Get("/api/v1/stats/heatmap",
        [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
          auto r = reader_of(req, sv);
          if (!r) return send_error(res, r.error());
          reply(res, r->second, stats.heatmap(r->first, r->second.params));
        });

  s.Get("/api/v1/stats/whistles",
        [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
          auto r = reader_of(req, sv);
          if (!r) return send_error(res, r.error());
          reply(res, r->second, stats.whistles(r->first, r->second.params));
        });

  s.Get("/api/v1/stats/topics", [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
    auto r = reader_of(req, sv);
    if (!r) return send_error(res, r.error());
    std::optional<core::CivilDate> month;
    if (req.has_param("month")) {
      auto m = StatsService::parse_month(req.get_param_value("month"));
      if (!m) return send_error(res, m.error());
      month = *m;
    }
    auto limit = limit_of(req, 10, 50);
    if (!limit) return send_error(res, limit.error());
    reply(res, r->second, stats.topics(r->first, month, r->second.params.scope, *limit));
  });

  // Public: no token is read, whatever the request carries. Limited per address; the
  // answer may be cached briefly (the service recomputes it at most every 30 s).
  s.Get("/api/v1/public/board", [&sv, &stats](const httplib::Request& req, httplib::Response& res) {
    if (sv.limits && rate_limited(sv.limits->public_board, req, res)) return;
    auto c = common_of(req, false);
    if (!c) return send_error(res, c.error());
    reply(res, *c, stats.board(c->params));
    if (res.status == 200) res.set_header("Cache-Control", "public, max-age=30");
  });
}

}  // namespace portal::server::http
