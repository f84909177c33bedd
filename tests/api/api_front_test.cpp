// The connection front against cheap denial of service: slow requests, thousands of open
// streams and idle connections cost the server sockets, not workers, so everyone else is
// still answered at once; requests have a total deadline; streams are capped per address,
// account and ticket, and end when the session behind them does.
// (bench/connections.py runs the full-size version: 10,000 streams, 2,000 slow sockets.)
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/raw_socket.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;
using namespace std::chrono_literals;

namespace {

// Eight workers only: whatever holds a worker per connection would starve at once.
LazyServer g({"--rate-limit-scale", "1000", "--threads", "8", "--header-timeout", "2"});
LazyServer capped({"--rate-limit-scale", "1000", "--streams-per-address", "6",
                   "--streams-per-account", "3", "--streams-per-ticket", "2"});

double p99_healthz_ms(ServerProcess& s, int n = 50) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = s.client().Get("/healthz");
    const auto t1 = std::chrono::steady_clock::now();
    EXPECT_TRUE(r && r->status == 200);
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[static_cast<std::size_t>(0.99 * (ms.size() - 1))];
}

Json anonymous_ticket(ServerProcess& s, double lat = 35.41, double lng = 116.58) {
  Json t = {{"category", "env.noise"},
            {"description", "夜里工地施工噪音很大，影响休息"},
            {"location", {{"lat", lat}, {"lng", lng}}},
            {"contact", {{"name", "王玥"}, {"phone", "13700003333"}}}};
  auto r = s.client().Post("/api/v1/tickets", t.dump(), "application/json");
  EXPECT_TRUE(r && r->status == 201);
  return Json::parse(r->body);
}

std::string status_line(const std::string& answer) {
  return answer.substr(0, answer.find("\r\n"));
}

}  // namespace

TEST(Front, SixHundredSlowlorisSocketsDoNotDelayANormalRequest) {
  std::vector<int> slow;
  for (int i = 0; i < 600; ++i) {
    int fd = connect_to(g->port());
    ASSERT_GE(fd, 0);
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    slow.push_back(fd);
  }
  // They keep dribbling a byte each while others are served.
  for (int round = 0; round < 3; ++round) {
    for (int fd : slow) send_all(fd, "a");
    EXPECT_LT(p99_healthz_ms(*g, 20), 1000.0);
  }
  for (int fd : slow) ::close(fd);
}

TEST(Front, AHeadOrBodyThatDribblesPastItsDeadlineIsCutOff) {
  // --header-timeout 2: a head sent a byte every 200 ms never ends in time.
  int fd = connect_to(g->port());
  ASSERT_GE(fd, 0);
  const std::string head =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const auto start = std::chrono::steady_clock::now();
  std::size_t at = 0;
  for (; at < head.size(); ++at) {
    if (send_all(fd, head.substr(at, 1)) != 1) break;
    std::this_thread::sleep_for(200ms);
    if (std::chrono::steady_clock::now() - start > 4s) break;
  }
  const std::string answer = read_all(fd);
  ::close(fd);
  EXPECT_NE(status_line(answer).find(" 408"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"request_timeout\""), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);

  // A small body promised and not sent: cut off after the head's time, its own and 1 s
  // per 8 KiB (here under 5 s in all), not held for ever.
  fd = connect_to(g->port());
  ASSERT_GE(fd, 0);
  const auto t0 = std::chrono::steady_clock::now();
  send_all(fd,
           "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Content-Length: 100\r\n\r\n{\"cat");
  const std::string cut = read_all(fd);
  ::close(fd);
  EXPECT_NE(status_line(cut).find(" 408"), std::string::npos) << cut;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 7s);
}

TEST(Front, FifteenHundredStreamsHoldNoWorkerAndAllHearTheirTicket) {
  const std::string gw = try_login(*g, "gw0006");
  const auto [lat, lng] = point_in_grid_of(*g, gw);
  const Json receipt = anonymous_ticket(*g, lat, lng);
  const std::string number = receipt["number"];
  const std::string target =
      "/api/v1/stream?number=" + number + "&code=" + receipt["access_code"].get<std::string>();
  std::vector<std::unique_ptr<Sse>> streams;
  for (int i = 0; i < 1500; ++i) {
    streams.push_back(std::make_unique<Sse>(g->port(), target));
    ASSERT_TRUE(streams.back()->connected()) << i;
  }
  for (auto& s : streams) ASSERT_TRUE(s->wait_for(": connected", 5s));
  // More streams than the old thread-per-connection server had threads, on 8 workers.
  EXPECT_LT(p99_healthz_ms(*g), 1000.0);
  auto detail = g->client().Get(("/api/v1/tickets/" + number).c_str(),
                                {{"X-Access-Code", receipt["access_code"].get<std::string>()}});
  ASSERT_TRUE(detail && detail->status == 200);

  auto acted = g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(gw),
                                Json{{"action", "accept"}}.dump(), "application/json");
  ASSERT_TRUE(acted);
  ASSERT_EQ(acted->status, 200) << acted->body;
  int heard = 0;
  for (auto& s : streams) heard += s->wait_for("\"action\":\"accept\"", 3s) ? 1 : 0;
  EXPECT_EQ(heard, 1500);
}

