#include "portal/core/sla.hpp"

#include <algorithm>
#include <cstdio>

#include "portal/core/workflow.hpp"

namespace portal::core {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxSpanSeconds = 366 * kDay;
constexpr int kMaxWorkingDays = 366;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool contains(const std::vector<std::int64_t>& sorted, std::int64_t v) {
  return std::binary_search(sorted.begin(), sorted.end(), v);
}

void insert_sorted(std::vector<std::int64_t>& v, std::int64_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}

void erase_sorted(std::vector<std::int64_t>& v, std::int64_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it != v.end() && *it == x) v.erase(it);
}

}  // namespace

// [SECTION] Limits
std::optional<SlaSpan> parse_sla_span(std::string_view s) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + (s[i] - '0');
    if (n > kMaxSpanSeconds) return std::nullopt;
    ++i;
  }
  if (i == 0 || n <= 0) return std::nullopt;
  const std::string_view unit = s.substr(i);
  SlaSpan span;
  if (unit == "wd") {
    if (n > kMaxWorkingDays) return std::nullopt;
    span.working_days = static_cast<int>(n);
    return span;
  }
  if (unit == "s") {
    span.seconds = n;
  } else if (unit == "m") {
    span.seconds = n * 60;
  } else if (unit == "h") {
    span.seconds = n * 3600;
  } else if (unit == "d") {
    span.seconds = n * kDay;
  } else {
    return std::nullopt;
  }
  if (span.seconds > kMaxSpanSeconds) return std::nullopt;
  return span;
}

std::string to_string(const SlaSpan& s) {
  if (s.working_days > 0) return std::to_string(s.working_days) + "wd";
  if (s.seconds % 3600 == 0) return std::to_string(s.seconds / 3600) + "h";
  if (s.seconds % 60 == 0) return std::to_string(s.seconds / 60) + "m";
  return std::to_string(s.seconds) + "s";
}

SlaPolicy default_policy(SlaClass c) {
  switch (c) {
    case SlaClass::urgent:
      return {SlaSpan::minutes(30), SlaSpan::hours(2)};
    case SlaClass::utility:
      return {SlaSpan::hours(2), SlaSpan::hours(24)};
    case SlaClass::normal:
      return {SlaSpan::hours(24), SlaSpan::days(5)};
    case SlaClass::complex:
      return {SlaSpan::hours(24), SlaSpan::days(15)};
  }
  return {SlaSpan::hours(24), SlaSpan::days(5)};
}

SlaPolicy SlaConfig::policy_for(SlaClass c, std::string_view category_code) const {
  if (auto it = by_category.find(category_code); it != by_category.end()) return it->second;
  return default_policy(c);
}

// [SECTION] Calendar
int weekday(CivilDate d) {
  const std::int64_t days = days_from_civil(d);
  return static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

std::optional<CivilDate> parse_civil_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p)
    for (std::size_t i = starts[p]; i < starts[p] + lens[p]; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (s[i] - '0');
    }
  const CivilDate d{parts[0], parts[1], parts[2]};
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return std::nullopt;
  const CivilDate back = civil_from_days(days_from_civil(d));
  if (back.year != d.year || back.month != d.month || back.day != d.day) return std::nullopt;
  return d;
}

std::string format_civil_date(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

void WorkCalendar::add_holiday(CivilDate d) {
  const std::int64_t day = days_from_civil(d);
  erase_sorted(workdays_, day);
  insert_sorted(holidays_, day);
}

void WorkCalendar::add_workday(CivilDate d) {
  const std::int64_t day = days_from_civil(d);
  erase_sorted(holidays_, day);
  insert_sorted(workdays_, day);
}

Result<WorkCalendar> WorkCalendar::from_lists(const std::vector<std::string>& holidays,
                                              const std::vector<std::string>& workdays,
                                              int utc_offset_seconds) {
  WorkCalendar cal(utc_offset_seconds);
  for (std::size_t i = 0; i < holidays.size(); ++i) {
    auto d = parse_civil_date(holidays[i]);
    if (!d)
      return Error::invalid("holidays[" + std::to_string(i) + "]", "invalid_date",
                            "expected a date as YYYY-MM-DD");
    cal.add_holiday(*d);
  }
  for (std::size_t i = 0; i < workdays.size(); ++i) {
    auto d = parse_civil_date(workdays[i]);
    if (!d)
      return Error::invalid("workdays[" + std::to_string(i) + "]", "invalid_date",
                            "expected a date as YYYY-MM-DD");
    cal.add_workday(*d);
  }
  return cal;
}

bool WorkCalendar::is_working_day(std::int64_t day) const {
  if (contains(workdays_, day)) return true;
  if (contains(holidays_, day)) return false;
  const int wd = static_cast<int>(((day + 4) % 7 + 7) % 7);
  return wd != 0 && wd != 6;
}

bool WorkCalendar::is_working_day(CivilDate d) const {
  return is_working_day(days_from_civil(d));
}

std::int64_t WorkCalendar::next_working_day(std::int64_t day) const {
  for (std::int64_t k = 1; k <= 366; ++k)
    if (is_working_day(day + k)) return day + k;
  return day + 1;
}

TimePoint WorkCalendar::add(TimePoint start, const SlaSpan& span) const {
  if (span.working_days <= 0) return start + std::chrono::seconds(span.seconds);
  const std::int64_t local = to_unix(start) + offset_;
  const std::int64_t day = floor_div(local, kDay);
  const std::int64_t sod = local - day * kDay;
  std::int64_t due_local;
  if (sod == 0 || !is_working_day(day)) {
    // The clock starts at 00:00 of the first working day and runs out at the end of the
    // Nth working day counted from it.
    std::int64_t d = is_working_day(day) ? day : next_working_day(day);
    for (int i = 1; i < span.working_days; ++i) d = next_working_day(d);
    due_local = (d + 1) * kDay;
  } else {
    std::int64_t d = day;
    for (int i = 0; i < span.working_days; ++i) d = next_working_day(d);
    due_local = d * kDay + sod;
  }
  return from_unix(due_local - offset_);
}

// [SECTION] Deadlines
DueTimes due_times(const SlaPolicy& policy, TimePoint created_at, const WorkCalendar& calendar) {
  return {calendar.add(created_at, policy.respond), calendar.add(created_at, policy.resolve)};
}

TimePoint auto_close_at(TimePoint resolved_at) {
  return resolved_at + std::chrono::seconds(std::int64_t{kAutoCloseDays} * kDay);
}

}  // namespace portal::core
