// The portal's addresses (client/app/routes, core/client_routes) and what the app does
// with them: the screen an address opens, the address bar following the screens, Back
// and Forward, reload, the #c= link of an anonymous submitter and the rating link
// (#c=...&rate, #rate), the tickets of this device, the report form's draft, the
// location choice and the text-message choices. No browser: fakes record
// the history entries, storage and requests.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/drafts.hpp"
#include "app/routes.hpp"
#include "client_fakes.hpp"
#include "portal/core/client_routes.hpp"
#include "portal/core/json.hpp"

namespace portal::client {
namespace {

using core::ClientPath;
using core::parse_client_path;

constexpr const char* kNumber = "RC2026112500000042";

// [SECTION] The grammar of the addresses

TEST(ClientPaths, EveryRouteOfTheContract) {
  const std::pair<const char*, ClientPath> fixed[] = {
      {"/", ClientPath::home},       {"/submit", ClientPath::submit},
      {"/track", ClientPath::track}, {"/me", ClientPath::me},
      {"/board", ClientPath::board}, {"/services", ClientPath::services},
      {"/work", ClientPath::work},   {"/cockpit", ClientPath::cockpit}};
  for (const auto& [path, route] : fixed) {
    auto r = parse_client_path(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->path, route) << path;
    EXPECT_EQ(core::client_path(*r), path);
  }
  auto t = parse_client_path(std::string("/t/") + kNumber);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, ClientPath::ticket);
  EXPECT_EQ(t->number, kNumber);
  auto w = parse_client_path(std::string("/work/t/") + kNumber);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->path, ClientPath::work_ticket);
  EXPECT_EQ(core::client_path(*w), std::string("/work/t/") + kNumber);
  // A number typed in lower case is the same ticket.
  auto lower = parse_client_path("/t/rc2026112500000042");
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->number, kNumber);
}

TEST(ClientPaths, AnythingElseIsNoRoute) {
  for (const char* path : {"",
                           "/index.html",
                           "/submit/",
                           "//submit",
                           "/Submit",
                           "/t",
                           "/t/",
                           "/t/RC123",
                           "/t/RC2026112500000042/",
                           "/t/RC2026112500000042/x",
                           "/t/XX2026112500000042",
                           "/work/",
                           "/work/t",
                           "/work/t/abc",
                           "/me/tickets",
                           "/api/v1/tickets",
                           "/portal.js",
                           "/../etc/passwd",
                           "/t/RC2026112500000042%00",
                           "/cockpit?x=1"})
    EXPECT_FALSE(parse_client_path(path)) << path;
}

TEST(Routes, ScreensOfTheAddresses) {
  EXPECT_EQ(parse_route("/").screen, Screen::home);
  EXPECT_EQ(parse_route("/submit").screen, Screen::submit);
  EXPECT_EQ(parse_route("/track").screen, Screen::track);
  EXPECT_EQ(parse_route("/board").screen, Screen::board);
  EXPECT_EQ(parse_route("/services").screen, Screen::services);
  for (const char* gated : {"/me", "/work", "/cockpit"})
    EXPECT_TRUE(parse_route(gated).needs_sign_in);
  EXPECT_EQ(parse_route("/me").screen, Screen::my_tickets);
  EXPECT_EQ(parse_route("/work").screen, Screen::queue);
  EXPECT_EQ(parse_route("/cockpit").screen, Screen::cockpit);
  const RouteRequest t = parse_route(std::string("/t/") + kNumber);
  EXPECT_EQ(t.screen, Screen::ticket);
  EXPECT_EQ(t.number, kNumber);
  EXPECT_FALSE(t.needs_sign_in);
  const RouteRequest w = parse_route(std::string("/work/t/") + kNumber);
  EXPECT_EQ(w.screen, Screen::ticket);
  EXPECT_TRUE(w.needs_sign_in);
  // Unknown paths show home.
  const RouteRequest x = parse_route("/nowhere");
  EXPECT_FALSE(x.known);
  EXPECT_EQ(x.screen, Screen::home);
}

TEST(Routes, TheFragmentCarriesTheAccessCode) {
  RouteRequest r = parse_route(std::string("/t/") + kNumber + "#c=AB12CD34");
  EXPECT_EQ(r.number, kNumber);
  EXPECT_EQ(r.code, "AB12CD34");
  // Other fragment members, a query and escapes.
  r = parse_route(std::string("/t/") + kNumber + "?from=sms#x=1&c=AB%31%32CD34&y");
  EXPECT_EQ(r.screen, Screen::ticket);
  EXPECT_EQ(r.code, "AB12CD34");
  EXPECT_EQ(parse_route(std::string("/t/") + kNumber + "#c=").code, "");
  EXPECT_EQ(parse_route(std::string("/t/") + kNumber + "#cc=1").code, "");
  EXPECT_EQ(parse_route(std::string("/t/") + kNumber + "#c=%zz").code, "%zz");
  // Only a ticket's address reads a code.
  EXPECT_EQ(parse_route("/track#c=AB12CD34").code, "");
}

