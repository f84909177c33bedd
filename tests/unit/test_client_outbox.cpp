// Drafts and the outbox as the app sees them (app/drafts.hpp, app/outbox.hpp, the App's
// offline.cpp): what a draft keeps, how the store's queue is read, and the app's states
// with a device store that has an outbox (the browser's is web/portal-store.js, tested
// in tests/e2e/outbox.test.mjs): a report is queued before it is sent, a queued report
// is never called submitted, a sent one shows its receipt once, a refused one shows the
// server's reason at its field.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/drafts.hpp"
#include "app/outbox.hpp"
#include "client_fakes.hpp"
#include "portal/core/json.hpp"

namespace portal::client {
namespace {

using fakes::FakeBrowser;
using fakes::FakeHttp;

TEST(Drafts, AReportDraftKeepsItsPhotos) {
  FormDraft d;
  d.description = "路灯不亮";
  d.photos = {{"u1", "a1", 1600, 1200}, {"u2", "", 1200, 1600}};
  auto back = draft_from_json(draft_to_json(d));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->photos.size(), 2u);
  EXPECT_EQ(back->photos[0].uid, "u1");
  EXPECT_EQ(back->photos[0].id, "a1");
  EXPECT_EQ(back->photos[1].id, "");
  EXPECT_EQ(back->photos[1].height, 1600);
  FormDraft only_photo;
  only_photo.photos = {{"u3", "", 10, 10}};
  EXPECT_FALSE(only_photo.empty()) << "a photo alone is worth keeping";
}

TEST(Drafts, AnActionDraftRoundTrips) {
  ActionDraft d;
  d.note = "已联系物业";
  d.picks = {"unit-1", "unit-2"};
  d.resolved = 1;
  d.satisfaction = 4;
  auto back = action_draft_from_json(action_draft_to_json(d));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->note, d.note);
  EXPECT_EQ(back->picks, d.picks);
  EXPECT_EQ(back->resolved, 1);
  EXPECT_EQ(back->satisfaction, 4);
  EXPECT_FALSE(action_draft_from_json("{\"v\":1,\"note\":\"x\"}"));
  EXPECT_TRUE(ActionDraft{}.empty());
  EXPECT_EQ(action_draft_name("RC2026112500000001", "progress"),
            "action:RC2026112500000001:progress");
}

TEST(Outbox, TheQueueIsReadAsTheStoreWritesIt) {
  const auto items = parse_outbox(R"([
    {"key":"k1","state":"waiting","attempts":2,"label":"井盖","body":{"category":"env.noise"}},
    {"key":"k2","state":"sent","receipt":{"number":"RC2026112500000009","access_code":"AB12CD34"}},
    {"key":"k3","state":"failed","error":{"status":422,"code":"too_long","field":"description","message":"m"}},
    {"key":"k4","state":"sent"},
    {"state":"waiting"},
    7,
    {"key":"k5","state":"sending","receipt":{"number":5}}
  ])");
  ASSERT_EQ(items.size(), 4u) << "a sent report without a receipt, or without a key, is skipped";
  EXPECT_EQ(items[0].state, OutboxState::waiting);
  EXPECT_EQ(items[0].attempts, 2);
  EXPECT_EQ(items[0].category, "env.noise");
  EXPECT_EQ(items[1].state, OutboxState::sent);
  ASSERT_TRUE(items[1].receipt);
  EXPECT_EQ(*items[1].receipt->access_code, "AB12CD34");
  EXPECT_EQ(items[2].state, OutboxState::failed);
  EXPECT_EQ(items[2].error.field, "description");
  EXPECT_EQ(items[2].error.status, 422);
  EXPECT_EQ(items[3].state, OutboxState::sending);
  EXPECT_FALSE(items[3].receipt) << "a number that is not text is no receipt";
  EXPECT_TRUE(parse_outbox("{").empty());
  EXPECT_TRUE(parse_outbox("{}").empty());
}

TEST(Outbox, AnItemCarriesTheTicketWithoutAttachments) {
  FormDraft form;
  form.photos = {{"u1", "a1", 1, 1}};
  const core::Json body = {{"category", "env.noise"}, {"attachments", {"a1"}}};
  const auto j = core::Json::parse(outbox_item_json("k", body, form, "tok", "label", ""));
  EXPECT_FALSE(j["body"].contains("attachments")) << "the store adds the ids it uploaded";
  EXPECT_EQ(j["photos"][0]["uid"], "u1");
  EXPECT_EQ(j["photos"][0]["id"], "a1");
  EXPECT_EQ(j["token"], "tok");
  EXPECT_TRUE(draft_from_json(j["draft"].get<std::string>()));
}

