// UTC time points and their ISO 8601 form. The clock is passed in, never read
// here, so that tests can move time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portal::core {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::seconds>;

// 2026-11-25T03:04:05Z
std::string format_iso(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS" with "Z", "+HH:MM" or "-HH:MM" (and optional fraction).
std::optional<TimePoint> parse_iso(std::string_view s);
std::int64_t to_unix(TimePoint t);

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
};
// Days since 1970-01-01 of a Gregorian date, and back.
std::int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(std::int64_t days);
// The calendar date of t at a fixed offset from UTC (Asia/Shanghai: +8 h, no DST).
CivilDate civil_date(TimePoint t, int utc_offset_seconds);
inline constexpr int kShanghaiOffset = 8 * 3600;
TimePoint from_unix(std::int64_t s);

}  // namespace portal::core
