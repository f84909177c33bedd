// The read side of the data cockpit (SPEC §7): raw counts over the tickets of a
// period and a scope. The store only counts; StatsService turns counts into rates
// (null when nothing was counted), names, rankings and tables.
//
// [SECTION] Index
// - Filters: period, scope, satisfaction threshold
// - Figures: the numerators and denominators of every rate
// - Answers: overview, keyed figures (ranking), trend points, heat map, whistles,
//   topic candidates, public ratings
// - Daily aggregates: the whole days of a period, read from stats_daily
// - StatsStore
//
// Every figure describes the tickets created in [from, to) within the scope, except
// recent_ratings, which is about ratings given in [from, to). Backends answer from
// their own read-only connections so that the cockpit never queues behind writers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"
#include "portal/core/workflow.hpp"

namespace portal::server {

// [SECTION] Filters
enum class StatsScopeKind { district, street, community, grid, unit };

struct StatsScope {
  StatsScopeKind kind = StatsScopeKind::district;
  std::string id;  // empty for the district
};

struct StatsFilter {
  core::TimePoint from{}, to{};    // created_at in [from, to)
  StatsScope scope;                // unit: assigned to the unit now, or whistled to it
  int satisfaction_threshold = 3;  // a rating with satisfaction ≥ this is "satisfied"
  // The moment the figures describe: an unanswered ticket enters the response rate's
  // denominator once its response limit lies before it. The service sets its clock.
  core::TimePoint now{};
};

// [SECTION] Figures
struct Ratio {
  std::int64_t num = 0, den = 0;
  bool operator==(const Ratio&) const = default;
};

// The formulas of SPEC §7, as counts over the tickets of the filter:
//   backlog       status open (submitted, assigned, accepted, in_progress, returned)
//   overdue       flagged overdue (past the resolve limit while open, or resolved late)
//   response      responded_at ≤ response_due_at ÷ (responded_at set, or response_due_at
//                 < now), both of tickets with assigned_at set: a ticket still inside its
//                 response window and not answered yet counts in neither part; one whose
//                 limit has passed unanswered counts as a failure. The limit and the answer
//                 are the current holder's: a new holder gets a fresh response clock, so a
//                 late response that led to an escalation counts by the new holder's.
//   rating        rated ÷ ever resolved (resolved_at set or reopen_count > 0): of the
//                 tickets that were resolved, those rated. Only a resolved ticket can be
//                 rated, so a rating that reopened its ticket still counts in both parts,
//                 and the rated here are the rated of resolution and satisfaction.
//   on_time       resolved_at ≤ resolve_due_at ÷ resolved_at set
//   resolution    rating_resolved = yes ÷ rated
//   satisfaction  rating_satisfaction ≥ threshold ÷ rated
//   reopen        reopen_count > 0 ÷ (resolved_at set or reopen_count > 0), i.e. of the
//                 tickets that were ever resolved, those reopened at least once
//   handle        Σ (resolved_at − created_at) over the resolved ones (on_time.den)
struct Figures {
  std::int64_t total = 0;
  std::int64_t backlog = 0;
  std::int64_t overdue = 0;
  Ratio response, rating, on_time, resolution, satisfaction, reopen;
  std::int64_t handle_seconds = 0;
  bool operator==(const Figures&) const = default;
};

// [SECTION] Answers
struct Overview {
  Figures figures;
  // Wire names (core::to_string) and category codes → ticket count; only non-zero.
  std::map<std::string, std::int64_t> by_status, by_level, by_channel, by_category;
};

enum class RankDim { street, community, grid, unit };

// Figures of one street, community, grid or unit (by id); only keys with tickets.
struct KeyedFigures {
  std::string key;
  Figures figures;
};

enum class TrendInterval { day, week, month };

// One period of a trend: its first day in Asia/Shanghai (weeks start on Monday,
// months on the 1st) as YYYY-MM-DD. Only periods with tickets.
struct TrendPoint {
  std::string period;
  Figures figures;
};

// Calendar periods in Asia/Shanghai (UTC+8, no daylight saving), as days since
// 1970-01-01: the day of a Unix time, and the first day of the period holding a day.
inline std::int64_t shanghai_day(std::int64_t unix_seconds) {
  const std::int64_t s = unix_seconds + core::kShanghaiOffset;
  return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}
inline std::int64_t period_start(std::int64_t day, TrendInterval interval) {
  switch (interval) {
    case TrendInterval::day:
      return day;
    case TrendInterval::week:  // weeks start on Monday; 1970-01-01 was a Thursday
      return day - ((day % 7 + 7 + 3) % 7);
    case TrendInterval::month: {
      auto d = core::civil_from_days(day);
      d.day = 1;
      return core::days_from_civil(d);
    }
  }
  return day;
}

// [SECTION] Daily aggregates
//
// stats_daily (0009_stats_daily.sql) holds the figures of the tickets created on each
// Asia/Shanghai day, per street and for the whole district ('*'), kept by triggers on
// every change (SQLite adds new tickets once per batch: SqliteStore::flush_daily()). A
// period of the district or of a street is its whole days from there plus its partial
// days at the edges counted from the tickets.
//
// The response rate's denominator depends on the time of asking: an unanswered ticket
// enters it when its limit passes, with no change to any row, so no trigger could keep
// it. The aggregates hold what a row change does decide, the answered tickets
// (response_answered) and those answered in time (response_num); the unanswered ones
// whose limit has passed are counted at read time from the partial index
// tickets_unanswered (0019_response_rate.sql), which holds only the tickets not answered
// yet: few next to the whole, and none of a well-run district's older days.

// The place key of a scope in stats_daily, or nothing when the scope has none.
inline std::optional<std::string> daily_place(const StatsScope& scope) {
  if (scope.kind == StatsScopeKind::district) return std::string("*");
  if (scope.kind == StatsScopeKind::street && !scope.id.empty()) return scope.id;
  return std::nullopt;
}

constexpr std::int64_t day_start(std::int64_t day) {
  return day * 86400 - core::kShanghaiOffset;
}

// The whole days [first, end) of [from, to), and the partial edges before and after.
struct Split {
  std::int64_t first = 0, end = 0;  // empty when first >= end
  std::optional<StatsFilter> before, after;
};

inline Split split_days(const StatsFilter& f) {
  Split s;
  const std::int64_t from = core::to_unix(f.from), to = core::to_unix(f.to);
  s.first = shanghai_day(from);
  if (day_start(s.first) < from) ++s.first;
  s.end = shanghai_day(to);
  if (s.first >= s.end) {
    s.before = f;  // no whole day: all of it from the tickets
    return s;
  }
  if (day_start(s.first) > from) {
    s.before = f;
    s.before->to = core::from_unix(day_start(s.first));
  }
  if (day_start(s.end) < to) {
    s.after = f;
    s.after->from = core::from_unix(day_start(s.end));
  }
  return s;
}

inline constexpr const char* kDailyColumns =
    "day, total, st_submitted, st_assigned, st_accepted, st_in_progress, st_resolved, "
    "st_closed, st_returned, st_rejected, st_merged, lv_grid, lv_community, lv_street, "
    "lv_district, ch_web, ch_embed, ch_hotline, ch_patrol, ch_open311, overdue, response_answered, "
    "response_num, on_time_den, on_time_num, handle_seconds, rated, rated_resolved, sat_le1, "
    "sat_2, sat_3, sat_4, sat_ge5, reopen_den, reopen_num";

struct Daily {
  std::int64_t day = 0;
  Figures figures;
  std::int64_t by_status[9] = {}, by_level[4] = {}, by_channel[5] = {};
};

// Reads one stats_daily row (kDailyColumns; col(i) is the i-th as an integer) with the
// satisfaction threshold applied. Ratings are 1 to 5, so the buckets ≤1, 2, 3, 4, ≥5 answer every
// threshold exactly.
template <class Get>
void read_daily(Get&& col, int threshold, Daily& d) {
  d.day = col(0);
  Figures& f = d.figures;
  f = Figures{};
  f.total = col(1);
  for (int i = 0; i < 9; ++i) d.by_status[i] = col(2 + i);
  for (int i = 0; i < 4; ++i) d.by_level[i] = col(11 + i);
  for (int i = 0; i < 5; ++i) d.by_channel[i] = col(15 + i);
  for (int i = 0; i < 9; ++i)
    if (core::is_open(static_cast<core::Status>(i))) f.backlog += d.by_status[i];
  f.overdue = col(20);
  // The answered ones only: the caller adds the unanswered ones past their limit.
  f.response = {col(22), col(21)};
  // Every rated ticket was resolved once (only a resolved ticket is rated), so the rated
  // ones over those ever resolved (reopen_den).
  f.rating = {col(26), col(33)};
  f.on_time = {col(24), col(23)};
  f.handle_seconds = col(25);
  f.resolution = {col(27), col(26)};
  f.satisfaction.den = col(26);
  for (int v = 1; v <= 5; ++v)
    if (v >= threshold) f.satisfaction.num += col(27 + v);
  f.reopen = {col(34), col(33)};
}

inline void add(Ratio& a, const Ratio& b) {
  a.num += b.num;
  a.den += b.den;
}

inline void add(Figures& a, const Figures& b) {
  a.total += b.total;
  a.backlog += b.backlog;
  a.overdue += b.overdue;
  add(a.response, b.response);
  add(a.rating, b.rating);
  add(a.on_time, b.on_time);
  add(a.resolution, b.resolution);
  add(a.satisfaction, b.satisfaction);
  add(a.reopen, b.reopen);
  a.handle_seconds += b.handle_seconds;
}

struct GridCount {
  std::string grid_id;
  std::int64_t count = 0;
};

// Whistles of the filter's tickets, by summoned unit.
struct UnitWhistles {
  std::string unit_id;
  std::int64_t total = 0, summoned = 0, checked_in = 0, done = 0, withdrawn = 0;
  std::int64_t checkins = 0;         // whistles with a check-in time
  std::int64_t checkin_seconds = 0;  // Σ (checked_in_at − summoned_at) over those
};

// Tickets of one category in one street in the current and the previous window.
struct TopicCandidate {
  std::string category, street_id;
  std::int64_t current = 0, previous = 0;
};

// A rating as the public may see it: no text, no person, no ticket number.
struct PublicRating {
  core::TimePoint rated_at{};
  int satisfaction = 0;
  bool resolved = false;
  std::string category, street_id;  // street_id empty outside every grid
};

// [SECTION] StatsStore
class StatsStore {
 public:
  virtual ~StatsStore() = default;

