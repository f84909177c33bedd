// The handler's desk (client/app/desk.hpp, no browser): the filters and the search go to
// the server, the search only once typing rests and stale answers are dropped, each row
// carries the deadline that matters next, keys move and open, and toasts name the action.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/app.hpp"
#include "client_fakes.hpp"
#include "portal/core/json.hpp"
#include "portal/core/time.hpp"

namespace portal::client {
namespace {

using fakes::FakeHttp;

class ClockServices : public Services {
 public:
  double now = 0;
  double now_ms() override { return now; }
  void copy_to_clipboard(std::string_view) override {}
  void history_push(int, std::string_view, std::string_view) override {}
  void history_replace(int, std::string_view path, std::string_view) override {
    replaced.push_back(std::string(path));
  }
  void history_back(int) override {}
  std::string load(std::string_view) override { return {}; }
  void save(std::string_view, std::string_view) override {}
  std::string random_token() override { return "00112233445566778899aabbccddeeff"; }
  void set_document_language(std::string_view, std::string_view) override {}
  std::vector<std::string> replaced;
};

double ms(const char* iso) {
  return static_cast<double>(core::to_unix(*core::parse_iso(iso))) * 1000.0;
}

TicketSummary ticket(const std::string& status, const std::string& respond,
                     const std::string& resolve, bool overdue = false) {
  TicketSummary t;
  t.number = "RC1";
  t.status = status;
  t.response_due_at = respond;
  t.resolve_due_at = resolve;
  t.overdue = overdue;
  return t;
}

TEST(DeskModel, TheNextDeadlineIsTheResponseOneUntilAccepted) {
  const std::string respond = "2026-11-25T03:00:00Z", resolve = "2026-11-30T03:00:00Z";
  for (const char* s : {"submitted", "assigned", "returned"}) {
    const NextDeadline d = next_deadline(ticket(s, respond, resolve));
    EXPECT_EQ(d.kind, DeadlineKind::response) << s;
    EXPECT_EQ(d.at, respond) << s;
  }
  for (const char* s : {"accepted", "in_progress"}) {
    const NextDeadline d = next_deadline(ticket(s, respond, resolve));
    EXPECT_EQ(d.kind, DeadlineKind::resolve) << s;
    EXPECT_EQ(d.at, resolve) << s;
  }
  for (const char* s : {"resolved", "closed", "merged"})
    EXPECT_EQ(next_deadline(ticket(s, respond, resolve)).kind, DeadlineKind::none) << s;
}

TEST(DeskModel, UrgencyIsMissedSoonOrNeither) {
  const double now = ms("2026-11-25T02:00:00Z");
  // A response due in an hour is soon; in three hours it is not yet.
  EXPECT_EQ(urgency_of(ticket("assigned", "2026-11-25T03:00:00Z", "2026-12-01T00:00:00Z"), now),
            Urgency::soon);
  EXPECT_EQ(urgency_of(ticket("assigned", "2026-11-25T05:00:00Z", "2026-12-01T00:00:00Z"), now),
            Urgency::normal);
  // Its response missed: overdue, though the resolve deadline is days away.
  EXPECT_EQ(urgency_of(ticket("submitted", "2026-11-25T01:00:00Z", "2026-12-01T00:00:00Z"), now),
            Urgency::overdue);
  // Accepted: the missed response no longer counts, the resolve deadline does.
  EXPECT_EQ(urgency_of(ticket("accepted", "2026-11-25T01:00:00Z", "2026-11-26T01:00:00Z"), now),
            Urgency::soon);
  EXPECT_EQ(urgency_of(ticket("accepted", "2026-11-25T01:00:00Z", "2026-11-28T01:00:00Z"), now),
            Urgency::normal);
  // The server's word that it is overdue stands.
  EXPECT_EQ(
      urgency_of(ticket("in_progress", "2026-11-25T01:00:00Z", "2026-11-28T01:00:00Z", true), now),
      Urgency::overdue);
  EXPECT_EQ(urgency_of(ticket("closed", "2026-11-20T01:00:00Z", "2026-11-21T01:00:00Z", true), now),
            Urgency::normal);
}

TEST(DeskModel, TheListAddressCarriesEachFilterEncoded) {
  EXPECT_EQ(desk_list_url({}), "/api/v1/tickets?scope=queue&page_size=200");
  DeskFilters f;
  f.status = "accepted";
  f.level = "street";
  f.category = "env.noise";
  f.overdue = true;
  f.q = " 噪音 A&B ";
  EXPECT_EQ(desk_list_url(f),
            "/api/v1/tickets?scope=queue&page_size=200&status=accepted&level=street&category=env."
            "noise&overdue=true&q=%E5%99%AA%E9%9F%B3%20A%26B");
}

core::Json summary(const std::string& number, const std::string& status, const std::string& respond,
                   const std::string& resolve, bool overdue = false) {
  return {{"number", number},
          {"status", status},
          {"level", "grid"},
          {"category", "env.noise"},
          {"description", "噪音扰民"},
          {"grid_id", "g1"},
          {"followers", 2},
          {"created_at", "2026-11-25T01:00:00Z"},
          {"updated_at", "2026-11-25T01:00:00Z"},
          {"response_due_at", respond},
          {"resolve_due_at", resolve},
          {"overdue", overdue},
          {"assignee", {{"kind", "user"}, {"id", "u1"}, {"name", "网格员"}}}};
}

struct DeskScreen : ::testing::Test {
  FakeHttp http;
  ClockServices services;
  App app{http, services};

