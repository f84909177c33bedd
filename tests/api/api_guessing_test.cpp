// Guessing secrets over HTTP: passwords are limited per account as well as per address
// (IPv6 by /64), access codes per address, and only wrong guesses drain a bucket.
// Logins compare usernames without case; logout needs no body.
//
// 127.0.0.1, where the tests connect from, plays a trusted balancer: each request names
// its client in X-Forwarded-For, so that one test can be many addresses.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

// The production limits, behind a balancer.
LazyServer proxied({"--trusted-proxy", "127.0.0.1"});
// Limits raised: for what is not about limits.
LazyServer g;

httplib::Result login_from(ServerProcess& s, const std::string& address, const std::string& login,
                           const std::string& password) {
  return s.client().Post("/api/v1/auth/login", {{"X-Forwarded-For", address}},
                         Json{{"login", login}, {"password", password}}.dump(), "application/json");
}

int status(const httplib::Result& r) {
  return r ? r->status : 0;
}

// A 429 in the API.md shape, with a Retry-After of at least a second.
void expect_limited(const httplib::Result& r) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(body_of(r)["error"]["code"], "rate_limited") << r->body;
  EXPECT_GE(std::atoi(r->get_header_value("Retry-After").c_str()), 1);
}

// Wrong passwords for `login`, from address(i), until one is refused with 429: how many
// were answered 401 before it (at most `at_most`).
template <class Addr>
int failed_logins_until_limited(const std::string& login, Addr address, int at_most = 30) {
  for (int i = 0; i < at_most; ++i) {
    auto r = login_from(*proxied, address(i), login, "wrong-password-" + std::to_string(i));
    if (status(r) == 429) {
      expect_limited(r);
      return i;
    }
    EXPECT_EQ(status(r), 401) << (r ? r->body : "no answer");
  }
  return at_most;
}

// A fresh documentation address (RFC 5737) per call: no per-address bucket is shared.
std::string fresh_ipv4() {
  static int n = 0;
  ++n;
  return "203.0.113." + std::to_string(n % 250 + 1);
}

}  // namespace

// [SECTION] Logout

TEST(Logout, WithoutABodyRevokesTheToken) {
  const std::string token = login(*g, "gw0021");
  ASSERT_FALSE(token.empty());
  // No Content-Type, Content-Length: 0.
  auto out = g->client().Post("/api/v1/auth/logout", bearer(token));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204) << out->body;
  EXPECT_EQ(status(g->client().Get("/api/v1/me", bearer(token))), 401);
  EXPECT_EQ(status(g->client().Post("/api/v1/auth/logout", bearer(token))), 401);
}

TEST(Logout, WithoutContentLengthIsAnsweredAtOnce) {
  // No Content-Length at all (as curl -X POST sends it): the request has no body, and
  // the server must not wait for one.
  const std::string token = login(*g, "gw0022");
  ASSERT_FALSE(token.empty());
  const auto t0 = std::chrono::steady_clock::now();
  const std::string request =
      "POST /api/v1/auth/logout HTTP/1.1\r\nHost: localhost\r\n"
      "Connection: close\r\nAuthorization: Bearer " +
      token + "\r\n\r\n";
  const std::string answer = raw_exchange(*g, request, 15);
  EXPECT_EQ(answer.rfind("HTTP/1.1 204", 0), 0u) << answer;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(status(g->client().Get("/api/v1/me", bearer(token))), 401);
}

// [SECTION] Passwords: per account and per address

TEST(LoginLimits, OneAccountFromRotatingAddressesIsLimited) {
  // Each attempt from its own address: only a per-account bucket can stop this.
  const int n = failed_logins_until_limited(
      "gw0031", [](int i) { return "198.51.100." + std::to_string(i + 1); });
  EXPECT_GE(n, 10);
  EXPECT_LT(n, 30);
  // While it is empty even the right password waits (else guessing would go on), and
  // another spelling of the same username is the same account.
  expect_limited(login_from(*proxied, fresh_ipv4(), "gw0031", "demo12345"));
  expect_limited(login_from(*proxied, fresh_ipv4(), "GW0031", "wrong-password"));
  // Other accounts are not held back.
  EXPECT_EQ(status(login_from(*proxied, fresh_ipv4(), "gw0032", "wrong-password")), 401);
  EXPECT_EQ(status(login_from(*proxied, fresh_ipv4(), "gw0032", "demo12345")), 200);
}

TEST(LoginLimits, RightPasswordsDoNotDrainTheAccount) {
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(status(login_from(*proxied, fresh_ipv4(), "gw0033", "wrong-password")), 401) << i;
  // Its owner signs in as often as they like: 12 more attempts than the bucket holds.
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(status(login_from(*proxied, fresh_ipv4(), "gw0033", "demo12345")), 200) << i;
  // The failures are still counted: a few more and the account is limited.
  const int n = failed_logins_until_limited(
      "gw0033", [](int) { return fresh_ipv4(); }, 10);
  EXPECT_GE(n, 2);
  EXPECT_LT(n, 10);
}

TEST(LoginLimits, IPv6AddressesShareABucketPerSlash64) {
  // Every attempt names another account (none exists), so only the address counts;
  // every address is another one of the same /64.
  int n = 0;
  for (; n < 30; ++n) {
    char address[64];
    std::snprintf(address, sizeof address, "2001:db8:a:b:%x:%x::%x", n * 7919 % 65536, n + 1,
                  n * 31 + 5);
    auto r = login_from(*proxied, address, "nobody-v6-" + std::to_string(n), "wrong-password");
    if (status(r) == 429) {
      expect_limited(r);
      break;
    }
    EXPECT_EQ(status(r), 401);
  }
  EXPECT_GE(n, 10);
  EXPECT_LT(n, 30);
  // Written another way, the same /64 is still limited; the next /64 is not.
  expect_limited(login_from(*proxied, "2001:0DB8:000A:000B:0:0:0:1", "nobody-v6-x", "wrong"));
  EXPECT_EQ(status(login_from(*proxied, "2001:db8:a:c::1", "nobody-v6-y", "wrong-pw")), 401);
  EXPECT_EQ(status(login_from(*proxied, "2001:db8:a:c:1::1", "nobody-v6-z", "wrong-pw")), 401);
}

