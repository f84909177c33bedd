// The walking skeleton's endpoints, over real HTTP against the real binary.
#include <gtest/gtest.h>

#include <fstream>

#include "portal/core/json.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using portal::test::ServerProcess;

namespace {

portal::test::LazyServer g_server;

Json good_ticket() {
  return Json::parse(R"({
    "category": "env.noise",
    "description": "小区门口的烧烤摊每天晚上吵到凌晨两点，老人孩子都睡不着。",
    "location": {"lat": 35.41, "lng": 116.58, "address": "古槐路 12 号"},
    "contact": {"name": "张秀英", "phone": "13800001234"}
  })");
}

httplib::Result post_json(const std::string& path, const std::string& body,
                          const httplib::Headers& headers = {}) {
  return g_server->client().Post(path.c_str(), headers, body, "application/json");
}

// Every error answers {"error": {"code", "message", "field"?}}.
Json expect_error(const httplib::Result& r, int status, const std::string& field = "") {
  EXPECT_TRUE(r);
  if (!r) return {};
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_TRUE(r->has_header("X-Request-Id"));
  auto j = Json::parse(r->body, nullptr, false);
  EXPECT_TRUE(j.is_object() && j.contains("error")) << r->body;
  if (!j.is_object() || !j.contains("error")) return {};
  EXPECT_TRUE(j["error"]["code"].is_string());
  EXPECT_TRUE(j["error"]["message"].is_string());
  if (!field.empty()) {
    EXPECT_EQ(j["error"].value("field", ""), field) << r->body;
  }
  return j["error"];
}

}  // namespace

TEST(Meta, HealthAndReadiness) {
  auto c = g_server->client();
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(Json::parse(h->body)["status"], "ok");
  auto r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(h->has_header("X-Request-Id"));
  EXPECT_NE(h->get_header_value("X-Request-Id"), r->get_header_value("X-Request-Id"));
}

TEST(Meta, CategoriesListTheCatalogue) {
  auto r = g_server->client().Get("/api/v1/categories");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = Json::parse(r->body);
  ASSERT_TRUE(j.is_array());
  ASSERT_FALSE(j.empty());
  bool found = false;
  for (const auto& c : j) {
    for (auto key : {"code", "name", "name_en", "group", "sla_class", "default_unit_id"})
      EXPECT_TRUE(c.contains(key)) << key;
    found = found || c["code"] == "env.noise";
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
}

TEST(Tickets, SubmitThenReadBackWithTheAccessCode) {
  auto r = post_json("/api/v1/tickets", good_ticket().dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto receipt = Json::parse(r->body);
  const std::string number = receipt["number"];
  const std::string code = receipt["access_code"];
  EXPECT_EQ(number.size(), 18u);
  EXPECT_EQ(receipt["status"], "assigned");  // routed to the grid at once
  EXPECT_FALSE(receipt["grid_id"].get<std::string>().empty());
  EXPECT_EQ(receipt["level"], "grid");
  EXPECT_TRUE(receipt["response_due_at"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(r->get_header_value("Location"), "/api/v1/tickets/" + number);

  auto g = g_server->client().Get(("/api/v1/tickets/" + number).c_str(), {{"X-Access-Code", code}});
  ASSERT_TRUE(g);
  ASSERT_EQ(g->status, 200) << g->body;
  auto t = Json::parse(g->body);
  EXPECT_EQ(t["number"], number);
  EXPECT_EQ(t["description"], good_ticket()["description"]);
  EXPECT_EQ(t["location"]["address"], "古槐路 12 号");
  EXPECT_EQ(t["contact"]["phone"], "138****1234");
  EXPECT_EQ(t["contact"]["name"], "张*");
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_TRUE(t["allowed_actions"].is_array());
  // The whole phone number is nowhere in the answer.
  EXPECT_EQ(g->body.find("13800001234"), std::string::npos);
}

TEST(Tickets, LookupWithoutOrWithAWrongCodeIsNotFound) {
  auto r = post_json("/api/v1/tickets", good_ticket().dump());
  ASSERT_TRUE(r && r->status == 201);
  const std::string number = Json::parse(r->body)["number"];
  auto c = g_server->client();
  expect_error(c.Get(("/api/v1/tickets/" + number).c_str()), 404);
  expect_error(c.Get(("/api/v1/tickets/" + number).c_str(), {{"X-Access-Code", "WRONG234"}}), 404);
  expect_error(c.Get("/api/v1/tickets/RC2099010100000001", {{"X-Access-Code", "WRONG234"}}), 404);
  expect_error(c.Get("/api/v1/tickets/..%2F..%2Fetc%2Fpasswd"), 404);
}

TEST(Tickets, BadInputNamesTheField) {
  auto with = [](auto mutate) {
    Json j = good_ticket();
    mutate(j);
    return j.dump();
  };
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j.erase("category"); })), 422,
               "category");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["category"] = "no.such"; })), 422,
               "category");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["description"] = 42; })), 400,
               "description");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["description"] = ""; })), 422,
               "description");
  expect_error(post_json("/api/v1/tickets",
                         with([](Json& j) { j["description"] = std::string(4001, 'a'); })),
               422, "description");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["location"]["lat"] = 91; })), 422,
               "location.lat");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j.erase("location"); })), 422,
               "location");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["contact"]["phone"] = "12345"; })),
               422, "contact.phone");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["channel"] = "fax"; })), 422,
               "channel");
  expect_error(post_json("/api/v1/tickets", with([](Json& j) { j["anonymous"] = "yes"; })), 400,
               "anonymous");
}