TEST(Outbox, LabelsAreCutByCharacters) {
  EXPECT_EQ(outbox_label("短"), "短");
  EXPECT_EQ(outbox_label("一二三四五", 3), "一二三…");
  EXPECT_EQ(outbox_label("a\nb", 5), "a b");
  // A flag is one character: never cut in half.
  EXPECT_EQ(outbox_label("\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3x", 1),
            "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3…");
}

// A device store with an outbox, in memory: what the app queued and dropped.
class FakeStore : public DeviceStore {
 public:
  std::map<std::string, std::string, std::less<>> drafts;
  std::vector<std::string> added, dropped;
  std::function<void(bool, bool)> pending_add;
  void load(std::string_view name, std::function<void(std::string, double)> done) override {
    auto it = drafts.find(name);
    done(it == drafts.end() ? std::string() : it->second, 0);
  }
  void save(std::string_view name, std::string_view json,
            const std::vector<std::string>&) override {
    drafts[std::string(name)] = std::string(json);
  }
  bool has_outbox() const override { return true; }
  void outbox_add(std::string_view item, std::function<void(bool, bool)> done) override {
    added.emplace_back(item);
    pending_add = std::move(done);
  }
  void outbox_drop(std::string_view key) override { dropped.emplace_back(key); }
};

struct AppOutbox : ::testing::Test {
  FakeHttp http;
  FakeBrowser browser;
  FakeStore* store = nullptr;
  std::unique_ptr<App> app;

  void SetUp() override {
    app = std::make_unique<App>(http, browser);
    auto s = std::make_unique<FakeStore>();
    store = s.get();
    app->set_device_store(std::move(s));
    app->start();
    frame();
  }
  void frame() { app->begin_frame(); }
  void act(Intent i) {
    Intents list;
    list.emit(std::move(i));
    app->apply(list);
    frame();
  }
  void fill() {
    act(intent::Navigate{Screen::submit});
    act(intent::PickCategory{"env.noise"});
    act(intent::EditField{Field::description, "小区门口井盖松动"});
    act(intent::SetLocationUnknown{true});
    act(intent::EditField{Field::name, "李女士"});
    act(intent::EditField{Field::phone, "13900001111"});
  }
  void outbox(const std::string& json) {
    app->on_outbox(json);
    frame();
  }
  std::string key() const {
    return core::Json::parse(store->added.back())["key"].get<std::string>();
  }
  static std::string sent(const std::string& key) {
    return R"({"key":")" + key +
           R"(","state":"sent","receipt":{"number":"RC2026112500000077","access_code":"ZX12CV34",)"
           R"("status":"assigned","level":"district","response_due_at":"2026-11-26T01:00:00Z",)"
           R"("resolve_due_at":"2026-12-01T01:00:00Z"}})";
  }
};

TEST_F(AppOutbox, OnlineTheReportGoesThroughTheOutboxAndItsReceiptShowsOnce) {
  fill();
  act(intent::SubmitTicket{});
  ASSERT_EQ(store->added.size(), 1u);
  EXPECT_FALSE(http.last("/api/v1/tickets")) << "the store sends, not the app";
  const auto item = core::Json::parse(store->added.back());
  EXPECT_EQ(item["body"]["description"], "小区门口井盖松动");
  EXPECT_EQ(item["token"], "");
  // The key is kept with the draft before anything is sent: a reload sends the same.
  EXPECT_EQ(draft_from_json(store->drafts["report"])->idempotency_key, key());
  store->pending_add(true, true);
  frame();
  EXPECT_TRUE(app->submit().submitting);
  outbox(sent(key()));
  EXPECT_EQ(app->screen(), Screen::receipt);
  EXPECT_EQ(app->receipt().number, "RC2026112500000077");
  EXPECT_EQ(store->dropped, std::vector<std::string>{key()});
  EXPECT_EQ(store->drafts["report"], "") << "the draft is gone once sent";
  // The same news again (another tab's copy): nothing more happens.
  act(intent::GoHome{});
  outbox("[" + sent(key()) + "]");
  EXPECT_EQ(app->screen(), Screen::home);
  EXPECT_EQ(store->dropped.size(), 1u);
  EXPECT_EQ(app->home().recent.size(), 1u);
  EXPECT_EQ(app->home().recent[0].code, "ZX12CV34");
}

