// SLA arithmetic (SPEC §4): response and resolve limits per class, overridable per
// category, with working days that skip weekends and holidays and count make-up
// working days (调休). Dates are Asia/Shanghai calendar dates (UTC+8, no DST).
//
// [SECTION] Semantics
// A limit is either elapsed time ("30m", "2h", "24h": wall clock, nights and holidays
// included) or working days ("5wd").
//
// Working days: the clock runs only during working days (00:00-24:00 local time) and
// N working days is N x 24 h of running clock. So:
//   - created on a working day at local time T (T > 00:00): due at T on the Nth working
//     day after the creation day. Wed 15:00 + 5wd = next Wed 15:00 (the weekend skipped).
//   - created on a non-working day, or exactly at 00:00: the clock starts at 00:00 of the
//     first working day (that day, when it is one) and runs out at the end of the Nth
//     working day counted from it, i.e. at 00:00 of the calendar day after that working
//     day. Sat 10:00 + 5wd = the following Sat 00:00 (the end of Friday).
// A time is past due when it is strictly later than the due time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"

namespace portal::core {

// [SECTION] Limits
struct SlaSpan {
  std::int64_t seconds = 0;  // elapsed time, used when working_days == 0
  int working_days = 0;

  static SlaSpan hours(std::int64_t h) { return {h * 3600, 0}; }
  static SlaSpan minutes(std::int64_t m) { return {m * 60, 0}; }
  static SlaSpan days(int n) { return {0, n}; }  // working days
  bool operator==(const SlaSpan&) const = default;
};
// "30m", "2h", "90s", "5wd" (working days). Positive, at most a year.
std::optional<SlaSpan> parse_sla_span(std::string_view s);
std::string to_string(const SlaSpan& s);  // the shortest of the forms above

struct SlaPolicy {
  SlaSpan respond;  // accept or contact the citizen within
  SlaSpan resolve;  // resolve within
  bool operator==(const SlaPolicy&) const = default;
};

// SPEC §4: urgent 30m/2h, utility 2h/24h, normal 24h/5wd, complex 24h/15wd.
SlaPolicy default_policy(SlaClass c);

// Per-category overrides of the class defaults.
struct SlaConfig {
  std::map<std::string, SlaPolicy, std::less<>> by_category;  // category code → policy
  SlaPolicy policy_for(SlaClass c, std::string_view category_code) const;
};

// [SECTION] Calendar
class WorkCalendar {
 public:
  // Weekends off, no holidays, Asia/Shanghai dates.
  explicit WorkCalendar(int utc_offset_seconds = kShanghaiOffset) : offset_(utc_offset_seconds) {}

  // A holiday is a day off even on a weekday; a make-up working day (调休) is a working
  // day even on a weekend. Adding a date to one list removes it from the other.
  void add_holiday(CivilDate d);
  void add_workday(CivilDate d);
  // "YYYY-MM-DD" lists; the error names the field ("holidays[3]").
  static Result<WorkCalendar> from_lists(const std::vector<std::string>& holidays,
                                         const std::vector<std::string>& workdays,
                                         int utc_offset_seconds = kShanghaiOffset);

  bool is_working_day(CivilDate d) const;
  bool is_working_day(std::int64_t days_since_epoch) const;
  int utc_offset() const { return offset_; }
  std::size_t holiday_count() const { return holidays_.size(); }
  std::size_t workday_count() const { return workdays_.size(); }

  // The first working day strictly after the given day (days since 1970-01-01). A
  // calendar with no working day in the year that follows is treated as if every day
  // were one, so that a bad configuration cannot hang a deadline computation.
  std::int64_t next_working_day(std::int64_t day) const;

  // start + span under the semantics above.
  TimePoint add(TimePoint start, const SlaSpan& span) const;

 private:
  int offset_;
  std::vector<std::int64_t> holidays_;  // sorted days since epoch
  std::vector<std::int64_t> workdays_;  // sorted
};

// 0 = Sunday ... 6 = Saturday.
int weekday(CivilDate d);
std::optional<CivilDate> parse_civil_date(std::string_view s);  // "YYYY-MM-DD"
std::string format_civil_date(CivilDate d);

// [SECTION] Deadlines
struct DueTimes {
  TimePoint response_due_at;
  TimePoint resolve_due_at;
};
DueTimes due_times(const SlaPolicy& policy, TimePoint created_at, const WorkCalendar& calendar);

// Strictly later than the due time.
inline bool is_past_due(TimePoint due, TimePoint now) {
  return now > due;
}

// When an unrated resolved ticket closes by itself (SPEC §4: after 7 days).
TimePoint auto_close_at(TimePoint resolved_at);

}  // namespace portal::core
