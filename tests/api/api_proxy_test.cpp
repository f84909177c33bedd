// Behind a balancer (SPEC §11) rate limits count the address the balancer reports in
// X-Forwarded-For, and only when the request comes from that trusted balancer.
#include <gtest/gtest.h>

#include "portal/core/json.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;

namespace {

// Default limits (10 login attempts at once); 127.0.0.1, where the tests connect
// from, plays the balancer.
portal::test::LazyServer behind_proxy({"--trusted-proxy", "127.0.0.1"});
portal::test::LazyServer direct(std::vector<std::string>{});

// A failed sign-in. Each names another account (none exists): accounts are limited too,
// and only the address's limit is looked at here.
int login_as(portal::test::ServerProcess& s, const std::string& forwarded_for) {
  static int n = 0;
  auto r = s.client().Post(
      "/api/v1/auth/login", {{"X-Forwarded-For", forwarded_for}},
      Json{{"login", "nobody-" + std::to_string(++n)}, {"password", "wrong-password"}}.dump(),
      "application/json");
  return r ? r->status : 0;
}

}  // namespace

// Attempts from `addresses(i)` until one is refused with 429; how many were answered
// before it (the bucket refills slowly, one attempt every 6 s, so a slow machine may
// need a few more than the burst of 10).
template <class Addr>
int attempts_until_limited(portal::test::ServerProcess& s, Addr addresses, int at_most = 30) {
  for (int i = 0; i < at_most; ++i) {
    const int status = login_as(s, addresses(i));
    if (status == 429) return i;
    EXPECT_EQ(status, 401);
  }
  return at_most;
}

TEST(Proxy, LimitsCountTheAddressTheTrustedBalancerReports) {
  const int n = attempts_until_limited(*behind_proxy, [](int) { return "198.51.100.7"; });
  EXPECT_GE(n, 10);
  EXPECT_LT(n, 30);
  // Another citizen behind the same balancer is not held back.
  EXPECT_EQ(login_as(*behind_proxy, "198.51.100.8"), 401);
  // Only the hop the balancer appended counts: what the client wrote before it does not
  // (were it counted, each new first address would get a fresh bucket).
  EXPECT_LT(attempts_until_limited(
                *behind_proxy,
                [](int i) { return "203.0.113." + std::to_string(i) + ", 198.51.100.7"; }, 5),
            5);
}

TEST(Proxy, WithoutATrustedBalancerTheHeaderIsIgnored) {
  // A client cannot escape the limit by writing another address in the header.
  const int n =
      attempts_until_limited(*direct, [](int i) { return "192.0.2." + std::to_string(i); });
  EXPECT_GE(n, 10);
  EXPECT_LT(n, 30);
}

// Behind the balancer the portal is served over TLS: browsers are told to keep to HTTPS,
// unless the balancer says the request came over plain HTTP. Directly, nobody is.
TEST(Proxy, HstsOnlyBehindTheTrustedBalancerOverHttps) {
  auto tls = behind_proxy->client().Get(
      "/healthz", {{"X-Forwarded-For", "198.51.100.20"}, {"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->get_header_value("Strict-Transport-Security"),
            "max-age=31536000; includeSubDomains");
  auto plain = behind_proxy->client().Get(
      "/healthz", {{"X-Forwarded-For", "198.51.100.20"}, {"X-Forwarded-Proto", "http"}});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("Strict-Transport-Security"));
  auto bare = direct->client().Get("/healthz", {{"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->has_header("Strict-Transport-Security"));
}

// The request log names who asked: the address the balancer reports, else the socket's.
TEST(Proxy, TheRequestLogNamesTheClientAddress) {
  auto r = behind_proxy->client().Get("/readyz", {{"X-Forwarded-For", "198.51.100.33"}});
  ASSERT_TRUE(r && r->status == 200);
  const std::string rid = r->get_header_value("X-Request-Id");
  std::string line;
  for (int i = 0; i < 50 && line.empty(); ++i) {
    const std::string log = behind_proxy->log();
    if (auto at = log.find("\"rid\":\"" + rid + "\""); at != std::string::npos) {
      const auto start = log.rfind('\n', at) + 1;
      line = log.substr(start, log.find('\n', at) - start);
    }
    if (line.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(Json::parse(line)["addr"], "198.51.100.33") << line;
}