TEST_F(AppOutbox, OfflineTheReportWaitsAndIsNeverCalledSubmitted) {
  app->on_online(false);
  fill();
  EXPECT_TRUE(app->submit().offline);
  act(intent::SubmitTicket{});
  store->pending_add(true, false);
  frame();
  EXPECT_EQ(app->screen(), Screen::home);
  EXPECT_EQ(app->submit().description.value, "") << "the form is free for the next report";
  outbox(R"([{"key":")" + key() + R"(","state":"waiting","attempts":0,"label":"小区门口井盖松动",
             "body":{"category":"env.noise"}}])");
  const HomeView home = app->home();
  ASSERT_EQ(home.outbox.size(), 1u);
  EXPECT_EQ(home.outbox[0].status, "待发送 · 联网后自动发送");
  EXPECT_FALSE(home.outbox[0].failed);
  EXPECT_TRUE(home.recent.empty()) << "not a ticket yet";
  // Deleting it asks first: it would never be sent.
  act(intent::Outbox{intent::OutboxOp::ask, key()});
  EXPECT_TRUE(app->home().outbox[0].asking);
  act(intent::Outbox{intent::OutboxOp::ask, {}});
  EXPECT_FALSE(app->home().outbox[0].asking);
  EXPECT_TRUE(store->dropped.empty());
  // Sent later: its receipt where nothing else goes on, and it leaves the queue.
  app->on_online(true);
  outbox(sent(key()));
  EXPECT_EQ(app->screen(), Screen::receipt);
  EXPECT_TRUE(app->home().outbox.empty());
}

TEST_F(AppOutbox, ADeletedReportIsDroppedAfterAsking) {
  app->on_online(false);
  fill();
  act(intent::SubmitTicket{});
  store->pending_add(true, false);
  frame();
  outbox(R"([{"key":")" + key() + R"(","state":"waiting","attempts":0,"label":"x"}])");
  act(intent::Outbox{intent::OutboxOp::ask, key()});
  act(intent::Outbox{intent::OutboxOp::cancel, key()});
  EXPECT_EQ(store->dropped, std::vector<std::string>{key()});
  EXPECT_TRUE(app->home().outbox.empty());
}

TEST_F(AppOutbox, ALostAnswerMakesTheReportWaitNotFail) {
  fill();
  act(intent::SubmitTicket{});
  store->pending_add(true, true);
  frame();
  outbox(R"({"key":")" + key() + R"(","state":"waiting","attempts":1})");
  EXPECT_EQ(app->screen(), Screen::home);
  ASSERT_EQ(app->home().outbox.size(), 1u);
  EXPECT_EQ(app->home().outbox[0].status, "待发送 · 网络不通，稍后自动重试");
}

TEST_F(AppOutbox, ARefusalShowsAtItsFieldAndAnEditIsANewSubmission) {
  fill();
  act(intent::SubmitTicket{});
  store->pending_add(true, true);
  frame();
  const std::string first = key();
  outbox(
      R"({"key":")" + first +
      R"(","state":"failed","error":{"status":422,"code":"too_long","field":"description","message":"m"}})");
  EXPECT_EQ(app->screen(), Screen::submit);
  EXPECT_FALSE(app->submit().description.error.empty());
  EXPECT_EQ(store->dropped, std::vector<std::string>{first});
  EXPECT_FALSE(app->submit().submitting);

  // Queued earlier and refused later: listed with the reason; edit brings it back.
  act(intent::GoHome{});
  outbox(R"([{"key":"old","state":"failed","label":"旧的","error":{"status":422,"code":"too_long",
             "field":"description","message":"m"},"draft":)" +
         core::Json(draft_to_json([] {
           FormDraft d;
           d.description = "旧的事项";
           d.idempotency_key = "old";
           return d;
         }()))
             .dump() +
         "}]");
  ASSERT_EQ(app->home().outbox.size(), 1u);
  EXPECT_TRUE(app->home().outbox[0].failed);
  EXPECT_FALSE(app->home().outbox[0].error.empty());
  act(intent::Outbox{intent::OutboxOp::edit, "old"});
  EXPECT_EQ(app->screen(), Screen::submit);
  EXPECT_EQ(app->submit().description.value, "旧的事项");
  EXPECT_FALSE(app->submit().description.error.empty());
  EXPECT_TRUE(app->home().outbox.empty());
  EXPECT_EQ(store->dropped.back(), "old");
  EXPECT_EQ(draft_from_json(store->drafts["report"])->idempotency_key, "")
      << "an edited report is sent under a new key";
}

TEST_F(AppOutbox, AFullOutboxSaysSo) {
  app->on_online(false);
  fill();
  act(intent::SubmitTicket{});
  store->pending_add(false, false);
  frame();
  EXPECT_EQ(app->screen(), Screen::submit);
  EXPECT_FALSE(app->submit().submitting);
  EXPECT_NE(app->submit().banner.find("20"), std::string::npos) << app->submit().banner;
}

}  // namespace
}  // namespace portal::client
