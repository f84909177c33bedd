// "已有人反映？", 附议 and recategorize through the services, on a real database (SQLite
// here, PostgreSQL as unit.pg.Follow), with a clock the tests move: nearby lists only
// open, recent tickets of the category within the radius, nearest first and without
// personal data; followers are counted, moved by a merge and told; a handler's
// correction of the category recomputes the deadlines and is in the chain.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "server/service/event_hub.hpp"
#include "server/service/notifications.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using core::Json;

namespace {

constexpr double kLat = 35.41, kLng = 116.58;
constexpr double kMetreLat = 1.0 / 111320;  // degrees of latitude per metre

class Follow : public test::ServiceTest {
 protected:
  void SetUp() override {
    test::ServiceTest::SetUp();
    NotifyConfig c;
    c.webhook = "http://127.0.0.1:9/sms";
    c.secret = "a-shared-secret-of-the-gateway";
    c.public_url = "https://rcb.example";
    notes_ = std::make_unique<NotificationService>(
        *store_, org_, [this] { return now_; }, c);
    tickets_->set_notifications(notes_.get());
  }
  void TearDown() override {
    tickets_->set_notifications(nullptr);
    notes_.reset();
    test::ServiceTest::TearDown();
  }

  std::string submit(double north_m, const std::string& category = "env.noise",
                     const Actor& who = Actor{}, std::string description = "夜间施工噪音很大") {
    core::TicketDraft d = draft(kLat + north_m * kMetreLat, kLng);
    d.category = category;
    d.description = std::move(description);
    auto r = tickets_->submit(d, who);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->number : "";
  }
  Json nearby(int radius = 250, const std::string& category = "env.noise") {
    auto r = tickets_->nearby_json({kLat, kLng, category, radius});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? Json::parse(*r) : Json{};
  }
  Actor holder(const std::string& number) {
    auto t = store_->find_ticket(number);
    auto u = store_->find_user(std::stoll((*t)->assignee_id));
    return Actor::from_user(**u);
  }
  core::Result<Json> act(const std::string& number, const Actor& a, const Json& body) {
    return tickets_->act(number, a, body);
  }
  TicketRecord ticket(const std::string& number) { return **store_->find_ticket(number); }
  std::vector<NotificationRecord> messages(const std::string& kind) {
    std::vector<NotificationRecord> out;
    auto page = store_->list_notifications("", 1, 200);  // bound: its items outlive the loop
    EXPECT_TRUE(page.ok());
    for (auto& m : page->items)
      if (m.kind == kind) out.push_back(m);
    return out;
  }

  std::unique_ptr<NotificationService> notes_;
};

TEST_F(Follow, NearbyIsOpenRecentSameCategoryWithinTheRadiusNearestFirst) {
  const std::string old = submit(10);
  advance(std::chrono::hours(24 * 31));
  const std::string at60 = submit(60, "env.noise", Actor{}, "噪音扰民，有事请打13912345678找我");
  const std::string at20 = submit(-20);
  const std::string at150 = submit(150);
  const std::string far = submit(400);
  const std::string other = submit(5, "safety.manhole");
  const std::string done = submit(1);
  ASSERT_TRUE(act(done, holder(done), {{"action", "accept"}}).ok());
  ASSERT_TRUE(act(done, holder(done), {{"action", "resolve"}, {"reply", "已处理"}}).ok());

  Json items = nearby()["items"];
  ASSERT_EQ(items.size(), 3u) << items.dump();
  EXPECT_EQ(items[0]["number"], at20);
  EXPECT_EQ(items[1]["number"], at60);
  EXPECT_EQ(items[2]["number"], at150);
  EXPECT_NEAR(items[0]["distance_m"].get<double>(), 20, 1);
  EXPECT_NEAR(items[2]["distance_m"].get<double>(), 150, 2);
  for (const auto& it : items) {
    // Exactly what the public may read.
    std::set<std::string> keys;
    for (const auto& [k, v] : it.items()) keys.insert(k);
    EXPECT_EQ(keys, (std::set<std::string>{"category", "created_at", "distance_m", "followers",
                                           "number", "status", "summary"}));
    EXPECT_EQ(it["category"], "env.noise");
  }
  EXPECT_EQ(items[1]["summary"].get<std::string>().find("13912345678"), std::string::npos);
  EXPECT_NE(items[1]["summary"].get<std::string>().find("139****5678"), std::string::npos);
  // The far one within a kilometre; never the old, the resolved or another category's.
  Json wide = nearby(1000)["items"];
  ASSERT_EQ(wide.size(), 4u);
  EXPECT_EQ(wide[3]["number"], far);
  for (const auto& it : wide) {
    EXPECT_NE(it["number"], old);
    EXPECT_NE(it["number"], done);
    EXPECT_NE(it["number"], other);
  }
  // At most five.
  for (int i = 0; i < 4; ++i) submit(30 + i);
  EXPECT_EQ(nearby()["items"].size(), 5u);
  EXPECT_EQ(nearby()["items"][0]["number"], at20);
  // An unknown category is refused, naming the field.
  auto bad = tickets_->nearby_json({kLat, kLng, "no.such", 250});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "category");
}

