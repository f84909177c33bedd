// "已有人反映？" (GET /tickets/nearby), 附议 (POST and DELETE /tickets/{n}/follow,
// scope=followed), followers after a merge, and recategorize, over real HTTP.
// Recency (30 days) needs a clock the tests move: tests/unit/test_follow.cpp.
#include <gtest/gtest.h>

#include <set>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;
constexpr double kMetreLat = 1.0 / 111320;

std::string submit(const std::string& token, double lat, double lng, const std::string& category,
                   const std::string& description = "楼下夜里施工，噪音很大") {
  Json body = {{"category", category},
               {"description", description},
               {"location", {{"lat", lat}, {"lng", lng}, {"address", "古槐路12号"}}},
               {"contact", {{"name", "赵敏"}, {"phone", "13812345678"}}}};
  httplib::Headers h = token.empty() ? httplib::Headers{} : bearer(token);
  auto r = g->client().Post("/api/v1/tickets", h, body.dump(), "application/json");
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  return r && r->status == 201 ? body_of(r)["number"].get<std::string>() : "";
}

httplib::Result act(const std::string& token, const std::string& number, const Json& body) {
  return g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(token),
                          body.dump(), "application/json");
}

httplib::Result follow(const std::string& token, const std::string& number) {
  return g->client().Post(("/api/v1/tickets/" + number + "/follow").c_str(),
                          token.empty() ? httplib::Headers{} : bearer(token), "",
                          "application/json");
}

std::string nearby_url(double lat, double lng, const std::string& category, int radius = 250) {
  return "/api/v1/tickets/nearby?lat=" + std::to_string(lat) + "&lng=" + std::to_string(lng) +
         "&category=" + category + "&radius_m=" + std::to_string(radius);
}

}  // namespace

TEST(Nearby, OpenSameCategoryWithinTheRadiusNearestFirstWithoutPersonalData) {
  const std::string gw = login(*g, "gw0002");
  auto [lat, lng] = point_in_grid_of(*g, gw);
  const std::string c = "city.streetlight";
  const std::string n80 = submit("", lat + 80 * kMetreLat, lng, c, "路灯坏了，联系13812345678");
  const std::string n10 = submit("", lat + 10 * kMetreLat, lng, c);
  const std::string n600 = submit("", lat + 600 * kMetreLat, lng, c);
  const std::string other = submit("", lat, lng, "env.noise");
  const std::string closed = submit("", lat + 5 * kMetreLat, lng, c);
  ASSERT_EQ(act(gw, closed, {{"action", "accept"}})->status, 200);
  ASSERT_EQ(act(gw, closed, {{"action", "resolve"}, {"reply", "已修复"}})->status, 200);

  auto r = g->client().Get(nearby_url(lat, lng, c).c_str());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const Json items = body_of(r)["items"];
  ASSERT_EQ(items.size(), 2u) << r->body;
  EXPECT_EQ(items[0]["number"], n10);
  EXPECT_EQ(items[1]["number"], n80);
  EXPECT_LT(items[0]["distance_m"].get<int>(), items[1]["distance_m"].get<int>());
  for (const auto& it : items) {
    std::set<std::string> keys;
    for (const auto& [k, v] : it.items()) keys.insert(k);
    EXPECT_EQ(keys, (std::set<std::string>{"category", "created_at", "distance_m", "followers",
                                           "number", "status", "summary"}));
  }
  EXPECT_EQ(r->body.find("13812345678"), std::string::npos);
  EXPECT_EQ(r->body.find("赵"), std::string::npos);
  EXPECT_EQ(r->body.find("古槐路"), std::string::npos);
  EXPECT_NE(items[1]["summary"].get<std::string>().find("138****5678"), std::string::npos);
  // Wider: the far one too, still not the closed one or the other category.
  const Json wide = body_of(g->client().Get(nearby_url(lat, lng, c, 1000).c_str()))["items"];
  ASSERT_EQ(wide.size(), 3u);
  EXPECT_EQ(wide[2]["number"], n600);
  for (const auto& it : wide) EXPECT_TRUE(it["number"] != other && it["number"] != closed);
  // At most five.
  for (int i = 0; i < 5; ++i) submit("", lat + (20 + i) * kMetreLat, lng, c);
  EXPECT_EQ(body_of(g->client().Get(nearby_url(lat, lng, c).c_str()))["items"].size(), 5u);
}

TEST(Nearby, BadParametersNameTheField) {
  const struct {
    std::string query, field;
    int status;
  } cases[] = {
      {"lng=116.58&category=env.noise", "lat", 400},
      {"lat=abc&lng=116.58&category=env.noise", "lat", 400},
      {"lat=95&lng=116.58&category=env.noise", "lat", 422},
      {"lat=35.41&category=env.noise", "lng", 400},
      {"lat=35.41&lng=200&category=env.noise", "lng", 422},
      {"lat=35.41&lng=116.58", "category", 400},
      {"lat=35.41&lng=116.58&category=no.such", "category", 422},
      {"lat=35.41&lng=116.58&category=env.noise&radius_m=1001", "radius_m", 422},
      {"lat=35.41&lng=116.58&category=env.noise&radius_m=0", "radius_m", 422},
      {"lat=35.41&lng=116.58&category=env.noise&radius_m=2.5", "radius_m", 400},
  };
  for (const auto& c : cases) {
    auto r = g->client().Get(("/api/v1/tickets/nearby?" + c.query).c_str());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.query << " " << r->body;
    EXPECT_EQ(body_of(r)["error"]["field"], c.field) << c.query;
  }
}