  virtual core::Result<Overview> overview(const StatsFilter& filter) = 0;
  virtual core::Result<std::vector<KeyedFigures>> ranking(const StatsFilter& filter,
                                                          RankDim dim) = 0;
  virtual core::Result<std::vector<TrendPoint>> trend(const StatsFilter& filter,
                                                      TrendInterval interval) = 0;
  // Tickets per grid (tickets outside every grid are left out).
  virtual core::Result<std::vector<GridCount>> heatmap(const StatsFilter& filter) = 0;
  virtual core::Result<std::vector<UnitWhistles>> whistles_by_unit(const StatsFilter& filter) = 0;
  // Counts per (category, street) in the filter's period (current) and in
  // [previous_from, previous_to) (previous), within the filter's scope.
  virtual core::Result<std::vector<TopicCandidate>> topic_candidates(
      const StatsFilter& filter, core::TimePoint previous_from, core::TimePoint previous_to) = 0;
  // The latest ratings given in [from, to), newest first, within the scope.
  virtual core::Result<std::vector<PublicRating>> recent_ratings(const StatsFilter& filter,
                                                                 int limit) = 0;
};

// Opens the statistics reader of the database named as in open_store(): read-only
// SQLite connections to the file, or a pool of `connections` PostgreSQL connections.
core::Result<std::unique_ptr<StatsStore>> open_stats_store(const std::string& db,
                                                           int connections = 2);

}  // namespace portal::server
