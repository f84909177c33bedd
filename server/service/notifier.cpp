#include "server/service/notifier.hpp"

#include <httplib.h>
#include <sodium.h>

#include <algorithm>

namespace portal::server {

namespace {

core::TimePoint now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(core::Clock::now());
}

// An instant as the outbox keeps it (whole seconds), never earlier than asked.
core::TimePoint ceil_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::ceil<std::chrono::seconds>(t);
}

}  // namespace

Notifier::Notifier(Store& store, NotificationService& service, DeliveryOptions options, Log log)
    : store_(store), service_(service), options_(options), log_(std::move(log)) {}

Notifier::~Notifier() {
  stop();
}

void Notifier::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      // A full batch: there may be more due now.
      int tried = 0;
      do tried = run_once();
      while (tried >= options_.batch && !stopping_);
      lock.lock();
      cv_.wait_for(lock, options_.poll, [&] { return stopping_ || woken_; });
      woken_ = false;
    }
  });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::chrono::milliseconds Notifier::delay_after(int failed_attempts) const {
  const int n = std::clamp(failed_attempts, 1, 30);
  double d = static_cast<double>(options_.backoff.count()) * static_cast<double>(1ll << (n - 1));
  d = std::min(d, static_cast<double>(options_.backoff_max.count()));
  // "Equal jitter": half of it fixed, half random, so that instances that failed
  // together do not come back together, and each wait is at least the one before.
  const double half = d / 2;
  const double jitter = half * (randombytes_uniform(1'000'001) / 1'000'000.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(half + jitter));
}

std::string Notifier::post(const NotificationRecord& m) {
  const std::string& url = service_.config().webhook;
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string base = url.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  httplib::Client cli(base);
  if (!cli.is_valid()) return "the webhook address is not valid";
  const auto t = options_.timeout;
  cli.set_connection_timeout(t);
  cli.set_read_timeout(t);
  cli.set_write_timeout(t);
  const std::string body = NotificationService::payload(m);
  httplib::Headers headers = {
      {"X-Portal-Delivery", m.id},
      {"X-Portal-Signature", "sha256=" + sign_body(service_.config().secret, body)},
      {"User-Agent", "portal-server notifications"}};
  auto res = cli.Post(path, headers, body, "application/json");
  if (!res) return "no answer: " + httplib::to_string(res.error());
  if (res->status >= 200 && res->status < 300) return {};
  return "HTTP " + std::to_string(res->status);
}

int Notifier::run_once() {
  const auto now = now_seconds();
  const auto lease_end = now + options_.lease;
  auto due = store_.claim_notifications(now, lease_end, options_.batch);
  if (!due) {
    log_("error",
         {{"msg", "notifications: cannot read the outbox"}, {"error", due.error().message}});
    return 0;
  }
  for (const auto& m : *due) {
    // A slow gateway: what is left of the batch goes back before its lease runs out,
    // so that no other instance sends a message while this one may still be sending it.
    if (now_seconds() + options_.timeout + std::chrono::seconds(1) >= lease_end) break;
    NotificationOutcome out;
    const std::string who =
        m.phone.empty() ? "user " + std::to_string(m.user_id.value_or(0)) : mask_phone(m.phone);
    auto why_not = service_.reason_to_cancel(m);
    if (why_not && !why_not->empty()) {
      out.status = "cancelled";
      out.at = now_seconds();
      out.error = *why_not;
      counters_.cancelled++;
    } else {
      const std::string error = post(m);
      const auto at = std::chrono::system_clock::now();
      out.at = std::chrono::time_point_cast<std::chrono::seconds>(at);
      out.error = error;
      if (error.empty()) {
        out.status = "delivered";
        counters_.delivered++;
        counters_.latency_ms_sum += std::chrono::duration_cast<std::chrono::milliseconds>(
                                        at - std::chrono::system_clock::time_point(m.created_at))
                                        .count();
        counters_.latency_count++;
      } else {
        const auto next = ceil_seconds(at + delay_after(m.attempts + 1));
        if (next > m.give_up_at) {
          out.status = "failed";
          counters_.failed++;
        } else {
          out.status = "pending";
          out.next_at = next;
          counters_.retried++;
        }
      }
    }
    if (auto ok = store_.finish_notification(m.id, out); !ok)
      log_("error",
           {{"msg", "notifications: cannot record an attempt"}, {"error", ok.error().message}});
    core::Json line = {{"msg", "notification " + out.status},
                       {"id", m.id},
                       {"kind", m.kind},
                       {"ticket", m.ticket},
                       {"to", who},
                       {"attempt", m.attempts + 1}};
    if (!out.error.empty()) line["error"] = out.error;
    if (out.status == "pending") line["next_attempt_at"] = core::format_iso(out.next_at);
    log_(out.status == "failed" ? "warn" : "info", line);
  }
  return static_cast<int>(due->size());
}

}  // namespace portal::server
