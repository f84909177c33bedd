// The contract's meta routes over real HTTP: GET /metrics (Prometheus text, readable
// only from the networks of --metrics-allow) and GET /api/v1/openapi.json (an OpenAPI 3
// document that a pinned validator accepts and that documents every registered route).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include <sys/wait.h>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

std::string metrics_text(ServerProcess& s, const httplib::Headers& headers = {}) {
  auto r = s.client().Get("/metrics", headers);
  EXPECT_TRUE(r);
  if (!r) return "";
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
      << r->get_header_value("Content-Type");
  return r->body;
}

// The value of one sample ("name" or "name{labels}"), -1 when absent.
double sample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const auto at = ("\n" + text).find(key);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + key.size() - 1));
}

std::size_t count_series(const std::string& text, const std::string& family) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find("\n" + family + "{", at)) != std::string::npos; ++at)
    ++n;
  return n;
}

void expect_denied(ServerProcess& s, const httplib::Headers& headers = {}) {
  auto r = s.client().Get("/metrics", headers);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  auto j = Json::parse(r->body, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r->body;
  EXPECT_EQ(j["error"]["code"], "forbidden");
  EXPECT_EQ(r->body.find("portal_"), std::string::npos);
}

const char* kTicket = R"({
  "category": "env.noise",
  "description": "小区门口的烧烤摊每天晚上吵到凌晨两点。",
  "location": {"lat": 35.41, "lng": 116.58, "address": "古槐路 12 号"},
  "contact": {"name": "张秀英", "phone": "13800001234"}
})";

}  // namespace

// [SECTION] GET /metrics