TEST(Front, StreamsAreCappedPerTicketAccountAndAddress) {
  // Per ticket: 2.
  const Json receipt = anonymous_ticket(*capped);
  const std::string target = "/api/v1/stream?number=" + receipt["number"].get<std::string>() +
                             "&code=" + receipt["access_code"].get<std::string>();
  // Opened one after the other: opened together, any one of them could be the third.
  Sse t1(capped->port(), target);
  EXPECT_TRUE(t1.wait_for(": connected", 3s));
  Sse t2(capped->port(), target);
  EXPECT_TRUE(t2.wait_for(": connected", 3s));
  Sse t3(capped->port(), target);
  EXPECT_TRUE(t3.wait_for("\"too_many_streams\"", 3s)) << t3.text();
  EXPECT_NE(status_line(t3.text()).find(" 429"), std::string::npos) << t3.text();
  EXPECT_NE(t3.text().find("Retry-After:"), std::string::npos);

  // Per account: 3, from another address.
  const std::string token = try_login(*capped, "ds01");
  const std::string auth = "Authorization: Bearer " + token + "\r\n";
  std::vector<std::unique_ptr<Sse>> mine;
  for (int i = 0; i < 4; ++i) {
    mine.push_back(std::make_unique<Sse>(capped->port(), "/api/v1/stream", auth, "127.0.0.2"));
    if (i < 3) {
      EXPECT_TRUE(mine[i]->wait_for(": connected", 3s)) << i;
    }
  }
  EXPECT_TRUE(mine[3]->wait_for("\"too_many_streams\"", 3s));
  EXPECT_NE(status_line(mine[3]->text()).find(" 429"), std::string::npos);
  // A closed stream frees its place.
  mine[0].reset();
  bool reopened = false;
  for (int i = 0; i < 20 && !reopened; ++i) {
    Sse again(capped->port(), "/api/v1/stream", auth, "127.0.0.2");
    reopened = again.wait_for(": connected", 500ms);
  }
  EXPECT_TRUE(reopened);

  // Per address: 6. 127.0.0.3 holds 3 streams of one account and 2 of another ticket's;
  // a sixth is fine, the seventh is refused whoever asks.
  const std::string other = try_login(*capped, "ss001");
  const std::string auth2 = "Authorization: Bearer " + other + "\r\n";
  std::vector<std::unique_ptr<Sse>> from3;
  const Json r2 = anonymous_ticket(*capped);
  const std::string target2 = "/api/v1/stream?number=" + r2["number"].get<std::string>() +
                              "&code=" + r2["access_code"].get<std::string>();
  for (int i = 0; i < 5; ++i) {
    from3.push_back(
        i < 3 ? std::make_unique<Sse>(capped->port(), "/api/v1/stream", auth2, "127.0.0.3")
              : std::make_unique<Sse>(capped->port(), target2, "", "127.0.0.3"));
    EXPECT_TRUE(from3.back()->wait_for(": connected", 3s)) << i;
  }
  const Json r3 = anonymous_ticket(*capped);
  const std::string target3 = "/api/v1/stream?number=" + r3["number"].get<std::string>() +
                              "&code=" + r3["access_code"].get<std::string>();
  Sse sixth(capped->port(), target3, "", "127.0.0.3");
  EXPECT_TRUE(sixth.wait_for(": connected", 3s));
  Sse seventh(capped->port(), target3, "", "127.0.0.3");
  EXPECT_TRUE(seventh.wait_for("\"too_many_streams\"", 3s));
  EXPECT_NE(status_line(seventh.text()).find(" 429"), std::string::npos) << seventh.text();
}