// Notification links: /t/{number}#c={code}&rate (anonymous), /t/{number}#rate (an account).
TEST(Routes, TheFragmentMayAskForTheRatingForm) {
  const std::string t = std::string("/t/") + kNumber;
  RouteRequest r = parse_route(t + "#c=AB12CD34&rate");
  EXPECT_EQ(r.screen, Screen::ticket);
  EXPECT_EQ(r.number, kNumber);
  EXPECT_EQ(r.code, "AB12CD34");
  EXPECT_TRUE(r.rate);
  r = parse_route(t + "#rate");
  EXPECT_EQ(r.code, "");
  EXPECT_TRUE(r.rate);
  r = parse_route(t + "#rate&c=AB12CD34");  // parts in any order
  EXPECT_EQ(r.code, "AB12CD34");
  EXPECT_TRUE(r.rate);
  // The code alone reads exactly as before: no rating form.
  r = parse_route(t + "#c=AB12CD34");
  EXPECT_EQ(r.code, "AB12CD34");
  EXPECT_FALSE(r.rate);
  EXPECT_FALSE(parse_route(t).rate);
  // Only the bare part: not a value, not a longer word, not a code that says "rate".
  for (const char* f : {"#rate=1", "#rated", "#xrate", "#c=rate", "#c=AB12CD34&&rating"})
    EXPECT_FALSE(parse_route(t + f).rate) << f;
  EXPECT_EQ(parse_route(t + "#c=rate").code, "rate");
  // Only a ticket's address opens its rating form.
  EXPECT_FALSE(parse_route("/track#rate").rate);
  EXPECT_FALSE(parse_route(std::string("/work/t/") + kNumber + "#rate").rate);
}

TEST(Routes, AddressesOfTheScreens) {
  EXPECT_EQ(route_path(Screen::home), "/");
  EXPECT_EQ(route_path(Screen::submit), "/submit");
  EXPECT_EQ(route_path(Screen::categories), "/submit");  // a picker over the form
  EXPECT_EQ(route_path(Screen::track), "/track");
  EXPECT_EQ(route_path(Screen::ticket, kNumber), std::string("/t/") + kNumber);
  EXPECT_EQ(route_path(Screen::ticket, kNumber, true), std::string("/work/t/") + kNumber);
  EXPECT_EQ(route_path(Screen::receipt, kNumber), std::string("/t/") + kNumber);
  EXPECT_EQ(route_path(Screen::rate, kNumber), std::string("/t/") + kNumber);
  EXPECT_EQ(route_path(Screen::action, kNumber, true), std::string("/work/t/") + kNumber);
  EXPECT_EQ(route_path(Screen::ticket), "/track");  // no ticket yet
  EXPECT_EQ(route_path(Screen::account), "/me");
  EXPECT_EQ(route_path(Screen::my_tickets), "/me");
  EXPECT_EQ(route_path(Screen::services), "/services");
  EXPECT_EQ(route_path(Screen::queue), "/work");
  EXPECT_EQ(route_path(Screen::hotline_import), "/work");
  EXPECT_EQ(route_path(Screen::cockpit), "/cockpit");
  EXPECT_EQ(route_path(Screen::board), "/board");
  // Every screen's address opens a screen, and the screens with their own address
  // come back as themselves.
  for (Screen s : {Screen::home, Screen::submit, Screen::track, Screen::my_tickets,
                   Screen::services, Screen::queue, Screen::cockpit, Screen::board}) {
    EXPECT_EQ(parse_route(route_path(s)).screen, s) << screen_name(s);
    EXPECT_TRUE(route_fits(s, route_path(s))) << screen_name(s);
  }
}

TEST(Routes, ScreensKeptInHistoryMustFitTheirAddress) {
  const std::string ticket = std::string("/t/") + kNumber;
  EXPECT_TRUE(route_fits(Screen::categories, "/submit"));
  EXPECT_TRUE(route_fits(Screen::rate, ticket));
  EXPECT_TRUE(route_fits(Screen::receipt, ticket));
  EXPECT_TRUE(route_fits(Screen::action, std::string("/work/t/") + kNumber));
  EXPECT_TRUE(route_fits(Screen::account, "/work"));  // sign in, then the workbench
  EXPECT_FALSE(route_fits(Screen::categories, "/track"));
  EXPECT_FALSE(route_fits(Screen::rate, "/submit"));
  EXPECT_FALSE(route_fits(Screen::account, "/board"));
  EXPECT_FALSE(route_fits(Screen::home, "/nowhere"));
}

