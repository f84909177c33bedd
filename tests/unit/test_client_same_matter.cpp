// The same matter reported once, in the client's state (client/app, no browser): the
// suggestion of categories waits for the text to rest and never asks twice for the same
// text, its chips step aside once the category is the suggested one, the nearby question
// is asked again only when the category or the place changes, and "me too" without an
// account asks to sign in (keeping the draft) before anything is followed.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "app/app.hpp"
#include "app/suggest.hpp"
#include "client_fakes.hpp"
#include "portal/core/json.hpp"

namespace portal::client {
namespace {

using fakes::FakeBrowser;
using fakes::FakeHttp;

int count(const FakeHttp& http, const std::string& method, const std::string& prefix) {
  int n = 0;
  for (const auto& s : http.sent)
    if (s.request.method == method && s.request.url.rfind(prefix, 0) == 0) ++n;
  return n;
}

const std::string kSuggestAnswer =
    core::Json{{"categories",
                {{{"code", "city.streetlight"}, {"name", "路灯不亮"}, {"score", 0.81}},
                 {{"code", "city.road"}, {"name", "道路破损"}, {"score", 0.09}},
                 {{"code", "env.noise"}, {"name", "噪声扰民"}, {"score", 0.04}},
                 {{"code", "env.garbage"}, {"name", "垃圾清运"}, {"score", 0.02}}}}}
        .dump();

// [SECTION] The suggester alone

struct SuggesterTest : ::testing::Test {
  FakeHttp http;
  Api api{http, ""};
  Suggester s{api, [](std::function<void()> fn) { fn(); }};
  int asked() const { return count(http, "POST", "/api/v1/suggest"); }
};

TEST_F(SuggesterTest, WaitsForTheTextToRestAndAsksOncePerText) {
  s.typed("路灯", 0);  // two characters: nothing to suggest from
  EXPECT_EQ(s.due_at(), 0);
  EXPECT_FALSE(s.tick(1000, {}));
  s.typed("路灯不亮", 100);
  EXPECT_EQ(s.due_at(), 100 + Suggester::kRestMs);
  EXPECT_FALSE(s.tick(300, {}));
  s.typed("路灯不亮了三天", 350);  // a keystroke before it rested: the wait starts again
  EXPECT_FALSE(s.tick(100 + Suggester::kRestMs, {}));
  EXPECT_EQ(asked(), 0);
  EXPECT_TRUE(s.tick(350 + Suggester::kRestMs, std::make_pair(35.41, 116.58)));
  ASSERT_EQ(asked(), 1);
  const auto body = core::Json::parse(http.last("/api/v1/suggest")->request.body);
  EXPECT_EQ(body["description"], "路灯不亮了三天");
  EXPECT_DOUBLE_EQ(body["lat"].get<double>(), 35.41);
  EXPECT_DOUBLE_EQ(body["lng"].get<double>(), 116.58);
  EXPECT_FALSE(s.tick(5000, {}));  // sent: nothing waits
  // The same text again (a letter typed and taken back, spaces around it): not re-sent.
  s.typed("路灯不亮了三天啊", 6000);
  s.typed(" 路灯不亮了三天 ", 6100);
  EXPECT_EQ(s.due_at(), 0);
  EXPECT_FALSE(s.tick(9000, {}));
  EXPECT_EQ(asked(), 1);
  // A new text is sent once it rests.
  s.typed("路灯不亮了三天了", 10000);
  EXPECT_TRUE(s.tick(10000 + Suggester::kRestMs, {}));
  EXPECT_EQ(asked(), 2);
  EXPECT_FALSE(core::Json::parse(http.last("/api/v1/suggest")->request.body).contains("lat"));
}

TEST_F(SuggesterTest, ChipsAreTheTopThreeAndHideWhenTheCategoryIsTheTopOne) {
  s.typed("路灯不亮了三天", 0);
  ASSERT_TRUE(s.tick(Suggester::kRestMs, {}));
  EXPECT_TRUE(s.chips("").empty());  // nothing answered yet
  http.answer("/api/v1/suggest", 200, kSuggestAnswer);
  const auto chips = s.chips("");
  ASSERT_EQ(chips.size(), 3u);
  EXPECT_EQ(chips[0].code, "city.streetlight");
  EXPECT_EQ(chips[2].code, "env.noise");
  EXPECT_EQ(s.chips("env.noise").size(), 3u);  // another category: still offered
  EXPECT_TRUE(s.chips("city.streetlight").empty());
  // Text too short to say anything: the chips of the longer text go.
  s.typed("路", 100);
  EXPECT_TRUE(s.chips("").empty());
}

TEST_F(SuggesterTest, ACategoryAllButRuledOutIsNoChip) {
  s.typed("路灯不亮了三天", 0);
  ASSERT_TRUE(s.tick(Suggester::kRestMs, {}));
  http.answer("/api/v1/suggest", 200,
              core::Json{{"categories",
                          {{{"code", "city.streetlight"}, {"name", "路灯不亮"}, {"score", 0.97}},
                           {{"code", "city.road"}, {"name", "道路破损"}, {"score", 0.025}},
                           {{"code", "env.noise"}, {"name", "噪声扰民"}, {"score", 0.005}}}}}
                  .dump());
  const auto chips = s.chips("");
  ASSERT_EQ(chips.size(), 2u);
  EXPECT_EQ(chips[1].code, "city.road");
}

TEST_F(SuggesterTest, AFailureShowsNoChipsOfAnEarlierText) {
  s.typed("路灯不亮了三天", 0);
  s.tick(Suggester::kRestMs, {});
  http.answer("/api/v1/suggest", 200, kSuggestAnswer);
  s.typed("楼上装修噪音很大", 1000);
  s.tick(1000 + Suggester::kRestMs, {});
  http.answer("/api/v1/suggest", 429, R"({"error":{"code":"rate_limited","message":"slow"}})");
  EXPECT_TRUE(s.state().failed());
  EXPECT_TRUE(s.chips("").empty());
}

// [SECTION] The report form

struct SameMatter : ::testing::Test {
  FakeHttp http;
  FakeBrowser browser;
  std::unique_ptr<App> app;

