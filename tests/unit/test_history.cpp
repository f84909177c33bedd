#include <gtest/gtest.h>

#include <map>
#include <set>

#include "server/service/demo_stories.hpp"
#include "server/service/history.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;

namespace {

class History : public test::ServiceTest {
 protected:
  std::vector<std::string> fingerprint() {
    TicketFilter f;
    f.page_size = 100000;
    auto page = store_->list_tickets(f);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    for (const auto& t : page->items)
      out.push_back(t.number + "|" + std::string(core::to_string(t.status)) + "|" +
                    std::string(core::to_string(t.level)) + "|" + t.draft.description + "|" +
                    t.last_hash);
    return out;
  }
  void seed(std::uint64_t s, std::int64_t n, int years = 3) {
    HistoryOptions o;
    o.count = n;
    o.seed = s;
    o.now = now_;
    o.years = years;
    o.batch = 100;
    std::int64_t last = 0;
    ASSERT_TRUE(seed_history(*store_, *tickets_, o,
                             [&](const std::string&, std::int64_t done, std::int64_t) {
                               EXPECT_GT(done, last);
                               last = done;
                             })
                    .ok());
    EXPECT_EQ(last, n);
  }
  std::vector<TicketRecord> all_tickets() {
    TicketFilter f;
    f.page_size = 1000000;
    auto page = store_->list_tickets(f);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<TicketRecord>{};
  }
  static int weekday(core::TimePoint t) {  // Monday = 0, in Shanghai
    const auto d = core::days_from_civil(core::civil_date(t, core::kShanghaiOffset));
    return static_cast<int>(((d % 7) + 7 + 3) % 7);
  }
  static int month(core::TimePoint t) { return core::civil_date(t, core::kShanghaiOffset).month; }
};

}  // namespace

TEST_F(History, RealisticMixWithVerifiableTrails) {
  seed(7, 600);
  auto all = fingerprint();
  ASSERT_EQ(all.size(), 600u);
  TicketFilter closed;
  closed.status = core::Status::closed;
  closed.page_size = 1;
  auto c = store_->list_tickets(closed);
  ASSERT_TRUE(c.ok());
  // Most old tickets are closed, but not all tickets are.
  EXPECT_GT(c->total, 400);
  EXPECT_LT(c->total, 600);
  TicketFilter esc;
  esc.level = core::Level::community;
  esc.page_size = 1;
  EXPECT_GT(store_->list_tickets(esc)->total, 0);
  auto v = tickets_->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->failures.empty());
  EXPECT_GT(v->events, 600 * 4);
}

TEST_F(History, DeterministicUnderTheSeed) {
  seed(42, 200);
  const auto first = fingerprint();
  // A fresh copy of the seeded organisation, the same seed: the same tickets.
  TearDown();
  SetUp();
  seed(42, 200);
  EXPECT_EQ(fingerprint(), first);
  TearDown();
  SetUp();
  seed(43, 200);
  EXPECT_NE(fingerprint(), first);
}