TEST(Routes, ScreenNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Screen::board); ++i) {
    const auto s = static_cast<Screen>(i);
    EXPECT_FALSE(screen_name(s).empty());
    EXPECT_EQ(parse_screen_name(screen_name(s)), s);
  }
  EXPECT_FALSE(parse_screen_name("nowhere"));
  EXPECT_FALSE(parse_screen_name(""));
}

// [SECTION] The app with a fake browser

using fakes::FakeHttp;

using fakes::FakeBrowser;

core::Json detail(const std::string& number, const std::string& status,
                  const std::string& category = "env.noise") {
  return {{"number", number},
          {"status", status},
          {"level", "grid"},
          {"category", category},
          {"description", "小区门口噪音扰民"},
          {"location", {{"lat", 35.41}, {"lng", 116.58}, {"address", "古槐路"}}},
          {"contact", {{"name", "张*"}, {"phone", "138****0000"}}},
          {"created_at", "2026-11-25T01:00:00Z"},
          {"updated_at", "2026-11-25T01:00:00Z"},
          {"response_due_at", "2026-11-26T01:00:00Z"},
          {"resolve_due_at", "2026-12-01T01:00:00Z"},
          {"allowed_actions", core::Json::array()}};
}

struct AppRoutes : ::testing::Test {
  FakeHttp http;
  FakeBrowser browser;
  std::unique_ptr<App> app = std::make_unique<App>(http, browser);

  void frame() { app->begin_frame(); }
  void act(Intent i) {
    Intents list;
    list.emit(std::move(i));
    app->apply(list);
    frame();
  }
  // The browser's Back/Forward: it moves, then tells the app (popstate). An app step
  // back (history_back) is the same move.
  void browser_go(int delta) {
    const auto& e = browser.go(delta);
    app->on_history(e.depth, e.path, e.screen);
    frame();
  }
  void settle_backs() {
    while (browser.pending_back > 0) {
      const int n = browser.pending_back;
      browser.pending_back = 0;
      browser_go(-n);
    }
  }
  // A reload: a new app in the same browser (same history entry, same storage).
  void reload() {
    http.sent.clear();
    app = std::make_unique<App>(http, browser);
    app->start();
    frame();
  }
  void answer_ticket(const std::string& number, const std::string& status = "assigned") {
    answer_ticket_json(number, detail(number, status));
  }
  void answer_ticket_json(const std::string& number, const core::Json& ticket) {
    http.answer("/api/v1/tickets/" + number + "/events", 200, R"({"items":[]})");
    http.answer("/api/v1/tickets/" + number, 200, ticket.dump());
    frame();
  }
  // Resolved and waiting for its submitter's rating.
  static core::Json resolved(const std::string& number) {
    core::Json t = detail(number, "resolved");
    t["reply"] = "已修复";
    t["allowed_actions"] = {"rate"};
    return t;
  }
  void sign_in_as(const std::string& role) {
    act(intent::EditField{Field::login, "cz001"});
    act(intent::EditField{Field::password, "demo12345"});
    act(intent::SignIn{});
    http.answer(
        "/api/v1/auth/login", 200,
        core::Json{{"token", "t0k"}, {"user", {{"id", "u9"}, {"name", "王"}, {"role", role}}}}
            .dump());
    frame();
  }
};

TEST_F(AppRoutes, HomeIsTheFirstEntry) {
  app->start();
  EXPECT_EQ(app->screen(), Screen::home);
  EXPECT_EQ(browser.entries.size(), 1u);
  EXPECT_EQ(browser.current().path, "/");
  EXPECT_EQ(browser.current().depth, 0);
  EXPECT_EQ(browser.current().screen, "home");
}

TEST_F(AppRoutes, TheAddressBarFollowsTheScreens) {
  app->start();
  act(intent::Navigate{Screen::submit});
  EXPECT_EQ(browser.current().path, "/submit");
  EXPECT_EQ(browser.current().depth, 1);
  act(intent::Navigate{Screen::categories});
  EXPECT_EQ(browser.current().path, "/submit");
  EXPECT_EQ(browser.current().screen, "categories");
  act(intent::GoBack{});
  settle_backs();
  EXPECT_EQ(app->screen(), Screen::submit);
  act(intent::GoHome{});
  settle_backs();
  EXPECT_EQ(app->screen(), Screen::home);
  act(intent::Navigate{Screen::services});
  EXPECT_EQ(browser.current().path, "/services");
  act(intent::Navigate{Screen::track});
  EXPECT_EQ(browser.current().path, "/track");
  EXPECT_EQ(browser.current().depth, 2);
}

