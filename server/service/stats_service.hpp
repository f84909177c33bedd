// The data cockpit and the public board (SPEC §7): the formulas of the rates in one
// place, who may see which scope, names for ids, rankings, gap-free trends, the
// 每月一题 suggestions, and every answer also as a table for CSV export.
//
// [SECTION] Index
// - Parameters: parsing with field-named errors
// - Answers: JSON plus tables; CSV rendering
// - StatsService
//
// Rates are fractions in [0, 1] rounded to 4 decimals, and null when their denominator
// is 0 (no ticket assigned, resolved or rated in the period): "no data" is not 0%.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "portal/core/time.hpp"
#include "server/service/org.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/stats_store.hpp"
#include "server/store/store.hpp"

namespace portal::server {

enum class StatsMetric {
  total,
  response_rate,
  rating_rate,
  on_time_rate,
  resolution_rate,
  satisfaction_rate,
  avg_handle_hours,
  reopen_rate
};
std::string_view to_string(StatsMetric m);
std::string_view to_string(RankDim d);
std::string_view to_string(TrendInterval i);
std::string to_string(const StatsScope& s);  // "district", "street:s01", ...

struct StatsOptions {
  int satisfaction_threshold = 3;  // satisfied: satisfaction ≥ this (1..5)
  int public_ratings = 20;         // recent ratings on the public board
  // The public board answers anyone: it is computed at most once per this interval
  // for each period asked (0 turns the cache off).
  std::chrono::seconds public_cache{30};
  int topic_min_count = 3;  // a 每月一题 cluster needs at least this many tickets this month
};

// [SECTION] Answers
using CsvCell = std::variant<std::monostate, std::string, std::int64_t, double>;
struct CsvTable {
  std::string name;  // names the table in ?table= and in the file name
  std::vector<std::string> header;
  std::vector<std::vector<CsvCell>> rows;
};

// RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, or
// begin or end with a space; quotes doubled. Starts with a UTF-8 BOM so that Excel reads
// Chinese correctly. Text cells are written by csv_text_field; numbers as numbers (a
// negative count stays a number). Null cells are empty.
std::string render_csv(const CsvTable& table);

// One text cell as a CSV field: the only way text reaches a CSV. Text that a spreadsheet
// could run as a formula, that is text whose first visible character is = + - or @, or
// that starts with a tab or CR, after any spaces, NBSP or invisible characters (zero-width
// ones, joiners, direction marks, BOM), gets a ' in front and is otherwise kept whole.
std::string csv_text_field(std::string_view text);

struct StatsAnswer {
  core::Json json;
  std::vector<CsvTable> tables;  // the first is the default CSV of the answer
};

// Query parameters as the routes parse them; absent ones take the defaults below.
struct StatsParams {
  std::optional<core::TimePoint> from, to;
  std::optional<StatsScope> scope;  // default: the reader's own area
};

// [SECTION] StatsService
class StatsService {
 public:
  StatsService(StatsStore& stats, Store& store, std::shared_ptr<const OrgDirectory> org, NowFn now,
               StatsOptions options = {});

  // Parameters (422 naming `field` when malformed).
  // An ISO 8601 time with a zone, or YYYY-MM-DD meaning midnight in Asia/Shanghai.
  static core::Result<core::TimePoint> parse_time(const std::string& field, std::string_view text);
  // district | street:ID | community:ID | grid:ID | unit:ID (syntax only).
  static core::Result<StatsScope> parse_scope(std::string_view text);
  static core::Result<RankDim> parse_dim(std::string_view text);
  static core::Result<StatsMetric> parse_metric(std::string_view text);
  static core::Result<TrendInterval> parse_interval(std::string_view text);
  static core::Result<core::CivilDate> parse_month(std::string_view text);  // YYYY-MM

  // Who may read the cockpit at all: 401 anonymous, 403 roles without one.
  static core::Outcome check_reader(const Actor& actor);
  // The scope a reader gets: the one asked (422 unknown ids, 403 outside the reader's
  // area) or, when none is asked, the reader's own area.
  core::Result<StatsScope> reach(const Actor& actor, const std::optional<StatsScope>& asked) const;

