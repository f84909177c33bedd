// [SECTION] Index
// - Names and formatting: wire names, rounding, CSV
// - Parameters
// - Formulas
// - Readers and scopes
// - Periods
// - Answers: overview, ranking, trend, heat map, whistles, topics, public board

#include "server/service/stats_service.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "portal/core/sla.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/utf8.hpp"

namespace portal::server {

using core::Error;
using core::Json;
using core::Result;
using core::Role;

// [SECTION] Names and formatting

namespace {

constexpr StatsMetric kMetrics[] = {StatsMetric::total,
                                    StatsMetric::response_rate,
                                    StatsMetric::rating_rate,
                                    StatsMetric::on_time_rate,
                                    StatsMetric::resolution_rate,
                                    StatsMetric::satisfaction_rate,
                                    StatsMetric::avg_handle_hours,
                                    StatsMetric::reopen_rate};

double round_to(double v, double scale) {
  return std::round(v * scale) / scale;
}

Json opt_number(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

CsvCell opt_cell(const std::optional<double>& v) {
  if (!v) return std::monostate{};
  return *v;
}

std::string iso(core::TimePoint t) {
  return core::format_iso(t);
}

std::string date_of_day(std::int64_t day) {
  return core::format_civil_date(core::civil_from_days(day));
}

// Midnight in Asia/Shanghai starting a day (days since 1970-01-01).
core::TimePoint midnight(std::int64_t day) {
  return core::from_unix(day * 86400 - core::kShanghaiOffset);
}

core::CivilDate add_months(core::CivilDate d, int months) {
  int m = d.year * 12 + (d.month - 1) + months;
  return {m / 12, m % 12 + 1, 1};
}

// The parts of every rate (API.md "Cockpit"), named so that each rate is its numerator
// over its denominator and a name means one count wherever it appears:
//   response_rate      responded ÷ response_due
//   rating_rate        rated ÷ resolved          (resolved: ever resolved, reopened or not;
//   resolution_rate    solved ÷ rated             rated: every rating, and only a resolved
//   satisfaction_rate  satisfied ÷ rated          ticket can be rated)
//   reopen_rate        reopened ÷ resolved
//   on_time_rate       resolved_on_time ÷ resolved_now (resolved and not reopened since)
//   avg_handle_hours   over resolved_now
struct Part {
  const char* name;
  std::int64_t (*get)(const Figures&);
};
constexpr Part kParts[] = {
    {"responded", [](const Figures& f) { return f.response.num; }},
    {"response_due", [](const Figures& f) { return f.response.den; }},
    {"rated", [](const Figures& f) { return f.rating.num; }},
    {"resolved", [](const Figures& f) { return f.rating.den; }},
    {"resolved_on_time", [](const Figures& f) { return f.on_time.num; }},
    {"resolved_now", [](const Figures& f) { return f.on_time.den; }},
    {"solved", [](const Figures& f) { return f.resolution.num; }},
    {"satisfied", [](const Figures& f) { return f.satisfaction.num; }},
    {"reopened", [](const Figures& f) { return f.reopen.num; }},
};

// Each rate with the names of its numerator and denominator.
struct RateParts {
  const char *rate, *num, *den;
};
constexpr RateParts kRateParts[] = {{"response_rate", "responded", "response_due"},
                                    {"rating_rate", "rated", "resolved"},
                                    {"on_time_rate", "resolved_on_time", "resolved_now"},
                                    {"resolution_rate", "solved", "rated"},
                                    {"satisfaction_rate", "satisfied", "rated"},
                                    {"avg_handle_hours", "", "resolved_now"},
                                    {"reopen_rate", "reopened", "resolved"}};

// The figures of an answer's table row, in the order of kFigureHeader: the counts, the
// rates, then their parts.
const std::vector<std::string> kFigureHeader = [] {
  std::vector<std::string> h = {
      "total",        "backlog",         "overdue",           "response_rate",    "rating_rate",
      "on_time_rate", "resolution_rate", "satisfaction_rate", "avg_handle_hours", "reopen_rate"};
  for (const Part& p : kParts) h.emplace_back(p.name);
  return h;
}();

void append_figure_cells(std::vector<CsvCell>& row, const Figures& f) {
  row.emplace_back(f.total);
  row.emplace_back(f.backlog);
  row.emplace_back(f.overdue);
  for (StatsMetric m : kMetrics)
    if (m != StatsMetric::total) row.push_back(opt_cell(StatsService::metric_value(f, m)));
  for (const Part& p : kParts) row.emplace_back(p.get(f));
}

std::vector<std::string> with_figures(std::vector<std::string> head) {
  head.insert(head.end(), kFigureHeader.begin(), kFigureHeader.end());
  return head;
}

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::string_view to_string(StatsMetric m) {
  switch (m) {
    case StatsMetric::total:
      return "total";
    case StatsMetric::response_rate:
      return "response_rate";
    case StatsMetric::rating_rate:
      return "rating_rate";
    case StatsMetric::on_time_rate:
      return "on_time_rate";
    case StatsMetric::resolution_rate:
      return "resolution_rate";
    case StatsMetric::satisfaction_rate:
      return "satisfaction_rate";
    case StatsMetric::avg_handle_hours:
      return "avg_handle_hours";
    case StatsMetric::reopen_rate:
      return "reopen_rate";
  }
  return "total";
}

std::string_view to_string(RankDim d) {
  switch (d) {
    case RankDim::street:
      return "street";
    case RankDim::community:
      return "community";
    case RankDim::grid:
      return "grid";
    case RankDim::unit:
      return "unit";
  }
  return "street";
}

std::string_view to_string(TrendInterval i) {
  switch (i) {
    case TrendInterval::day:
      return "day";
    case TrendInterval::week:
      return "week";
    case TrendInterval::month:
      return "month";
  }
  return "day";
}

std::string to_string(const StatsScope& s) {
  switch (s.kind) {
    case StatsScopeKind::district:
      return "district";
    case StatsScopeKind::street:
      return "street:" + s.id;
    case StatsScopeKind::community:
      return "community:" + s.id;
    case StatsScopeKind::grid:
      return "grid:" + s.id;
    case StatsScopeKind::unit:
      return "unit:" + s.id;
  }
  return "district";
}

namespace {

// Code points a spreadsheet may pass over before it looks for a formula sign: white
// space (Unicode's spaces among them: NBSP, the ideographic space) and the invisible
// format characters (zero-width space and joiners, word joiner, direction marks and
// embeddings, soft hyphen, BOM).
bool blank_or_invisible(char32_t c) {
  return c == ' ' || c == '\n' || c == '\v' || c == '\f' || c == 0x85 || c == 0xA0 || c == 0xAD ||
         c == 0x034F || c == 0x061C || c == 0x1680 || c == 0x180E || (c >= 0x2000 && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF;
}

bool looks_like_formula(std::string_view v) {
  for (std::size_t i = 0; i < v.size();) {
    const char c = v[i];
    if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') return true;
    char32_t cp = 0;
    const std::size_t len = core::utf8_decode(v, i, cp);
    if (len == 0 || !blank_or_invisible(cp)) return false;
    i += len;
  }
  return false;
}

}  // namespace

std::string csv_text_field(std::string_view v) {
  std::string s;
  if (looks_like_formula(v)) s += '\'';
  s += v;
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string render_csv(const CsvTable& t) {
  std::string out = "\xEF\xBB\xBF";
  auto text = [&out](std::string_view v) { out += csv_text_field(v); };
  auto line = [&](const auto& cells, auto&& each) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      each(cells[i]);
    }
    out += "\r\n";
  };
  line(t.header, [&](const std::string& h) { text(h); });
  for (const auto& row : t.rows)
    line(row, [&](const CsvCell& c) {
      if (const auto* s = std::get_if<std::string>(&c)) {
        text(*s);
      } else if (const auto* i = std::get_if<std::int64_t>(&c)) {
        out += std::to_string(*i);
      } else if (const auto* d = std::get_if<double>(&c)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.10g", *d);
        out += buf;
      }
    });
  return out;
}

// [SECTION] Parameters

Result<core::TimePoint> StatsService::parse_time(const std::string& field, std::string_view text) {
  const Error bad = Error::invalid(field, "invalid_time",
                                   "must be an ISO 8601 time with a zone, or a date YYYY-MM-DD");
  if (text.size() == 10) {
    auto d = core::parse_civil_date(text);
    if (!d) return bad;
    return midnight(core::days_from_civil(*d));
  }
  if (text.size() > 40) return bad;
  auto t = core::parse_iso(text);
  if (!t) return bad;
  return *t;
}

Result<StatsScope> StatsService::parse_scope(std::string_view text) {
  const Error bad = Error::invalid("scope", "invalid_scope",
                                   "must be district, street:ID, community:ID, grid:ID or unit:ID");
  if (text == "district") return StatsScope{};
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return bad;
  const std::string_view kind = text.substr(0, colon), id = text.substr(colon + 1);
  if (id.empty() || id.size() > 64 || !std::all_of(id.begin(), id.end(), id_char)) return bad;
  StatsScope s;
  s.id = std::string(id);
  if (kind == "street")
    s.kind = StatsScopeKind::street;
  else if (kind == "community")
    s.kind = StatsScopeKind::community;
  else if (kind == "grid")
    s.kind = StatsScopeKind::grid;
  else if (kind == "unit")
    s.kind = StatsScopeKind::unit;
  else
    return bad;
  return s;
}

Result<RankDim> StatsService::parse_dim(std::string_view text) {
  for (RankDim d : {RankDim::street, RankDim::community, RankDim::grid, RankDim::unit})
    if (text == to_string(d)) return d;
  return Error::invalid("dim", "unknown_dim", "must be street, community, grid or unit");
}

Result<StatsMetric> StatsService::parse_metric(std::string_view text) {
  for (StatsMetric m : kMetrics)
    if (text == to_string(m)) return m;
  return Error::invalid("metric", "unknown_metric",
                        "must be total, response_rate, rating_rate, on_time_rate, "
                        "resolution_rate, satisfaction_rate, avg_handle_hours or reopen_rate");
}

Result<TrendInterval> StatsService::parse_interval(std::string_view text) {
  for (TrendInterval i : {TrendInterval::day, TrendInterval::week, TrendInterval::month})
    if (text == to_string(i)) return i;
  return Error::invalid("interval", "unknown_interval", "must be day, week or month");
}

Result<core::CivilDate> StatsService::parse_month(std::string_view text) {
  if (text.size() == 7) {
    auto d = core::parse_civil_date(std::string(text) + "-01");
    if (d) return *d;
  }
  return Error::invalid("month", "invalid_month", "must be a month YYYY-MM");
}

// [SECTION] Formulas

std::optional<double> StatsService::rate(const Ratio& r) {
  if (r.den <= 0) return std::nullopt;
  return static_cast<double>(r.num) / static_cast<double>(r.den);
}

std::optional<double> StatsService::avg_handle_hours(const Figures& f) {
  if (f.on_time.den <= 0) return std::nullopt;
  return static_cast<double>(f.handle_seconds) / static_cast<double>(f.on_time.den) / 3600.0;
}

std::optional<double> StatsService::metric_value(const Figures& f, StatsMetric m) {
  auto rounded = [](std::optional<double> v, double scale) -> std::optional<double> {
    if (!v) return v;
    return round_to(*v, scale);
  };
  switch (m) {
    case StatsMetric::total:
      return static_cast<double>(f.total);
    case StatsMetric::response_rate:
      return rounded(rate(f.response), 1e4);
    case StatsMetric::rating_rate:
      return rounded(rate(f.rating), 1e4);
    case StatsMetric::on_time_rate:
      return rounded(rate(f.on_time), 1e4);
    case StatsMetric::resolution_rate:
      return rounded(rate(f.resolution), 1e4);
    case StatsMetric::satisfaction_rate:
      return rounded(rate(f.satisfaction), 1e4);
    case StatsMetric::avg_handle_hours:
      return rounded(avg_handle_hours(f), 1e2);
    case StatsMetric::reopen_rate:
      return rounded(rate(f.reopen), 1e4);
  }
  return std::nullopt;
}

bool StatsService::higher_is_better(StatsMetric m) {
  return m != StatsMetric::avg_handle_hours && m != StatsMetric::reopen_rate;
}

Json StatsService::figures_json(const Figures& f) {
  Json j = {{"total", f.total}, {"backlog", f.backlog}, {"overdue", f.overdue}};
  for (StatsMetric m : kMetrics)
    if (m != StatsMetric::total) j[std::string(to_string(m))] = opt_number(metric_value(f, m));
  for (const Part& p : kParts) j[p.name] = p.get(f);
  return j;
}

// [SECTION] Readers and scopes

StatsService::StatsService(StatsStore& stats, Store& store, std::shared_ptr<const OrgDirectory> org,
                           NowFn now, StatsOptions options)
    : stats_(stats),
      store_(store),
      org_(std::move(org)),
      now_(std::move(now)),
      options_(std::move(options)) {
  options_.satisfaction_threshold = std::clamp(options_.satisfaction_threshold, 1, 5);
}

core::Outcome StatsService::check_reader(const Actor& actor) {
  if (!actor.signed_in()) return Error{"unauthorized", "sign in first", {}, 401};
  switch (actor.role) {
    case Role::district_staff:
    case Role::admin:
    case Role::auditor:
    case Role::street_staff:
    case Role::community_staff:
      return core::Unit{};
    default:
      return Error{"forbidden_role", "this role has no access to the statistics", {}, 403};
  }
}

Result<StatsScope> StatsService::reach(const Actor& actor,
                                       const std::optional<StatsScope>& asked) const {
  if (auto ok = check_reader(actor); !ok) return ok.error();
  const Error outside{"scope_forbidden", "this scope lies outside your area", "scope", 403};
  if (asked) {
    const std::string& id = asked->id;
    bool known = true;
    switch (asked->kind) {
      case StatsScopeKind::district:
        break;
      case StatsScopeKind::street:
        known = org_->street(id) != nullptr;
        break;
      case StatsScopeKind::community:
        known = org_->community(id) != nullptr;
        break;
      case StatsScopeKind::grid:
        known = org_->grid(id) != nullptr;
        break;
      case StatsScopeKind::unit:
        known = org_->unit(id) != nullptr;
        break;
    }
    if (!known)
      return Error::invalid("scope", "unknown_scope",
                            "names no such place or unit of the district");
  }
  switch (actor.role) {
    case Role::district_staff:
    case Role::admin:
    case Role::auditor:
      return asked ? *asked : StatsScope{};
    case Role::street_staff: {
      if (actor.street_id.empty()) return outside;
      if (!asked) return StatsScope{StatsScopeKind::street, actor.street_id};
      const std::string& id = asked->id;
      const bool inside =
          (asked->kind == StatsScopeKind::street && id == actor.street_id) ||
          (asked->kind == StatsScopeKind::community &&
           org_->community(id)->street_id == actor.street_id) ||
          (asked->kind == StatsScopeKind::grid && org_->grid(id)->street_id == actor.street_id);
      if (!inside) return outside;
      return *asked;
    }
    case Role::community_staff: {
      if (actor.community_id.empty()) return outside;
      if (!asked) return StatsScope{StatsScopeKind::community, actor.community_id};
      const std::string& id = asked->id;
      const bool inside = (asked->kind == StatsScopeKind::community && id == actor.community_id) ||
                          (asked->kind == StatsScopeKind::grid &&
                           org_->grid(id)->community_id == actor.community_id);
      if (!inside) return outside;
      return *asked;
    }
    default:
      return Error{"forbidden_role", "this role has no access to the statistics", {}, 403};
  }
}

// [SECTION] Periods

core::TimePoint StatsService::start_of_tomorrow() const {
  return midnight(shanghai_day(core::to_unix(now_())) + 1);
}

Result<StatsService::Period> StatsService::period_of(const StatsParams& p) const {
  Period out;
  out.to = p.to ? *p.to : start_of_tomorrow();
  out.from = p.from ? *p.from : out.to - std::chrono::hours(24 * 30);
  if (out.from >= out.to)
    return Error::invalid(p.to ? "to" : "from", "invalid_period", "from must be earlier than to");
  return out;
}

StatsFilter StatsService::filter_of(const Period& p, const StatsScope& s) const {
  StatsFilter f;
  f.from = p.from;
  f.to = p.to;
  f.scope = s;
  f.satisfaction_threshold = options_.satisfaction_threshold;
  f.now = now_();
  return f;
}

std::string StatsService::category_name(const std::string& code) {
  std::lock_guard lock(mu_);
  if (category_names_.empty()) {
    if (auto cats = store_.categories())
      for (const auto& c : *cats) category_names_[c.code] = c.name;
  }
  auto it = category_names_.find(code);
  return it == category_names_.end() ? code : it->second;
}

std::string StatsService::name_of(RankDim dim, const std::string& id) const {
  const std::string* name = nullptr;
  switch (dim) {
    case RankDim::street:
      if (const auto* s = org_->street(id)) name = &s->name;
      break;
    case RankDim::community:
      if (const auto* c = org_->community(id)) name = &c->name;
      break;
    case RankDim::grid:
      if (const auto* g = org_->grid(id)) name = &g->name;
      break;
    case RankDim::unit:
      if (const auto* u = org_->unit(id)) name = &u->name;
      break;
  }
  return name ? *name : id;
}

std::vector<std::string> StatsService::members(RankDim dim, const StatsScope& scope) const {
  const OrgData& org = org_->data();
  std::vector<std::string> out;
  if (scope.kind == StatsScopeKind::unit) return out;  // only what the unit's tickets show
  // The street and community the scope lies in (empty: any).
  std::string street, community, grid;
  switch (scope.kind) {
    case StatsScopeKind::street:
      street = scope.id;
      break;
    case StatsScopeKind::community:
      community = scope.id;
      street = org_->community(scope.id) ? org_->community(scope.id)->street_id : "";
      break;
    case StatsScopeKind::grid:
      grid = scope.id;
      if (const auto* g = org_->grid(scope.id)) community = g->community_id, street = g->street_id;
      break;
    default:
      break;
  }
  switch (dim) {
    case RankDim::street:
      for (const auto& s : org.streets)
        if (street.empty() || s.id == street) out.push_back(s.id);
      break;
    case RankDim::community:
      for (const auto& c : org.communities)
        if ((street.empty() || c.street_id == street) && (community.empty() || c.id == community))
          out.push_back(c.id);
      break;
    case RankDim::grid:
      for (const auto& g : org.grids)
        if ((street.empty() || g.street_id == street) &&
            (community.empty() || g.community_id == community) && (grid.empty() || g.id == grid))
          out.push_back(g.id);
      break;
    case RankDim::unit:
      // The units tickets are whistled to: departments and public-service units.
      for (const auto& u : org.units)
        if (u.kind == "department" || u.kind == "utility") out.push_back(u.id);
      break;
  }
  return out;
}

// [SECTION] Answers

namespace {

Json period_json(core::TimePoint from, core::TimePoint to, const StatsScope& scope) {
  return {{"from", iso(from)}, {"to", iso(to)}, {"scope", to_string(scope)}};
}

}  // namespace

Result<StatsAnswer> StatsService::overview(const Actor& actor, const StatsParams& p) {
  auto scope = reach(actor, p.scope);
  if (!scope) return scope.error();
  auto period = period_of(p);
  if (!period) return period.error();
  // A leader's cockpit asks this every few seconds, and so do many leaders: the answer
  // is kept until the next change of any ticket (the version is read before the
  // figures, so an answer computed across a change is never kept as current), and for
  // a few seconds at most. One caller computes an answer at a time: callers that come
  // meanwhile wait for it, or take the previous one when no change has touched it.
  const auto version = store_.data_version();
  if (!version) return compute_overview(*scope, *period);
  const std::string key = std::to_string(static_cast<int>(scope->kind)) + '\n' + scope->id + '\n' +
                          std::to_string(core::to_unix(period->from)) + '\n' +
                          std::to_string(core::to_unix(period->to));
  std::shared_ptr<OverviewFlight> flight;
  {
    std::unique_lock lock(overview_mu_);
    const auto mono = std::chrono::steady_clock::now();
    auto cached = overview_cache_.find(key);
    // Unanswered tickets enter 响应率 as their limits pass, with no change to any ticket:
    // an answer is also kept for at most a few seconds of the service's own clock.
    const auto as_of = now_();
    const bool same = cached != overview_cache_.end() && cached->second.version == *version &&
                      as_of >= cached->second.as_of &&
                      as_of - cached->second.as_of < kOverviewMaxAge;
    if (same && mono - cached->second.computed_at < kOverviewMaxAge) return cached->second.answer;
    if (auto f = overview_flights_.find(key);
        f != overview_flights_.end() && f->second->version == *version) {
      if (same) return cached->second.answer;
      auto theirs = f->second;
      overview_cv_.wait(lock, [&] { return theirs->done; });
      return *theirs->result;
    }
    flight = std::make_shared<OverviewFlight>();
    flight->version = *version;
    overview_flights_[key] = flight;
  }
  const auto computed_at = std::chrono::steady_clock::now();
  const auto as_of = now_();
  auto answer = compute_overview(*scope, *period);
  {
    std::lock_guard lock(overview_mu_);
    if (answer) {
      if (overview_cache_.size() >= kOverviewCacheMax) overview_cache_.clear();
      overview_cache_[key] = CachedOverview{*version, computed_at, as_of, *answer};
    }
    flight->result = answer;
    flight->done = true;
    if (auto f = overview_flights_.find(key); f != overview_flights_.end() && f->second == flight)
      overview_flights_.erase(f);
  }
  overview_cv_.notify_all();
  return answer;
}

Result<StatsAnswer> StatsService::compute_overview(const StatsScope& scope, const Period& period) {
  auto o = stats_.overview(filter_of(period, scope));
  if (!o) return o.error();
  const Figures& f = o->figures;

  Json j = period_json(period.from, period.to, scope);
  j["satisfaction_threshold"] = options_.satisfaction_threshold;
  // The scope's name, for a heading ("district" has none).
  switch (scope.kind) {
    case StatsScopeKind::district:
      j["scope_name"] = nullptr;
      break;
    case StatsScopeKind::street:
      j["scope_name"] = name_of(RankDim::street, scope.id);
      break;
    case StatsScopeKind::community:
      j["scope_name"] = name_of(RankDim::community, scope.id);
      break;
    case StatsScopeKind::grid:
      j["scope_name"] = name_of(RankDim::grid, scope.id);
      break;
    case StatsScopeKind::unit:
      j["scope_name"] = name_of(RankDim::unit, scope.id);
      break;
  }
  // Every rate with its parts beside it (API.md "Cockpit"): the n that keeps 100 % of one
  // rating from passing for 100 % of a thousand.
  j.update(figures_json(f));
  // Every status, level and channel, zeros included; categories with tickets.
  Json by_status = Json::object(), by_level = Json::object(), by_channel = Json::object();
  auto count = [](const std::map<std::string, std::int64_t>& m, std::string_view k) {
    auto it = m.find(std::string(k));
    return it == m.end() ? std::int64_t{0} : it->second;
  };
  for (int i = 0; i <= static_cast<int>(core::Status::merged); ++i) {
    const auto k = core::to_string(static_cast<core::Status>(i));
    by_status[std::string(k)] = count(o->by_status, k);
  }
  for (int i = 0; i <= static_cast<int>(core::Level::district); ++i) {
    const auto k = core::to_string(static_cast<core::Level>(i));
    by_level[std::string(k)] = count(o->by_level, k);
  }
  for (int i = 0; i <= static_cast<int>(core::Channel::open311); ++i) {
    const auto k = core::to_string(static_cast<core::Channel>(i));
    by_channel[std::string(k)] = count(o->by_channel, k);
  }
  Json by_category = Json::object();
  for (const auto& [code, n] : o->by_category) by_category[code] = n;
  j["by_status"] = by_status;
  j["by_level"] = by_level;
  j["by_channel"] = by_channel;
  j["by_category"] = by_category;
  auto ratio = [](const Ratio& r) { return Json{{"numerator", r.num}, {"denominator", r.den}}; };
  j["ratios"] = {
      {"response_rate", ratio(f.response)},         {"rating_rate", ratio(f.rating)},
      {"on_time_rate", ratio(f.on_time)},           {"resolution_rate", ratio(f.resolution)},
      {"satisfaction_rate", ratio(f.satisfaction)}, {"reopen_rate", ratio(f.reopen)}};
  j["handled_hours_total"] = round_to(static_cast<double>(f.handle_seconds) / 3600.0, 1e2);

  CsvTable t{"overview", {"section", "key", "name", "value"}, {}};
  auto row = [&t](std::string section, std::string key, std::string name, CsvCell v) {
    t.rows.push_back({std::move(section), std::move(key), std::move(name), std::move(v)});
  };
  row("period", "from", "", iso(period.from));
  row("period", "to", "", iso(period.to));
  row("period", "scope", "", to_string(scope));
  row("total", "total", "", f.total);
  row("total", "backlog", "", f.backlog);
  row("total", "overdue", "", f.overdue);
  for (StatsMetric m : kMetrics)
    if (m != StatsMetric::total)
      row("rate", std::string(to_string(m)), "", opt_cell(metric_value(f, m)));
  // Each rate's numerator and denominator under its name.
  auto part = [&](const char* rate_name, const char* name) {
    for (const Part& p : kParts)
      if (std::string_view(p.name) == name) row(rate_name, name, "", p.get(f));
  };
  for (const auto& [rate_name, num, den] : kRateParts) {
    part(rate_name, num);
    part(rate_name, den);
  }
  for (auto& [k, v] : by_status.items()) row("by_status", k, "", v.get<std::int64_t>());
  for (auto& [k, v] : by_level.items()) row("by_level", k, "", v.get<std::int64_t>());
  for (auto& [k, v] : by_channel.items()) row("by_channel", k, "", v.get<std::int64_t>());
  for (const auto& [code, n] : o->by_category) row("by_category", code, category_name(code), n);
  return StatsAnswer{std::move(j), {std::move(t)}};
}

Result<std::vector<Json>> StatsService::ranked(const StatsFilter& f, RankDim dim,
                                               StatsMetric metric) {
  auto rows = stats_.ranking(f, dim);
  if (!rows) return rows.error();
  std::map<std::string, Figures> by_key;
  for (const auto& id : members(dim, f.scope)) by_key[id];
  for (auto& r : *rows) by_key[r.key] = r.figures;

  struct Entry {
    std::string id;
    const Figures* figures;
    std::optional<double> value;
  };
  std::vector<Entry> entries;
  entries.reserve(by_key.size());
  for (const auto& [id, fig] : by_key) entries.push_back({id, &fig, metric_value(fig, metric)});
  const bool desc = higher_is_better(metric);
  // Best first; no value (nothing to measure) last; then more tickets first, then id.
  std::stable_sort(entries.begin(), entries.end(), [desc](const Entry& a, const Entry& b) {
    if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
    if (a.value && *a.value != *b.value) return desc ? *a.value > *b.value : *a.value < *b.value;
    if (a.figures->total != b.figures->total) return a.figures->total > b.figures->total;
    return a.id < b.id;
  });
  std::vector<Json> out;
  out.reserve(entries.size());
  int rank = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    // Equal values share a rank (1, 1, 3).
    if (e.value && (i == 0 || !entries[i - 1].value || *entries[i - 1].value != *e.value))
      rank = static_cast<int>(i) + 1;
    Json j = {{"rank", e.value ? Json(rank) : Json(nullptr)},
              {"id", e.id},
              {"name", name_of(dim, e.id)},
              {"value", opt_number(e.value)}};
    // Where it lies, for tables that list communities or grids of several streets.
    if (dim == RankDim::community) {
      if (const auto* c = org_->community(e.id))
        j["parent"] = name_of(RankDim::street, c->street_id);
    } else if (dim == RankDim::grid) {
      if (const auto* g = org_->grid(e.id))
        j["parent"] = name_of(RankDim::street, g->street_id) + " / " +
                      name_of(RankDim::community, g->community_id);
    }
    j.update(figures_json(*e.figures));
    out.push_back(std::move(j));
  }
  return out;
}

namespace {

CsvTable ranking_table(std::string name, const std::vector<Json>& items) {
  CsvTable t{std::move(name), with_figures({"rank", "id", "name", "parent"}), {}};
  for (const auto& j : items) {
    std::vector<CsvCell> row;
    row.push_back(j["rank"].is_null() ? CsvCell{} : CsvCell{j["rank"].get<std::int64_t>()});
    row.emplace_back(j["id"].get<std::string>());
    row.emplace_back(j["name"].get<std::string>());
    row.emplace_back(j.value("parent", std::string()));
    for (const auto& h : kFigureHeader) {
      const Json& v = j[h];
      if (v.is_null())
        row.emplace_back(std::monostate{});
      else if (v.is_number_integer())
        row.emplace_back(v.get<std::int64_t>());
      else
        row.emplace_back(v.get<double>());
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace

Result<StatsAnswer> StatsService::ranking(const Actor& actor, const StatsParams& p, RankDim dim,
                                          StatsMetric metric) {
  auto scope = reach(actor, p.scope);
  if (!scope) return scope.error();
  auto period = period_of(p);
  if (!period) return period.error();
  auto items = ranked(filter_of(*period, *scope), dim, metric);
  if (!items) return items.error();
  Json j = period_json(period->from, period->to, *scope);
  j["dim"] = to_string(dim);
  j["metric"] = to_string(metric);
  j["satisfaction_threshold"] = options_.satisfaction_threshold;
  j["items"] = *items;
  CsvTable t = ranking_table("ranking-" + std::string(to_string(dim)), *items);
  return StatsAnswer{std::move(j), {std::move(t)}};
}

Result<StatsAnswer> StatsService::trend(const Actor& actor, const StatsParams& p,
                                        TrendInterval interval) {
  auto scope = reach(actor, p.scope);
  if (!scope) return scope.error();
  StatsParams q = p;
  if (!q.from) {
    // 30 days, 12 weeks or 12 months, ending with the one holding the last instant.
    const core::TimePoint to = q.to ? *q.to : start_of_tomorrow();
    const std::int64_t last = shanghai_day(core::to_unix(to) - 1);
    switch (interval) {
      case TrendInterval::day:
        q.from = midnight(last - 29);
        break;
      case TrendInterval::week:
        q.from = midnight(period_start(last, TrendInterval::week) - 7 * 11);
        break;
      case TrendInterval::month:
        q.from = midnight(core::days_from_civil(add_months(core::civil_from_days(last), -11)));
        break;
    }
  }
  auto period = period_of(q);
  if (!period) return period.error();
  const std::int64_t first_day = shanghai_day(core::to_unix(period->from));
  const std::int64_t last_day = shanghai_day(core::to_unix(period->to) - 1);
  const std::int64_t span_days = last_day - first_day + 1;
  const std::int64_t max_days = interval == TrendInterval::day    ? 3700
                                : interval == TrendInterval::week ? 7 * 1000
                                                                  : 31 * 1200;
  if (span_days > max_days)
    return Error::invalid("from", "period_too_long",
                          "the period holds too many " + std::string(to_string(interval)) +
                              "s; choose a shorter period or a longer interval");
  auto points = stats_.trend(filter_of(*period, *scope), interval);
  if (!points) return points.error();
  std::map<std::string, Figures> by_period;
  for (auto& pt : *points) by_period[pt.period] = pt.figures;

  Json items = Json::array();
  CsvTable t{"trend-" + std::string(to_string(interval)), with_figures({"period"}), {}};
  for (std::int64_t d = period_start(first_day, interval); d <= last_day;) {
    const std::string label = date_of_day(d);
    const auto it = by_period.find(label);
    const Figures f = it == by_period.end() ? Figures{} : it->second;
    Json item = {{"period", label}};
    item.update(figures_json(f));
    items.push_back(std::move(item));
    std::vector<CsvCell> row{label};
    append_figure_cells(row, f);
    t.rows.push_back(std::move(row));
    switch (interval) {
      case TrendInterval::day:
        d += 1;
        break;
      case TrendInterval::week:
        d += 7;
        break;
      case TrendInterval::month:
        d = core::days_from_civil(add_months(core::civil_from_days(d), 1));
        break;
    }
  }
  Json j = period_json(period->from, period->to, *scope);
  j["interval"] = to_string(interval);
  j["satisfaction_threshold"] = options_.satisfaction_threshold;
  j["items"] = std::move(items);
  return StatsAnswer{std::move(j), {std::move(t)}};
}

Result<StatsAnswer> StatsService::heatmap(const Actor& actor, const StatsParams& p) {
  auto scope = reach(actor, p.scope);
  if (!scope) return scope.error();
  auto period = period_of(p);
  if (!period) return period.error();
  auto cells = stats_.heatmap(filter_of(*period, *scope));
  if (!cells) return cells.error();
  // API.md: a bare array of {grid_id, count}; density per 1,000 residents added.
  Json j = Json::array();
  CsvTable t{
      "heatmap", {"grid_id", "grid", "community", "street", "count", "per_1000_residents"}, {}};
  for (const auto& c : *cells) {
    const GridRow* g = org_->grid(c.grid_id);
    std::optional<double> density;
    if (g && g->residents > 0)
      density = round_to(1000.0 * static_cast<double>(c.count) / g->residents, 1e2);
    j.push_back(
        {{"grid_id", c.grid_id}, {"count", c.count}, {"per_1000_residents", opt_number(density)}});
    t.rows.push_back({c.grid_id, g ? g->name : c.grid_id,
                      g ? name_of(RankDim::community, g->community_id) : std::string(),
                      g ? name_of(RankDim::street, g->street_id) : std::string(), c.count,
                      opt_cell(density)});
  }
  return StatsAnswer{std::move(j), {std::move(t)}};
}

Result<StatsAnswer> StatsService::whistles(const Actor& actor, const StatsParams& p) {
  auto scope = reach(actor, p.scope);
  if (!scope) return scope.error();
  auto period = period_of(p);
  if (!period) return period.error();
  auto rows = stats_.whistles_by_unit(filter_of(*period, *scope));
  if (!rows) return rows.error();
  std::stable_sort(rows->begin(), rows->end(), [](const UnitWhistles& a, const UnitWhistles& b) {
    return a.total != b.total ? a.total > b.total : a.unit_id < b.unit_id;
  });
  Json items = Json::array();
  CsvTable t{"whistles",
             {"unit_id", "unit", "total", "summoned", "checked_in", "done", "withdrawn",
              "avg_checkin_minutes"},
             {}};
  for (const auto& w : *rows) {
    std::optional<double> minutes;
    if (w.checkins > 0)
      minutes = round_to(static_cast<double>(w.checkin_seconds) / w.checkins / 60.0, 1e1);
    const std::string name = name_of(RankDim::unit, w.unit_id);
    items.push_back({{"unit_id", w.unit_id},
                     {"unit_name", name},
                     {"total", w.total},
                     {"summoned", w.summoned},
                     {"checked_in", w.checked_in},
                     {"done", w.done},
                     {"withdrawn", w.withdrawn},
                     {"avg_checkin_minutes", opt_number(minutes)}});
    t.rows.push_back({w.unit_id, name, w.total, w.summoned, w.checked_in, w.done, w.withdrawn,
                      opt_cell(minutes)});
  }
  Json j = period_json(period->from, period->to, *scope);
  j["items"] = std::move(items);
  return StatsAnswer{std::move(j), {std::move(t)}};
}

Result<StatsAnswer> StatsService::topics(const Actor& actor, std::optional<core::CivilDate> month,
                                         const std::optional<StatsScope>& asked, int limit) {
  auto scope = reach(actor, asked);
  if (!scope) return scope.error();
  const core::TimePoint now = now_();
  const core::CivilDate today = core::civil_date(now, core::kShanghaiOffset);
  const core::CivilDate m = month ? core::CivilDate{month->year, month->month, 1}
                                  : core::CivilDate{today.year, today.month, 1};
  if (m.year * 12 + m.month > today.year * 12 + today.month)
    return Error::invalid("month", "future_month", "is still to come");
  const core::TimePoint cur_from = midnight(core::days_from_civil(m));
  const core::TimePoint cur_end = midnight(core::days_from_civil(add_months(m, 1)));
  const core::TimePoint prev_from = midnight(core::days_from_civil(add_months(m, -1)));
  // The month so far against as many days of the previous month (at most all of it).
  const core::TimePoint cur_to = std::min(cur_end, now + std::chrono::seconds(1));
  const core::TimePoint prev_to = std::min(cur_from, prev_from + (cur_to - cur_from));

  StatsFilter f = filter_of({cur_from, cur_to}, *scope);
  auto rows = stats_.topic_candidates(f, prev_from, prev_to);
  if (!rows) return rows.error();
  std::vector<TopicCandidate> grown;
  for (const auto& r : *rows)
    if (r.current >= options_.topic_min_count && r.current > r.previous) grown.push_back(r);
  std::stable_sort(grown.begin(), grown.end(),
                   [](const TopicCandidate& a, const TopicCandidate& b) {
                     const auto ga = a.current - a.previous, gb = b.current - b.previous;
                     if (ga != gb) return ga > gb;
                     if (a.current != b.current) return a.current > b.current;
                     return std::tie(a.category, a.street_id) < std::tie(b.category, b.street_id);
                   });
  if (static_cast<int>(grown.size()) > limit) grown.resize(static_cast<std::size_t>(limit));

  char label[16];
  std::snprintf(label, sizeof label, "%04d-%02d", m.year, m.month);
  const core::CivilDate pm = add_months(m, -1);
  char prev_label[16];
  std::snprintf(prev_label, sizeof prev_label, "%04d-%02d", pm.year, pm.month);
  Json items = Json::array();
  CsvTable t{"topics",
             {"category", "category_name", "street_id", "street", "count", "previous_count",
              "growth", "growth_rate"},
             {}};
  for (const auto& r : grown) {
    const std::int64_t growth = r.current - r.previous;
    std::optional<double> growth_rate;
    if (r.previous > 0) growth_rate = round_to(static_cast<double>(growth) / r.previous, 1e4);
    const std::string cat = category_name(r.category),
                      street = name_of(RankDim::street, r.street_id);
    items.push_back({{"category", r.category},
                     {"category_name", cat},
                     {"street_id", r.street_id},
                     {"street_name", street},
                     {"count", r.current},
                     {"previous_count", r.previous},
                     {"growth", growth},
                     {"growth_rate", opt_number(growth_rate)}});
    t.rows.push_back({r.category, cat, r.street_id, street, r.current, r.previous, growth,
                      opt_cell(growth_rate)});
  }
  Json j = {{"month", label},
            {"previous_month", prev_label},
            {"scope", to_string(*scope)},
            {"window", {{"from", iso(cur_from)}, {"to", iso(cur_to)}}},
            {"previous_window", {{"from", iso(prev_from)}, {"to", iso(prev_to)}}},
            {"items", std::move(items)}};
  return StatsAnswer{std::move(j), {std::move(t)}};
}

Result<StatsAnswer> StatsService::board(const StatsParams& p) {
  StatsParams q = p;
  q.scope.reset();
  auto asked = period_of(q);
  if (!asked) return asked.error();
  // Anyone may ask, so the answers must be few and cheap: whole Shanghai days, at most
  // a year, each period computed once per cache interval, one computation at a time
  // (the cockpit keeps the other statistics connections).
  Period period;
  period.from = midnight(shanghai_day(core::to_unix(asked->from)));
  const std::int64_t to_day = shanghai_day(core::to_unix(asked->to) - 1) + 1;
  period.to = midnight(to_day);
  if (to_day - shanghai_day(core::to_unix(period.from)) > 366)
    return Error::invalid("from", "period_too_long", "the public board covers at most a year");
  const auto key = std::pair{core::to_unix(period.from), core::to_unix(period.to)};
  const bool caching = options_.public_cache.count() > 0;
  auto cached = [&]() -> std::optional<StatsAnswer> {
    std::lock_guard lock(mu_);
    auto it = board_cache_.find(key);
    if (it == board_cache_.end() || it->second.expires <= now_()) return std::nullopt;
    return it->second.answer;
  };
  if (caching)
    if (auto hit = cached()) return *hit;
  std::lock_guard one_at_a_time(board_mu_);
  if (caching)
    if (auto hit = cached()) return *hit;  // computed while this request waited
  auto answer = compute_board(period);
  if (!answer) return answer.error();
  if (caching) {
    std::lock_guard lock(mu_);
    if (board_cache_.size() >= 32) board_cache_.clear();
    board_cache_[key] = {now_() + options_.public_cache, *answer};
  }
  return answer;
}

Result<StatsAnswer> StatsService::compute_board(const Period& p) {
  const StatsFilter f = filter_of(p, StatsScope{});
  auto o = stats_.overview(f);
  if (!o) return o.error();
  auto streets = ranked(f, RankDim::street, StatsMetric::satisfaction_rate);
  if (!streets) return streets.error();
  auto ratings = stats_.recent_ratings(f, options_.public_ratings);
  if (!ratings) return ratings.error();

  // Only aggregates and names of places and categories: nothing about a person.
  Json district = figures_json(o->figures);
  Json street_items = Json::array();
  for (const auto& s : *streets) {
    Json item = {{"rank", s["rank"]}, {"id", s["id"]}, {"name", s["name"]}};
    for (const auto& h : kFigureHeader) item[h] = s[h];
    street_items.push_back(std::move(item));
  }
  Json recent = Json::array();
  CsvTable rt{"ratings", {"date", "street", "category", "satisfaction", "resolved"}, {}};
  for (const auto& r : *ratings) {
    const std::string date =
        core::format_civil_date(core::civil_date(r.rated_at, core::kShanghaiOffset));
    const std::string street = r.street_id.empty() ? "" : name_of(RankDim::street, r.street_id);
    const std::string cat = category_name(r.category);
    recent.push_back({{"date", date},
                      {"satisfaction", r.satisfaction},
                      {"resolved", r.resolved},
                      {"category", r.category},
                      {"category_name", cat},
                      {"street_id", r.street_id.empty() ? Json(nullptr) : Json(r.street_id)},
                      {"street_name", r.street_id.empty() ? Json(nullptr) : Json(street)}});
    rt.rows.push_back(
        {date, street, cat, std::int64_t{r.satisfaction}, std::string(r.resolved ? "yes" : "no")});
  }
  Json j = {{"from", iso(p.from)},
            {"to", iso(p.to)},
            {"generated_at", iso(now_())},
            {"satisfaction_threshold", options_.satisfaction_threshold},
            {"district", std::move(district)},
            {"streets", std::move(street_items)},
            {"recent_ratings", std::move(recent)}};
  CsvTable st = ranking_table("streets", *streets);
  return StatsAnswer{std::move(j), {std::move(st), std::move(rt)}};
}

}  // namespace portal::server