TEST_F(AppRoutes, BackAndForwardWalkTheScreens) {
  app->start();
  act(intent::Navigate{Screen::services});
  act(intent::Navigate{Screen::submit});
  act(intent::Navigate{Screen::categories});
  act(intent::GoBack{});  // the picker is left by the app: its entry goes
  settle_backs();
  act(intent::Navigate{Screen::track});
  const std::vector<Screen> walk = {Screen::home, Screen::services, Screen::submit, Screen::track};
  for (int i = 3; i > 0; --i) {
    browser_go(-1);
    EXPECT_EQ(app->screen(), walk[static_cast<std::size_t>(i - 1)]) << i;
  }
  for (int i = 1; i < 4; ++i) {
    browser_go(+1);
    EXPECT_EQ(app->screen(), walk[static_cast<std::size_t>(i)]) << i;
    EXPECT_EQ(app->shell().can_go_back, true);
  }
  // Forward into a screen fetches what it shows (the services directory's units).
  EXPECT_TRUE(http.last("/api/v1/units"));
}

TEST_F(AppRoutes, ALinkWithTheCodeOpensTheTicketAndForgetsTheFragment) {
  browser.entries = {{-1, std::string("/t/") + kNumber + "#c=AB12CD34", ""}};
  app->start();
  frame();
  EXPECT_EQ(app->screen(), Screen::ticket);
  // Home below it, the ticket's clean address on top.
  ASSERT_EQ(browser.entries.size(), 2u);
  EXPECT_EQ(browser.entries[0].path, "/");
  EXPECT_EQ(browser.entries[0].depth, 0);
  EXPECT_EQ(browser.current().path, std::string("/t/") + kNumber);
  EXPECT_EQ(browser.current().depth, 1);
  const auto* req = http.last(std::string("/api/v1/tickets/") + kNumber);
  ASSERT_TRUE(req);
  EXPECT_EQ(FakeHttp::header(req->request, "X-Access-Code"), "AB12CD34");
  answer_ticket(kNumber);
  EXPECT_EQ(app->ticket().status, core::Status::assigned);
  // The code is kept on this device: a reload of the clean address opens it again.
  EXPECT_NE(browser.storage["portal.recent"].find("AB12CD34"), std::string::npos);
  reload();
  EXPECT_EQ(app->screen(), Screen::ticket);
  req = http.last(std::string("/api/v1/tickets/") + kNumber);
  ASSERT_TRUE(req);
  EXPECT_EQ(FakeHttp::header(req->request, "X-Access-Code"), "AB12CD34");
  EXPECT_TRUE(app->shell().can_go_back);
  // And the list at home shows it.
  answer_ticket(kNumber, "accepted");
  act(intent::GoBack{});
  settle_backs();
  EXPECT_EQ(app->screen(), Screen::home);
  ASSERT_EQ(app->home().recent.size(), 1u);
  EXPECT_EQ(app->home().recent[0].number, kNumber);
}

TEST_F(AppRoutes, ARatingLinkOpensTheFormOfTheResolvedTicketAndForgetsTheFragment) {
  browser.entries = {{-1, std::string("/t/") + kNumber + "#c=AB12CD34&rate", ""}};
  app->start();
  frame();
  EXPECT_EQ(app->screen(), Screen::ticket);  // the ticket first, while it is fetched
  const auto* req = http.last(std::string("/api/v1/tickets/") + kNumber);
  ASSERT_TRUE(req);
  EXPECT_EQ(FakeHttp::header(req->request, "X-Access-Code"), "AB12CD34");
  const std::uint64_t seq = app->rate().focus_seq;
  answer_ticket_json(kNumber, resolved(kNumber));
  EXPECT_EQ(app->screen(), Screen::rate);
  EXPECT_EQ(app->rate().number, kNumber);
  EXPECT_NE(app->rate().focus_seq, seq) << "the first choice takes the focus";
  // The address bar: the ticket's clean address; home, the ticket, its form.
  ASSERT_EQ(browser.entries.size(), 3u);
  EXPECT_EQ(browser.current().path, std::string("/t/") + kNumber);
  EXPECT_EQ(browser.current().screen, "rate");
  EXPECT_EQ(browser.entries[1].path, std::string("/t/") + kNumber);
  EXPECT_EQ(browser.entries[1].screen, "ticket");
  for (const auto& e : browser.entries) EXPECT_EQ(e.path.find('#'), std::string::npos) << e.path;
  // Back: the ticket's page, which does not open the form again when refreshed.
  act(intent::GoBack{});
  settle_backs();
  EXPECT_EQ(app->screen(), Screen::ticket);
  EXPECT_TRUE(app->ticket().can_rate);
  act(intent::RefreshTicket{});
  answer_ticket_json(kNumber, resolved(kNumber));
  EXPECT_EQ(app->screen(), Screen::ticket);
}