// A citizen who does not know where exactly sends no lat and lng: the ticket goes to the
// district hotline centre, as a point outside every grid does, and says so.
TEST(Tickets, UnknownLocationGoesToTheHotlineCentre) {
  Json body = good_ticket();
  body["location"] = {{"address", "大概在古槐路一带，具体不清楚"}};
  auto r = post_json("/api/v1/tickets", body.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto receipt = Json::parse(r->body);
  EXPECT_EQ(receipt["level"], "district");
  EXPECT_EQ(receipt["status"], "assigned");
  EXPECT_TRUE(receipt["grid_id"].is_null() || receipt["grid_id"] == "") << receipt.dump();
  const std::string number = receipt["number"], code = receipt["access_code"];
  auto g = g_server->client().Get(("/api/v1/tickets/" + number).c_str(), {{"X-Access-Code", code}});
  ASSERT_TRUE(g && g->status == 200);
  auto t = Json::parse(g->body);
  EXPECT_EQ(t["level"], "district");
  EXPECT_EQ(t["location"]["address"], "大概在古槐路一带，具体不清楚");
  EXPECT_FALSE(t["location"].contains("lat")) << t["location"].dump();
  EXPECT_FALSE(t["location"].contains("lng")) << t["location"].dump();
  EXPECT_TRUE(t["grid"].is_null()) << t.dump();
  ASSERT_TRUE(t["assignee"].is_object()) << t.dump();
  EXPECT_EQ(t["assignee"]["id"], "district");
  EXPECT_EQ(t["assignee"]["name"], "任城区政务热线服务中心");

  // The same as a point inside the district's bounds but outside every grid.
  Json outside = good_ticket();
  outside["location"] = {{"lat", 34.6}, {"lng", 115.6}, {"address", "边界外"}};
  auto o = post_json("/api/v1/tickets", outside.dump());
  ASSERT_TRUE(o && o->status == 201) << (o ? o->body : "");
  EXPECT_EQ(Json::parse(o->body)["level"], "district");

  // Not knowing, without a word about where, and with explicit nulls: accepted alike.
  for (const char* loc : {R"({})", R"({"lat": null, "lng": null, "address": ""})"}) {
    Json b = good_ticket();
    b["location"] = Json::parse(loc);
    auto x = post_json("/api/v1/tickets", b.dump());
    ASSERT_TRUE(x);
    EXPECT_EQ(x->status, 201) << loc << " " << x->body;
    if (x->status == 201) {
      EXPECT_EQ(Json::parse(x->body)["level"], "district") << loc;
    }
  }
  // A point still goes to its grid's worker.
  auto p = post_json("/api/v1/tickets", good_ticket().dump());
  ASSERT_TRUE(p && p->status == 201);
  EXPECT_EQ(Json::parse(p->body)["level"], "grid");
}

TEST(Tickets, HalfALocationNamesTheMissingField) {
  auto with = [](const std::string& loc) {
    Json j = good_ticket();
    j["location"] = Json::parse(loc);
    return j.dump();
  };
  auto e = expect_error(post_json("/api/v1/tickets", with(R"({"lat": 35.41, "address": "x"})")),
                        422, "location.lng");
  EXPECT_EQ(e.value("code", ""), "required");
  expect_error(post_json("/api/v1/tickets", with(R"({"lng": 116.58})")), 422, "location.lat");
  expect_error(post_json("/api/v1/tickets", with(R"({"lat": 35.41, "lng": null})")), 422,
               "location.lng");
  expect_error(post_json("/api/v1/tickets", with(R"({"lat": "35.41", "lng": 116.58})")), 400,
               "location.lat");
  expect_error(post_json("/api/v1/tickets", with(R"({"lat": 35.41, "lng": 200})")), 422,
               "location.lng");
  expect_error(post_json("/api/v1/tickets", with(R"({"address": 12})")), 400, "location.address");
  expect_error(
      post_json("/api/v1/tickets", with(R"({"address": ")" + std::string(201, 'a') + R"("})")), 422,
      "location.address");
  expect_error(post_json("/api/v1/tickets", with(R"("somewhere")")), 400, "location");
  expect_error(post_json("/api/v1/tickets", with("null")), 422, "location");
}

TEST(Tickets, MalformedOversizedAndHostileBodies) {
  expect_error(post_json("/api/v1/tickets", "{not json"), 400);
  expect_error(post_json("/api/v1/tickets", "[1,2,3]"), 400);
  expect_error(post_json("/api/v1/tickets", std::string(20000, '[')), 400);
  // Invalid UTF-8 inside a JSON string.
  std::string bad = good_ticket().dump();
  bad.replace(bad.find("烧烤"), 3, "\xC3\x28\xA0");
  auto r = post_json("/api/v1/tickets", bad);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->status == 400 || r->status == 422) << r->status;
  // Over 64 KiB of JSON.
  Json big = good_ticket();
  big["padding"] = std::string(70 * 1024, 'x');
  expect_error(post_json("/api/v1/tickets", big.dump()), 413);
  // Not JSON at all.
  auto c = g_server->client();
  expect_error(c.Post("/api/v1/tickets", "a=b", "application/x-www-form-urlencoded"), 415,
               "Content-Type");
  EXPECT_TRUE(g_server->alive());
}

