// The public board under real limits (no raised rate limits here): anyone may read it,
// briefly cacheable, limited per address with 429 and Retry-After. And the configurable
// satisfaction threshold of SPEC §7 (`serve --satisfaction-threshold N`): the same
// rating counts as satisfied or not depending on it.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

// Files a ticket in gw0001's grid, resolves it and rates it `satisfaction` (resolved).
void rated_ticket(ServerProcess& s, int satisfaction) {
  const std::string gw = login(s, "gw0001");
  const httplib::Headers h = {{"Authorization", "Bearer " + gw}};
  auto me = body_of(s.client().Get("/api/v1/me", h));
  Json ticket = {{"category", "city.road"},
                 {"description", "路面破损，雨天积水"},
                 {"location", {{"lat", 35.45}, {"lng", 116.55}, {"address", "阈值测试路"}}},
                 {"grid_id", me["grid_ids"][0]},
                 {"contact", {{"name", "赵六"}, {"phone", "13700002222"}}}};
  auto sub = s.client().Post("/api/v1/tickets", ticket.dump(), "application/json");
  ASSERT_TRUE(sub && sub->status == 201) << (sub ? sub->body : "");
  const std::string number = body_of(sub)["number"], code = body_of(sub)["access_code"];
  for (Json a : {Json{{"action", "accept"}}, Json{{"action", "resolve"}, {"reply", "已修复"}}}) {
    auto r = s.client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), h, a.dump(),
                             "application/json");
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  }
  auto rate = s.client().Post(
      ("/api/v1/tickets/" + number + "/rating").c_str(), {{"X-Access-Code", code}},
      Json{{"resolved", true}, {"satisfaction", satisfaction}}.dump(), "application/json");
  ASSERT_TRUE(rate && rate->status == 200) << (rate ? rate->body : "");
}

Json overview(ServerProcess& s) {
  const httplib::Headers h = {{"Authorization", "Bearer " + login(s, "ds01")}};
  auto r = s.client().Get("/api/v1/stats/overview", h);
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "");
  return body_of(r);
}

}  // namespace

TEST(BoardLimits, SatisfactionThresholdIsConfigurable) {
  // One rating of 4: satisfied at the default threshold (3), not at 5.
  ServerProcess standard(std::vector<std::string>{});
  rated_ticket(standard, 4);
  auto a = overview(standard);
  EXPECT_EQ(a["satisfaction_threshold"], 3);
  EXPECT_DOUBLE_EQ(a["satisfaction_rate"].get<double>(), 1.0) << a.dump();

  ServerProcess strict({"--satisfaction-threshold", "5"});
  rated_ticket(strict, 4);
  auto b = overview(strict);
  EXPECT_EQ(b["satisfaction_threshold"], 5);
  EXPECT_DOUBLE_EQ(b["satisfaction_rate"].get<double>(), 0.0) << b.dump();
  EXPECT_DOUBLE_EQ(b["resolution_rate"].get<double>(), 1.0);
  auto board = body_of(strict.client().Get("/api/v1/public/board"));
  EXPECT_EQ(board["satisfaction_threshold"], 5) << board.dump().substr(0, 300);
  EXPECT_DOUBLE_EQ(board["district"]["satisfaction_rate"].get<double>(), 0.0);

  // A bad value is refused at start, and --help documents the flag.
  EXPECT_EQ(standard.run({"serve", "--satisfaction-threshold", "6", "--db", standard.db()}), 2);
  EXPECT_EQ(standard.run({"serve", "--satisfaction-threshold", "x", "--db", standard.db()}), 2);
}

TEST(BoardLimits, HelpNamesTheThreshold) {
  ServerProcess s(std::vector<std::string>{});
  const std::string out = "/tmp/portal-serve-help-" + std::to_string(::getpid()) + ".txt";
  const std::string cmd = s.bin() + " serve --help > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(out.c_str());
  EXPECT_NE(text.find("--satisfaction-threshold"), std::string::npos) << text;
}

TEST(BoardLimits, PublicBoardIsCacheableAndRateLimited) {
  ServerProcess s(std::vector<std::string>{});
  auto first = s.client().Get("/api/v1/public/board");
  ASSERT_TRUE(first && first->status == 200);
  EXPECT_EQ(first->get_header_value("Cache-Control"), "public, max-age=30");
  EXPECT_EQ(first->get_header_value("Set-Cookie"), "");
  int ok = 1, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 80 && limited == 0; ++i) {
    auto r = s.client().Get("/api/v1/public/board");
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      retry_after = r->get_header_value("Retry-After");
      EXPECT_EQ(body_of(r)["error"]["code"], "rate_limited");
      EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
    }
  }
  EXPECT_EQ(limited, 1);
  EXPECT_GE(ok, 60);
  EXPECT_LE(ok, 75);  // 60 at once, then two a second
  EXPECT_FALSE(retry_after.empty());
  // Other API answers stay uncacheable.
  auto cats = s.client().Get("/api/v1/categories");
  ASSERT_TRUE(cats);
  EXPECT_EQ(cats->get_header_value("Cache-Control"), "no-store");
}
