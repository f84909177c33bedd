// Metrics: paths map to a bounded set of route templates; the allow list of readers;
// the Prometheus text.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <thread>

#include "server/http/openapi.hpp"
#include "server/service/metrics.hpp"

using namespace portal::server;

namespace {

Metrics make_metrics() {
  return Metrics(http::openapi_paths(), NetworkAllowList::loopback());
}

// The series of one metric family in a rendered text.
std::set<std::string> series_of(const std::string& text, const std::string& family) {
  std::set<std::string> out;
  std::size_t at = 0;
  while ((at = text.find(family + "{", at)) != std::string::npos) {
    const auto end = text.find('}', at);
    out.insert(text.substr(at, end - at + 1));
    at = end;
  }
  return out;
}

}  // namespace

TEST(Metrics, PathsMapToTheirRouteTemplates) {
  const Metrics m = make_metrics();
  EXPECT_EQ(m.route_of("/api/v1/tickets"), "/api/v1/tickets");
  EXPECT_EQ(m.route_of("/api/v1/tickets/RC2026112500000123"), "/api/v1/tickets/{number}");
  EXPECT_EQ(m.route_of("/api/v1/tickets/RC2026112500000123/events"),
            "/api/v1/tickets/{number}/events");
  EXPECT_EQ(m.route_of("/api/v1/grids/locate"), "/api/v1/grids/locate");
  EXPECT_EQ(m.route_of("/api/v1/topics/7/tickets"), "/api/v1/topics/{id}/tickets");
  EXPECT_EQ(m.route_of("/open311/v2/requests.json"), "/open311/v2/requests.{format}");
  EXPECT_EQ(m.route_of("/open311/v2/requests/RC2026112500000123.xml"),
            "/open311/v2/requests/{service_request_id}.{format}");
  EXPECT_EQ(m.route_of("/open311/v2/discovery.xml"), "/open311/v2/discovery.{format}");
  EXPECT_EQ(m.route_of("/metrics"), "/metrics");
  EXPECT_EQ(m.route_of("/healthz"), "/healthz");
  // Unknown API paths and wrong spellings: "other"; files and client pages: "static".
  EXPECT_EQ(m.route_of("/api/v1/nope"), "other");
  EXPECT_EQ(m.route_of("/api/v1/tickets/"), "other");
  EXPECT_EQ(m.route_of("/open311/v2/discovery.html"), "other");
  EXPECT_EQ(m.route_of("/open311/v2/requests/.json"), "other");
  EXPECT_EQ(m.route_of("/portal.wasm"), "static");
  EXPECT_EQ(m.route_of("//portal.wasm"), "static");
  EXPECT_EQ(m.route_of("/t/RC2026112500000123"), "static");
  EXPECT_EQ(m.route_of(""), "static");
  std::string deep = "/api/v1/tickets";
  for (int i = 0; i < 40; ++i) deep += "/x";
  EXPECT_EQ(m.route_of(deep), "other");
}

TEST(Metrics, AThousandRandomPathsAddNoThousandSeries) {
  Metrics m = make_metrics();
  std::mt19937 rng(17);
  const char* prefixes[] = {"/", "/api/v1/", "/api/v1/tickets/", "/open311/v2/", "/x/"};
  for (int i = 0; i < 1000; ++i) {
    std::string path = prefixes[i % 5];
    for (int k = 0; k < 12; ++k) path += static_cast<char>('a' + rng() % 26);
    if (i % 7 == 0) path += "/events";
    m.observe_request(i % 2 ? "GET" : "BREW", path, 200 + static_cast<int>(rng() % 400),
                      0.001 * (rng() % 100));
  }
  const std::string text = m.render({});
  const auto requests = series_of(text, "portal_http_requests_total");
  // Routes (other, static, tickets/{number}, tickets/{number}/events) × 2 methods ×
  // at most 29 statuses, whatever the 1,000 paths were.
  EXPECT_LE(requests.size(), 4u * 2u * 29u);
  EXPECT_GT(requests.size(), 4u);
  const auto buckets = series_of(text, "portal_http_request_duration_seconds_bucket");
  EXPECT_LE(buckets.size(), 4u * 15u);
  EXPECT_EQ(text.find("abcdefghij"), std::string::npos);
}