TEST_F(AppRoutes, ARatingLinkOfATicketNotResolvedOrRatedShowsItsPage) {
  // Still in progress: its page, and the form does not open once it is resolved later.
  browser.entries = {{-1, std::string("/t/") + kNumber + "#c=AB12CD34&rate", ""}};
  app->start();
  answer_ticket(kNumber, "in_progress");
  EXPECT_EQ(app->screen(), Screen::ticket);
  EXPECT_EQ(browser.current().path, std::string("/t/") + kNumber);
  act(intent::RefreshTicket{});
  answer_ticket_json(kNumber, resolved(kNumber));
  EXPECT_EQ(app->screen(), Screen::ticket);
  // Rated already (closed): its page with the rating.
  browser.entries = {{-1, std::string("/t/") + kNumber + "#c=AB12CD34&rate", ""}};
  browser.at = 0;
  reload();
  core::Json closed = detail(kNumber, "closed");
  closed["rating"] = {{"resolved", true}, {"satisfaction", 5}};
  answer_ticket_json(kNumber, closed);
  EXPECT_EQ(app->screen(), Screen::ticket);
  EXPECT_FALSE(app->ticket().can_rate);
}

TEST_F(AppRoutes, ARatingLinkWithoutACodeAsksTheAccountToSignInThenRates) {
  browser.entries = {{-1, std::string("/t/") + kNumber + "#rate", ""}};
  app->start();
  EXPECT_EQ(app->screen(), Screen::account);
  EXPECT_EQ(browser.current().path, std::string("/t/") + kNumber);
  sign_in_as("citizen");
  EXPECT_EQ(app->screen(), Screen::ticket);
  const auto* req = http.last(std::string("/api/v1/tickets/") + kNumber);
  ASSERT_TRUE(req);
  EXPECT_EQ(FakeHttp::header(req->request, "X-Access-Code"), "");
  EXPECT_EQ(FakeHttp::header(req->request, "Authorization"), "Bearer t0k");
  answer_ticket_json(kNumber, resolved(kNumber));
  EXPECT_EQ(app->screen(), Screen::rate);
  EXPECT_EQ(browser.current().path, std::string("/t/") + kNumber);
}

TEST_F(AppRoutes, ATicketWithoutItsCodeAsksForIt) {
  browser.entries = {{-1, std::string("/t/") + kNumber, ""}};
  app->start();
  EXPECT_EQ(app->screen(), Screen::track);
  EXPECT_EQ(app->track().number.value, kNumber);
  EXPECT_EQ(browser.current().path, "/track");
}

TEST_F(AppRoutes, AWrongCodeIsNotKept) {
  browser.entries = {{-1, std::string("/t/") + kNumber + "#c=WRONG123", ""}};
  app->start();
  http.answer("/api/v1/tickets/", 404, R"({"error":{"code":"not_found","message":"x"}})");
  frame();
  EXPECT_EQ(browser.storage["portal.recent"].find("WRONG123"), std::string::npos);
}

TEST_F(AppRoutes, ReloadKeepsEveryRoute) {
  const std::pair<const char*, Screen> routes[] = {{"/submit", Screen::submit},
                                                   {"/track", Screen::track},
                                                   {"/board", Screen::board},
                                                   {"/services", Screen::services},
                                                   {"/", Screen::home}};
  for (const auto& [path, screen] : routes) {
    browser.open(path);
    reload();
    EXPECT_EQ(app->screen(), screen) << path;
    const std::string kept = browser.current().path;
    reload();  // the entry now has its depth: the same screen again, at the same depth
    EXPECT_EQ(app->screen(), screen) << path;
    EXPECT_EQ(browser.current().path, kept);
    EXPECT_EQ(app->shell().can_go_back, screen != Screen::home) << path;
  }
}

TEST_F(AppRoutes, ScreensOfAnAccountAskToSignInThenOpen) {
  browser.entries = {{-1, "/work", ""}};
  app->start();
  EXPECT_EQ(app->screen(), Screen::account);
  EXPECT_EQ(browser.current().path, "/work");  // the address asked for stays
  reload();
  EXPECT_EQ(app->screen(), Screen::account);
  act(intent::EditField{Field::login, "gw0001"});
  act(intent::EditField{Field::password, "demo12345"});
  act(intent::SignIn{});
  http.answer("/api/v1/auth/login", 200,
              core::Json{{"token", "t0k"},
                         {"user", {{"id", "u1"}, {"name", "刘国"}, {"role", "grid_worker"}}}}
                  .dump());
  frame();
  EXPECT_EQ(app->screen(), Screen::queue);
  EXPECT_EQ(browser.current().path, "/work");
  EXPECT_EQ(browser.current().screen, "queue");
  EXPECT_EQ(browser.entries.size(), 2u);  // replaced, not pushed
  // Signed in (this tab), a reload stays on the workbench.
  reload();
  EXPECT_EQ(app->screen(), Screen::queue);
}

TEST_F(AppRoutes, ACitizenAskingForTheWorkbenchLandsOnTheirTickets) {
  browser.entries = {{-1, "/cockpit", ""}};
  app->start();
  ASSERT_EQ(app->screen(), Screen::account);
  act(intent::SignIn{});
  http.answer(
      "/api/v1/auth/login", 200,
      core::Json{{"token", "t0k"}, {"user", {{"id", "u2"}, {"name", "李"}, {"role", "citizen"}}}}
          .dump());
  frame();
  EXPECT_EQ(app->screen(), Screen::my_tickets);
  EXPECT_EQ(browser.current().path, "/me");
}