  void frame() { app.begin_frame(); }
  void act(Intent i) {
    Intents list;
    list.emit(std::move(i));
    app.apply(list);
    frame();
  }
  void sign_in() {
    services.now = ms("2026-11-25T02:00:00Z");
    app.start();
    act(intent::Navigate{Screen::account});
    act(intent::EditField{Field::login, "gw0001"});
    act(intent::EditField{Field::password, "demo12345"});
    act(intent::SignIn{});
    http.answer("/api/v1/auth/login", 200,
                core::Json{{"token", "t0k"},
                           {"user", {{"id", "u1"}, {"name", "刘国"}, {"role", "grid_worker"}}}}
                    .dump());
    frame();
    ASSERT_EQ(app.screen(), Screen::queue);
    ASSERT_TRUE(app.shell().desk);
  }
  // The last list the desk asked for, answered with these tickets.
  void answer_desk(const core::Json& items) {
    ASSERT_TRUE(http.answer("/api/v1/tickets?scope=queue&page_size=200", 200,
                            core::Json{{"items", items}}.dump()) > 0);
    frame();
  }
  std::vector<std::string> numbers() {
    std::vector<std::string> out;
    for (const auto& r : app.desk().rows) out.push_back(r.number);
    return out;
  }
  std::string last_list_url() {
    const auto* s = http.last("/api/v1/tickets?scope=queue&page_size=200");
    return s ? s->request.url : std::string();
  }
};

TEST_F(DeskScreen, FiltersAskTheServerAndRowsShowTheDeadlineThatMatters) {
  sign_in();
  act(intent::Desk{intent::DeskOp::load, {}});
  EXPECT_EQ(last_list_url(), "/api/v1/tickets?scope=queue&page_size=200");
  answer_desk({summary("RC2", "accepted", "2026-11-25T01:00:00Z", "2026-11-28T00:00:00Z"),
               summary("RC1", "assigned", "2026-11-25T03:00:00Z", "2026-11-29T00:00:00Z"),
               summary("RC3", "submitted", "2026-11-25T01:30:00Z", "2026-11-29T00:00:00Z")});
  // The missed response first, then the one due within the hour, then the rest.
  EXPECT_EQ(numbers(), (std::vector<std::string>{"RC3", "RC1", "RC2"}));
  DeskView v = app.desk();
  EXPECT_EQ(v.rows[0].urgency, 2);
  EXPECT_EQ(v.rows[0].deadline, "响应时限 11-25 09:30");
  EXPECT_EQ(v.rows[1].urgency, 1);
  EXPECT_EQ(v.rows[2].urgency, 0);
  EXPECT_EQ(v.rows[2].deadline, "办结时限 11-28 08:00");
  EXPECT_EQ(v.rows[2].followers, "2人附议");
  EXPECT_EQ(v.rows[2].level_name, "网格");
  EXPECT_EQ(v.count, "3 件");
  EXPECT_FALSE(v.filtered);

  act(intent::Desk{intent::DeskOp::category, "env.noise"});
  act(intent::Desk{intent::DeskOp::overdue, "1"});
  EXPECT_EQ(last_list_url(),
            "/api/v1/tickets?scope=queue&page_size=200&category=env.noise&overdue=true");
  act(intent::Desk{intent::DeskOp::level, "community"});
  act(intent::Desk{intent::DeskOp::status, "accepted"});
  EXPECT_EQ(last_list_url(),
            "/api/v1/tickets?scope=queue&page_size=200&status=accepted&level=community&category="
            "env.noise&overdue=true");
  v = app.desk();
  EXPECT_TRUE(v.filtered);
  EXPECT_EQ(v.status_label, "已受理");
  EXPECT_EQ(v.level_label, "社区");
  act(intent::Desk{intent::DeskOp::clear, {}});
  EXPECT_EQ(last_list_url(), "/api/v1/tickets?scope=queue&page_size=200");
  EXPECT_FALSE(app.desk().filtered);
}

TEST_F(DeskScreen, SearchWaitsForTypingToRestAndDropsStaleAnswers) {
  sign_in();
  act(intent::Desk{intent::DeskOp::load, {}});
  answer_desk({summary("RC1", "assigned", "2026-11-25T05:00:00Z", "2026-11-29T00:00:00Z")});
  const std::size_t asked = http.sent.size();
  act(intent::EditField{Field::desk_search, "噪"});
  services.now += 100;
  act(intent::EditField{Field::desk_search, "噪音"});
  services.now += 200;
  frame();
  EXPECT_EQ(http.sent.size(), asked);  // still typing: nothing sent
  EXPECT_GT(app.wake_at_ms(), services.now);
  services.now += 150;
  frame();
  ASSERT_EQ(http.sent.size(), asked + 1);
  const std::string first = http.sent.back().request.url;
  EXPECT_EQ(first, "/api/v1/tickets?scope=queue&page_size=200&q=%E5%99%AA%E9%9F%B3");
  // Another word before the answer: the first answer, arriving late, is dropped.
  act(intent::EditField{Field::desk_search, "噪音 路灯"});
  services.now += 400;
  frame();
  ASSERT_EQ(http.sent.size(), asked + 2);
  auto late = std::move(http.sent[asked].done);
  auto fresh = std::move(http.sent[asked + 1].done);
  fresh({200,
         core::Json{{"items",
                     {summary("RC9", "assigned", "2026-11-25T05:00:00Z", "2026-11-29T00:00:00Z")}}}
             .dump(),
         {}});
  late({200,
        core::Json{
            {"items", {summary("RC5", "assigned", "2026-11-25T05:00:00Z", "2026-11-29T00:00:00Z")}}}
            .dump(),
        {}});
  frame();
  EXPECT_EQ(numbers(), std::vector<std::string>{"RC9"});
  EXPECT_EQ(app.desk().search.value, "噪音 路灯");
}

TEST_F(DeskScreen, KeysMoveOpenAndAcceptWithANamedToast) {
  sign_in();
  act(intent::Desk{intent::DeskOp::load, {}});
  answer_desk(
      {summary("RC2026112500000001", "assigned", "2026-11-25T03:00:00Z", "2026-11-29T00:00:00Z"),
       summary("RC2026112500000002", "assigned", "2026-11-25T04:00:00Z", "2026-11-29T00:00:00Z")});
  EXPECT_TRUE(app.desk().rows[0].cursor);
  act(intent::Desk{intent::DeskOp::move, "1"});
  act(intent::Desk{intent::DeskOp::move, "1"});  // stays on the last row
  EXPECT_TRUE(app.desk().rows[1].cursor);
  act(intent::Desk{intent::DeskOp::open_cursor, {}});
  EXPECT_EQ(app.screen(), Screen::ticket);
  EXPECT_EQ(app.desk().open_number, "RC2026112500000002");
  EXPECT_TRUE(app.desk().rows[1].open);
  // An action key does nothing until the ticket is there, and only what it allows.
  act(intent::Desk{intent::DeskOp::action, "accept"});
  EXPECT_EQ(http.last("/api/v1/tickets/RC2026112500000002/actions"), nullptr);
  const core::Json t = {{"number", "RC2026112500000002"},
                        {"status", "assigned"},
                        {"level", "grid"},
                        {"category", "env.noise"},
                        {"description", "噪音"},
                        {"channel", "web"},
                        {"location", {{"lat", 35.41}, {"lng", 116.58}, {"address", "古槐路"}}},
                        {"grid", {{"id", "g1"}, {"name", "一网格"}}},
                        {"contact", {{"name", "张三"}, {"phone", "13800138000"}}},
                        {"created_at", "2026-11-25T01:00:00Z"},
                        {"updated_at", "2026-11-25T01:00:00Z"},
                        {"response_due_at", "2026-11-25T04:00:00Z"},
                        {"resolve_due_at", "2026-11-29T00:00:00Z"},
                        {"overdue", false},
                        {"allowed_actions", {"accept", "return"}}};
  http.answer("/api/v1/tickets/RC2026112500000002", 200, t.dump());
  frame();
  // The ticket's map: centred on its point, its grid chosen, taps do nothing.
  const TicketPage page = app.ticket();
  ASSERT_TRUE(page.has_map);
  EXPECT_DOUBLE_EQ(page.map.pin_lat, 35.41);
  EXPECT_DOUBLE_EQ(page.map.focus_lng, 116.58);
  EXPECT_EQ(page.map.tap, MapTap::view);
  EXPECT_EQ(page.map.selected_name, "一网格");
  act(intent::Desk{intent::DeskOp::action, "escalate"});  // not allowed now
  EXPECT_EQ(http.last("/api/v1/tickets/RC2026112500000002/actions"), nullptr);
  act(intent::Desk{intent::DeskOp::action, "accept"});
  const auto* sent = http.last("/api/v1/tickets/RC2026112500000002/actions");
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(core::parse_json(sent->request.body).value()["action"], "accept");
  core::Json accepted = t;
  accepted["status"] = "accepted";
  http.answer("/api/v1/tickets/RC2026112500000002/actions", 200, accepted.dump());
  frame();
  EXPECT_EQ(app.shell().toast, "已受理");
  // The list is asked again after the action.
  EXPECT_NE(http.last("/api/v1/tickets?scope=queue&page_size=200")->done, nullptr);

  // Another row replaces the ticket shown (and its address) rather than piling up.
  act(intent::Desk{intent::DeskOp::open, "RC2026112500000001"});
  EXPECT_EQ(app.screen(), Screen::ticket);
  EXPECT_EQ(app.desk().open_number, "RC2026112500000001");
  ASSERT_FALSE(services.replaced.empty());
  EXPECT_EQ(services.replaced.back(), "/work/t/RC2026112500000001");
  act(intent::GoBack{});
  EXPECT_EQ(app.screen(), Screen::queue);
}

TEST_F(DeskScreen, ToastsNameTheActionInBothLanguages) {
  EXPECT_EQ(tr(Lang::zh, done_toast("accept")), "已受理");
  EXPECT_EQ(tr(Lang::zh, done_toast("return")), "已退回");
  EXPECT_EQ(tr(Lang::zh, done_toast("escalate")), "已上报");
  EXPECT_EQ(tr(Lang::zh, done_toast("whistle")), "已吹哨");
  EXPECT_EQ(tr(Lang::zh, done_toast("resolve")), "已办结");
  EXPECT_EQ(tr(Lang::zh, done_toast("progress")), "已记录进展");
  EXPECT_EQ(tr(Lang::en, done_toast("accept")), "Accepted");
  EXPECT_EQ(tr(Lang::en, done_toast("escalate")), "Escalated");
  EXPECT_EQ(action_key("accept"), "a");
  EXPECT_EQ(action_key("merge"), "");
}

TEST_F(DeskScreen, HelpAndMenusOpenAndClose) {
  sign_in();
  act(intent::Desk{intent::DeskOp::help, "1"});
  EXPECT_TRUE(app.desk().help);
  EXPECT_GE(app.desk().shortcuts.size(), 10u);
  act(intent::Desk{intent::DeskOp::help, ""});
  EXPECT_FALSE(app.desk().help);
  act(intent::Desk{intent::DeskOp::menu, "level"});
  DeskView v = app.desk();
  EXPECT_EQ(v.menu, "level");
  ASSERT_EQ(v.choices.size(), 5u);
  EXPECT_EQ(v.choices[0].value, "");
  EXPECT_EQ(v.choices[2].label, "社区");
  act(intent::Desk{intent::DeskOp::level, "street"});
  EXPECT_EQ(app.desk().menu, "");  // a choice folds it
}

}  // namespace
}  // namespace portal::client