TEST(MetricsApi, PrometheusTextWithEveryFamily) {
  const std::string before = metrics_text(*g);
  // Every line is a comment or "name{labels} value" (exposition format 0.0.4).
  const std::regex line(R"(^(# (HELP|TYPE) .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+]+)$)");
  std::size_t start = 0;
  while (start < before.size()) {
    const auto end = before.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text ends with a newline";
    const std::string l = before.substr(start, end - start);
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    start = end + 1;
  }
  for (const char* family :
       {"portal_http_requests_total counter", "portal_http_request_duration_seconds histogram",
        "portal_tickets_created_total counter", "portal_streams_open gauge",
        "portal_outbox_messages gauge", "portal_database_size_bytes gauge",
        "portal_writer_batches_total counter", "portal_writer_batch_size histogram"})
    EXPECT_NE(before.find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
  EXPECT_EQ(sample(before, "portal_outbox_messages{state=\"pending\"}"), 0);
  EXPECT_EQ(sample(before, "portal_outbox_messages{state=\"failed\"}"), 0);
  EXPECT_GT(sample(before, "portal_database_size_bytes"), 4096);
  EXPECT_GE(sample(before, "portal_streams_open"), 0);

  // A ticket created: one more ticket, at least one more writer batch.
  auto r = g->client().Post("/api/v1/tickets", kTicket, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string after = metrics_text(*g);
  EXPECT_EQ(sample(after, "portal_tickets_created_total"),
            sample(before, "portal_tickets_created_total") + 1);
  EXPECT_GT(sample(after, "portal_writer_batches_total"),
            sample(before, "portal_writer_batches_total"));
  EXPECT_EQ(sample(after, "portal_writer_batch_size_bucket{le=\"+Inf\"}"),
            sample(after, "portal_writer_batches_total"));
}

// Needs the request logger to call Metrics::observe_request for every request.
TEST(MetricsApi, RequestsCountedByRouteTemplateWithBoundedSeries) {
  auto created = g->client().Post("/api/v1/tickets", kTicket, "application/json");
  ASSERT_TRUE(created && created->status == 201);
  const auto receipt = Json::parse(created->body);
  const std::string number = receipt["number"];
  const httplib::Headers code = {{"X-Access-Code", receipt["access_code"].get<std::string>()}};
  for (int i = 0; i < 3; ++i) {
    auto e = g->client().Get(("/api/v1/tickets/" + number + "/events").c_str(), code);
    ASSERT_TRUE(e && e->status == 200);
  }
  auto missing = g->client().Get("/api/v1/tickets/RC2000010100000001");
  ASSERT_TRUE(missing);
  // A read of /metrics is counted after its answer has gone out, so a read that follows
  // at once may not see it yet: read until /metrics counts itself, so that its series
  // are in both texts compared below.
  std::string first = metrics_text(*g);
  for (int i = 0; i < 50 && first.find("route=\"/metrics\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    first = metrics_text(*g);
  }
  if (count_series(first, "portal_http_requests_total") == 0)
    GTEST_SKIP() << "requests are not counted yet: the request logger does not call "
                    "Metrics::observe_request";

  const std::string events =
      "portal_http_requests_total{method=\"GET\",route=\"/api/v1/tickets/"
      "{number}/events\",status=\"200\"}";
  EXPECT_GE(sample(first, events), 3) << first;
  EXPECT_GE(sample(first,
                   "portal_http_requests_total{method=\"POST\",route=\"/api/v1/tickets\","
                   "status=\"201\"}"),
            1);
  EXPECT_GE(sample(first,
                   "portal_http_requests_total{method=\"GET\",route=\"/api/v1/tickets/"
                   "{number}\",status=\"" +
                       std::to_string(missing->status) + "\"}"),
            1);
  EXPECT_GE(sample(first,
                   "portal_http_request_duration_seconds_count{route=\"/api/v1/tickets/"
                   "{number}/events\"}"),
            3);
  EXPECT_EQ(first.find(number), std::string::npos) << "a concrete path became a label";

  // 1,000 distinct paths, API and not, add a handful of series, not 1,000.
  std::mt19937 rng(7);
  auto c = g->client();
  for (int i = 0; i < 1000; ++i) {
    std::string path = i % 3 == 0 ? "/api/v1/" : i % 3 == 1 ? "/open311/v2/" : "/";
    for (int k = 0; k < 10; ++k) path += static_cast<char>('a' + rng() % 26);
    auto r = c.Get(path.c_str());
    ASSERT_TRUE(r) << path;
  }
  const std::string second = metrics_text(*g);
  EXPECT_LE(count_series(second, "portal_http_requests_total"),
            count_series(first, "portal_http_requests_total") + 6)
      << second;
  EXPECT_LE(count_series(second, "portal_http_request_duration_seconds_bucket"),
            count_series(first, "portal_http_request_duration_seconds_bucket") + 2 * 15);
  EXPECT_GE(sample(second,
                   "portal_http_requests_total{method=\"GET\",route=\"other\",status="
                   "\"404\"}"),
            600);
}

TEST(MetricsApi, OnlyTheAllowedNetworksMayRead) {
  // Default: loopback only. Through a trusted proxy, the client it names counts.
  ServerProcess proxied({"--rate-limit-scale", "1000", "--trusted-proxy", "127.0.0.1"});
  metrics_text(proxied);
  expect_denied(proxied, {{"X-Forwarded-For", "203.0.113.9"}});
  metrics_text(proxied, {{"X-Forwarded-For", "127.0.0.1"}});

  // Only 10.0.0.0/8 and fd00::/8: the loopback peer is refused, and a forged
  // X-Forwarded-For from a peer that is no trusted proxy changes nothing.
  ServerProcess remote({"--rate-limit-scale", "1000", "--metrics-allow", "10.0.0.0/8, fd00::/8"});
  expect_denied(remote);
  expect_denied(remote, {{"X-Forwarded-For", "10.1.2.3"}});

  ServerProcess behind({"--rate-limit-scale", "1000", "--trusted-proxy", "127.0.0.1",
                        "--metrics-allow", "10.0.0.0/8,fd00::/8"});
  metrics_text(behind, {{"X-Forwarded-For", "10.1.2.3"}});
  metrics_text(behind, {{"X-Forwarded-For", "fd00::17"}});
  expect_denied(behind, {{"X-Forwarded-For", "11.1.2.3"}});
  expect_denied(behind, {{"X-Forwarded-For", "fe80::1"}});

  // A bad list stops the server before it serves (exit 2), naming the option; a
  // server that ignored the option would be stopped by timeout (exit 124).
  for (const char* bad : {"10.0.0.0/33", "::1/129", "localhost", ""}) {
    const auto [said, status] =
        run_command("timeout 10 " + remote.bin() + " serve --port 0 --host 127.0.0.1 --db " +
                    remote.db() + " --metrics-allow '" + bad + "'");
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << bad << ": " << said;
    EXPECT_NE(said.find("--metrics-allow"), std::string::npos) << bad << ": " << said;
  }
  const std::string help = run_command(remote.bin() + " serve --help").first;
  EXPECT_NE(help.find("--metrics-allow"), std::string::npos) << help;
}

// [SECTION] GET /api/v1/openapi.json

TEST(OpenApi, DocumentValidatesAndDocumentsEveryRoute) {
  auto r = g->client().Get("/api/v1/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("application/json", 0), 0u);
  const auto doc = Json::parse(r->body, nullptr, false);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);
  for (const char* scheme : {"bearer", "accessCode", "open311ApiKey"})
    EXPECT_TRUE(doc["components"]["securitySchemes"].contains(scheme)) << scheme;
  for (const char* schema : {"Error", "Page", "Ticket", "Event"})
    EXPECT_TRUE(doc["components"]["schemas"].contains(schema)) << schema;

  // The pinned validator (tests/e2e/package.json) and the route check, in node.
  char path[] = "/tmp/portal-openapi-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path, std::ios::binary) << r->body;
  const auto [out, status] =
      run_command(std::string("node ") + PORTAL_SOURCE_DIR + "/tests/api/openapi_check.mjs " +
                  path + " " + PORTAL_SOURCE_DIR);
  std::remove(path);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("all documented"), std::string::npos) << out;
}
