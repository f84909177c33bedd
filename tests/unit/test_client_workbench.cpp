// The handler workbench's state (client/app, no browser): the queue's urgency order and
// filters, tickets changed live marked unread, and the requests the action forms send.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "client_fakes.hpp"
#include "portal/core/json.hpp"

namespace portal::client {
namespace {

using fakes::FakeHttp;

class FakeServices : public Services {
 public:
  double now_ms() override { return 0; }
  void copy_to_clipboard(std::string_view) override {}
  void history_push(int, std::string_view, std::string_view) override {}
  void history_replace(int, std::string_view, std::string_view) override {}
  void history_back(int) override {}
  std::string load(std::string_view) override { return {}; }
  void save(std::string_view, std::string_view) override {}
  std::string random_token() override { return "00112233445566778899aabbccddeeff"; }
  void set_document_language(std::string_view, std::string_view) override {}
};

core::Json summary(const std::string& number, const std::string& status, bool overdue,
                   const std::string& due) {
  return {{"number", number},
          {"status", status},
          {"level", "grid"},
          {"category", "env.noise"},
          {"description", "噪音"},
          {"created_at", "2026-11-25T01:00:00Z"},
          {"updated_at", "2026-11-25T01:00:00Z"},
          {"response_due_at", due},
          {"resolve_due_at", due},
          {"overdue", overdue},
          {"assignee", {{"kind", "user"}, {"id", "u1"}, {"name", "网格员"}}}};
}

struct Workbench : ::testing::Test {
  FakeHttp http;
  FakeServices services;
  App app{http, services};

