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

int login_as(portal::test::ServerProcess& s, const std::string& forwarded_for) {
  auto r = s.client().Post("/api/v1/auth/login", {{"X-Forwarded-For", forwarded_for}},
                           Json{{"login", "gw0001"}, {"password", "wrong-password"}}.dump(),
                           "application/json");
  return r ? r->status : 0;
}

}  // namespace

TEST(Proxy, LimitsCountTheAddressTheTrustedBalancerReports) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(login_as(*behind_proxy, "198.51.100.7"), 401) << i;
  EXPECT_EQ(login_as(*behind_proxy, "198.51.100.7"), 429);
  // Another citizen behind the same balancer is not held back.
  EXPECT_EQ(login_as(*behind_proxy, "198.51.100.8"), 401);
  // Only the hop the balancer appended counts: what the client wrote before it does not.
  EXPECT_EQ(login_as(*behind_proxy, "203.0.113.1, 198.51.100.7"), 429);
}

TEST(Proxy, WithoutATrustedBalancerTheHeaderIsIgnored) {
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(login_as(*direct, "192.0.2." + std::to_string(i)), 401) << i;
  // A client cannot escape the limit by writing another address in the header.
  EXPECT_EQ(login_as(*direct, "192.0.2.200"), 429);
}
