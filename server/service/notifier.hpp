// The delivery worker of the notification outbox: takes due messages from the store
// (leased, so that with several instances each message goes out from one of them),
// POSTs each to the gateway's webhook, signed (API.md "Notifications"), and records the
// outcome: delivered on 2xx; otherwise again after an exponential back-off with jitter,
// until the message's give_up_at, then failed. At least once: a crash between the
// gateway's answer and the record sends the same message (the same id) again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "server/service/notifications.hpp"
#include "server/store/store.hpp"

namespace portal::server {

struct DeliveryOptions {
  std::chrono::milliseconds backoff{30'000};  // the first retry's delay (before jitter)
  std::chrono::milliseconds backoff_max{3'600'000};
  std::chrono::seconds timeout{10};  // no answer in this long: a failed attempt
  // Longer than an attempt (the worker gives back what it cannot try in time), short
  // enough that the messages of a killed instance go out soon from another.
  std::chrono::seconds lease{20};
  std::chrono::milliseconds poll{1'000};  // how often the outbox is looked at when idle
  int batch = 20;
};

// What one run of the worker did, for logs and /metrics.
struct DeliveryCounters {
  std::atomic<std::int64_t> delivered{0}, retried{0}, failed{0}, cancelled{0};
  // Seconds from writing to delivery, summed with their count (a mean for /metrics).
  std::atomic<std::int64_t> latency_ms_sum{0}, latency_count{0};
};

class Notifier {
 public:
  // A structured log line: its level and its fields (msg first); no phone numbers.
  using Log = std::function<void(const char* level, const core::Json& fields)>;
  Notifier(Store& store, NotificationService& service, DeliveryOptions options, Log log);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start();
  void stop();
  // Messages were written: look now rather than at the next poll.
  void wake();
  // One pass over what is due now (tests call it directly); returns how many were tried.
  int run_once();
  const DeliveryCounters& counters() const { return counters_; }

  // The delay before attempt n + 1 after n failed ones: backoff · 2^(n-1), at most
  // backoff_max, of which a random part (up to half) is taken off.
  std::chrono::milliseconds delay_after(int failed_attempts) const;

 private:
  // Posts one message; "" when the gateway took it, otherwise what went wrong.
  std::string post(const NotificationRecord& m);

  Store& store_;
  NotificationService& service_;
  DeliveryOptions options_;
  Log log_;
  DeliveryCounters counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false, woken_ = false;
  std::thread thread_;
};

}  // namespace portal::server