TEST_F(AppRoutes, HalfFilledFormSurvivesAReload) {
  browser.open("/submit");
  reload();
  act(intent::PickCategory{"env.noise"});
  act(intent::EditField{Field::description, "夜间施工噪音"});
  act(intent::EditField{Field::address, "古槐路 18 号"});
  act(intent::SetLocationUnknown{true});
  act(intent::EditField{Field::name, "张先生"});
  reload();
  EXPECT_EQ(app->screen(), Screen::submit);
  const SubmitView v = app->submit();
  EXPECT_EQ(v.category_code, "env.noise");
  EXPECT_EQ(v.description.value, "夜间施工噪音");
  EXPECT_EQ(v.address.value, "古槐路 18 号");
  EXPECT_TRUE(v.location_unknown);
  EXPECT_EQ(v.name.value, "张先生");
  // A point placed on the map comes back with its grid.
  act(intent::PlaceLocation{35.41, 116.58});
  reload();
  EXPECT_FALSE(app->submit().location_unknown);
  EXPECT_EQ(app->submit().lat.value, "35.41000");
  EXPECT_TRUE(app->submit().map.has_pin);
  EXPECT_TRUE(http.last("/api/v1/grids/locate"));
}

TEST(Drafts, TextThatIsNoDraftIsIgnored) {
  EXPECT_FALSE(draft_from_json(""));
  EXPECT_FALSE(draft_from_json("{"));
  EXPECT_FALSE(draft_from_json("[]"));
  EXPECT_FALSE(draft_from_json(R"({"v":99,"description":"x"})"));
  FormDraft d;
  d.description = "𠮷野家门口";
  d.location_unknown = true;
  d.idempotency_key = "k";
  auto back = draft_from_json(draft_to_json(d));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->description, d.description);
  EXPECT_TRUE(back->location_unknown);
  EXPECT_EQ(back->idempotency_key, "k");
}

TEST_F(AppRoutes, NoLocationChoiceIsAnErrorAtTheLocation) {
  app->start();
  act(intent::Navigate{Screen::submit});
  act(intent::PickCategory{"env.noise"});
  act(intent::EditField{Field::description, "小区门口噪音很大"});
  act(intent::EditField{Field::name, "张先生"});
  act(intent::EditField{Field::phone, "13800138000"});
  // The coordinates start empty: nothing is chosen for the citizen.
  EXPECT_EQ(app->submit().lat.value, "");
  act(intent::SubmitTicket{});
  EXPECT_FALSE(app->submit().location_error.empty());
  EXPECT_TRUE(app->submit().focus_location);
  EXPECT_FALSE(http.last("/api/v1/tickets"));
  // "I don't know where exactly": sent without lat and lng.
  act(intent::SetLocationUnknown{true});
  EXPECT_TRUE(app->submit().location_error.empty());
  act(intent::SubmitTicket{});
  const auto* sent = http.last("/api/v1/tickets");
  ASSERT_TRUE(sent);
  const auto body = core::Json::parse(sent->request.body);
  EXPECT_FALSE(body["location"].contains("lat"));
  EXPECT_FALSE(body["location"].contains("lng"));
  http.answer("/api/v1/tickets", 201,
              R"({"number":"RC2026112500000043","access_code":"QQ12WW34","status":"assigned",
                  "level":"district","grid_id":null,"response_due_at":"2026-11-26T01:00:00Z",
                  "resolve_due_at":"2026-12-01T01:00:00Z"})");
  frame();
  EXPECT_EQ(app->screen(), Screen::receipt);
  EXPECT_FALSE(app->receipt().note.empty());
  EXPECT_EQ(browser.current().path, "/t/RC2026112500000043");
  // The draft is gone; the next report chooses its place again.
  EXPECT_FALSE(draft_from_json(browser.storage["portal.draft.report"]));
  EXPECT_FALSE(app->submit().location_unknown);
}

TEST_F(AppRoutes, ThePlaceChosenReplacesNotKnowingAndBack) {
  app->start();
  act(intent::Navigate{Screen::submit});
  act(intent::SetLocationUnknown{true});
  EXPECT_FALSE(app->submit().place.empty());  // says who dispatches it
  act(intent::PlaceLocation{35.41, 116.58});
  EXPECT_FALSE(app->submit().location_unknown);
  EXPECT_EQ(app->submit().place, "");  // its grid is being found
  http.answer(
      "/api/v1/grids/locate", 200,
      R"({"grid_id":"g1","grid_name":"第7网格","community":{"name":"西关社区"},"street":{"name":"阜桥街道"}})");
  frame();
  EXPECT_EQ(app->submit().place, "阜桥街道 · 西关社区 · 第7网格");
  act(intent::SetLocationUnknown{true});
  EXPECT_EQ(app->submit().lat.value, "");
  EXPECT_FALSE(app->submit().map.has_pin);
  act(intent::EditField{Field::lat, "35.4"});
  EXPECT_FALSE(app->submit().location_unknown);
  EXPECT_EQ(app->submit().place, "");  // half a point
  act(intent::EditField{Field::lng, "116.6"});
  EXPECT_EQ(app->submit().place, "按填写的经纬度");
}