TEST(Tickets, ChunkedBodiesAreRefused) {
  // cpp-httplib's payload limit does not cover chunked bodies: the server refuses them.
  // (Small enough to fit the socket buffers, so the answer is read deterministically.)
  httplib::Client c("127.0.0.1", g_server->port());
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  c.set_write_timeout(5);
  auto r = c.Post(
      "/api/v1/tickets",
      [](size_t offset, httplib::DataSink& sink) {
        if (offset < 16 * 1024) {
          std::string chunk(4 * 1024, ' ');
          sink.write(chunk.data(), chunk.size());
        } else {
          sink.done();
        }
        return true;
      },
      "application/json");
  if (r) {
    EXPECT_EQ(r->status, 411);
  }
  EXPECT_TRUE(g_server->alive());
  auto h = g_server->client().Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

TEST(Static, ServesTheDocumentRootWithTypesAndEtags) {
  std::ofstream(g_server->www() / "index.html") << "<!doctype html><title>任诚办</title>";
  std::ofstream(g_server->www() / "portal.wasm", std::ios::binary) << std::string("\0asm", 4);
  std::ofstream(g_server->www() / "secret.db") << "nope";
  auto c = g_server->client();
  auto idx = c.Get("/");
  ASSERT_TRUE(idx);
  EXPECT_EQ(idx->status, 200);
  EXPECT_EQ(idx->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(idx->has_header("Content-Security-Policy"));
  EXPECT_EQ(idx->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(idx->get_header_value("Referrer-Policy"), "no-referrer");
  auto w = c.Get("/portal.wasm");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->get_header_value("Content-Type"), "application/wasm");
  const std::string etag = w->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = c.Get("/portal.wasm", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  // Files of unknown kinds and paths out of the root are not served.
  expect_error(c.Get("/secret.db"), 404);
  expect_error(c.Get("/../portal.db"), 404);
  expect_error(c.Get("/%2e%2e/portal.db"), 404);
}

TEST(Meta, UnknownApiPathsAnswerJson) {
  auto c = g_server->client();
  expect_error(c.Get("/api/v1/nothing-here"), 404);
  expect_error(c.Delete("/api/v1/tickets"), 404);
}