// A year of history has the shape the cockpit shows: a year's span, the weekly and
// seasonal rhythm, streets that differ, a matter growing, every level and rating.
TEST_F(History, AYearWithShape) {
  seed(3, 6000, 1);
  const auto tickets = all_tickets();
  ASSERT_EQ(tickets.size(), 6000u);
  const auto year_ago = now_ - std::chrono::hours(24 * 366);
  core::TimePoint first = now_;
  std::array<int, 7> by_weekday{};
  std::map<std::string, std::array<int, 2>> on_time;  // street: [on time, late] of resolved
  std::map<std::string, std::array<int, 2>> pleased;  // street: [sum of scores, ratings]
  std::array<int, 4> by_level{};
  std::set<int> scores;
  int heat_winter = 0, heat_summer = 0, parking_old = 0, parking_new = 0, reopened = 0;
  int overdue_open = 0, overdue_done = 0;
  std::map<std::string, std::array<int, 2>> clusters;  // category|street: [30..60, 0..30 days ago]
  for (const auto& t : tickets) {
    ASSERT_GE(t.created_at, year_ago) << t.number;
    ASSERT_LT(t.created_at, now_) << t.number;
    first = std::min(first, t.created_at);
    ++by_weekday[weekday(t.created_at)];
    ++by_level[static_cast<int>(t.level)];
    const int m = month(t.created_at);
    if (t.draft.category == "heat.cold") (m >= 11 || m <= 3 ? heat_winter : heat_summer) += 1;
    const auto age = now_ - t.created_at;
    if (t.draft.category == "traffic.parking") {
      if (age > std::chrono::hours(24 * 275)) ++parking_old;
      if (age < std::chrono::hours(24 * 90)) ++parking_new;
    }
    if (t.resolved_at) on_time[*t.street_id][*t.resolved_at <= t.resolve_due_at ? 0 : 1] += 1;
    if (t.rating_satisfaction) {
      scores.insert(*t.rating_satisfaction);
      pleased[*t.street_id][0] += *t.rating_satisfaction;
      pleased[*t.street_id][1] += 1;
    }
    if (t.reopen_count > 0) ++reopened;
    if (t.overdue) (core::is_open(t.status) ? overdue_open : overdue_done) += 1;
    if (age < std::chrono::hours(24 * 60))
      clusters[t.draft.category + "|" + *t.street_id][age < std::chrono::hours(24 * 30) ? 1 : 0] +=
          1;
  }
  // The whole year, not just its end.
  EXPECT_LT(first, now_ - std::chrono::hours(24 * 350));
  // Mondays bring more than Sundays.
  EXPECT_GT(by_weekday[0], by_weekday[6] * 13 / 10);
  // Heating complaints come in winter.
  EXPECT_GT(heat_winter, 5 * std::max(1, heat_summer));
  // Parking grows: the last quarter has more than the first.
  EXPECT_GT(parking_new, parking_old * 3 / 2);
  // Every level holds tickets: escalations went all the way up.
  for (int l = 0; l < 4; ++l) EXPECT_GT(by_level[l], 0) << l;
  // Every score from 1 to 5, and some reopened.
  EXPECT_EQ(scores.size(), 5u);
  EXPECT_GT(reopened, 10);
  EXPECT_GT(overdue_open, 0);
  EXPECT_GT(overdue_done, 50);
  // Streets differ in keeping to the limits and in their residents' scores.
  double best = 0, worst = 1, happiest = 0, saddest = 5;
  for (const auto& [street, c] : on_time) {
    ASSERT_GT(c[0] + c[1], 50) << street;
    const double r = static_cast<double>(c[0]) / (c[0] + c[1]);
    best = std::max(best, r);
    worst = std::min(worst, r);
  }
  for (const auto& [street, p] : pleased) {
    const double avg = static_cast<double>(p[0]) / p[1];
    happiest = std::max(happiest, avg);
    saddest = std::min(saddest, avg);
  }
  EXPECT_EQ(on_time.size(), 15u);
  EXPECT_GT(best - worst, 0.1);
  EXPECT_GT(happiest - saddest, 0.4);
  // Some category grew in some street this month (每月一题 has something to suggest).
  int surging = 0;
  for (const auto& [key, n] : clusters)
    if (n[1] >= 6 && n[1] >= 3 * n[0]) ++surging;
  EXPECT_GE(surging, 1);
  // Open whistles: units summoned or checked in on tickets not yet resolved.
  int open_whistles = 0;
  for (const auto& t : tickets) {
    if (!core::is_open(t.status)) continue;
    auto ws = store_->whistles(t.id);
    ASSERT_TRUE(ws.ok());
    for (const auto& w : *ws) open_whistles += core::is_open(w.status) ? 1 : 0;
  }
  EXPECT_GT(open_whistles, 0);
  auto v = tickets_->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->failures.empty());
}

