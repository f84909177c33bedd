// Token-bucket rate limiting keyed by a string: the socket's peer address, which the
// caller takes from the connection (req.remote_addr), never from a header the client
// sends (behind a trusted balancer: the address that balancer appended to
// X-Forwarded-For, see http::client_address). One RateLimiter per policy (login, registration,
// anonymous submission).
//
// Memory is bounded: buckets live in a least-recently-used list capped at
// policy.max_keys. A bucket that has refilled completely is the same as no bucket, so
// idle keys are dropped from the cold end as they refill; when a flood of fresh keys
// reaches the cap, the coldest bucket is dropped even if it has not refilled (that
// key then starts again with a full bucket, which is the price of the bound).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace portal::server {

struct RateLimitPolicy {
  std::string name;                // for logs and metrics, e.g. "login"
  double capacity = 10;            // burst: requests allowed at once from a full bucket
  double refill_per_second = 0.1;  // sustained rate: tokens added per second
  std::size_t max_keys = 10000;    // distinct keys remembered at most
};

// Defaults the routes start from; a deployment may override them from configuration.
namespace rate_policies {
// 10 attempts at once, then one every 6 s (10 a minute).
inline RateLimitPolicy login() {
  return {"login", 10, 1.0 / 6, 10000};
}
// 5 accounts at once, then one every 2 minutes.
inline RateLimitPolicy registration() {
  return {"register", 5, 1.0 / 120, 10000};
}
// 10 tickets at once, then one a minute: a household behind one address may report more.
inline RateLimitPolicy anonymous_submit() {
  return {"anonymous_submit", 10, 1.0 / 60, 10000};
}
// Photo uploads from one address: 30 at once (a few reports of 9 photos), then one
// every 2 s. An address may be a household or an office behind one router.
inline RateLimitPolicy upload_per_address() {
  return {"upload_address", 30, 0.5, 10000};
}
// Photo uploads of one account, wherever they come from: 20 at once, then one every 6 s.
inline RateLimitPolicy upload_per_account() {
  return {"upload_account", 20, 1.0 / 6, 10000};
}
// The public board: 60 reads at once, then two a second. Its answer is cached, so
// this only keeps one address from monopolising the server.
inline RateLimitPolicy public_board() {
  return {"public_board", 60, 2.0, 10000};
}
// The category suggestion, asked as a citizen types (the client waits for a pause):
// 60 at once, then two a second.
inline RateLimitPolicy suggest() {
  return {"suggest", 60, 2.0, 10000};
}

// "已有人反映？" from one address: asked as a citizen picks a category and a place, so a
// burst of 30, then one a second.
inline RateLimitPolicy nearby() {
  return {"nearby", 30, 1.0, 10000};
}
// Failed sign-ins to one account, from wherever they come: 10 at once, then one every
// 30 s. Its owner is never locked out for long (a full bucket again after 5 minutes),
// and right passwords take nothing. Keyed by the login as typed (lower-cased), existing
// or not, so that a 429 does not tell which accounts exist; many keys are kept, so that
// a flood of made-up logins does not soon push a real account's bucket out.
inline RateLimitPolicy login_account() {
  return {"login_account", 10, 1.0 / 30, 100000};
}
// Wrong access codes (ticket detail, events, the stream) from one address: 20 at once,
// then one every 10 s. An 8-character code from a 31-letter alphabet then takes
// centuries to find; right codes take nothing.
inline RateLimitPolicy access_code() {
  return {"access_code", 20, 1.0 / 10, 10000};
}
}  // namespace rate_policies

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Decision {
    bool allowed = true;
    int retry_after_seconds = 0;  // ≥ 1 when refused: the value of the Retry-After header
  };

  // Without a clock, std::chrono::steady_clock.
  explicit RateLimiter(RateLimitPolicy policy, Clock clock = {});

  // Takes one token (or `cost` tokens, at most the capacity) from the key's bucket if it
  // holds enough; otherwise takes nothing and says when enough will have refilled.
  Decision take(const std::string& key, double cost = 1);

  // Forgets a key, e.g. after a successful login when only failures are counted.
  void reset(const std::string& key);

  // Gives back `cost` tokens taken for the key (never more than fill the bucket): for
  // limits that count only failures, a token is taken before the attempt, so that
  // attempts made in parallel cannot all pass, and given back when it succeeds.
  void give_back(const std::string& key, double cost = 1);

  // Number of keys remembered now.
  std::size_t size() const;

  const RateLimitPolicy& policy() const { return policy_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  // The bucket in its exact integer form (GCRA): the time at which it would be full
  // again. Each token is worth `interval_`; a request is allowed while that time stays
  // within `burst_` (capacity × interval) of now.
  struct Bucket {
    std::string key;
    TimePoint full_at;
  };
  using Lru = std::list<Bucket>;  // most recently used first

  void drop_refilled(TimePoint now);
  Duration price_of(double cost) const;  // what `cost` tokens weigh in time

  RateLimitPolicy policy_;
  Clock clock_;
  Duration interval_{}, burst_{};
  mutable std::mutex mutex_;
  TimePoint latest_{};  // the clock as seen so far: it never goes backwards here
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator> index_;  // views into lru_ keys
};

}  // namespace portal::server