TEST_F(Follow, FollowCountsListsAndReadsThePublicView) {
  const std::string number = submit(0, "env.noise", actor("cz001"), "噪音，电话13912345678");
  const Actor fan = actor("cz002");
  auto f = tickets_->follow(number, fan);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)["followers"], 1);
  EXPECT_EQ((*tickets_->follow(number, fan))["followers"], 1);  // idempotent
  EXPECT_EQ((*tickets_->follow(number, actor("cz003")))["followers"], 2);
  // The submitter, staff and strangers to the ticket's number are refused.
  EXPECT_EQ(tickets_->follow(number, actor("cz001")).error().status, 409);
  EXPECT_EQ(tickets_->follow(number, actor("gw0001")).error().status, 403);
  EXPECT_EQ(tickets_->follow(number, Actor{}).error().status, 401);
  EXPECT_EQ(tickets_->follow("RC2026112509999999", fan).error().status, 404);

  // The follower reads it without the submitter's contact; it is in scope=followed.
  auto view = tickets_->get(number, fan, std::nullopt);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)["contact"]["phone"], "");
  EXPECT_EQ((*view)["contact"]["name"], "");
  EXPECT_EQ((*view)["description"].get<std::string>().find("13912345678"), std::string::npos);
  EXPECT_EQ((*view)["followers"], 2);
  EXPECT_EQ((*view)["following"], true);
  EXPECT_TRUE((*view)["allowed_actions"].empty());
  ListQuery q;
  q.scope = "followed";
  auto page = tickets_->list(q, fan);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ((*page)["total"], 1);
  EXPECT_EQ((*page)["items"][0]["number"], number);
  EXPECT_EQ((*page)["items"][0]["followers"], 2);
  // The handler's queue row counts them too.
  q.scope = "queue";
  auto queue = tickets_->list(q, holder(number));
  bool seen = false;
  for (const auto& row : (*queue)["items"])
    if (row["number"] == number) seen = row["followers"] == 2;
  EXPECT_TRUE(seen);

  // Resolved: the follower hears of it with a link that does not ask for a rating.
  ASSERT_TRUE(act(number, holder(number), {{"action", "accept"}}).ok());
  ASSERT_TRUE(act(number, holder(number), {{"action", "resolve"}, {"reply", "已停工"}}).ok());
  auto told = messages("followed_resolved");
  ASSERT_EQ(told.size(), 2u);
  for (const auto& m : told) {
    EXPECT_EQ(m.link, "https://rcb.example/t/" + number);
    EXPECT_NE(m.text.find("已停工"), std::string::npos);
  }
  EXPECT_EQ(messages("resolved").size(), 1u);  // the submitter's, with the rating
  // A follower cannot rate.
  EXPECT_EQ(tickets_->rate(number, fan, std::nullopt, {{"resolved", true}, {"satisfaction", 5}})
                .error()
                .status,
            403);
  // Unfollowing: gone from the list, and the ticket no longer readable.
  EXPECT_EQ((*tickets_->unfollow(number, fan))["followers"], 1);
  EXPECT_EQ((*tickets_->unfollow(number, fan))["followers"], 1);
  EXPECT_EQ(tickets_->get(number, fan, std::nullopt).error().status, 404);
  // A closed one cannot be followed anew.
  EXPECT_EQ(tickets_->follow(number, fan).error().status, 409);
}