// The demo accounts' own tickets: each citizen's in several states, the staff's queues
// with work due soon and overdue, every trail before now, nothing left for the scheduler.
TEST_F(History, StoriesForTheDemoAccounts) {
  auto told = seed_demo_stories(*store_, org_, StoryOptions{1, now_}, nullptr);
  ASSERT_TRUE(told.ok()) << told.error().message;
  EXPECT_FALSE(told->skipped);
  EXPECT_GT(told->tickets, 100);

  for (int i = 1; i <= 20; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "cz%03d", i);
    auto page = tickets_->list(ListQuery{}, actor(name));
    ASSERT_TRUE(page.ok()) << name;
    std::set<std::string> states;
    for (const auto& t : (*page)["items"]) states.insert(t["status"].get<std::string>());
    EXPECT_EQ((*page)["items"].size(), 5u) << name;
    // Just sent, at work, waiting for the rating, closed; and reopened or returned.
    for (const char* s : {"assigned", "in_progress", "resolved", "closed"})
      EXPECT_TRUE(states.count(s)) << name << " " << s;
    EXPECT_TRUE(states.count(i % 2 ? "in_progress" : "returned")) << name;
    EXPECT_GE(states.size(), 4u) << name;
  }

  TicketFilter all;
  all.page_size = 100000;
  auto tickets = store_->list_tickets(all);
  ASSERT_TRUE(tickets.ok());
  int open_whistles = 0, reopened = 0, rated = 0;
  for (const auto& t : tickets->items) {
    auto evs = store_->events(t.id);
    ASSERT_TRUE(evs.ok());
    for (const auto& e : *evs) EXPECT_LT(*core::parse_iso(e.at), now_) << t.number << e.action;
    auto ws = store_->whistles(t.id);
    ASSERT_TRUE(ws.ok());
    for (const auto& w : *ws) open_whistles += core::is_open(w.status) ? 1 : 0;
    reopened += t.reopen_count > 0;
    rated += t.rating_satisfaction.has_value();
  }
  EXPECT_GE(open_whistles, 20);
  EXPECT_EQ(reopened, 10);
  EXPECT_EQ(rated, 30);

  // Nothing was left for the scheduler: the queues are as the stories left them.
  auto sweep = tickets_->run_scheduler();
  ASSERT_TRUE(sweep.ok());
  EXPECT_EQ(sweep->escalated, 0);
  EXPECT_EQ(sweep->flagged_overdue, 0);
  EXPECT_EQ(sweep->closed, 0);

  // Each showcase account has a queue, with work due within a day and work overdue.
  auto queue = [&](const char* who) {
    ListQuery q;
    q.scope = "queue";
    auto page = tickets_->list(q, actor(who));
    EXPECT_TRUE(page.ok()) << who;
    return page.ok() ? (*page)["items"] : core::Json::array();
  };
  for (const char* who : {"gw0001", "cs001", "ss001", "ds01", "ud001"}) {
    const auto items = queue(who);
    EXPECT_GE(items.size(), 2u) << who;
    int overdue = 0, due_soon = 0;
    for (const auto& t : items) {
      overdue += t.value("overdue", false);
      const auto due = core::parse_iso(t.value("resolve_due_at", ""));
      const auto answer = core::parse_iso(t.value("response_due_at", ""));
      if ((due && *due > now_ && *due < now_ + std::chrono::hours(24)) ||
          (answer && *answer > now_ && *answer < now_ + std::chrono::hours(24) &&
           t.value("status", "") != "accepted" && t.value("status", "") != "in_progress"))
        ++due_soon;
    }
    const std::string w = who;
    if (w != "ud001") {
      EXPECT_GT(due_soon, 0) << who;
    }
    if (w == "gw0001") {
      EXPECT_EQ(overdue, 2) << who;
    }
    if (w == "cs001" || w == "ds01") {
      EXPECT_GE(overdue, 1) << who;
    }
  }
  // The district holds one that came up all four levels.
  bool four_levels = false;
  for (const auto& t : tickets->items) {
    if (t.level != core::Level::district || t.draft.category != "dispute.property") continue;
    auto evs = store_->events(t.id);
    int ups = 0;
    for (const auto& e : *evs) ups += e.action == "escalate";
    four_levels = four_levels || ups == 3;
  }
  EXPECT_TRUE(four_levels);

  auto v = tickets_->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->failures.empty());

  // Told once: a second run writes nothing.
  auto again = seed_demo_stories(*store_, org_, StoryOptions{1, now_}, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->skipped);
  EXPECT_EQ(store_->list_tickets(all)->total, tickets->total);
}