// [SECTION] Usernames without case

TEST(Usernames, AreComparedWithoutCase) {
  const std::string admin = login(*g, "admin");
  const auto me = body_of(g->client().Get("/api/v1/me", bearer(admin)));
  for (const char* spelling : {"Admin", "ADMIN", "aDmIn"}) {
    const std::string token = try_login(*g, spelling);
    ASSERT_FALSE(token.empty()) << spelling;
    const auto other = body_of(g->client().Get("/api/v1/me", bearer(token)));
    EXPECT_EQ(other["id"], me["id"]) << spelling;
    EXPECT_EQ(other["username"], "admin") << spelling;
  }
  // A second account whose username differs only in case is refused.
  auto create = [&](const std::string& username) {
    return g->client().Post("/api/v1/users", bearer(admin),
                            Json{{"name", "大小写测试"},
                                 {"role", "district_staff"},
                                 {"username", username},
                                 {"password", "Kx9-long-enough"}}
                                .dump(),
                            "application/json");
  };
  for (const char* taken : {"Admin", "GW0001"}) {
    auto r = create(taken);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 409) << taken << ": " << r->body;
    EXPECT_EQ(body_of(r)["error"]["code"], "account_exists") << r->body;
  }
  auto made = create("Case.Tester");
  ASSERT_EQ(status(made), 201) << (made ? made->body : "");
  EXPECT_EQ(body_of(made)["username"], "Case.Tester");  // kept as it was written
  EXPECT_EQ(status(create("case.tester")), 409);
  EXPECT_FALSE(try_login(*g, "CASE.TESTER", "Kx9-long-enough").empty());
  // Phones are as they were: registration, and signing in with the number.
  auto reg = g->client().Post(
      "/api/v1/auth/register",
      Json{{"phone", "13712340021"}, {"password", "Qm4-fresh-secret"}, {"name", "赵六"}}.dump(),
      "application/json");
  EXPECT_EQ(status(reg), 201) << (reg ? reg->body : "");
  EXPECT_FALSE(try_login(*g, "13712340021", "Qm4-fresh-secret").empty());
}

// [SECTION] Access codes

namespace {

struct Anonymous {
  std::string number, code;
};

Anonymous submit_anonymously(ServerProcess& s) {
  Json ticket = {{"category", "env.noise"},
                 {"description", "夜间施工噪音，影响休息"},
                 {"location", {{"lat", 35.45}, {"lng", 116.55}, {"address", "猜码测试小区"}}},
                 {"contact", {{"name", "王五"}, {"phone", "13900001111"}}}};
  auto r = s.client().Post("/api/v1/tickets", {{"X-Forwarded-For", fresh_ipv4()}}, ticket.dump(),
                           "application/json");
  EXPECT_EQ(status(r), 201) << (r ? r->body : "no answer");
  auto j = body_of(r);
  return {j.value("number", ""), j.value("access_code", "")};
}

httplib::Result with_code(ServerProcess& s, const std::string& path, const std::string& address,
                          const std::string& code) {
  return s.client().Get(path.c_str(), {{"X-Forwarded-For", address}, {"X-Access-Code", code}});
}

// Wrong codes for `path` from one address until 429; how many were answered 404.
int wrong_codes_until_limited(const std::string& path, const std::string& address) {
  for (int i = 0; i < 60; ++i) {
    auto r = with_code(*proxied, path, address, "WRONG" + std::to_string(100 + i));
    if (status(r) == 429) {
      expect_limited(r);
      return i;
    }
    EXPECT_EQ(status(r), 404) << (r ? r->body : "no answer");
  }
  return 60;
}

}  // namespace

TEST(AccessCodes, GuessesAtATicketAreLimitedPerAddress) {
  const Anonymous t = submit_anonymously(*proxied);
  ASSERT_FALSE(t.code.empty());
  const std::string path = "/api/v1/tickets/" + t.number;
  const int n = wrong_codes_until_limited(path, "192.0.2.10");
  EXPECT_GE(n, 20);
  EXPECT_LT(n, 40);
  // Guessing stops: even the right code is refused from there for now.
  expect_limited(with_code(*proxied, path, "192.0.2.10", t.code));
  // The submitter, elsewhere, is not held back; right codes drain nothing.
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(status(with_code(*proxied, path, "192.0.2.11", t.code)), 200) << i;
}

TEST(AccessCodes, GuessesAtTheEventsAreLimitedPerAddress) {
  const Anonymous t = submit_anonymously(*proxied);
  ASSERT_FALSE(t.code.empty());
  const std::string events = "/api/v1/tickets/" + t.number + "/events";
  const int n = wrong_codes_until_limited(events, "192.0.2.20");
  EXPECT_GE(n, 20);
  EXPECT_LT(n, 40);
  expect_limited(with_code(*proxied, events, "192.0.2.20", t.code));
  // One bucket per address, whichever route the guesses go to.
  expect_limited(with_code(*proxied, "/api/v1/tickets/" + t.number, "192.0.2.20", t.code));
  EXPECT_EQ(status(with_code(*proxied, events, "192.0.2.21", t.code)), 200);
}