TEST_F(Follow, MergeMovesFollowersAndSubmitterAndTellsThem) {
  const std::string a = submit(0, "env.noise", actor("cz001"));
  const std::string b = submit(5);
  const std::string anon = submit(8);  // anonymous, with a phone
  ASSERT_TRUE(tickets_->follow(a, actor("cz002")).ok());
  ASSERT_TRUE(tickets_->follow(b, actor("cz003")).ok());
  ASSERT_TRUE(tickets_->follow(a, actor("cz003")).ok());  // follows both
  const Actor h = holder(a);
  ASSERT_EQ(h.user_id, holder(b).user_id);

  auto merged = act(a, h, {{"action", "merge"}, {"into", b}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(ticket(a).followers, 0);
  EXPECT_EQ(ticket(b).followers, 3);  // cz003 once, cz002, and cz001 who submitted a
  ListQuery q;
  q.scope = "followed";
  for (const char* who : {"cz001", "cz002"}) {
    auto page = tickets_->list(q, actor(who));
    ASSERT_EQ((*page)["total"], 1) << who;
    EXPECT_EQ((*page)["items"][0]["number"], b) << who;
    EXPECT_TRUE(tickets_->get(b, actor(who), std::nullopt).ok()) << who;
  }
  // Told with the number of the ticket they now follow.
  auto told = messages("merged");
  ASSERT_EQ(told.size(), 3u);  // cz001 (submitter), cz002 and cz003 (followers)
  for (const auto& m : told) {
    EXPECT_EQ(m.ticket, a);
    EXPECT_NE(m.text.find(b), std::string::npos) << m.text;
    EXPECT_EQ(m.link, "https://rcb.example/t/" + b);
    EXPECT_TRUE(m.user_id.has_value());
  }
  // Their live streams hear of it.
  const LiveEvent e = live_event_of(ticket(a), "merge", *store_);
  EXPECT_TRUE(filter_for(actor("cz001"))(e));
  EXPECT_TRUE(filter_for(actor("cz002"))(e));
  EXPECT_FALSE(filter_for(actor("cz004"))(e));
  const LiveEvent later = live_event_of(ticket(b), "progress", *store_);
  EXPECT_TRUE(filter_for(actor("cz002"))(later));

  // An anonymous submitter with a phone gets a text that opens the duplicate with its code.
  ASSERT_TRUE(act(anon, h, {{"action", "merge"}, {"into", b}}).ok());
  auto sms = messages("merged");
  ASSERT_EQ(sms.size(), 4u);
  const auto it = std::find_if(sms.begin(), sms.end(),
                               [&](const NotificationRecord& m) { return m.ticket == anon; });
  ASSERT_NE(it, sms.end());
  EXPECT_FALSE(it->user_id.has_value());
  EXPECT_EQ(it->phone, "13912345678");
  EXPECT_EQ(it->link.rfind("https://rcb.example/t/" + anon + "#c=", 0), 0u) << it->link;
  EXPECT_EQ(ticket(b).followers, 3);
  auto verify = tickets_->verify_audit();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->failures.empty());
}

TEST_F(Follow, RecategorizeRecomputesDeadlinesInTheChain) {
  const std::string wrong = submit(0);                    // normal, should be urgent
  const std::string right = submit(3, "safety.manhole");  // urgent from the start
  const Actor h = holder(wrong);
  const auto before = ticket(wrong);
  EXPECT_GT(before.resolve_due_at, ticket(right).resolve_due_at);

  // Refused: no reason, the same or an unknown category, someone who does not hold it.
  EXPECT_EQ(
      act(wrong, h, {{"action", "recategorize"}, {"category", "safety.manhole"}}).error().field,
      "reason");
  EXPECT_EQ(act(wrong, h, {{"action", "recategorize"}, {"category", "env.noise"}, {"reason", "x"}})
                .error()
                .code,
            "same_category");
  EXPECT_EQ(act(wrong, h, {{"action", "recategorize"}, {"category", "no.such"}, {"reason", "x"}})
                .error()
                .field,
            "category");
  EXPECT_EQ(act(wrong, actor("ds01"),
                {{"action", "recategorize"}, {"category", "safety.manhole"}, {"reason", "x"}})
                .error()
                .status,
            403);

  auto done =
      act(wrong, h,
          {{"action", "recategorize"}, {"category", "safety.manhole"}, {"reason", "井盖缺失"}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  const auto after = ticket(wrong);
  EXPECT_EQ(after.draft.category, "safety.manhole");
  EXPECT_EQ(after.response_due_at, ticket(right).response_due_at);
  EXPECT_EQ(after.resolve_due_at, ticket(right).resolve_due_at);
  EXPECT_EQ(after.status, before.status);
  auto evs = *store_->events(after.id);
  ASSERT_EQ(evs.back().action, "recategorize");
  EXPECT_NE(evs.back().note.find("env.noise"), std::string::npos);
  EXPECT_NE(evs.back().note.find("井盖缺失"), std::string::npos);
  const Json data = Json::parse(evs.back().data);
  EXPECT_EQ(data["from"], "env.noise");
  EXPECT_EQ(data["to"], "safety.manhole");
  auto verify = tickets_->verify_audit();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->failures.empty());
  // Only open tickets.
  ASSERT_TRUE(act(wrong, h, {{"action", "accept"}}).ok());
  ASSERT_TRUE(act(wrong, h, {{"action", "resolve"}, {"reply", "已补装"}}).ok());
  EXPECT_EQ(act(wrong, h, {{"action", "recategorize"}, {"category", "env.noise"}, {"reason", "x"}})
                .error()
                .status,
            409);
}

}  // namespace
