// GET /metrics (API.md, Health and meta): the server's figures in the Prometheus text
// format (exposition 0.0.4).
//
// Requests are counted by method, route template and status, and timed in a histogram
// by route template. A path counts under the template of the route that serves it
// (/api/v1/tickets/RC2026.../events → /api/v1/tickets/{number}/events), static files
// and the client's pages under "static", anything else under "other": the number of
// series stays bounded whatever paths arrive. Every counter is a relaxed atomic in a
// table sized at start: observing a request takes no lock and allocates nothing.
//
// Who may read the figures is an allow list of networks (serve --metrics-allow),
// loopback only by default.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/result.hpp"
#include "server/store/store.hpp"

namespace portal::server {

// Networks in CIDR notation, IPv4 and IPv6: "127.0.0.0/8,::1", "10.0.0.0/8, fd00::/8".
// An address without a prefix length is that one address. IPv4-mapped IPv6 addresses
// (::ffff:10.1.2.3) match the IPv4 networks.
class NetworkAllowList {
 public:
  static core::Result<NetworkAllowList> parse(std::string_view list);
  // 127.0.0.0/8 and ::1.
  static NetworkAllowList loopback();
  bool allows(std::string_view address) const;

 private:
  struct Network {
    std::array<unsigned char, 16> bytes{};  // IPv4 in the IPv4-mapped IPv6 form
    int prefix = 128;
  };
  std::vector<Network> networks_;
};

class Metrics {
 public:
  // route_templates: the paths the server serves, OpenAPI-style
  // ("/api/v1/tickets/{number}/events", "/open311/v2/requests/{id}.{format}").
  Metrics(std::vector<std::string> route_templates, NetworkAllowList readers);
  ~Metrics();

  // One answered request: its method, its path (without the query) as received, the
  // status sent and the seconds from its arrival to the answer. Thread-safe.
  void observe_request(std::string_view method, std::string_view path, int status, double seconds);
  // One ticket created by this instance.
  void ticket_created();

  // The label a path counts under: its route template, "static" or "other".
  std::string_view route_of(std::string_view path) const;
  bool may_read(std::string_view client_address) const { return readers_.allows(client_address); }

  // What is read when the figures are asked for.
  struct Gauges {
    std::size_t open_streams = 0;
    StoreMetrics store;
    // The notification outbox by state, and this instance's delivery attempts.
    std::optional<NotificationCounts> outbox;
    std::int64_t attempts_delivered = 0, attempts_retried = 0, attempts_failed = 0,
                 attempts_cancelled = 0;
    // The version of the category suggestion's model answering (0: none).
    std::optional<std::int64_t> suggest_model;
  };
  std::string render(const Gauges& gauges) const;

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Template;
  std::size_t route_index(std::string_view path) const;

  std::vector<Template> templates_;
  std::vector<std::string> labels_;  // by route index: the templates, "static", "other"
  NetworkAllowList readers_;
  // requests_[(route * kMethods + method) * kStatuses + status]
  std::unique_ptr<std::atomic<std::uint64_t>[]> requests_;
  // latency_[route * (kBuckets + 1) + bucket], the last one +Inf; sums in microseconds.
  std::unique_ptr<std::atomic<std::uint64_t>[]> latency_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> latency_sum_us_;
  std::atomic<std::uint64_t> tickets_created_{0};
};

}  // namespace portal::server