TEST(FollowApi, FollowUnfollowAndScopeFollowed) {
  const std::string owner = login(*g, "cz005"), fan = login(*g, "cz006");
  const std::string gw = login(*g, "gw0003");
  auto [lat, lng] = point_in_grid_of(*g, gw);
  const std::string number = submit(owner, lat, lng, "env.noise");

  auto anon = follow("", number);
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(follow(gw, number)->status, 403);
  EXPECT_EQ(follow(fan, "RC2026112509999999")->status, 404);
  EXPECT_EQ(follow(owner, number)->status, 409);
  auto ok = follow(fan, number);
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(body_of(ok)["followers"], 1);
  EXPECT_EQ(body_of(follow(fan, number))["followers"], 1);

  // On the ticket, for its handler and for the follower (without the submitter's contact).
  EXPECT_EQ(
      body_of(g->client().Get(("/api/v1/tickets/" + number).c_str(), bearer(gw)))["followers"], 1);
  const Json seen = body_of(g->client().Get(("/api/v1/tickets/" + number).c_str(), bearer(fan)));
  EXPECT_EQ(seen["number"], number);
  EXPECT_EQ(seen["contact"]["phone"], "");
  const Json mine = body_of(g->client().Get("/api/v1/tickets?scope=followed", bearer(fan)));
  ASSERT_EQ(mine["total"], 1);
  EXPECT_EQ(mine["items"][0]["number"], number);
  EXPECT_EQ(mine["items"][0]["followers"], 1);

  auto off = g->client().Delete(("/api/v1/tickets/" + number + "/follow").c_str(), bearer(fan));
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 200);
  EXPECT_EQ(body_of(off)["followers"], 0);
  EXPECT_EQ(body_of(g->client().Get("/api/v1/tickets?scope=followed", bearer(fan)))["total"], 0);
  EXPECT_EQ(g->client().Get(("/api/v1/tickets/" + number).c_str(), bearer(fan))->status, 404);

  // A closed ticket is not followed anew.
  ASSERT_EQ(act(gw, number, {{"action", "accept"}})->status, 200);
  ASSERT_EQ(act(gw, number, {{"action", "resolve"}, {"reply", "已处理"}})->status, 200);
  EXPECT_EQ(follow(fan, number)->status, 409);
}

TEST(FollowApi, MergeMovesFollowersAndTheSignedInSubmitter) {
  const std::string owner = login(*g, "cz007"), fan = login(*g, "cz008"),
                    other = login(*g, "cz009");
  const std::string gw = login(*g, "gw0004");
  auto [lat, lng] = point_in_grid_of(*g, gw);
  const std::string a = submit(owner, lat, lng, "env.noise");
  const std::string b = submit("", lat + 5 * kMetreLat, lng, "env.noise");
  ASSERT_EQ(follow(fan, a)->status, 200);
  ASSERT_EQ(follow(other, b)->status, 200);
  auto m = act(gw, a, {{"action", "merge"}, {"into", b}});
  ASSERT_TRUE(m);
  ASSERT_EQ(m->status, 200) << m->body;
  const Json target = body_of(g->client().Get(("/api/v1/tickets/" + b).c_str(), bearer(gw)));
  EXPECT_EQ(target["followers"], 3);
  for (const auto& who : {owner, fan}) {
    const Json page = body_of(g->client().Get("/api/v1/tickets?scope=followed", bearer(who)));
    ASSERT_EQ(page["total"], 1);
    EXPECT_EQ(page["items"][0]["number"], b);
  }
  EXPECT_EQ(g->run({"audit", "verify", "--db", g->db()}), 0);
}

TEST(Recategorize, RecomputesDeadlinesAndIsInTheChain) {
  const std::string gw = login(*g, "gw0005");
  auto [lat, lng] = point_in_grid_of(*g, gw);
  const std::string wrong = submit("", lat, lng, "env.noise", "井盖没了，晚上很危险");
  const std::string urgent = submit("", lat, lng, "safety.manhole", "路口的井盖没了");
  const Json before = body_of(g->client().Get(("/api/v1/tickets/" + wrong).c_str(), bearer(gw)));
  const Json right = body_of(g->client().Get(("/api/v1/tickets/" + urgent).c_str(), bearer(gw)));
  EXPECT_NE(before["resolve_due_at"], right["resolve_due_at"]);
  bool listed = false;
  for (const auto& a : before["allowed_actions"]) listed = listed || a == "recategorize";
  EXPECT_TRUE(listed);

  // Someone who does not hold it may not; a reason is required.
  auto refused = act(login(*g, "ds01"), wrong,
                     {{"action", "recategorize"}, {"category", "safety.manhole"}, {"reason", "x"}});
  EXPECT_EQ(refused->status, 403);
  auto no_reason = act(gw, wrong, {{"action", "recategorize"}, {"category", "safety.manhole"}});
  EXPECT_EQ(no_reason->status, 422);
  EXPECT_EQ(body_of(no_reason)["error"]["field"], "reason");

  auto done =
      act(gw, wrong,
          {{"action", "recategorize"}, {"category", "safety.manhole"}, {"reason", "是井盖缺失"}});
  ASSERT_EQ(done->status, 200) << done->body;
  const Json after = body_of(done);
  EXPECT_EQ(after["category"], "safety.manhole");
  EXPECT_EQ(after["response_due_at"], right["response_due_at"]);
  EXPECT_EQ(after["resolve_due_at"], right["resolve_due_at"]);
  const Json events =
      body_of(g->client().Get(("/api/v1/tickets/" + wrong + "/events").c_str(), bearer(gw)));
  const Json last = events["items"].back();
  EXPECT_EQ(last["action"], "recategorize");
  EXPECT_EQ(last["data"]["from"], "env.noise");
  EXPECT_EQ(last["data"]["to"], "safety.manhole");
  EXPECT_EQ(g->run({"audit", "verify", "--db", g->db()}), 0);
}