TEST_F(AppRoutes, TheTicketsOfThisDeviceWithTheirStatusAndRemovable) {
  browser.storage["portal.recent"] =
      R"([{"number":"RC2026112500000001","code":"AAAA1111"},{"number":"RC2026112500000002","code":"BBBB2222"}])";
  app->start();
  ASSERT_EQ(app->home().recent.size(), 2u);
  EXPECT_EQ(app->home().recent[0].state, LoadState::loading);
  const auto* first = http.last("/api/v1/tickets/RC2026112500000001");
  ASSERT_TRUE(first);
  EXPECT_EQ(FakeHttp::header(first->request, "X-Access-Code"), "AAAA1111");
  http.answer("/api/v1/tickets/RC2026112500000001", 200,
              detail("RC2026112500000001", "resolved").dump());
  http.answer("/api/v1/tickets/RC2026112500000002", 404,
              R"({"error":{"code":"not_found","message":"x"}})");
  frame();
  HomeView h = app->home();
  EXPECT_EQ(h.recent[0].status, core::Status::resolved);
  EXPECT_EQ(h.recent[0].status_name, "已办结");
  EXPECT_FALSE(h.recent[0].category.empty());
  EXPECT_FALSE(h.recent[1].error.empty());
  // Remove asks first; keeping takes the question back.
  act(intent::ForgetTicket{"RC2026112500000002", false});
  EXPECT_TRUE(app->home().recent[1].asking);
  act(intent::ForgetTicket{{}, false});
  EXPECT_FALSE(app->home().recent[1].asking);
  act(intent::ForgetTicket{"RC2026112500000002", true});
  ASSERT_EQ(app->home().recent.size(), 1u);
  EXPECT_EQ(browser.storage["portal.recent"].find("RC2026112500000002"), std::string::npos);
  // Shown again soon after: no new requests; later: fetched again.
  const auto before = http.sent.size();
  act(intent::Navigate{Screen::track});
  act(intent::GoHome{});
  settle_backs();
  EXPECT_EQ(http.sent.size(), before);
  browser.now += 60000;
  act(intent::Navigate{Screen::track});
  act(intent::GoHome{});
  settle_backs();
  EXPECT_GT(http.sent.size(), before);
}

// The report asks for texts in the language shown, unless its submitter unticks the box;
// the choice is kept with the form's draft.
TEST_F(AppRoutes, TheReportAsksForTextsInTheLanguageShown) {
  browser.open("/submit");
  reload();
  EXPECT_TRUE(app->submit().notify) << "on unless unticked";
  act(intent::PickCategory{"env.noise"});
  act(intent::EditField{Field::description, "夜间施工噪音"});
  act(intent::SetLocationUnknown{true});
  act(intent::EditField{Field::name, "张先生"});
  act(intent::EditField{Field::phone, "13900001111"});
  act(intent::SubmitTicket{});
  const auto* sent = http.last("/api/v1/tickets");
  ASSERT_TRUE(sent);
  auto body = core::Json::parse(sent->request.body);
  EXPECT_EQ(body["lang"], "zh");
  EXPECT_EQ(body["notify"], true);
  EXPECT_EQ(body["description"], "夜间施工噪音");
  // In English, unticked: kept over a reload, and sent as chosen.
  http.answer("/api/v1/tickets", 503, R"({"error":{"code":"busy","message":"x"}})");
  frame();
  act(intent::ToggleLanguage{});
  act(intent::SetNotify{false});
  reload();
  EXPECT_FALSE(app->submit().notify);
  act(intent::SubmitTicket{});
  sent = http.last("/api/v1/tickets");
  ASSERT_TRUE(sent);
  body = core::Json::parse(sent->request.body);
  EXPECT_EQ(body["lang"], "en");
  EXPECT_EQ(body["notify"], false);
}

