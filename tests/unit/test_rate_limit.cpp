#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "server/http/respond.hpp"
#include "server/service/rate_limit.hpp"

using namespace portal::server;
using namespace std::chrono_literals;

namespace {

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  RateLimiter::Clock fn() {
    return [this] { return now; };
  }
};

}  // namespace

TEST(RateLimit, BurstThenRefusedWithRetryAfterThenRefilled) {
  FakeClock clock;
  RateLimiter limiter({"login", 5, 1.0 / 6, 100}, clock.fn());  // 5 at once, then 1 per 6 s
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.take("10.0.0.1").allowed) << i;

  auto refused = limiter.take("10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 6);

  clock.now += 4s;
  refused = limiter.take("10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 2);  // 2/3 of a token there, 1/3 missing

  clock.now += 2s;
  EXPECT_TRUE(limiter.take("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.take("10.0.0.1").allowed);

  clock.now += 1h;  // refills to the capacity, no further
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.take("10.0.0.1").allowed) << i;
  EXPECT_FALSE(limiter.take("10.0.0.1").allowed);
}

TEST(RateLimit, RetryAfterIsAtLeastOneSecond) {
  FakeClock clock;
  RateLimiter limiter({"fast", 1, 100, 100}, clock.fn());
  EXPECT_TRUE(limiter.take("k").allowed);
  auto d = limiter.take("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);
}

TEST(RateLimit, KeysAreIndependent) {
  FakeClock clock;
  RateLimiter limiter({"register", 2, 0.01, 100}, clock.fn());
  EXPECT_TRUE(limiter.take("10.0.0.1").allowed);
  EXPECT_TRUE(limiter.take("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.take("10.0.0.1").allowed);
  EXPECT_TRUE(limiter.take("10.0.0.2").allowed);
  EXPECT_TRUE(limiter.take("::1").allowed);
  limiter.reset("10.0.0.1");
  EXPECT_TRUE(limiter.take("10.0.0.1").allowed);
}

TEST(RateLimit, CostAndBackwardsClock) {
  FakeClock clock;
  RateLimiter limiter({"submit", 4, 1, 100}, clock.fn());
  EXPECT_TRUE(limiter.take("k", 3).allowed);
  auto d = limiter.take("k", 3);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 2);
  clock.now -= 10min;  // refills nothing, breaks nothing
  EXPECT_FALSE(limiter.take("k", 3).allowed);
  EXPECT_TRUE(limiter.take("k", 1).allowed);
  // A cost above the capacity is capped at it rather than refused forever.
  clock.now += 1h;
  EXPECT_TRUE(limiter.take("k", 100).allowed);
}

TEST(RateLimit, MemoryStaysBoundedUnderAFloodOfDistinctKeys) {
  FakeClock clock;
  RateLimiter limiter({"flood", 3, 0.1, 1000}, clock.fn());
  for (int i = 0; i < 100000; ++i) {
    EXPECT_TRUE(limiter.take("key-" + std::to_string(i)).allowed);
    ASSERT_LE(limiter.size(), 1000u);
  }
  EXPECT_EQ(limiter.size(), 1000u);
}

TEST(RateLimit, IdleKeysAreForgottenOnceRefilled) {
  FakeClock clock;
  RateLimiter limiter({"idle", 2, 1, 1000}, clock.fn());
  for (int i = 0; i < 500; ++i) (void)limiter.take("idle-" + std::to_string(i));
  EXPECT_EQ(limiter.size(), 500u);
  clock.now += 5s;  // each idle bucket is full again: nothing to remember
  (void)limiter.take("fresh");
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(RateLimit, AThrottledKeySurvivesWhileOthersComeAndGo) {
  FakeClock clock;
  RateLimiter limiter({"hot", 2, 0.001, 100}, clock.fn());
  (void)limiter.take("attacker");
  (void)limiter.take("attacker");
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 50; ++i) (void)limiter.take("visitor-" + std::to_string(round * 50 + i));
    EXPECT_FALSE(limiter.take("attacker").allowed) << round;  // touched, so kept warm
  }
}

TEST(RateLimit, ThreadSafeUnderContention) {
  RateLimiter limiter({"threads", 1000, 0.001, 100});  // the real steady clock
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if (limiter.take("shared").allowed) ++allowed;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 1000);
}

// [SECTION] Limits that count only failures

TEST(RateLimit, TokensGivenBackAreTakenAgain) {
  FakeClock clock;
  RateLimiter limiter({"login_account", 3, 1.0 / 30, 100}, clock.fn());
  // Right guesses give their token back: any number of them pass.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limiter.take("admin").allowed) << i;
    limiter.give_back("admin");
  }
  EXPECT_EQ(limiter.size(), 0u);  // a full bucket is forgotten
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("admin").allowed) << i;
  EXPECT_FALSE(limiter.take("admin").allowed);
  // Never more than the bucket holds, and nothing for a key it does not know.
  for (int i = 0; i < 10; ++i) limiter.give_back("admin");
  limiter.give_back("nobody");
  EXPECT_EQ(limiter.size(), 0u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("admin").allowed) << i;
  EXPECT_FALSE(limiter.take("admin").allowed);
  // Refills over time: one try every 30 s, so its owner is never locked out for long.
  clock.now += 30s;
  EXPECT_TRUE(limiter.take("admin").allowed);
  EXPECT_FALSE(limiter.take("admin").allowed);
}

TEST(RateLimit, AddressKeysGroupIPv6BySlash64) {
  using portal::server::http::address_key;
  EXPECT_EQ(address_key("198.51.100.7"), "198.51.100.7");
  EXPECT_NE(address_key("198.51.100.7"), address_key("198.51.100.8"));
  // Every address of one /64 is one key, however it is written.
  EXPECT_EQ(address_key("2001:db8:a:b::1"), "2001:db8:a:b::/64");
  for (const char* same : {"2001:db8:a:b:ffff:ffff:ffff:ffff", "2001:0DB8:000A:000B:0:0:0:1",
                           "2001:db8:a:b:1234::", "2001:db8:a:b::1%eth0"})
    EXPECT_EQ(address_key(same), "2001:db8:a:b::/64") << same;
  for (const char* other : {"2001:db8:a:c::1", "2001:db8:a::1", "2001:db9:a:b::1"})
    EXPECT_NE(address_key(other), "2001:db8:a:b::/64") << other;
  EXPECT_EQ(address_key("::1"), "::/64");
  // An IPv4 client on an IPv6 socket counts as the IPv4 address.
  EXPECT_EQ(address_key("::ffff:198.51.100.7"), "198.51.100.7");
  // Text that is no address is its own key.
  EXPECT_EQ(address_key("unknown"), "unknown");
  EXPECT_EQ(address_key("2001:db8::zz"), "2001:db8::zz");
}
