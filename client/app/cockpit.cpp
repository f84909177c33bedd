#include "app/cockpit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace portal::client {

namespace {

using core::Json;

const Json& at(const Json& j, const char* key) {
  static const Json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}
std::string str(const Json& j, const char* key) {
  const Json& v = at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
double num(const Json& j, const char* key) {
  const Json& v = at(j, key);
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string percent(double v) {
  if (std::isnan(v)) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", v * 100);
  return b;
}
std::string count(double v) {
  if (std::isnan(v)) return "—";
  std::string s = std::to_string(static_cast<long long>(std::llround(v)));
  for (int i = static_cast<int>(s.size()) - 3; i > 0 && s[i - 1] != '-'; i -= 3) s.insert(i, ",");
  return s;
}
std::string hours(Lang lang, double v) {
  if (std::isnan(v)) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return std::string(b) + (lang == Lang::zh ? " 小时" : " h");
}

// The rates of SPEC §7, in its order, what each counts, and the names of its parts in
// the answers (API.md "Cockpit").
struct RateDef {
  const char* key;
  T label, note;
  const char *num, *den;
};
constexpr RateDef kRates[] = {
    {"response_rate", T::kpi_response, T::kpi_response_note, "responded", "response_due"},
    {"rating_rate", T::kpi_rating, T::kpi_rating_note, "rated", "resolved"},
    {"on_time_rate", T::kpi_on_time, T::kpi_on_time_note, "resolved_on_time", "resolved_now"},
    {"resolution_rate", T::kpi_resolution, T::kpi_resolution_note, "solved", "rated"},
    {"satisfaction_rate", T::kpi_satisfaction, T::kpi_satisfaction_note, "satisfied", "rated"},
    {"reopen_rate", T::metric_reopen, T::metric_reopen, "reopened", "resolved"},
    {"avg_handle_hours", T::count_hours, T::count_hours, nullptr, "resolved_now"}};
constexpr std::size_t kTileRates = 5;  // the first five are tiles and trend lines

const RateDef* rate_def(const std::string& key) {
  for (const auto& d : kRates)
    if (key == d.key) return &d;
  return nullptr;
}

// A figure's n as shown: "1,137/1,234" for a rate, "n=1,234" for an average; empty
// when the answer does not carry it. `few` tells whether it rests on under kFewCases.
std::string n_of(Lang lang, const Json& o, const RateDef& d, bool& few) {
  few = false;
  const double den = num(o, d.den);
  if (std::isnan(den)) return {};
  few = den < kFewCases;
  std::string n = d.num ? count(num(o, d.num)) + "/" + count(den) : "n=" + count(den);
  if (few) n += " · " + std::string(tr(lang, T::few_cases));
  return n;
}

// The rates as tiles, from an overview (or the board's district), each with its n.
std::vector<KpiTile> rate_tiles(Lang lang, const Json& o) {
  std::vector<KpiTile> out;
  for (std::size_t i = 0; i < kTileRates; ++i) {
    const RateDef& d = kRates[i];
    KpiTile k;
    k.id = std::string("kpi.") + d.key;
    k.label = std::string(tr(lang, d.label));
    k.note = std::string(tr(lang, d.note));
    const double v = num(o, d.key);
    k.value = percent(v);
    k.fraction = std::isnan(v) ? 0 : v;
    k.n = n_of(lang, o, d, k.few);
    out.push_back(std::move(k));
  }
  return out;
}

T metric_label(const std::string& m) {
  if (m == "response_rate") return T::kpi_response;
  if (m == "rating_rate") return T::kpi_rating;
  if (m == "on_time_rate") return T::kpi_on_time;
  if (m == "resolution_rate") return T::kpi_resolution;
  if (m == "satisfaction_rate") return T::kpi_satisfaction;
  if (m == "avg_handle_hours") return T::count_hours;
  if (m == "reopen_rate") return T::metric_reopen;
  return T::count_total;
}
bool is_rate(const std::string& m) {
  return m.size() > 5 && m.compare(m.size() - 5, 5, "_rate") == 0;
}

// The heat map's colour of a grid with `share` of the densest grid's tickets: the square
// root of the share from white (0) through amber (0.5) to deep red (1); IM_COL32 order.
std::uint32_t heat_colour(double share) {
  const double f = std::sqrt(std::clamp(share, 0.0, 1.0));
  auto lerp = [](double a, double b, double t) { return a + (b - a) * t; };
  double r, g, b;
  if (f < 0.5) {
    r = 250, g = lerp(250, 180, f * 2), b = lerp(245, 60, f * 2);
  } else {
    r = lerp(250, 190, (f - 0.5) * 2), g = lerp(180, 30, (f - 0.5) * 2),
    b = lerp(60, 40, (f - 0.5) * 2);
  }
  return (255u << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(g) << 8) | static_cast<std::uint32_t>(r);
}

std::string topic_path(std::int64_t id, const char* tail = "") {
  return "/api/v1/topics/" + std::to_string(id) + tail;
}

}  // namespace

Cockpit::Cockpit(Api& api, Services& services, std::function<void(std::function<void()>)> post)
    : api_(api), services_(services), post_(std::move(post)) {}

bool Cockpit::is_leader(const std::string& role) {
  return role == "district_staff" || role == "street_staff" || role == "community_staff" ||
         role == "admin" || role == "auditor";
}

void Cockpit::set_user(const std::string& name, const std::string& role) {
  name_ = name;
  role_ = role;
}

void Cockpit::reset() {
  for (auto* a : {&overview_, &trend_, &ranking_, &heatmap_, &suggestions_, &topics_,
                  &topic_tickets_, &candidates_, &linking_, &resolving_, &creating_})
    a->reset();
  topic_id_ = 0;
  reply_.clear();
  notice_.clear();
  tab_ = CockpitTab::overview;
}

void Cockpit::load(Async<Json>& slot, const std::string& path) {
  const auto t = slot.start();
  api_.get_json(path, [this, &slot, t](core::Result<Json> r) {
    post_([&slot, t, r = std::move(r)]() mutable { slot.finish(t, std::move(r)); });
  });
}

void Cockpit::load_trend() {
  load(trend_, "/api/v1/stats/trend?interval=" + interval_);
}
void Cockpit::load_ranking() {
  load(ranking_, "/api/v1/stats/ranking?dim=" + dim_ + "&metric=" + metric_);
}
void Cockpit::load_topics() {
  load(topics_, "/api/v1/topics");
}
void Cockpit::load_topic(std::int64_t id) {
  topic_id_ = id;
  load(topic_tickets_, topic_path(id, "/tickets"));
  load(candidates_, topic_path(id, "/candidates"));
}

void Cockpit::open() {
  load(overview_, "/api/v1/stats/overview");
  load_trend();
  load_ranking();
  load(heatmap_, "/api/v1/stats/heatmap");
  load(suggestions_, "/api/v1/stats/topics");
  load_topics();
  if (topic_id_) load_topic(topic_id_);
}

void Cockpit::open_board() {
  load(board_, "/api/v1/public/board");
}

void Cockpit::export_csv(const std::string& path, const std::string& name) {
  const std::string sep = path.find('?') == std::string::npos ? "?" : "&";
  api_.get_text(path + sep + "format=csv", [this, name](core::Result<std::string> r) {
    post_([this, name, r = std::move(r)]() {
      if (r.ok()) services_.download(name, "text/csv;charset=utf-8", *r);
    });
  });
}

void Cockpit::create_topic(std::size_t index) {
  if (!suggestions_.loaded() || creating_.loading()) return;
  const Json& items = at(suggestions_.value, "items");
  if (!items.is_array() || index >= items.size()) return;
  const Json& s = items[index];
  Json body = {{"title", str(s, "street_name") + " · " + str(s, "category_name")},
               {"category", str(s, "category")},
               {"month", str(suggestions_.value, "month")},
               {"note", "count " + count(num(s, "count")) + ", previous " +
                            count(num(s, "previous_count"))}};
  if (!str(s, "street_id").empty()) body["street_id"] = str(s, "street_id");
  const auto t = creating_.start();
  api_.post_json("/api/v1/topics", body, [this, t](core::Result<Json> r) {
    post_([this, t, r = std::move(r)]() mutable {
      if (!creating_.finish(t, std::move(r)) || !creating_.loaded()) return;
      const auto id = at(creating_.value, "id");
      load_topics();
      if (id.is_number_integer()) load_topic(id.get<std::int64_t>());
      notice_ = "created";
    });
  });
}

void Cockpit::link_candidates() {
  if (!topic_id_ || !candidates_.loaded() || linking_.loading()) return;
  Json numbers = Json::array();
  for (const auto& c : at(candidates_.value, "items")) numbers.push_back(str(c, "number"));
  if (numbers.empty()) return;
  const auto t = linking_.start();
  const auto id = topic_id_;
  api_.post_json(topic_path(id, "/tickets"), {{"numbers", numbers}},
                 [this, t, id](core::Result<Json> r) {
                   post_([this, t, id, r = std::move(r)]() mutable {
                     if (!linking_.finish(t, std::move(r)) || !linking_.loaded()) return;
                     load_topics();
                     load_topic(id);
                     notice_ = "linked";
                   });
                 });
}

void Cockpit::resolve_topic() {
  if (!topic_id_ || resolving_.loading()) return;
  const auto t = resolving_.start();
  const auto id = topic_id_;
  api_.post_json(topic_path(id, "/resolve"), {{"reply", reply_}},
                 [this, t, id](core::Result<Json> r) {
                   post_([this, t, id, r = std::move(r)]() mutable {
                     if (!resolving_.finish(t, std::move(r)) || !resolving_.loaded()) return;
                     reply_.clear();
                     load_topics();
                     load_topic(id);
                     load(overview_, "/api/v1/stats/overview");
                     notice_ = "resolved";
                   });
                 });
}

void Cockpit::apply(const intent::Cockpit& i) {
  using Op = intent::CockpitOp;
  switch (i.op) {
    case Op::open_cockpit:
    case Op::refresh:
      open();
      break;
    case Op::open_board:
      open_board();
      break;
    case Op::tab:
      tab_ = i.arg == "map"      ? CockpitTab::map
             : i.arg == "topics" ? CockpitTab::topics
                                 : CockpitTab::overview;
      break;
    case Op::interval:
      interval_ = i.arg;
      load_trend();
      break;
    case Op::dim:
      dim_ = i.arg;
      load_ranking();
      break;
    case Op::metric:
      metric_ = i.arg;
      load_ranking();
      break;
    case Op::export_csv:
      export_csv(i.arg, i.arg2);
      break;
    case Op::create_topic:
      create_topic(static_cast<std::size_t>(std::atoi(i.arg.c_str())));
      break;
    case Op::select_topic:
      notice_.clear();
      resolving_.reset();
      linking_.reset();
      load_topic(std::atoll(i.arg.c_str()));
      break;
    case Op::pick_grid:
      pick_grid_ = i.arg;
      if (pick_grid_.empty())
        pick_overview_.reset();
      else
        load(pick_overview_, "/api/v1/stats/overview?scope=grid:" + url_encode(pick_grid_));
      break;
    case Op::link_candidates:
      link_candidates();
      break;
    case Op::resolve_topic:
      resolve_topic();
      break;
  }
}

TableView Cockpit::ranking_table(Lang lang) const {
  TableView t;
  t.id = "ranking";
  t.title = std::string(tr(lang, T::ranking_title));
  t.state = ranking_.state;
  if (ranking_.failed()) t.error = std::string(error_message(lang, ranking_.error));
  const RateDef* def = rate_def(metric_);
  t.header = {std::string(tr(lang, T::col_rank)), std::string(tr(lang, T::col_name)),
              std::string(tr(lang, T::count_total)), std::string(tr(lang, metric_label(metric_)))};
  if (def) t.header.push_back(std::string(tr(lang, T::col_n)));
  t.csv_path = "/api/v1/stats/ranking?dim=" + dim_ + "&metric=" + metric_;
  t.csv_name = "ranking-" + dim_ + "-" + metric_ + ".csv";
  t.bar_column = 3;
  const Json& items = at(ranking_.value, "items");
  double max = 0;
  if (items.is_array())
    for (const auto& r : items)
      max = std::max(max, std::isnan(num(r, "value")) ? 0 : num(r, "value"));
  if (items.is_array())
    for (const auto& r : items) {
      const double v = num(r, "value");
      const Json& rank = at(r, "rank");
      std::string name = str(r, "name");
      if (!str(r, "parent").empty()) name += " · " + str(r, "parent");
      t.rows.push_back({rank.is_number() ? std::to_string(rank.get<int>()) : "—", name,
                        count(num(r, "total")),
                        is_rate(metric_)                ? percent(v)
                        : metric_ == "avg_handle_hours" ? hours(lang, v)
                                                        : count(v)});
      bool few = false;
      if (def) t.rows.back().push_back(n_of(lang, r, *def, few));
      t.few.push_back(few && !std::isnan(v));
      t.bar.push_back(std::isnan(v) ? 0 : (is_rate(metric_) ? v : (max > 0 ? v / max : 0)));
    }
  return t;
}

TableView Cockpit::suggestions_table(Lang lang) const {
  TableView t;
  t.id = "suggestions";
  t.title = std::string(tr(lang, T::suggestions_title));
  if (suggestions_.loaded()) t.title += " · " + str(suggestions_.value, "month");
  t.state = suggestions_.state;
  if (suggestions_.failed()) t.error = std::string(error_message(lang, suggestions_.error));
  t.header = {std::string(tr(lang, T::col_category)), std::string(tr(lang, T::col_street)),
              std::string(tr(lang, T::col_this_month)), std::string(tr(lang, T::col_last_month)),
              std::string(tr(lang, T::col_growth))};
  t.csv_path = "/api/v1/stats/topics";
  t.csv_name = "topic-suggestions.csv";
  for (const auto& s : at(suggestions_.value, "items")) {
    const double g = num(s, "growth");
    t.rows.push_back({str(s, "category_name"), str(s, "street_name"), count(num(s, "count")),
                      count(num(s, "previous_count")), (g > 0 ? "+" : "") + count(g)});
  }
  return t;
}

CockpitView Cockpit::view(Lang lang, LoadState grids,
                          const std::shared_ptr<const MapData>& map) const {
  CockpitView v;
  v.tab = tab_;
  v.who = name_;
  v.state = overview_.state;
  if (overview_.failed()) v.error = std::string(error_message(lang, overview_.error));
  const Json& o = overview_.value;
  const std::string scope = str(o, "scope");
  v.scope = scope.empty() || scope == "district" ? std::string(tr(lang, T::whole_district))
                                                 : str(o, "scope_name");
  if (v.scope.empty()) v.scope = scope;
  for (auto [key, label] : {std::pair{"overview", T::tab_overview}, std::pair{"map", T::tab_map},
                            std::pair{"topics", T::tab_topics}})
    v.tabs.push_back({key, std::string(tr(lang, label)),
                      (tab_ == CockpitTab::overview && std::string(key) == "overview") ||
                          (tab_ == CockpitTab::map && std::string(key) == "map") ||
                          (tab_ == CockpitTab::topics && std::string(key) == "topics")});

  // Tiles.
  v.kpis = rate_tiles(lang, o);
  v.counts = {
      {"kpi.total", std::string(tr(lang, T::count_total)), count(num(o, "total")), {}, -1},
      {"kpi.backlog", std::string(tr(lang, T::count_backlog)), count(num(o, "backlog")), {}, -1},
      {"kpi.overdue", std::string(tr(lang, T::count_overdue)), count(num(o, "overdue")), {}, -1},
      {"kpi.avg_handle_hours",
       std::string(tr(lang, T::count_hours)),
       hours(lang, num(o, "avg_handle_hours")),
       {},
       -1}};
  // The average handling time is over the resolved tickets: its n too.
  v.counts.back().n = n_of(lang, o, *rate_def("avg_handle_hours"), v.counts.back().few);

  // Trend charts.
  for (auto [key, label] : {std::pair{"day", T::interval_day}, std::pair{"week", T::interval_week},
                            std::pair{"month", T::interval_month}})
    v.intervals.push_back({key, std::string(tr(lang, label)), interval_ == key});
  v.volume.id = "chart.volume";
  v.volume.title = std::string(tr(lang, T::chart_volume));
  v.volume.bars = true;
  v.rates.id = "chart.rates";
  v.rates.title = std::string(tr(lang, T::chart_rates));
  v.rates.percent = true;
  ChartSeries total{std::string(tr(lang, T::count_total)), 0, {}};
  ChartSeries backlog{std::string(tr(lang, T::count_backlog)), 3, {}};
  std::vector<ChartSeries> rates;
  int color = 0;
  for (std::size_t i = 0; i < kTileRates; ++i)
    rates.push_back({std::string(tr(lang, kRates[i].label)), color++, {}});
  for (const auto& p : at(trend_.value, "items")) {
    std::string label = str(p, "period");
    if (interval_ != "month" && label.size() == 10) label = label.substr(5);  // MM-DD
    if (interval_ == "month" && label.size() >= 7) label = label.substr(0, 7);
    v.volume.x_labels.push_back(label);
    v.rates.x_labels.push_back(label);
    total.values.push_back(num(p, "total"));
    backlog.values.push_back(num(p, "backlog"));
    for (std::size_t i = 0; i < rates.size(); ++i) {
      const double v = num(p, kRates[i].key), den = num(p, kRates[i].den);
      rates[i].values.push_back(v);
      rates[i].few.push_back(!std::isnan(v) && !std::isnan(den) && den < kFewCases);
    }
  }
  v.volume.series = {total, backlog};
  v.rates.series = rates;

  // Ranking.
  for (auto [key, label] :
       {std::pair{"street", T::dim_street}, std::pair{"community", T::dim_community},
        std::pair{"grid", T::dim_grid}, std::pair{"unit", T::dim_unit}})
    v.dims.push_back({key, std::string(tr(lang, label)), dim_ == key});
  for (const char* m : {"satisfaction_rate", "resolution_rate", "on_time_rate", "rating_rate",
                        "response_rate", "total", "avg_handle_hours", "reopen_rate"})
    v.metrics.push_back({m, std::string(tr(lang, metric_label(m))), metric_ == m});
  v.ranking = ranking_table(lang);

  // Heat map: the app's grid map coloured by ticket count (white → amber → red).
  v.heat.state = grids == LoadState::loaded ? heatmap_.state : grids;
  v.heat.tap = MapTap::pick_grid;
  v.heat.data = map;
  std::map<std::string, double> counts;
  double max = 0;
  if (heatmap_.value.is_array())
    for (const auto& c : heatmap_.value) {
      const double n = num(c, "count");
      counts[str(c, "grid_id")] = n;
      max = std::max(max, n);
    }
  if (map && (heat_fills_ticket_ != heatmap_.ticket || heat_fills_map_ != map || !heat_fills_)) {
    auto fills = std::make_shared<std::vector<std::uint32_t>>();
    fills->reserve(map->grids.size());
    for (const auto& g : map->grids) {
      const auto it = counts.find(g.id);
      fills->push_back(heat_colour(it == counts.end() || max <= 0 ? 0 : it->second / max));
    }
    heat_fills_ = std::move(fills);
    heat_fills_ticket_ = heatmap_.ticket;
    heat_fills_map_ = map;
  }
  v.heat.fills = heat_fills_;
  if (map && !pick_grid_.empty()) {
    v.heat.selected = map->find(pick_grid_);
    if (v.heat.selected >= 0) {
      const MapData::Grid& g = map->grids[static_cast<std::size_t>(v.heat.selected)];
      v.heat.selected_name = g.name;
      auto& f = v.heat_pick;
      f.shown = true;
      f.name = g.name;
      if (g.street >= 0) f.place = map->streets[static_cast<std::size_t>(g.street)].name;
      if (g.community >= 0)
        f.place += (f.place.empty() ? "" : " · ") +
                   map->communities[static_cast<std::size_t>(g.community)].name;
      f.state = pick_overview_.state;
      if (pick_overview_.failed()) f.error = std::string(error_message(lang, pick_overview_.error));
      const Json& po = pick_overview_.value;
      if (pick_overview_.loaded()) {
        f.kpis = {
            {"kpi.total", std::string(tr(lang, T::count_total)), count(num(po, "total")), {}, -1},
            {"kpi.backlog",
             std::string(tr(lang, T::count_backlog)),
             count(num(po, "backlog")),
             {},
             -1},
            {"kpi.overdue",
             std::string(tr(lang, T::count_overdue)),
             count(num(po, "overdue")),
             {},
             -1}};
        for (auto& k : rate_tiles(lang, po)) f.kpis.push_back(std::move(k));
        for (auto& k : f.kpis) k.id = "heat.grid." + k.id;
      }
    }
  }
  // The legend's marks: the colour scale is the square root of count / max.
  v.heat_legend_low = "0";
  v.heat_legend_mid = count(std::round(max / 4));  // half-way along the scale
  v.heat_legend_high = count(max);
  v.heat_top.id = "heat_top";
  v.heat_top.title = std::string(tr(lang, T::heat_top));
  v.heat_top.state = heatmap_.state;
  v.heat_top.header = {std::string(tr(lang, T::col_rank)), std::string(tr(lang, T::col_grid)),
                       std::string(tr(lang, T::col_count))};
  v.heat_top.csv_path = "/api/v1/stats/heatmap";
  v.heat_top.csv_name = "heatmap.csv";
  v.heat_top.bar_column = 2;
  {
    std::map<std::string, std::string> names;
    if (map)
      for (const auto& g : map->grids) names[g.id] = g.name;
    std::vector<std::pair<double, std::string>> sorted;
    for (const auto& [id, n] : counts) sorted.emplace_back(n, id);
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (std::size_t i = 0; i < sorted.size() && i < 10; ++i) {
      const auto nm = names.find(sorted[i].second);
      v.heat_top.rows.push_back({std::to_string(i + 1),
                                 nm == names.end() ? sorted[i].second : nm->second,
                                 count(sorted[i].first)});
      v.heat_top.bar.push_back(max > 0 ? sorted[i].first / max : 0);
    }
  }

  // Topics.
  v.suggestions = suggestions_table(lang);
  v.can_manage_topics = role_ == "district_staff";
  v.topics_state = topics_.state;
  if (topics_.failed()) v.topics_error = std::string(error_message(lang, topics_.error));
  auto topic_row = [&](const Json& t) {
    TopicRow r;
    r.id = at(t, "id").is_number_integer() ? at(t, "id").get<std::int64_t>() : 0;
    r.title = str(t, "title");
    r.category = str(t, "category_name");
    r.area = str(t, "street_name").empty() ? std::string(tr(lang, T::whole_district))
                                           : str(t, "street_name");
    r.month = str(t, "month");
    r.resolved = str(t, "status") == "resolved";
    r.status = std::string(tr(lang, r.resolved ? T::topic_resolved : T::topic_open));
    const double n = num(t, "ticket_count"), done = num(t, "resolved_count");
    r.progress = std::string(tr(lang, T::topic_progress)) + " " + count(done) + " / " + count(n);
    r.fraction = n > 0 ? done / n : 0;
    r.selected = r.id == topic_id_;
    return r;
  };
  for (const auto& t : at(topics_.value, "items")) v.topics.push_back(topic_row(t));
  if (topic_id_ && topic_tickets_.loaded()) {
    v.has_topic = true;
    v.topic = topic_row(at(topic_tickets_.value, "topic"));
    v.topic_reply_text = str(at(topic_tickets_.value, "topic"), "reply");
    TableView& tt = v.topic_tickets;
    tt.id = "topic_tickets";
    tt.title = std::string(tr(lang, T::topic_tickets));
    tt.state = topic_tickets_.state;
    tt.header = {std::string(tr(lang, T::col_number)), std::string(tr(lang, T::col_status)),
                 std::string(tr(lang, T::col_street)), std::string(tr(lang, T::col_created))};
    tt.csv_path = topic_path(topic_id_, "/tickets");
    tt.csv_name = "topic-" + std::to_string(topic_id_) + "-tickets.csv";
    for (const auto& k : at(topic_tickets_.value, "items")) {
      const auto st = core::parse_status(str(k, "status"));
      tt.rows.push_back({str(k, "number"),
                         st ? std::string(status_name(lang, *st)) : str(k, "status"),
                         str(k, "street_name") + " " + str(k, "community_name"),
                         str(k, "created_at").substr(0, 10)});
    }
    v.candidates =
        at(candidates_.value, "items").is_array() ? at(candidates_.value, "items").size() : 0;
  } else if (topic_id_ && topic_tickets_.loading()) {
    v.topic_tickets.state = LoadState::loading;
  }
  v.linking = linking_.loading();
  v.resolving = resolving_.loading();
  v.reply.value = reply_;
  for (const auto* a : {&creating_, &linking_, &resolving_})
    if (a->failed()) {
      v.action_error = std::string(error_message(lang, a->error));
      if (a == &resolving_ && a->error.field == "reply") v.reply.error = v.action_error;
    }
  if (notice_ == "created") v.notice = std::string(tr(lang, T::notice_topic_created));
  if (notice_ == "linked") v.notice = std::string(tr(lang, T::notice_topic_linked));
  if (notice_ == "resolved") v.notice = std::string(tr(lang, T::notice_topic_resolved));
  return v;
}

BoardView Cockpit::board(Lang lang) const {
  BoardView b;
  b.state = board_.state;
  if (board_.failed()) b.error = std::string(error_message(lang, board_.error));
  const Json& j = board_.value;
  b.kpis = rate_tiles(lang, at(j, "district"));
  for (auto& k : b.kpis) k.id = "board." + k.id;
  b.period = str(j, "from").substr(0, 10) + " — " + str(j, "to").substr(0, 10);
  const Json& th = at(j, "satisfaction_threshold");
  if (th.is_number())
    b.threshold_note = std::string(tr(lang, T::board_threshold)) + std::to_string(th.get<int>());
  b.streets.id = "board.streets";
  b.streets.title = std::string(tr(lang, T::board_streets));
  b.streets.state = board_.state;
  b.streets.header = {std::string(tr(lang, T::col_rank)), std::string(tr(lang, T::col_street)),
                      std::string(tr(lang, T::kpi_satisfaction)), std::string(tr(lang, T::col_n)),
                      std::string(tr(lang, T::kpi_resolution))};
  b.streets.csv_path = "/api/v1/public/board?table=streets";
  b.streets.csv_name = "board-streets.csv";
  b.streets.bar_column = 2;
  for (const auto& s : at(j, "streets")) {
    const Json& rank = at(s, "rank");
    // Both rates are over the street's ratings: one n serves them.
    bool few = false;
    const std::string n = n_of(lang, s, *rate_def("satisfaction_rate"), few);
    b.streets.rows.push_back({rank.is_number() ? std::to_string(rank.get<int>()) : "—",
                              str(s, "name"), percent(num(s, "satisfaction_rate")), n,
                              percent(num(s, "resolution_rate"))});
    const double v = num(s, "satisfaction_rate");
    b.streets.few.push_back(few && !std::isnan(v));
    b.streets.bar.push_back(std::isnan(v) ? 0 : v);
  }
  b.ratings.id = "board.ratings";
  b.ratings.title = std::string(tr(lang, T::board_ratings));
  b.ratings.state = board_.state;
  b.ratings.header = {std::string(tr(lang, T::col_date)), std::string(tr(lang, T::col_street)),
                      std::string(tr(lang, T::col_category)),
                      std::string(tr(lang, T::col_satisfaction)),
                      std::string(tr(lang, T::col_resolved))};
  b.ratings.csv_path = "/api/v1/public/board?table=ratings";
  b.ratings.csv_name = "board-ratings.csv";
  for (const auto& r : at(j, "recent_ratings")) {
    const Json& sat = at(r, "satisfaction");
    const int n = sat.is_number() ? sat.get<int>() : 0;
    b.ratings.rows.push_back(
        {str(r, "date"), str(r, "street_name"), str(r, "category_name"),
         std::string(static_cast<std::size_t>(std::clamp(n, 0, 5)), '*') + " " + std::to_string(n),
         std::string(tr(lang, at(r, "resolved").is_boolean() && at(r, "resolved").get<bool>()
                                  ? T::yes
                                  : T::no))});
  }
  return b;
}

}  // namespace portal::client