// A signed-in citizen's account: the switch shows what the server holds, faded while it
// is read or saved; a change that fails goes back and says so; staff have no switch.
TEST_F(AppRoutes, TheAccountsTextSettingIsWhatTheServerHolds) {
  browser.entries = {{-1, "/me", ""}};
  app->start();
  sign_in_as("citizen");
  act(intent::Navigate{Screen::account});
  const std::string path = "/api/v1/me/notifications";
  ASSERT_TRUE(http.last(path));
  EXPECT_EQ(http.last(path)->request.method, "GET");
  NotifySettingsView v = app->account().notify;
  EXPECT_TRUE(v.shown);
  EXPECT_FALSE(v.can_toggle) << "not known yet";
  act(intent::NotifySetting{});
  EXPECT_EQ(http.last(path)->request.method, "GET") << "no change before the setting is known";
  // Reading fails: said, with a way to ask again.
  http.answer(path, 500, R"({"error":{"code":"internal","message":"x"}})");
  frame();
  v = app->account().notify;
  EXPECT_FALSE(v.error.empty());
  EXPECT_TRUE(v.retry);
  EXPECT_FALSE(v.can_toggle);
  act(intent::NotifySetting{true});
  http.answer(path, 200, R"({"enabled":true,"lang":"zh"})");
  frame();
  v = app->account().notify;
  EXPECT_TRUE(v.enabled);
  EXPECT_TRUE(v.can_toggle);
  EXPECT_TRUE(v.error.empty());
  // Switched off: shown off while saved, back on when the server refuses.
  act(intent::ToggleLanguage{});  // texts in the language shown from now on
  act(intent::NotifySetting{});
  const auto* put = http.last(path);
  ASSERT_EQ(put->request.method, "PUT");
  EXPECT_EQ(core::Json::parse(put->request.body), (core::Json{{"enabled", false}, {"lang", "en"}}));
  v = app->account().notify;
  EXPECT_FALSE(v.enabled);
  EXPECT_FALSE(v.can_toggle);
  http.answer(path, 503, R"({"error":{"code":"unavailable","message":"x"}})");
  frame();
  v = app->account().notify;
  EXPECT_TRUE(v.enabled) << "the server still holds it on";
  EXPECT_TRUE(v.can_toggle);
  EXPECT_NE(v.error.find("Not saved"), std::string::npos) << v.error;
  // Again, and the server takes it.
  act(intent::NotifySetting{});
  http.answer(path, 200, R"({"enabled":false,"lang":"en"})");
  frame();
  v = app->account().notify;
  EXPECT_FALSE(v.enabled);
  EXPECT_TRUE(v.error.empty());
  // Signed out and in as staff: no switch, no request.
  act(intent::SignOut{});
  settle_backs();
  EXPECT_FALSE(app->account().notify.shown);
  act(intent::Navigate{Screen::account});
  sign_in_as("grid_worker");
  const auto before = http.sent.size();
  act(intent::Navigate{Screen::account});
  EXPECT_FALSE(app->account().notify.shown);
  for (std::size_t i = before; i < http.sent.size(); ++i) EXPECT_NE(http.sent[i].request.url, path);
}

// The shell says when the browser is offline (navigator.onLine and its events), on
// whatever screen, in both languages, until the network is back.
TEST_F(AppRoutes, ACopyButtonSaysItCopiedItselfAndATimerTakesItAway) {
  app->start();
  browser.now = 1000;
  act(intent::CopyText{"RC2026120700000001", "receipt.copy_number"});
  EXPECT_EQ(browser.clipboard, "RC2026120700000001");
  EXPECT_EQ(app->shell().copied, "receipt.copy_number");
  // No toast: at the bottom of a phone it lay over the receipt's 请保存 warning.
  EXPECT_EQ(app->shell().toast, "");
  const double wake = app->wake_at_ms();
  EXPECT_GT(wake, 1000);
  browser.now = wake - 1;
  frame();
  EXPECT_EQ(app->shell().copied, "receipt.copy_number");
  browser.now = wake;
  frame();
  EXPECT_EQ(app->shell().copied, "");
  EXPECT_EQ(app->wake_at_ms(), 0) << "nothing more to wake for";
  // Copied without a button of its own (a unit's contact in the directory): a toast.
  act(intent::CopyText{"0537-2345678", ""});
  EXPECT_EQ(browser.clipboard, "0537-2345678");
  EXPECT_EQ(app->shell().toast, "已复制");
  EXPECT_EQ(app->shell().copied, "");
}

TEST_F(AppRoutes, TheShellSaysWhenTheBrowserIsOffline) {
  app->start();
  EXPECT_FALSE(app->shell().offline);
  app->on_online(false);
  EXPECT_TRUE(app->shell().offline);
  act(intent::Navigate{Screen::submit});
  EXPECT_TRUE(app->shell().offline);
  EXPECT_EQ(app->screen(), Screen::submit);
  EXPECT_NE(std::string(tr(Lang::zh, T::offline_banner)).find("离线"), std::string::npos);
  EXPECT_NE(std::string(tr(Lang::en, T::offline_banner)).find("Offline"), std::string::npos);
  app->on_online(true);
  EXPECT_FALSE(app->shell().offline);
}

}  // namespace
}  // namespace portal::client
