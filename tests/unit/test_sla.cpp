// SLA arithmetic: every class across a weekend, a holiday and a make-up working day
// (2026 calendar: 1 Jan is a Thursday; 1-3 Jan off, Sun 4 Jan worked; 15-23 Feb off,
// Sat 14 Feb and Sat 28 Feb worked; 1-7 Oct off, Sat 10 Oct worked).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portal/core/sla.hpp"

namespace {

using portal::core::CivilDate;
using portal::core::due_times;
using portal::core::format_iso;
using portal::core::SlaClass;
using portal::core::SlaPolicy;
using portal::core::SlaSpan;
using portal::core::TimePoint;
using portal::core::WorkCalendar;

// A local (Asia/Shanghai) wall-clock time as a UTC time point.
TimePoint local(int y, int mo, int d, int h, int mi = 0) {
  const std::int64_t days = portal::core::days_from_civil(CivilDate{y, mo, d});
  return portal::core::from_unix(days * 86400 + h * 3600 + mi * 60 - portal::core::kShanghaiOffset);
}

WorkCalendar calendar_2026() {
  auto cal = WorkCalendar::from_lists(
      {"2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17",
       "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
       "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06",
       "2026-10-07"},
      {"2026-01-04", "2026-02-14", "2026-02-28", "2026-10-10"});
  EXPECT_TRUE(cal.ok());
  return cal.value();
}

// [SECTION] Limits
TEST(Sla, DefaultPoliciesAreTheSpecsTable) {
  EXPECT_EQ(portal::core::default_policy(SlaClass::urgent),
            (SlaPolicy{SlaSpan::minutes(30), SlaSpan::hours(2)}));
  EXPECT_EQ(portal::core::default_policy(SlaClass::utility),
            (SlaPolicy{SlaSpan::hours(2), SlaSpan::hours(24)}));
  EXPECT_EQ(portal::core::default_policy(SlaClass::normal),
            (SlaPolicy{SlaSpan::hours(24), SlaSpan::days(5)}));
  EXPECT_EQ(portal::core::default_policy(SlaClass::complex),
            (SlaPolicy{SlaSpan::hours(24), SlaSpan::days(15)}));
}

TEST(Sla, PerCategoryOverride) {
  portal::core::SlaConfig cfg;
  cfg.by_category["env.noise"] = {SlaSpan::hours(2), SlaSpan::days(3)};
  EXPECT_EQ(cfg.policy_for(SlaClass::normal, "env.noise"),
            (SlaPolicy{SlaSpan::hours(2), SlaSpan::days(3)}));
  EXPECT_EQ(cfg.policy_for(SlaClass::normal, "city.road"),
            portal::core::default_policy(SlaClass::normal));
}

TEST(Sla, ParseAndFormatSpans) {
  using portal::core::parse_sla_span;
  EXPECT_EQ(parse_sla_span("30m"), SlaSpan::minutes(30));
  EXPECT_EQ(parse_sla_span("2h"), SlaSpan::hours(2));
  EXPECT_EQ(parse_sla_span("5wd"), SlaSpan::days(5));
  EXPECT_EQ(parse_sla_span("90s")->seconds, 90);
  EXPECT_EQ(parse_sla_span("7d")->seconds, 7 * 86400);
  for (const char* bad :
       {"", "h", "0h", "-2h", "2", "2 h", "2hours", "400wd", "9999999999h", "400d", "5WD"})
    EXPECT_FALSE(parse_sla_span(bad).has_value()) << bad;
  EXPECT_EQ(portal::core::to_string(SlaSpan::minutes(30)), "30m");
  EXPECT_EQ(portal::core::to_string(SlaSpan::hours(24)), "24h");
  EXPECT_EQ(portal::core::to_string(SlaSpan::days(15)), "15wd");
  EXPECT_EQ(portal::core::to_string(SlaSpan{95, 0}), "95s");
}

// [SECTION] Calendar
TEST(Sla, CalendarDays) {
  const WorkCalendar cal = calendar_2026();
  EXPECT_EQ(portal::core::weekday({2026, 1, 1}), 4);  // Thursday
  EXPECT_EQ(portal::core::weekday({1970, 1, 1}), 4);
  EXPECT_EQ(portal::core::weekday({2026, 1, 4}), 0);        // Sunday
  EXPECT_FALSE(cal.is_working_day(CivilDate{2026, 1, 1}));  // holiday on a weekday
  EXPECT_FALSE(cal.is_working_day(CivilDate{2026, 1, 2}));
  EXPECT_TRUE(cal.is_working_day(CivilDate{2026, 1, 4}));  // make-up Sunday
  EXPECT_TRUE(cal.is_working_day(CivilDate{2026, 1, 5}));
  EXPECT_FALSE(cal.is_working_day(CivilDate{2026, 1, 10}));  // plain Saturday
  EXPECT_FALSE(cal.is_working_day(CivilDate{2026, 1, 11}));
  EXPECT_TRUE(cal.is_working_day(CivilDate{2026, 2, 14}));
  EXPECT_FALSE(cal.is_working_day(CivilDate{2026, 2, 16}));
  EXPECT_EQ(cal.holiday_count(), 19u);
  EXPECT_EQ(cal.workday_count(), 4u);

  // A default calendar: weekends only.
  const WorkCalendar plain;
  EXPECT_TRUE(plain.is_working_day(CivilDate{2026, 1, 1}));
  EXPECT_FALSE(plain.is_working_day(CivilDate{2026, 1, 4}));
}

TEST(Sla, CalendarListsAreValidated) {
  auto bad = WorkCalendar::from_lists({"2026-01-01", "2026-02-30"}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "holidays[1]");
  EXPECT_EQ(bad.error().status, 422);
  auto bad2 = WorkCalendar::from_lists({}, {"20260104"});
  ASSERT_FALSE(bad2.ok());
  EXPECT_EQ(bad2.error().field, "workdays[0]");
  EXPECT_EQ(portal::core::format_civil_date({2026, 3, 9}), "2026-03-09");
  EXPECT_FALSE(portal::core::parse_civil_date("2026-13-01").has_value());
  EXPECT_FALSE(portal::core::parse_civil_date("2026-1-01").has_value());
}

TEST(Sla, LaterListingWins) {
  WorkCalendar cal;
  cal.add_holiday({2026, 3, 2});
  EXPECT_FALSE(cal.is_working_day(CivilDate{2026, 3, 2}));
  cal.add_workday({2026, 3, 2});
  EXPECT_TRUE(cal.is_working_day(CivilDate{2026, 3, 2}));
  EXPECT_EQ(cal.holiday_count(), 0u);
}

TEST(Sla, ACalendarWithoutWorkingDaysDoesNotHang) {
  WorkCalendar cal;
  for (int i = 0; i < 800; ++i)
    cal.add_holiday(portal::core::civil_from_days(portal::core::days_from_civil({2026, 1, 1}) + i));
  const auto due = cal.add(local(2026, 3, 2, 9), SlaSpan::days(5));
  EXPECT_GT(due, local(2026, 3, 2, 9));
}

// [SECTION] Every class across a weekend, a holiday and a make-up day
TEST(Sla, UrgentRunsOnTheWallClock) {
  const WorkCalendar cal = calendar_2026();
  const auto p = portal::core::default_policy(SlaClass::urgent);
  // Friday night into a Saturday.
  auto d = due_times(p, local(2026, 1, 9, 23, 50), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 1, 10, 0, 20));
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 10, 1, 50));
  // On a holiday.
  d = due_times(p, local(2026, 10, 1, 10), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 10, 1, 10, 30));
  EXPECT_EQ(d.resolve_due_at, local(2026, 10, 1, 12));
  // On a make-up working day: the same.
  d = due_times(p, local(2026, 1, 4, 8), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 1, 4, 8, 30));
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 4, 10));
}

