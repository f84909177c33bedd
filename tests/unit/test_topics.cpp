// 每月一题 topics through the service on a real SQLite file: the month comes from the
// clock, package resolution writes each ticket's chain, a ticket already closed or with
// a unit still summoned is reported, and the topic closes only when none is left open.
#include <gtest/gtest.h>

#include "server/service/topic_service.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using core::Json;

namespace {

class Topics : public test::ServiceTest {
 protected:
  void SetUp() override {
    test::ServiceTest::SetUp();
    topics_ = std::make_unique<TopicService>(*store_, *tickets_, org_, [this] { return now_; });
  }
  void TearDown() override {
    topics_.reset();
    test::ServiceTest::TearDown();
  }
  std::string submit() {
    auto r = tickets_->submit(draft(), Actor{});
    EXPECT_TRUE(r.ok());
    return r->number;
  }
  Actor worker_of(const std::string& number) {
    auto t = store_->find_ticket(number);
    auto users = store_->users(1, 10000);
    for (const auto& u : *users)
      if (u.role == core::Role::grid_worker && !u.grid_ids.empty() &&
          u.grid_ids[0] == (*t)->draft.grid_id)
        return Actor::from_user(u);
    ADD_FAILURE() << "no worker";
    return {};
  }
  Json ok(core::Result<Json> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + ": " + r.error().message);
    return r.ok() ? *r : Json{};
  }
  std::unique_ptr<TopicService> topics_;
};

TEST_F(Topics, MonthDefaultsToTheCurrentOneInShanghai) {
  now_ = *core::parse_iso("2026-11-30T17:00:00Z");  // 1 December, 01:00 in Shanghai
  auto t = ok(topics_->create(actor("ds01"), {{"title", "噪音"}, {"category", "env.noise"}}));
  EXPECT_EQ(t["month"], "2026-12");
  auto u = ok(topics_->create(
      actor("ds01"), {{"title", "噪音"}, {"category", "env.noise"}, {"month", "2026-10"}}));
  EXPECT_EQ(u["month"], "2026-10");
  auto oct = topics_->list(actor("auditor"), "2026-10", "");
  ASSERT_TRUE(oct.ok());
  ASSERT_EQ(oct->json["items"].size(), 1u);
  EXPECT_EQ(oct->json["items"][0]["id"], u["id"]);
}

TEST_F(Topics, PackageResolutionRecordsEachTicketAndSkipsWhatIsNotOpen) {
  const std::string a = submit(), b = submit(), c = submit();
  const Actor gw = worker_of(a), ds = actor("ds01");
  ASSERT_TRUE(tickets_->act(a, gw, {{"action", "accept"}}).ok());
  // c is already resolved by its worker before the topic is resolved.
  ASSERT_TRUE(tickets_->act(c, gw, {{"action", "accept"}}).ok());
  ASSERT_TRUE(tickets_->act(c, gw, {{"action", "resolve"}, {"reply", "已处理"}}).ok());
  auto topic = ok(topics_->create(ds, {{"title", "噪音"}, {"category", "env.noise"}}));
  const std::string id = std::to_string(topic["id"].get<int>());
  auto linked = ok(topics_->link(ds, id, {{"numbers", {a, b, c}}}));
  EXPECT_EQ(linked["linked"], 3);
  EXPECT_EQ(linked["topic"]["open_count"], 2);

  advance(std::chrono::hours(2));
  auto out = ok(topics_->resolve(ds, id, {{"reply", "统一整改"}}));
  EXPECT_EQ(out["resolved"], Json({a, b}));
  ASSERT_EQ(out["skipped"].size(), 1u);
  EXPECT_EQ(out["skipped"][0]["code"], "action_not_allowed");
  EXPECT_EQ(out["topic"]["status"], "resolved");
  EXPECT_EQ(out["topic"]["resolved_at"], "2026-11-25T04:00:00Z");

  for (const auto& n : {a, b}) {
    auto t = store_->find_ticket(n);
    EXPECT_EQ((*t)->status, core::Status::resolved);
    EXPECT_EQ((*t)->reply, "统一整改");
    EXPECT_EQ((*t)->resolved_at, now_);
    auto evs = store_->events((*t)->id);
    ASSERT_TRUE(evs.ok());
    const auto& last = evs->back();
    EXPECT_EQ(last.action, "resolve");
    EXPECT_EQ(last.actor_role, "district_staff");
    EXPECT_EQ(Json::parse(last.data)["topic_id"], topic["id"]);
  }
  // b was never accepted: resolving it in the package does not count as a response.
  EXPECT_FALSE((*store_->find_ticket(b))->responded_at.has_value());
  // c keeps its own worker's reply.
  EXPECT_EQ((*store_->find_ticket(c))->reply, "已处理");
  auto report = tickets_->verify_audit();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->failures.empty());
}

TEST_F(Topics, OnlyDistrictStaffResolveInAPackage) {
  const std::string a = submit();
  for (const char* user : {"admin", "auditor", "ss001", "cs001"}) {
    auto r = tickets_->resolve_in_package(a, actor(user), "x", 1);
    ASSERT_FALSE(r.ok()) << user;
    EXPECT_EQ(r.error().status, 403) << user;
  }
  EXPECT_EQ((*store_->find_ticket(a))->status, core::Status::assigned);
}

TEST_F(Topics, StreetStaffSeeTheirStreetOnly) {
  const std::string a = submit();
  const auto street = *(*store_->find_ticket(a))->street_id;
  const Actor ds = actor("ds01");
  auto own = ok(
      topics_->create(ds, {{"title", "本街"}, {"category", "env.noise"}, {"street_id", street}}));
  auto all = ok(topics_->create(ds, {{"title", "全区"}, {"category", "env.noise"}}));
  Actor ss{};
  for (const auto& u : *store_->users(1, 10000))
    if (u.role == core::Role::street_staff && u.street_id == street) ss = Actor::from_user(u);
  ASSERT_TRUE(ss.signed_in());
  auto listed = topics_->list(ss, "", "");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->json["items"].size(), 1u);
  EXPECT_EQ(listed->json["items"][0]["id"], own["id"]);
  auto hidden = topics_->get(ss, std::to_string(all["id"].get<int>()));
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().status, 404);
  // A ticket of another street cannot join a street's topic.
  std::string other;
  for (double lng = 116.42; lng < 116.74 && other.empty(); lng += 0.03) {
    auto r = tickets_->submit(draft(35.32, lng), Actor{});
    if (r.ok() && (*store_->find_ticket(r->number))->street_id != street) other = r->number;
  }
  ASSERT_FALSE(other.empty());
  auto refused = topics_->link(ds, std::to_string(own["id"].get<int>()), {{"numbers", {a, other}}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "numbers.1");
  EXPECT_EQ(refused.error().code, "outside_topic");
}

}  // namespace
