// Live updates over Server-Sent Events, scoped like everything else.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/raw_socket.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

Json submit_at(double lat, double lng) {
  Json t = {{"category", "env.noise"},
            {"description", "广场舞音响太大声了，晚上十点还没停"},
            {"location", {{"lat", lat}, {"lng", lng}}},
            {"contact", {{"name", "周阿姨"}, {"phone", "13700002222"}}}};
  auto r = g->client().Post("/api/v1/tickets", t.dump(), "application/json");
  EXPECT_TRUE(r && r->status == 201);
  return Json::parse(r->body);
}

}  // namespace

TEST(Stream, TheGridWorkerHearsOfANewTicketAtOnceAndOthersDoNot) {
  const std::string mine = try_login(*g, "gw0005");
  const std::string other = try_login(*g, "gw0900");
  Sse worker(g->port(), "/api/v1/stream", "Authorization: Bearer " + mine + "\r\n");
  Sse stranger(g->port(), "/api/v1/stream", "Authorization: Bearer " + other + "\r\n");
  ASSERT_TRUE(worker.wait_for(": connected", std::chrono::seconds(3)));
  ASSERT_TRUE(stranger.wait_for(": connected", std::chrono::seconds(3)));
  EXPECT_NE(worker.text().find("text/event-stream"), std::string::npos);

  auto [lat, lng] = point_in_grid_of(*g, mine);
  const std::string number = submit_at(lat, lng)["number"];
  ASSERT_TRUE(worker.wait_for(number, std::chrono::seconds(3))) << worker.text();
  EXPECT_NE(worker.text().find("event: ticket"), std::string::npos);
  EXPECT_FALSE(stranger.wait_for(number, std::chrono::milliseconds(500)));
  // No personal data travels in the stream.
  EXPECT_EQ(worker.text().find("13700002222"), std::string::npos);
}

TEST(Stream, OneTimeTicketsAndAnonymousTracking) {
  const std::string gw = try_login(*g, "gw0006");
  auto t = g->client().Post("/api/v1/stream/ticket", {{"Authorization", "Bearer " + gw}}, "",
                            "application/json");
  ASSERT_TRUE(t && t->status == 201);
  const std::string ticket = Json::parse(t->body)["ticket"];
  {
    Sse s(g->port(), "/api/v1/stream?ticket=" + ticket);
    EXPECT_TRUE(s.wait_for(": connected", std::chrono::seconds(3)));
  }
  // Used once, then gone.
  auto again = g->client().Get(("/api/v1/stream?ticket=" + ticket).c_str());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401);
  auto none = g->client().Get("/api/v1/stream");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);

  // A citizen without an account follows their ticket with its code.
  auto [lat, lng] = point_in_grid_of(*g, gw);
  auto receipt = submit_at(lat, lng);
  const std::string number = receipt["number"];
  auto wrong = g->client().Get(("/api/v1/stream?number=" + number + "&code=WRONG234").c_str());
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 404);
  Sse citizen(g->port(), "/api/v1/stream?number=" + number +
                             "&code=" + receipt["access_code"].get<std::string>());
  ASSERT_TRUE(citizen.wait_for(": connected", std::chrono::seconds(3)));
  auto acted = g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(),
                                {{"Authorization", "Bearer " + gw}},
                                Json{{"action", "accept"}}.dump(), "application/json");
  ASSERT_TRUE(acted && acted->status == 200);
  EXPECT_TRUE(citizen.wait_for("\"action\":\"accept\"", std::chrono::seconds(3))) << citizen.text();
}
