// The data cockpit (数据驾驶舱) and the public board (SPEC §7): state, requests and
// view-models. Leaders (district, street and community staff, admin, auditor) land
// here after signing in; the public board needs no account. No ImGui here: ui/
// draws CockpitView and BoardView with its chart widgets.
//
// Index
//   [SECTION] View-models   tiles, charts, tables, the heat map, topics, the board
//   [SECTION] Cockpit       requests and the intents it takes
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/i18n.hpp"
#include "app/intents.hpp"
#include "app/services.hpp"
#include "app/views.hpp"
#include "portal/core/json.hpp"

namespace portal::client {

// [SECTION] View-models
struct KpiTile {
  std::string id;        // widget id: kpi.response_rate, ...
  std::string label;     // localized
  std::string value;     // "92.4%", "1,234", "—"
  std::string note;      // what it counts, e.g. "按时办结 / 已办结"
  double fraction = -1;  // 0..1 for a gauge; -1: no gauge
  std::string n;         // a rate's numerator and denominator, "12/40"; "" when not known
  bool few = false;      // fewer than kFewCases in the denominator: drawn greyed, n marked
};

// A rate over fewer cases than this is marked as such (SPEC §7: 100 % of one rating is
// not 100 % of a thousand).
inline constexpr double kFewCases = 10;

struct ChartSeries {
  std::string name;
  int color = 0;               // index into the chart palette
  std::vector<double> values;  // NaN where there is no value
  std::vector<bool> few;       // per value: it rests on fewer than kFewCases (drawn hollow)
};
struct ChartView {
  std::string id, title;
  std::vector<std::string> x_labels;
  std::vector<ChartSeries> series;
  bool percent = false;  // values are fractions shown as %
  bool bars = false;     // columns instead of lines
};

struct TableView {
  std::string id, title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<double> bar;  // per row 0..1 for an inline bar in the last column; empty: none
  std::vector<bool> few;    // per row: its figure rests on fewer than kFewCases (greyed)
  int bar_column = -1;
  std::string csv_path;  // the API path that answers this table as CSV ("" none)
  std::string csv_name;  // the file name to save as
  LoadState state = LoadState::idle;
  std::string error;
};

struct Choice {
  std::string key, label;
  bool selected = false;
};

struct TopicRow {
  std::int64_t id = 0;
  std::string title, area, category, month, status, progress;
  bool resolved = false;
  bool selected = false;
  double fraction = 0;  // resolved share of its tickets
};

enum class CockpitTab { overview, map, topics };

struct CockpitView {
  LoadState state = LoadState::idle;
  std::string error;
  std::string who, scope;  // the signed-in leader, the area shown
  CockpitTab tab = CockpitTab::overview;
  std::vector<Choice> tabs;
  std::vector<KpiTile> kpis;
  std::vector<KpiTile> counts;  // total, backlog, overdue, hours
  std::vector<Choice> intervals;
  ChartView volume, rates;
  std::vector<Choice> dims, metrics;
  TableView ranking;
  MapView heat;
  std::string heat_legend_low, heat_legend_mid, heat_legend_high;
  // The grid tapped on the heat map: its figures (GET /api/v1/stats/overview?scope=grid:ID).
  struct GridFigures {
    bool shown = false;
    std::string name, place;  // the grid; its street · community
    LoadState state = LoadState::idle;
    std::string error;
    std::vector<KpiTile> kpis;
  } heat_pick;
  TableView heat_top;  // the densest grids
  TableView suggestions;
  bool can_manage_topics = false;
  std::vector<TopicRow> topics;
  LoadState topics_state = LoadState::idle;
  std::string topics_error;
  // The selected topic.
  bool has_topic = false;
  TopicRow topic;
  std::string topic_reply_text;  // the reply it was resolved with
  TableView topic_tickets;
  std::size_t candidates = 0;
  bool linking = false, resolving = false;
  FieldView reply;
  std::string action_error;
  std::string notice;
};

struct BoardView {
  LoadState state = LoadState::idle;
  std::string error, period, threshold_note;
  std::vector<KpiTile> kpis;
  TableView streets, ratings;
};

// [SECTION] Cockpit
class Cockpit {
 public:
  // `post` queues work for the start of the next frame (answers arrive outside frames).
  Cockpit(Api& api, Services& services, std::function<void(std::function<void()>)> post);

  // Roles with a cockpit (SPEC §10).
  static bool is_leader(const std::string& role);

  void set_user(const std::string& name, const std::string& role);
  void open();        // loads everything the cockpit shows
  void open_board();  // loads the public board
  void reset();       // signed out

  void apply(const intent::Cockpit& i);
  void edit_reply(std::string v) { reply_ = std::move(v); }

  // `map` is the app's grid map (shared with the citizen's map), `grids` its state.
  CockpitView view(Lang lang, LoadState grids, const std::shared_ptr<const MapData>& map) const;
  BoardView board(Lang lang) const;

 private:
  void load(Async<core::Json>& slot, const std::string& path);
  void load_ranking();
  void load_trend();
  void load_topics();
  void load_topic(std::int64_t id);
  void export_csv(const std::string& path, const std::string& name);
  void create_topic(std::size_t suggestion);
  void link_candidates();
  void resolve_topic();
  TableView ranking_table(Lang lang) const;
  TableView suggestions_table(Lang lang) const;

  Api& api_;
  Services& services_;
  std::function<void(std::function<void()>)> post_;

  std::string name_, role_;
  CockpitTab tab_ = CockpitTab::overview;
  std::string interval_ = "day", dim_ = "street", metric_ = "satisfaction_rate";
  Async<core::Json> overview_, trend_, ranking_, heatmap_, suggestions_, topics_, topic_tickets_,
      candidates_, board_;
  Async<core::Json> linking_, resolving_, creating_;
  std::int64_t topic_id_ = 0;
  std::string pick_grid_;  // the grid tapped on the heat map
  Async<core::Json> pick_overview_;
  // The heat map's colours, built once per answer and map.
  mutable std::shared_ptr<const std::vector<std::uint32_t>> heat_fills_;
  mutable std::uint64_t heat_fills_ticket_ = 0;
  mutable std::shared_ptr<const MapData> heat_fills_map_;  // the map they were built for
  std::string reply_;
  std::string notice_;
};

}  // namespace portal::client