TEST(Front, LogoutPasswordChangeAndDisablingEndOpenStreams) {
  // Logout: the stream opened with that session ends at once; another session's goes on.
  const std::string a = try_login(*g, "cs001");
  const std::string b = try_login(*g, "cs001");
  Sse sa(g->port(), "/api/v1/stream", "Authorization: Bearer " + a + "\r\n");
  Sse sb(g->port(), "/api/v1/stream", "Authorization: Bearer " + b + "\r\n");
  ASSERT_TRUE(sa.wait_for(": connected", 3s));
  ASSERT_TRUE(sb.wait_for(": connected", 3s));
  // Logout with no body at all, as a browser's sendBeacon or a bare fetch sends it.
  auto out = g->client().Post("/api/v1/auth/logout", bearer(a), "", "application/json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_TRUE(sa.wait_closed(2s));
  EXPECT_NE(sa.text().find("0\r\n\r\n"), std::string::npos) << "the stream was not ended cleanly";
  EXPECT_FALSE(sb.wait_closed(500ms));

  // A one-time stream ticket's stream belongs to the session that asked for it.
  auto t = g->client().Post("/api/v1/stream/ticket", bearer(b), "", "application/json");
  ASSERT_TRUE(t && t->status == 201);
  Sse sticket(g->port(),
              "/api/v1/stream?ticket=" + Json::parse(t->body)["ticket"].get<std::string>());
  ASSERT_TRUE(sticket.wait_for(": connected", 3s));

  // Disabling the account (or a new password) ends every stream of it.
  const std::string admin = try_login(*g, "admin");
  auto me = g->client().Get("/api/v1/me", bearer(b));
  ASSERT_TRUE(me && me->status == 200);
  const std::string id = Json::parse(me->body)["id"];
  auto patched =
      g->client().Patch(("/api/v1/users/" + id).c_str(), bearer(admin),
                        Json{{"password", "NeuesPasswort-2026"}}.dump(), "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  EXPECT_TRUE(sb.wait_closed(2s));
  EXPECT_TRUE(sticket.wait_closed(2s));
}

TEST(Front, PipelinedRequestsAndExpectContinueAreAnswered) {
  int fd = connect_to(g->port());
  ASSERT_GE(fd, 0);
  send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string both;
  char buf[4096];
  while (both.find("HTTP/1.1 200", both.find("HTTP/1.1 200") + 1) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    both.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_NE(both.find("HTTP/1.1 200", both.find("HTTP/1.1 200") + 1), std::string::npos) << both;
  ::close(fd);

  // curl's way with a larger body: the head first, the body after "100 Continue".
  const std::string body = Json{{"login", "nobody"}, {"password", std::string(2000, 'x')}}.dump();
  fd = connect_to(g->port());
  ASSERT_GE(fd, 0);
  send_all(fd,
           "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "Expect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n");
  std::string interim;
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n > 0) interim.assign(buf, static_cast<std::size_t>(n));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, body);
  const std::string answer = read_all(fd);
  ::close(fd);
  // One final answer (no second "100 Continue"): the password is over its 128 characters.
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
  EXPECT_EQ(status_line(answer), "HTTP/1.1 422 Unprocessable Entity") << answer;
}

// Requests wait in turn by address: a burst from one address queues behind itself, so
// another client is answered after a request or two, not after the whole burst.
TEST(Front, ABurstFromOneAddressWaitsBehindItselfNotOthers) {
  LazyServer one_worker({"--rate-limit-scale", "1000", "--threads", "1"});
  std::vector<int> burst;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 60; ++i) {
    int fd = connect_to(one_worker->port(), "127.0.0.2");
    ASSERT_GE(fd, 0);
    send_all(fd, "GET /api/v1/grids HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    burst.push_back(fd);
  }
  std::this_thread::sleep_for(20ms);  // the burst is queued
  const auto t0 = std::chrono::steady_clock::now();
  auto h = one_worker->client().Get("/healthz");
  const auto healthz = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(h && h->status == 200);
  for (int fd : burst) {
    EXPECT_NE(read_all(fd, 64 << 20).find("HTTP/1.1 200"), std::string::npos);
    ::close(fd);
  }
  const auto whole = std::chrono::steady_clock::now() - start;
  // First come, first served would answer it after the whole burst.
  EXPECT_LT(healthz * 4, whole)
      << "healthz " << std::chrono::duration_cast<std::chrono::milliseconds>(healthz).count()
      << " ms, the burst " << std::chrono::duration_cast<std::chrono::milliseconds>(whole).count()
      << " ms";
}