TEST(Metrics, RendersCountersHistogramsAndGauges) {
  Metrics m = make_metrics();
  m.observe_request("GET", "/api/v1/tickets/RC2026112500000123", 200, 0.003);
  m.observe_request("GET", "/api/v1/tickets/RC2026112500000124", 200, 0.2);
  m.observe_request("GET", "/api/v1/tickets/RC2026112500000125", 404, 0.001);
  m.ticket_created();
  Metrics::Gauges g;
  g.open_streams = 3;
  g.store.database_bytes = 4096;
  StoreMetrics::Writer w;
  w.batches = 3;
  w.jobs = 5;
  w.batch_sizes = {{1, 2}, {2, 0}, {4, 1}};
  g.store.writer = w;
  const std::string t = m.render(g);
  EXPECT_NE(t.find("portal_http_requests_total{method=\"GET\",route=\"/api/v1/tickets/"
                   "{number}\",status=\"200\"} 2\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("portal_http_requests_total{method=\"GET\",route=\"/api/v1/tickets/"
                   "{number}\",status=\"404\"} 1\n"),
            std::string::npos);
  const std::string route = "route=\"/api/v1/tickets/{number}\"";
  EXPECT_NE(t.find("portal_http_request_duration_seconds_bucket{" + route + ",le=\"0.001\"} 1\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("portal_http_request_duration_seconds_bucket{" + route + ",le=\"0.005\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("portal_http_request_duration_seconds_bucket{" + route + ",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(t.find("portal_http_request_duration_seconds_count{" + route + "} 3\n"),
            std::string::npos);
  EXPECT_NE(t.find("portal_http_request_duration_seconds_sum{" + route + "} 0.204"),
            std::string::npos);
  EXPECT_NE(t.find("portal_tickets_created_total 1\n"), std::string::npos);
  EXPECT_NE(t.find("portal_streams_open 3\n"), std::string::npos);
  EXPECT_NE(t.find("portal_outbox_messages{state=\"pending\"} 0\n"), std::string::npos);
  EXPECT_NE(t.find("portal_outbox_messages{state=\"failed\"} 0\n"), std::string::npos);
  EXPECT_NE(t.find("portal_database_size_bytes 4096\n"), std::string::npos);
  EXPECT_NE(t.find("portal_writer_batches_total 3\n"), std::string::npos);
  EXPECT_NE(t.find("portal_writer_batch_size_bucket{le=\"2\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("portal_writer_batch_size_bucket{le=\"4\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("portal_writer_batch_size_sum 5\n"), std::string::npos);
  // Every family is declared once, before its samples.
  EXPECT_NE(t.find("# TYPE portal_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(t.find("# TYPE portal_http_request_duration_seconds histogram\n"), std::string::npos);
}

TEST(Metrics, CountsFromManyThreadsWithoutLoss) {
  Metrics m = make_metrics();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < 10000; ++i) m.observe_request("GET", "/healthz", 200, 0.0001);
    });
  for (auto& t : threads) t.join();
  EXPECT_NE(
      m.render({}).find(
          "portal_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 80000\n"),
      std::string::npos);
}

TEST(Metrics, AllowListParsesIpv4AndIpv6Networks) {
  auto l = NetworkAllowList::parse("10.0.0.0/8, 192.168.1.7,fd00::/8 ,::1");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_TRUE(l->allows("10.200.3.4"));
  EXPECT_TRUE(l->allows("::ffff:10.1.1.1"));
  EXPECT_TRUE(l->allows("192.168.1.7"));
  EXPECT_FALSE(l->allows("192.168.1.8"));
  EXPECT_TRUE(l->allows("fd12:3456::1"));
  EXPECT_TRUE(l->allows("::1"));
  EXPECT_FALSE(l->allows("fe80::1"));
  EXPECT_FALSE(l->allows("11.0.0.1"));
  EXPECT_FALSE(l->allows("127.0.0.1"));
  EXPECT_FALSE(l->allows(""));
  EXPECT_FALSE(l->allows("not an address"));

  auto odd = NetworkAllowList::parse("172.16.0.0/12,2001:db8::/33");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->allows("172.31.255.255"));
  EXPECT_FALSE(odd->allows("172.32.0.0"));
  EXPECT_TRUE(odd->allows("2001:db8:7fff::1"));
  EXPECT_FALSE(odd->allows("2001:db8:8000::1"));

  const auto loop = NetworkAllowList::loopback();
  EXPECT_TRUE(loop.allows("127.0.0.1"));
  EXPECT_TRUE(loop.allows("127.8.9.10"));
  EXPECT_TRUE(loop.allows("::1"));
  EXPECT_TRUE(loop.allows("::ffff:127.0.0.1"));
  EXPECT_FALSE(loop.allows("10.0.0.1"));
  EXPECT_FALSE(loop.allows("::2"));

  auto all = NetworkAllowList::parse("0.0.0.0/0,::/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->allows("8.8.8.8"));
  EXPECT_TRUE(all->allows("2001:db8::1"));

  for (const char* bad : {"", " , ", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/8x", "10.0.0",
                          "example.com", "10.0.0.0/-1", "::1/abc"}) {
    auto r = NetworkAllowList::parse(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().field, "metrics-allow");
      EXPECT_NE(r.error().message.find("--metrics-allow"), std::string::npos);
    }
  }
}