TEST(Sla, UtilityRunsOnTheWallClock) {
  const WorkCalendar cal = calendar_2026();
  const auto p = portal::core::default_policy(SlaClass::utility);
  auto d = due_times(p, local(2026, 1, 10, 9), cal);  // Saturday
  EXPECT_EQ(d.response_due_at, local(2026, 1, 10, 11));
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 11, 9));
  d = due_times(p, local(2026, 2, 16, 22), cal);  // Spring Festival
  EXPECT_EQ(d.response_due_at, local(2026, 2, 17, 0));
  EXPECT_EQ(d.resolve_due_at, local(2026, 2, 17, 22));
  d = due_times(p, local(2026, 2, 14, 23), cal);  // make-up Saturday
  EXPECT_EQ(d.resolve_due_at, local(2026, 2, 15, 23));
}

TEST(Sla, NormalAcrossAWeekend) {
  const WorkCalendar cal = calendar_2026();
  const auto p = portal::core::default_policy(SlaClass::normal);
  // Wed 15:00 → next Wed 15:00.
  auto d = due_times(p, local(2026, 1, 7, 15), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 1, 8, 15));
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 14, 15));
  // Fri 10:00 → next Fri 10:00 (Mon..Fri).
  d = due_times(p, local(2026, 1, 9, 10), cal);
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 16, 10));
  // Saturday: the clock starts Monday 00:00 and runs out at the end of Friday.
  d = due_times(p, local(2026, 1, 10, 10), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 1, 11, 10));  // hours run through the weekend
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 17, 0));
  // Exactly midnight on a working day counts that whole day.
  d = due_times(p, local(2026, 1, 12, 0), cal);
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 17, 0));
  // One second later the time of day is kept.
  EXPECT_EQ(cal.add(local(2026, 1, 12, 0) + std::chrono::seconds(1), SlaSpan::days(5)),
            local(2026, 1, 19, 0) + std::chrono::seconds(1));
}