  void frame() { app.begin_frame(); }
  void act(Intent i) {
    Intents list;
    list.emit(std::move(i));
    app.apply(list);
    frame();
  }
  // Signs in as a grid worker and shows the queue with these tickets.
  void sign_in_with_queue(const core::Json& items) {
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
    http.answer("/api/v1/tickets?scope=queue", 200, core::Json{{"items", items}}.dump());
    frame();
  }
  std::vector<std::string> numbers() {
    std::vector<std::string> out;
    for (const auto& r : *app.queue().rows) out.push_back(r.number);
    return out;
  }
};

TEST_F(Workbench, QueueIsMostUrgentFirstAndFilters) {
  sign_in_with_queue({summary("RC3", "accepted", false, "2026-11-27T00:00:00Z"),
                      summary("RC1", "closed", false, "2026-11-20T00:00:00Z"),
                      summary("RC2", "assigned", true, "2026-11-28T00:00:00Z"),
                      summary("RC4", "in_progress", false, "2026-11-26T00:00:00Z")});
  QueueView q = app.queue();
  EXPECT_EQ(q.all, 4u);
  EXPECT_EQ(q.open, 3u);
  EXPECT_EQ(q.overdue, 1u);
  // To do: overdue first, then the nearest deadline; the closed one is not there.
  EXPECT_EQ(numbers(), (std::vector<std::string>{"RC2", "RC4", "RC3"}));
  act(intent::SetQueueFilter{QueueFilter::overdue});
  EXPECT_EQ(numbers(), (std::vector<std::string>{"RC2"}));
  act(intent::SetQueueFilter{QueueFilter::all});
  EXPECT_EQ(numbers(), (std::vector<std::string>{"RC2", "RC4", "RC3", "RC1"}));
  EXPECT_EQ(q.role_name, "网格员");
  EXPECT_TRUE(q.can_patrol);
  EXPECT_FALSE(q.can_file);
}

TEST_F(Workbench, LiveChangesAreUnreadUntilOpened) {
  sign_in_with_queue({summary("RC2026112500000001", "assigned", false, "2026-11-27T00:00:00Z")});
  app.on_stream_event(R"({"number":"RC2026112500000009","status":"assigned","action":"assign"})");
  frame();
  // The queue is asked again; the new ticket comes with it, unread.
  http.answer(
      "/api/v1/tickets?scope=queue", 200,
      core::Json{{"items",
                  {summary("RC2026112500000001", "assigned", false, "2026-11-27T00:00:00Z"),
                   summary("RC2026112500000009", "assigned", false, "2026-11-26T00:00:00Z")}}}
          .dump());
  frame();
  QueueView q = app.queue();
  EXPECT_EQ(q.unread, 1u);
  ASSERT_EQ(q.rows->size(), 2u);
  EXPECT_EQ((*q.rows)[0].number, "RC2026112500000009");
  EXPECT_TRUE((*q.rows)[0].unread);
  EXPECT_FALSE((*q.rows)[1].unread);
  act(intent::OpenTicket{"RC2026112500000009", {}});
  EXPECT_EQ(app.screen(), Screen::ticket);
  EXPECT_EQ(app.queue().unread, 0u);
}

TEST_F(Workbench, ActionFormsSendWhatTheServerExpects) {
  sign_in_with_queue({summary("RC2026112500000001", "accepted", false, "2026-11-27T00:00:00Z")});
  act(intent::OpenTicket{"RC2026112500000001", {}});
  const core::Json ticket = {
      {"number", "RC2026112500000001"},
      {"status", "accepted"},
      {"level", "grid"},
      {"category", "env.noise"},
      {"description", "噪音"},
      {"channel", "web"},
      {"location", {{"lat", 35.41}, {"lng", 116.58}, {"address", ""}}},
      {"contact", {{"name", "张三"}, {"phone", "13800138000"}}},
      {"created_at", "2026-11-25T01:00:00Z"},
      {"updated_at", "2026-11-25T01:00:00Z"},
      {"response_due_at", "2026-11-26T01:00:00Z"},
      {"resolve_due_at", "2026-11-27T01:00:00Z"},
      {"overdue", false},
      {"reopen_count", 0},
      {"whistles", core::Json::array()},
      {"attachments", core::Json::array()},
      {"allowed_actions", {"progress", "escalate", "whistle", "resolve", "return"}}};
  http.answer("/api/v1/tickets/RC2026112500000001", 200, ticket.dump());
  frame();
  const TicketPage page = app.ticket();
  std::vector<std::string> buttons;
  for (const auto& b : page.actions) buttons.push_back(b.action);
  EXPECT_EQ(buttons,
            (std::vector<std::string>{"progress", "resolve", "whistle", "escalate", "return"}));
  EXPECT_FALSE(page.can_rate);

  // Escalate needs a reason: nothing is sent without one.
  act(intent::OpenAction{"escalate"});
  EXPECT_EQ(app.screen(), Screen::action);
  const std::size_t before = http.sent.size();
  act(intent::SubmitAction{});
  EXPECT_EQ(http.sent.size(), before);
  EXPECT_FALSE(app.action_form().note.error.empty());
  act(intent::EditField{Field::action_note, "需社区协调"});
  act(intent::SubmitAction{});
  const auto* sent = http.last("/api/v1/tickets/RC2026112500000001/actions");
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->request.method, "POST");
  EXPECT_EQ(core::Json::parse(sent->request.body),
            (core::Json{{"action", "escalate"}, {"reason", "需社区协调"}}));
  http.answer("/api/v1/tickets/RC2026112500000001/actions", 200, ticket.dump());
  frame();
  EXPECT_EQ(app.screen(), Screen::ticket);

  // Whistle: several units, toggled on and off.
  act(intent::OpenAction{"whistle"});
  act(intent::SubmitAction{});
  EXPECT_FALSE(app.action_form().error.empty());
  act(intent::TogglePick{"dept.a"});
  act(intent::TogglePick{"util.b"});
  act(intent::TogglePick{"dept.c"});
  act(intent::TogglePick{"dept.c"});
  act(intent::SubmitAction{});
  sent = http.last("/api/v1/tickets/RC2026112500000001/actions");
  EXPECT_EQ(core::Json::parse(sent->request.body),
            (core::Json{{"action", "whistle"}, {"unit_ids", {"dept.a", "util.b"}}}));
}

}  // namespace
}  // namespace portal::client
