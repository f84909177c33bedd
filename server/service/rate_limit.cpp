#include "server/service/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace portal::server {

namespace {

// Seconds to clock ticks, rounded, and capped at about three years so that sums of
// time points cannot overflow.
std::chrono::steady_clock::duration ticks(double seconds) {
  using D = std::chrono::steady_clock::duration;
  constexpr double kMaxSeconds = 1e8;
  const double s = std::clamp(seconds, 0.0, kMaxSeconds);
  return std::chrono::round<D>(std::chrono::duration<double>(s));
}

}  // namespace

RateLimiter::RateLimiter(RateLimitPolicy policy, Clock clock)
    : policy_(std::move(policy)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
  // A policy that could never hold or refill anything would refuse forever.
  if (!(policy_.capacity >= 1)) policy_.capacity = 1;
  if (!(policy_.refill_per_second > 0)) policy_.refill_per_second = 1e-6;
  if (policy_.max_keys < 1) policy_.max_keys = 1;
  interval_ = std::max(ticks(1 / policy_.refill_per_second), Duration(1));
  burst_ = ticks(policy_.capacity * std::chrono::duration<double>(interval_).count());
}

void RateLimiter::drop_refilled(TimePoint now) {
  // The cold end holds the buckets touched longest ago; a full one carries no state.
  while (!lru_.empty() && lru_.back().full_at <= now) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

RateLimiter::Duration RateLimiter::price_of(double cost) const {
  if (!(cost > 0)) cost = 1;
  cost = std::min(cost, policy_.capacity);  // a cost no bucket can hold would never pass
  return cost == 1 ? interval_ : ticks(cost * std::chrono::duration<double>(interval_).count());
}

RateLimiter::Decision RateLimiter::take(const std::string& key, double cost) {
  const Duration price = price_of(cost);
  const TimePoint seen = clock_();

  std::lock_guard lock(mutex_);
  latest_ = std::max(latest_, seen);
  const TimePoint now = latest_;

  Bucket* bucket;
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);  // iterators and key views stay valid
    bucket = &lru_.front();
  } else {
    drop_refilled(now);
    if (lru_.size() >= policy_.max_keys) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{key, now});
    index_.emplace(lru_.front().key, lru_.begin());
    bucket = &lru_.front();
  }

  const TimePoint full_at = std::max(bucket->full_at, now) + price;
  const TimePoint allowed_from = full_at - burst_;
  if (allowed_from <= now) {
    bucket->full_at = full_at;
    return {true, 0};
  }
  using std::chrono::seconds;
  const auto wait = std::chrono::ceil<seconds>(allowed_from - now).count();
  return {false, static_cast<int>(std::max<decltype(wait)>(1, wait))};
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    auto node = it->second;
    index_.erase(it);
    lru_.erase(node);
  }
}

void RateLimiter::give_back(const std::string& key, double cost) {
  const Duration price = price_of(cost);
  const TimePoint seen = clock_();
  std::lock_guard lock(mutex_);
  latest_ = std::max(latest_, seen);
  auto it = index_.find(key);
  if (it == index_.end()) return;  // full already (or forgotten, which is the same)
  Bucket& bucket = *it->second;
  bucket.full_at -= price;
  if (bucket.full_at <= latest_) {  // full again: no state to keep
    auto node = it->second;
    index_.erase(it);
    lru_.erase(node);
  }
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace portal::server
