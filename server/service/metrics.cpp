// Metrics: the route table, the counters and the Prometheus text.
// - Networks allowed to read
// - Route templates
// - Counting
// - The exposition
#include "server/service/metrics.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace portal::server {

// [SECTION] Networks allowed to read

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as 16 bytes (IPv4 mapped into IPv6) and whether it was IPv4.
bool address_bytes(std::string_view text, std::array<unsigned char, 16>& out, bool& v4) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  out = {};
  if (s.find(':') == std::string::npos) {
    unsigned char b[4];
    if (inet_pton(AF_INET, s.c_str(), b) != 1) return false;
    out[10] = out[11] = 0xff;
    std::copy(b, b + 4, out.begin() + 12);
    v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1) return false;
  v4 = false;
  return true;
}

}  // namespace

core::Result<NetworkAllowList> NetworkAllowList::parse(std::string_view list) {
  auto bad = [](std::string_view item, const std::string& why) {
    return core::Error::invalid("metrics-allow", "invalid_network",
                                "--metrics-allow: \"" + std::string(item) + "\" " + why);
  };
  NetworkAllowList out;
  while (true) {
    const auto comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    if (!item.empty()) {
      const auto slash = item.find('/');
      Network n;
      bool v4 = false;
      if (!address_bytes(item.substr(0, slash), n.bytes, v4))
        return bad(item, "is not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, fd00::/8)");
      n.prefix = 128;
      if (slash != std::string_view::npos) {
        const std::string_view len = item.substr(slash + 1);
        int bits = -1;
        auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
        const int max = v4 ? 32 : 128;
        if (len.empty() || ec != std::errc() || p != len.data() + len.size() || bits < 0 ||
            bits > max)
          return bad(item, "has a bad prefix length: 0 to " + std::to_string(max));
        n.prefix = v4 ? bits + 96 : bits;
      }
      out.networks_.push_back(n);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (out.networks_.empty()) return bad("", "names no network");
  return out;
}

NetworkAllowList NetworkAllowList::loopback() {
  return *parse("127.0.0.0/8,::1/128");
}

bool NetworkAllowList::allows(std::string_view address) const {
  std::array<unsigned char, 16> a{};
  bool v4 = false;
  if (!address_bytes(address, a, v4)) return false;
  for (const auto& n : networks_) {
    const int full = n.prefix / 8, rest = n.prefix % 8;
    if (!std::equal(a.begin(), a.begin() + full, n.bytes.begin())) continue;
    if (rest) {
      const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((a[full] & mask) != (n.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

// [SECTION] Route templates

namespace {

constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                      "PATCH", "DELETE", "OPTIONS"};
constexpr std::size_t kMethodSlots = kMethods.size() + 1;  // + "other"

constexpr std::array<int, 28> kStatuses = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403,
                                           404, 405, 408, 409, 410, 411, 413, 414, 415, 416,
                                           422, 428, 429, 431, 500, 501, 503, 504};
constexpr std::size_t kStatusSlots = kStatuses.size() + 1;  // + "other"

constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
constexpr std::size_t kBucketSlots = kBuckets.size() + 1;  // + "+Inf"

constexpr std::string_view kFormat = ".{format}";

// The segments of a path, without allocating. A path of more than kMaxSegments
// segments matches no template.
constexpr std::size_t kMaxSegments = 16;
struct Segments {
  std::array<std::string_view, kMaxSegments> items;
  std::size_t size = 0;
  bool too_many = false;
};

Segments segments_of(std::string_view path) {
  Segments out;
  if (path.empty() || path[0] != '/') return out;
  path.remove_prefix(1);
  while (true) {
    if (out.size == kMaxSegments) {
      out.too_many = true;
      return out;
    }
    const auto slash = path.find('/');
    out.items[out.size++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_placeholder(std::string_view p) {
  return p.size() >= 3 && p.front() == '{' && p.back() == '}' && p.find('}') == p.size() - 1;
}

// One segment of a template: a literal, "{name}" (one or more characters) or either
// followed by ".{format}" (.json or .xml).
bool segment_matches(std::string_view pattern, std::string_view seg) {
  if (pattern.size() > kFormat.size() &&
      pattern.substr(pattern.size() - kFormat.size()) == kFormat) {
    pattern.remove_suffix(kFormat.size());
    if (seg.size() > 5 && seg.substr(seg.size() - 5) == ".json")
      seg.remove_suffix(5);
    else if (seg.size() > 4 && seg.substr(seg.size() - 4) == ".xml")
      seg.remove_suffix(4);
    else
      return false;
  }
  if (is_placeholder(pattern)) return !seg.empty();
  return pattern == seg;
}

}  // namespace

struct Metrics::Template {
  std::vector<std::string> segments;
  int literals = 0;  // literal segments: the more, the more specific
};

Metrics::Metrics(std::vector<std::string> route_templates, NetworkAllowList readers)
    : readers_(std::move(readers)) {
  std::sort(route_templates.begin(), route_templates.end());
  route_templates.erase(std::unique(route_templates.begin(), route_templates.end()),
                        route_templates.end());
  for (auto& t : route_templates) {
    Template tp;
    const Segments segs = segments_of(t);
    if (segs.too_many) continue;  // could never match
    for (std::size_t k = 0; k < segs.size; ++k) {
      tp.segments.emplace_back(segs.items[k]);
      if (segs.items[k].find('{') == std::string_view::npos) ++tp.literals;
    }
    templates_.push_back(std::move(tp));
    labels_.push_back(std::move(t));
  }
  labels_.emplace_back("static");
  labels_.emplace_back("other");
  const std::size_t routes = labels_.size();
  requests_.reset(new std::atomic<std::uint64_t>[routes * kMethodSlots * kStatusSlots]);
  for (std::size_t i = 0; i < routes * kMethodSlots * kStatusSlots; ++i) requests_[i] = 0;
  latency_.reset(new std::atomic<std::uint64_t>[routes * kBucketSlots]);
  for (std::size_t i = 0; i < routes * kBucketSlots; ++i) latency_[i] = 0;
  latency_sum_us_.reset(new std::atomic<std::uint64_t>[routes]);
  for (std::size_t i = 0; i < routes; ++i) latency_sum_us_[i] = 0;
}

Metrics::~Metrics() = default;

std::size_t Metrics::route_index(std::string_view path) const {
  const Segments segs = segments_of(path);
  std::size_t best = labels_.size();
  int best_literals = -1;
  for (std::size_t i = 0; i < templates_.size() && !segs.too_many; ++i) {
    const auto& t = templates_[i];
    if (t.segments.size() != segs.size || t.literals <= best_literals) continue;
    bool ok = true;
    for (std::size_t k = 0; ok && k < segs.size; ++k)
      ok = segment_matches(t.segments[k], segs.items[k]);
    if (ok) best = i, best_literals = t.literals;
  }
  if (best < templates_.size()) return best;
  const bool api = path == "/api" || path.rfind("/api/", 0) == 0 ||
                   path.rfind("/open311/", 0) == 0 || path == "/open311";
  return api ? labels_.size() - 1 : labels_.size() - 2;
}

std::string_view Metrics::route_of(std::string_view path) const {
  return labels_[route_index(path)];
}

// [SECTION] Counting

void Metrics::observe_request(std::string_view method, std::string_view path, int status,
                              double seconds) {
  const std::size_t route = route_index(path);
  const std::size_t m =
      std::find(kMethods.begin(), kMethods.end(), method) - kMethods.begin();  // size: other
  const std::size_t s = std::find(kStatuses.begin(), kStatuses.end(), status) - kStatuses.begin();
  requests_[(route * kMethodSlots + m) * kStatusSlots + s].fetch_add(1, std::memory_order_relaxed);
  if (!(seconds >= 0)) seconds = 0;
  const std::size_t b =
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin();
  latency_[route * kBucketSlots + b].fetch_add(1, std::memory_order_relaxed);
  const double us = std::min(seconds * 1e6, 1e12);
  latency_sum_us_[route].fetch_add(static_cast<std::uint64_t>(us), std::memory_order_relaxed);
}

void Metrics::ticket_created() {
  tickets_created_.fetch_add(1, std::memory_order_relaxed);
}

// [SECTION] The exposition

namespace {

std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels, std::uint64_t v) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += std::to_string(v);
  out += '\n';
}

}  // namespace

std::string Metrics::render(const Gauges& g) const {
  std::string out;
  out.reserve(16 * 1024);

  header(out, "portal_http_requests_total", "counter",
         "HTTP requests answered, by method, route template and status.");
  for (std::size_t r = 0; r < labels_.size(); ++r)
    for (std::size_t m = 0; m < kMethodSlots; ++m)
      for (std::size_t s = 0; s < kStatusSlots; ++s) {
        const auto n =
            requests_[(r * kMethodSlots + m) * kStatusSlots + s].load(std::memory_order_relaxed);
        if (!n) continue;
        const std::string method = m < kMethods.size() ? std::string(kMethods[m]) : "other";
        const std::string status = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
        sample(out, "portal_http_requests_total",
               "method=\"" + method + "\",route=\"" + label_value(labels_[r]) + "\",status=\"" +
                   status + "\"",
               n);
      }

  header(out, "portal_http_request_duration_seconds", "histogram",
         "Seconds from a request's arrival to its answer, by route template.");
  for (std::size_t r = 0; r < labels_.size(); ++r) {
    std::uint64_t counts[kBucketSlots];
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < kBucketSlots; ++b)
      total += counts[b] = latency_[r * kBucketSlots + b].load(std::memory_order_relaxed);
    if (!total) continue;
    const std::string route = "route=\"" + label_value(labels_[r]) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBucketSlots; ++b) {
      cumulative += counts[b];
      sample(out, "portal_http_request_duration_seconds_bucket",
             route + ",le=\"" + (b < kBuckets.size() ? number(kBuckets[b]) : "+Inf") + "\"",
             cumulative);
    }
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.6f",
                  static_cast<double>(latency_sum_us_[r].load(std::memory_order_relaxed)) / 1e6);
    out += "portal_http_request_duration_seconds_sum{" + route + "} " + sum + "\n";
    sample(out, "portal_http_request_duration_seconds_count", route, cumulative);
  }

  header(out, "portal_tickets_created_total", "counter", "Tickets created by this instance.");
  sample(out, "portal_tickets_created_total", "", tickets_created_.load(std::memory_order_relaxed));

  header(out, "portal_streams_open", "gauge", "Open live streams (GET /api/v1/stream).");
  sample(out, "portal_streams_open", "", g.open_streams);

  // The notification outbox (SPEC §12): messages by state, from the database (all
  // instances), and what this instance's delivery worker did.
  header(out, "portal_outbox_messages", "gauge", "Outbox messages by state.");
  const NotificationCounts c = g.outbox.value_or(NotificationCounts{});
  sample(out, "portal_outbox_messages", "state=\"pending\"", static_cast<std::uint64_t>(c.pending));
  sample(out, "portal_outbox_messages", "state=\"delivered\"",
         static_cast<std::uint64_t>(c.delivered));
  sample(out, "portal_outbox_messages", "state=\"failed\"", static_cast<std::uint64_t>(c.failed));
  sample(out, "portal_outbox_messages", "state=\"cancelled\"",
         static_cast<std::uint64_t>(c.cancelled));
  header(out, "portal_notification_attempts_total", "counter",
         "Delivery attempts by this instance, by outcome.");
  sample(out, "portal_notification_attempts_total", "outcome=\"delivered\"",
         static_cast<std::uint64_t>(g.attempts_delivered));
  sample(out, "portal_notification_attempts_total", "outcome=\"retry\"",
         static_cast<std::uint64_t>(g.attempts_retried));
  sample(out, "portal_notification_attempts_total", "outcome=\"failed\"",
         static_cast<std::uint64_t>(g.attempts_failed));
  sample(out, "portal_notification_attempts_total", "outcome=\"cancelled\"",
         static_cast<std::uint64_t>(g.attempts_cancelled));

  if (g.suggest_model) {
    header(out, "portal_suggest_model_version", "gauge",
           "Version of the category suggestion's model this instance answers from (0: none).");
    sample(out, "portal_suggest_model_version", "",
           static_cast<std::uint64_t>(std::max<std::int64_t>(0, *g.suggest_model)));
  }

  if (g.store.database_bytes) {
    header(out, "portal_database_size_bytes", "gauge",
           "Size of the database: SQLite's file and WAL, or PostgreSQL's pg_database_size.");
    sample(out, "portal_database_size_bytes", "",
           static_cast<std::uint64_t>(std::max<std::int64_t>(0, *g.store.database_bytes)));
  }

  if (const auto& w = g.store.writer) {
    header(out, "portal_writer_batches_total", "counter",
           "Transactions committed by the group-commit writer.");
    sample(out, "portal_writer_batches_total", "", static_cast<std::uint64_t>(w->batches));
    header(out, "portal_writer_queue_jobs", "gauge", "Writes waiting for the writer.");
    sample(out, "portal_writer_queue_jobs", "", static_cast<std::uint64_t>(w->queued));
    header(out, "portal_writer_batch_size", "histogram", "Writes committed together per batch.");
    std::uint64_t cumulative = 0;
    for (const auto& [bound, n] : w->batch_sizes) {
      cumulative += static_cast<std::uint64_t>(n);
      sample(out, "portal_writer_batch_size_bucket", "le=\"" + std::to_string(bound) + "\"",
             cumulative);
    }
    sample(out, "portal_writer_batch_size_bucket", "le=\"+Inf\"",
           static_cast<std::uint64_t>(w->batches));
    sample(out, "portal_writer_batch_size_sum", "", static_cast<std::uint64_t>(w->jobs));
    sample(out, "portal_writer_batch_size_count", "", static_cast<std::uint64_t>(w->batches));
  }
  return out;
}

}  // namespace portal::server