  // Defaults: the last 30 days, ending with today (Asia/Shanghai).
  core::Result<StatsAnswer> overview(const Actor& actor, const StatsParams& p);
  core::Result<StatsAnswer> ranking(const Actor& actor, const StatsParams& p, RankDim dim,
                                    StatsMetric metric);
  // Defaults: 30 days, 12 weeks or 12 months ending with the current one. Every period
  // between from and to is listed, empty ones with zero counts.
  core::Result<StatsAnswer> trend(const Actor& actor, const StatsParams& p, TrendInterval interval);
  core::Result<StatsAnswer> heatmap(const Actor& actor, const StatsParams& p);
  core::Result<StatsAnswer> whistles(const Actor& actor, const StatsParams& p);
  // 每月一题 suggestions: the category × street clusters that grew most in `month`
  // (default: the current one) over the previous month, compared over windows of equal
  // length (the month so far against the same days of the previous month).
  core::Result<StatsAnswer> topics(const Actor& actor, std::optional<core::CivilDate> month,
                                   const std::optional<StatsScope>& scope, int limit = 10);
  // The public board: district rates, the streets ranked, recent ratings. No sign-in;
  // nothing in it names or contacts a person or quotes what anyone wrote. Its period is
  // widened to whole days (Asia/Shanghai) and may not exceed 366 days.
  core::Result<StatsAnswer> board(const StatsParams& p);

  // The formulas (SPEC §7) on counts.
  static std::optional<double> rate(const Ratio& r);  // num ÷ den, null when den is 0
  static std::optional<double> avg_handle_hours(const Figures& f);
  static std::optional<double> metric_value(const Figures& f, StatsMetric m);
  // Whether a larger value ranks first (rates, totals) or last (hours, reopen rate).
  static bool higher_is_better(StatsMetric m);
  // total, backlog, overdue and the seven rates, rounded for display.
  static core::Json figures_json(const Figures& f);

  const StatsOptions& options() const { return options_; }

 private:
  struct Period {
    core::TimePoint from, to;
  };
  core::Result<Period> period_of(const StatsParams& p) const;
  core::TimePoint start_of_tomorrow() const;
  StatsFilter filter_of(const Period& p, const StatsScope& s) const;
  std::string category_name(const std::string& code);
  std::string name_of(RankDim dim, const std::string& id) const;
  // Ids of the given dimension inside a scope, listed in rankings even without tickets.
  std::vector<std::string> members(RankDim dim, const StatsScope& scope) const;
  core::Result<std::vector<core::Json>> ranked(const StatsFilter& f, RankDim dim,
                                               StatsMetric metric);
  core::Result<StatsAnswer> compute_board(const Period& p);
  core::Result<StatsAnswer> compute_overview(const StatsScope& scope, const Period& period);

  StatsStore& stats_;
  Store& store_;
  std::shared_ptr<const OrgDirectory> org_;
  NowFn now_;
  StatsOptions options_;

  std::mutex mu_;  // guards the two caches below
  std::map<std::string, std::string, std::less<>> category_names_;
  struct CachedBoard {
    core::TimePoint expires;
    StatsAnswer answer;
  };
  std::map<std::pair<std::int64_t, std::int64_t>, CachedBoard> board_cache_;
  std::mutex board_mu_;  // one public board computed at a time
  // Overviews, while the store's data version stays the same (only a store that is the
  // database's only writer has one; see Store::data_version).
  struct CachedOverview {
    std::uint64_t version = 0;
    std::chrono::steady_clock::time_point computed_at;
    core::TimePoint as_of{};  // the service's clock: 响应率 depends on the time of asking
    StatsAnswer answer;
  };
  // An overview being computed, which other callers of the same version wait for.
  struct OverviewFlight {
    std::uint64_t version = 0;
    bool done = false;
    std::optional<core::Result<StatsAnswer>> result;
  };
  std::map<std::string, std::shared_ptr<OverviewFlight>> overview_flights_;
  std::condition_variable overview_cv_;
  static constexpr auto kOverviewMaxAge = std::chrono::seconds(5);
  std::mutex overview_mu_;
  std::map<std::string, CachedOverview> overview_cache_;
  static constexpr std::size_t kOverviewCacheMax = 512;
};

}  // namespace portal::server