TEST(Sla, NormalAcrossAHolidayAndAMakeUpDay) {
  const WorkCalendar cal = calendar_2026();
  const auto p = portal::core::default_policy(SlaClass::normal);
  // Wed 30 Sep 10:00: 8 Oct, 9 Oct, Sat 10 Oct (make-up), 12 Oct, 13 Oct.
  auto d = due_times(p, local(2026, 9, 30, 10), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 10, 1, 10));
  EXPECT_EQ(d.resolve_due_at, local(2026, 10, 13, 10));
  // Created on a holiday (Fri 2 Jan): the clock starts Sun 4 Jan (make-up) 00:00 and runs
  // out at the end of Thu 8 Jan.
  d = due_times(p, local(2026, 1, 2, 14), cal);
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 9, 0));
  EXPECT_EQ(format_iso(d.resolve_due_at), "2026-01-08T16:00:00Z");
  // Created on the make-up Sunday itself: a normal working day.
  d = due_times(p, local(2026, 1, 4, 9, 30), cal);
  EXPECT_EQ(d.resolve_due_at, local(2026, 1, 9, 9, 30));
}

TEST(Sla, ComplexAcrossTheSpringFestival) {
  const WorkCalendar cal = calendar_2026();
  const auto p = portal::core::default_policy(SlaClass::complex);
  // Thu 12 Feb 09:30: 13, 14 (make-up), 24, 25, 26, 27, 28 (make-up), 2-6 Mar, 9, 10, 11 Mar.
  auto d = due_times(p, local(2026, 2, 12, 9, 30), cal);
  EXPECT_EQ(d.response_due_at, local(2026, 2, 13, 9, 30));
  EXPECT_EQ(d.resolve_due_at, local(2026, 3, 11, 9, 30));
  // Across a plain weekend: Mon 2 Mar 08:00 + 15 working days = Mon 23 Mar 08:00.
  d = due_times(p, local(2026, 3, 2, 8), cal);
  EXPECT_EQ(d.resolve_due_at, local(2026, 3, 23, 8));
  // Without the holidays the same ticket would be due a week and more earlier.
  d = due_times(p, local(2026, 2, 12, 9, 30), WorkCalendar{});
  EXPECT_EQ(d.resolve_due_at, local(2026, 3, 5, 9, 30));
}

TEST(Sla, LocalDateIsShanghais) {
  // 2026-01-09T17:00Z is Saturday 01:00 in Shanghai: a non-working day there.
  const WorkCalendar cal = calendar_2026();
  const TimePoint t = *portal::core::parse_iso("2026-01-09T17:00:00Z");
  EXPECT_EQ(cal.add(t, SlaSpan::days(1)), local(2026, 1, 13, 0));  // the end of Mon 12 Jan
}

TEST(Sla, PastDueIsStrictlyLater) {
  const TimePoint due = local(2026, 1, 14, 15);
  EXPECT_FALSE(portal::core::is_past_due(due, due));
  EXPECT_FALSE(portal::core::is_past_due(due, due - std::chrono::seconds(1)));
  EXPECT_TRUE(portal::core::is_past_due(due, due + std::chrono::seconds(1)));
}

TEST(Sla, AutoCloseAfterSevenDays) {
  EXPECT_EQ(portal::core::auto_close_at(local(2026, 1, 9, 10)), local(2026, 1, 16, 10));
}

}  // namespace