  void SetUp() override {
    app = std::make_unique<App>(http, browser);
    app->start();
    http.answer("/api/v1/categories", 200,
                core::Json::array({{{"code", "city.streetlight"}, {"name", "路灯不亮"}},
                                   {{"code", "city.road"}, {"name", "道路破损"}},
                                   {{"code", "env.noise"}, {"name", "噪声扰民"}}})
                    .dump());
    frame();
    act(intent::Navigate{Screen::submit});
  }
  void frame() { app->begin_frame(); }
  void act(Intent i) {
    Intents list;
    list.emit(std::move(i));
    app->apply(list);
    frame();
  }
  // Signs a citizen in from the account screen (token "t0k").
  void sign_in_on_account_screen() {
    act(intent::EditField{Field::login, "13800138062"});
    act(intent::EditField{Field::password, "secret123"});
    act(intent::SignIn{});
    http.answer("/api/v1/auth/login", 200,
                core::Json{{"token", "t0k"},
                           {"user", {{"id", "c1"}, {"name", "周女士"}, {"role", "citizen"}}}}
                    .dump());
    frame();
  }
  int nearby_asked() const { return count(http, "GET", "/api/v1/tickets/nearby"); }
  void answer_nearby() {
    http.answer("/api/v1/tickets/nearby", 200,
                core::Json{{"items",
                            {{{"number", "RC2026112500000007"},
                              {"status", "assigned"},
                              {"category", "city.streetlight"},
                              {"summary", "古槐路18号门口路灯不亮一周了"},
                              {"distance_m", 118.4},
                              {"created_at", "2026-11-25T01:00:00Z"},
                              {"followers", 3}}}}}
                    .dump());
    frame();
  }
};

TEST_F(SameMatter, NearbyIsAskedWhenCategoryAndPlaceAreKnownAndAgainOnlyWhenOneChanges) {
  act(intent::PickCategory{"city.streetlight"});
  EXPECT_EQ(nearby_asked(), 0);  // no place yet
  act(intent::PlaceLocation{35.41, 116.58});
  ASSERT_EQ(nearby_asked(), 1);
  const std::string url = http.last("/api/v1/tickets/nearby")->request.url;
  EXPECT_NE(url.find("lat=35.410000"), std::string::npos) << url;
  EXPECT_NE(url.find("lng=116.580000"), std::string::npos) << url;
  EXPECT_NE(url.find("category=city.streetlight"), std::string::npos) << url;
  answer_nearby();
  // Typing, frames, the same category picked again: no new question.
  act(intent::EditField{Field::description, "路灯坏了"});
  act(intent::EditField{Field::name, "周女士"});
  act(intent::PickCategory{"city.streetlight"});
  frame();
  EXPECT_EQ(nearby_asked(), 1);
  // What the panel shows: summary, status, distance, followers.
  const NearbyView v = app->submit().nearby;
  ASSERT_TRUE(v.shown);
  ASSERT_EQ(v.rows.size(), 1u);
  EXPECT_EQ(v.rows[0].summary, "古槐路18号门口路灯不亮一周了");
  EXPECT_EQ(v.rows[0].status_name, "已派单");
  EXPECT_EQ(v.rows[0].distance, "约120米");
  EXPECT_EQ(v.rows[0].followers, "3人附议");
  // Another place, then another category: asked again each time.
  act(intent::PlaceLocation{35.42, 116.59});
  EXPECT_EQ(nearby_asked(), 2);
  act(intent::PickCategory{"city.road"});
  EXPECT_EQ(nearby_asked(), 3);
  // "I don't know where": the panel goes, nothing is asked.
  act(intent::SetLocationUnknown{true});
  EXPECT_EQ(nearby_asked(), 3);
  EXPECT_FALSE(app->submit().nearby.shown);
}

TEST_F(SameMatter, ANearbyFailureIsSaidAndDoesNotStopSending) {
  act(intent::PickCategory{"city.streetlight"});
  act(intent::PlaceLocation{35.41, 116.58});
  http.answer("/api/v1/tickets/nearby", 0, "");
  frame();
  const NearbyView v = app->submit().nearby;
  EXPECT_TRUE(v.shown);
  EXPECT_FALSE(v.error.empty());
  EXPECT_TRUE(v.retry);
  act(intent::EditField{Field::description, "古槐路路灯不亮一周了"});
  act(intent::EditField{Field::name, "周女士"});
  act(intent::EditField{Field::phone, "13800138062"});
  act(intent::SubmitTicket{});
  EXPECT_EQ(count(http, "POST", "/api/v1/tickets"), 1);
  act(intent::Nearby{intent::NearbyOp::retry, {}});
  EXPECT_EQ(nearby_asked(), 2);
}

TEST_F(SameMatter, SuggestionsWaitForTheTextToRestAndAChipPicksOnlyWhenTapped) {
  browser.now = 1000;
  act(intent::EditField{Field::description, "古槐路的路灯"});
  browser.now = 1200;
  act(intent::EditField{Field::description, "古槐路的路灯晚上不亮"});
  EXPECT_EQ(count(http, "POST", "/api/v1/suggest"), 0);
  // The page is woken when the text has rested.
  EXPECT_DOUBLE_EQ(app->wake_at_ms(), 1200 + Suggester::kRestMs);
  browser.now = 1200 + Suggester::kRestMs;
  frame();
  ASSERT_EQ(count(http, "POST", "/api/v1/suggest"), 1);
  frame();
  EXPECT_EQ(count(http, "POST", "/api/v1/suggest"), 1);
  http.answer("/api/v1/suggest", 200, kSuggestAnswer);
  frame();
  SubmitView v = app->submit();
  ASSERT_EQ(v.suggestions.size(), 3u);
  EXPECT_EQ(v.suggestions[0].name, "路灯不亮");
  EXPECT_TRUE(v.category_code.empty()) << "never chosen without a tap";
  act(intent::PickCategory{v.suggestions[0].code});
  v = app->submit();
  EXPECT_EQ(v.category_code, "city.streetlight");
  EXPECT_TRUE(v.suggestions.empty());
  act(intent::PickCategory{"env.noise"});
  EXPECT_EQ(app->submit().suggestions.size(), 3u);
}

TEST_F(SameMatter, AnonymousMeTooAsksToSignInAndKeepsTheDraft) {
  act(intent::PickCategory{"city.streetlight"});
  act(intent::PlaceLocation{35.41, 116.58});
  act(intent::EditField{Field::description, "古槐路路灯不亮一周了"});
  answer_nearby();
  act(intent::Nearby{intent::NearbyOp::follow, "RC2026112500000007"});
  EXPECT_EQ(count(http, "POST", "/api/v1/tickets/RC2026112500000007/follow"), 0);
  EXPECT_EQ(app->submit().nearby.ask_sign_in, "RC2026112500000007");
  // Sign in: the account screen, then back to the form as it was.
  act(intent::Nearby{intent::NearbyOp::sign_in, "RC2026112500000007"});
  EXPECT_EQ(app->screen(), Screen::account);
  sign_in_on_account_screen();
  EXPECT_EQ(app->screen(), Screen::submit);
  SubmitView v = app->submit();
  EXPECT_EQ(v.description.value, "古槐路路灯不亮一周了");
  EXPECT_EQ(v.category_code, "city.streetlight");
  EXPECT_TRUE(v.nearby.ask_sign_in.empty());
  ASSERT_EQ(v.nearby.rows.size(), 1u);
  // Signed in, "me too" follows it; the form then offers (only offers) to discard.
  act(intent::Nearby{intent::NearbyOp::follow, "RC2026112500000007"});
  ASSERT_EQ(count(http, "POST", "/api/v1/tickets/RC2026112500000007/follow"), 1);
  EXPECT_EQ(FakeHttp::header(http.last("/api/v1/tickets/RC2026112500000007/follow")->request,
                             "Authorization"),
            "Bearer t0k");
  EXPECT_TRUE(app->submit().nearby.rows[0].busy);
  http.answer("/api/v1/tickets/RC2026112500000007/follow", 200, R"({"followers":4})");
  frame();
  v = app->submit();
  EXPECT_EQ(v.nearby.followed_number, "RC2026112500000007");
  EXPECT_EQ(v.nearby.followed_note, "已附议，可在我的诉求中查看");
  EXPECT_TRUE(v.nearby.offer_discard);
  EXPECT_TRUE(v.nearby.rows[0].followed);
  EXPECT_EQ(v.nearby.rows[0].followers, "4人附议");
  EXPECT_EQ(v.description.value, "古槐路路灯不亮一周了") << "never discarded unasked";
  // Discarding: the form is empty, and the followed list is shown.
  act(intent::Nearby{intent::NearbyOp::discard_draft, {}});
  EXPECT_EQ(app->screen(), Screen::my_tickets);
  EXPECT_TRUE(app->my_tickets().followed);
  EXPECT_GE(count(http, "GET", "/api/v1/tickets?scope=followed"), 1);
  EXPECT_TRUE(app->submit().description.value.empty());
}

TEST_F(SameMatter, AFollowerSeesTheFollowedListAndMayUnfollow) {
  act(intent::Navigate{Screen::account});
  sign_in_on_account_screen();
  ASSERT_EQ(app->screen(), Screen::my_tickets);
  EXPECT_TRUE(app->my_tickets().tabs);
  act(intent::SetMineTab{true});
  http.answer("/api/v1/tickets?scope=followed", 200,
              core::Json{{"items",
                          {{{"number", "RC2026112500000007"},
                            {"status", "assigned"},
                            {"category", "city.streetlight"},
                            {"description", "路灯不亮"},
                            {"followers", 4}}}}}
                  .dump());
  frame();
  MyTicketsView m = app->my_tickets();
  ASSERT_TRUE(m.followed);
  ASSERT_EQ(m.rows->size(), 1u);
  EXPECT_EQ((*m.rows)[0].followers, "4人附议");
  act(intent::OpenTicket{"RC2026112500000007", {}});
  http.answer("/api/v1/tickets/RC2026112500000007", 200,
              core::Json{{"number", "RC2026112500000007"},
                         {"status", "assigned"},
                         {"level", "grid"},
                         {"category", "city.streetlight"},
                         {"description", "路灯不亮"},
                         {"followers", 4},
                         {"following", true}}
                  .dump());
  frame();
  TicketPage p = app->ticket();
  EXPECT_EQ(p.followers, "4人附议");
  ASSERT_TRUE(p.can_unfollow);
  act(intent::Unfollow{"RC2026112500000007"});
  ASSERT_EQ(count(http, "DELETE", "/api/v1/tickets/RC2026112500000007/follow"), 1);
  http.answer("/api/v1/tickets/RC2026112500000007/follow", 200, R"({"followers":3})");
  frame();
  p = app->ticket();
  EXPECT_FALSE(p.can_unfollow);
  EXPECT_EQ(p.followers, "3人附议");
  EXPECT_EQ(app->shell().toast, "已取消附议");
}

// [SECTION] A handler's category correction

struct Recategorize : SameMatter {
  void open_as_worker(double score) {
    act(intent::Navigate{Screen::account});
    act(intent::EditField{Field::login, "gw0001"});
    act(intent::EditField{Field::password, "demo12345"});
    act(intent::SignIn{});
    http.answer("/api/v1/auth/login", 200,
                core::Json{{"token", "t0k"},
                           {"user", {{"id", "u1"}, {"name", "刘国"}, {"role", "grid_worker"}}}}
                    .dump());
    frame();
    act(intent::OpenTicket{"RC2026112500000009", {}});
    http.answer("/api/v1/tickets/RC2026112500000009", 200,
                core::Json{{"number", "RC2026112500000009"},
                           {"status", "accepted"},
                           {"level", "grid"},
                           {"category", "env.noise"},
                           {"description", "古槐路路灯晚上不亮"},
                           {"followers", 2},
                           {"allowed_actions", {"progress", "recategorize", "resolve"}}}
                    .dump());
    frame();
    ASSERT_EQ(count(http, "POST", "/api/v1/suggest"), 1);
    EXPECT_EQ(core::Json::parse(http.last("/api/v1/suggest")->request.body)["description"],
              "古槐路路灯晚上不亮");
    http.answer("/api/v1/suggest", 200,
                core::Json{{"categories",
                            {{{"code", "city.streetlight"}, {"name", "路灯不亮"}, {"score", score}},
                             {{"code", "env.noise"}, {"name", "噪声扰民"}, {"score", 0.1}}}}}
                    .dump());
    frame();
  }
};

TEST_F(Recategorize, AConfidentOtherCategoryIsSuggestedAndCorrectedWithAReason) {
  open_as_worker(0.83);
  TicketPage p = app->ticket();
  EXPECT_EQ(p.followers, "2人附议");
  EXPECT_EQ(p.suggested_category, "路灯不亮");
  EXPECT_TRUE(p.can_recategorize);
  act(intent::OpenAction{"recategorize"});
  ASSERT_EQ(app->screen(), Screen::action);
  ActionFormView f = app->action_form();
  ASSERT_TRUE(f.pick_category);
  ASSERT_FALSE(f.picks.empty());
  EXPECT_EQ(f.picks[0].id, "city.streetlight");  // the suggestion first, chosen
  EXPECT_TRUE(f.picks[0].checked);
  for (const auto& r : f.picks) EXPECT_NE(r.id, "env.noise") << "not the current category";
  EXPECT_TRUE(f.note_required);
  act(intent::SubmitAction{});  // no reason: not sent
  EXPECT_EQ(count(http, "POST", "/api/v1/tickets/RC2026112500000009/actions"), 0);
  EXPECT_FALSE(app->action_form().note.error.empty());
  act(intent::EditField{Field::action_note, "描述为路灯问题"});
  act(intent::SubmitAction{});
  ASSERT_EQ(count(http, "POST", "/api/v1/tickets/RC2026112500000009/actions"), 1);
  const auto body =
      core::Json::parse(http.last("/api/v1/tickets/RC2026112500000009/actions")->request.body);
  EXPECT_EQ(body["action"], "recategorize");
  EXPECT_EQ(body["category"], "city.streetlight");
  EXPECT_EQ(body["reason"], "描述为路灯问题");
  http.answer("/api/v1/tickets/RC2026112500000009/actions", 200,
              core::Json{{"number", "RC2026112500000009"},
                         {"status", "accepted"},
                         {"level", "grid"},
                         {"category", "city.streetlight"},
                         {"description", "古槐路路灯晚上不亮"},
                         {"allowed_actions", {"progress", "recategorize", "resolve"}}}
                  .dump());
  frame();
  EXPECT_EQ(app->shell().toast, "已更正分类");
  EXPECT_EQ(app->screen(), Screen::ticket);
  EXPECT_TRUE(app->ticket().suggested_category.empty()) << "it is that category now";
}

TEST_F(Recategorize, AnUnsureSuggestionIsNotShown) {
  open_as_worker(0.55);
  EXPECT_TRUE(app->ticket().suggested_category.empty());
}

TEST_F(Recategorize, StaffFilingForACallerSeeNearbyTicketsButDoNotFollowThem) {
  open_as_worker(0.9);
  act(intent::GoBack{});
  act(intent::FileForCaller{true});
  ASSERT_EQ(app->screen(), Screen::submit);
  act(intent::PickCategory{"city.streetlight"});
  act(intent::PlaceLocation{35.41, 116.58});
  answer_nearby();
  const NearbyView v = app->submit().nearby;
  ASSERT_EQ(v.rows.size(), 1u);
  EXPECT_FALSE(v.can_follow);
  act(intent::Nearby{intent::NearbyOp::follow, "RC2026112500000007"});
  EXPECT_EQ(count(http, "POST", "/api/v1/tickets/RC2026112500000007/follow"), 0);
  EXPECT_TRUE(app->submit().nearby.ask_sign_in.empty());
}

}  // namespace
}  // namespace portal::client
