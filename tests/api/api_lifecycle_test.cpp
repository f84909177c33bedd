// Accounts, the organisation endpoints and a ticket's whole life over real HTTP.
#include <gtest/gtest.h>

#include <set>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

// A 1×1 PNG.
const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00"
    "\x01\x08\x04\x00\x00\x00\xb5\x1c\x0c\x02\x00\x00\x00\x0b\x49\x44\x41\x54\x78\xda\x63\x64\x60"
    "\x00\x00\x00\x06\x00\x02\x30\x81\xd0\x2f\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    68);

httplib::Result act(const std::string& token, const std::string& number, const Json& body) {
  return g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(token),
                          body.dump(), "application/json");
}

std::pair<double, double> centre_of(const std::string& grid_id) {
  return portal::test::grid_centre(*g, grid_id);
}

}  // namespace

TEST(Accounts, LoginMeLogout) {
  const std::string token = login(*g, "gw0001");
  auto me = body_of(g->client().Get("/api/v1/me", bearer(token)));
  EXPECT_EQ(me["role"], "grid_worker");
  ASSERT_TRUE(me["grid_ids"].is_array());
  EXPECT_EQ(me["grid_ids"].size(), 1u);
  auto out = g->client().Post("/api/v1/auth/logout", bearer(token), "", "application/json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  auto after = g->client().Get("/api/v1/me", bearer(token));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  // Wrong password and unknown accounts answer alike.
  auto bad = g->client().Post("/api/v1/auth/login",
                              Json{{"login", "gw0001"}, {"password", "nope12345"}}.dump(),
                              "application/json");
  auto none = g->client().Post("/api/v1/auth/login",
                               Json{{"login", "nobody"}, {"password", "nope12345"}}.dump(),
                               "application/json");
  ASSERT_TRUE(bad && none);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(body_of(bad)["error"]["code"], body_of(none)["error"]["code"]);
  auto garbage = g->client().Get("/api/v1/me", {{"Authorization", "Bearer x"}});
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 401);
}

TEST(Accounts, RegisterRefusesWeakPasswordsAndTakenPhones) {
  auto weak = g->client().Post(
      "/api/v1/auth/register",
      Json{{"phone", "13700001111"}, {"password", "123456"}, {"name", "王芳"}}.dump(),
      "application/json");
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 422);
  EXPECT_EQ(body_of(weak)["error"]["field"], "password");
  auto ok = g->client().Post(
      "/api/v1/auth/register",
      Json{{"phone", "13700001111"}, {"password", "lanhua-yuan-7"}, {"name", "王芳"}}.dump(),
      "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  EXPECT_EQ(body_of(ok)["user"]["role"], "citizen");
  auto again = g->client().Post(
      "/api/v1/auth/register",
      Json{{"phone", "13700001111"}, {"password", "lanhua-yuan-7"}, {"name", "王芳"}}.dump(),
      "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(body_of(again)["error"]["field"], "phone");
}

TEST(Org, TreeGridsLocateUnits) {
  auto org = body_of(g->client().Get("/api/v1/org"));
  EXPECT_EQ(org["streets"].size(), 15u);
  std::size_t grids = 0;
  for (const auto& s : org["streets"])
    for (const auto& c : s["communities"]) grids += c["grids"].size();
  EXPECT_EQ(grids, 1571u);

  auto fc = body_of(g->client().Get("/api/v1/grids?bbox=116.50,35.40,116.55,35.45"));
  EXPECT_EQ(fc["type"], "FeatureCollection");
  EXPECT_GT(fc["features"].size(), 0u);
  EXPECT_LT(fc["features"].size(), 1571u);
  auto bad = g->client().Get("/api/v1/grids?bbox=1,2,3");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(body_of(bad)["error"]["field"], "bbox");

  const std::string grid = fc["features"][0]["properties"]["grid_id"];
  auto [lat, lng] = centre_of(grid);
  auto loc = body_of(g->client().Get(
      ("/api/v1/grids/locate?lat=" + std::to_string(lat) + "&lng=" + std::to_string(lng)).c_str()));
  EXPECT_EQ(loc["grid_id"], grid);
  EXPECT_FALSE(loc["street"]["name"].get<std::string>().empty());
  auto outside = g->client().Get("/api/v1/grids/locate?lat=30&lng=110");
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 404);
  auto nan = g->client().Get("/api/v1/grids/locate?lat=abc&lng=116.5");
  ASSERT_TRUE(nan);
  EXPECT_EQ(body_of(nan)["error"]["field"], "lat");

  auto units = body_of(g->client().Get("/api/v1/units?kind=department"));
  EXPECT_EQ(units.size(), 16u);
  auto all = body_of(g->client().Get("/api/v1/units"));
  std::set<std::string> kinds;
  for (const auto& u : all) kinds.insert(u["kind"]);
  EXPECT_EQ(kinds, (std::set<std::string>{"department", "utility", "legal", "mediation"}));
}

TEST(Lifecycle, GridWorkerToStreetWithWhistlesThenRated) {
  const std::string gw = login(*g, "gw0001");
  const std::string grid = body_of(g->client().Get("/api/v1/me", bearer(gw)))["grid_ids"][0];
  auto [lat, lng] = centre_of(grid);

  // A photo, then a ticket that uses it.
  auto up = g->client().Post("/api/v1/attachments", kPng, "image/png");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 201) << up->body;
  const std::string photo = body_of(up)["id"];
  EXPECT_EQ(body_of(up)["width"], 1);
  Json ticket = {{"category", "city.road"},
                 {"description", "路面塌陷一个大坑，电动车经过很危险"},
                 {"location", {{"lat", lat}, {"lng", lng}, {"address", "测试路口"}}},
                 {"contact", {{"name", "赵大爷"}, {"phone", "13512345678"}}},
                 {"attachments", {photo}}};
  auto sub = g->client().Post("/api/v1/tickets", ticket.dump(), "application/json");
  ASSERT_TRUE(sub);
  ASSERT_EQ(sub->status, 201) << sub->body;
  const std::string number = body_of(sub)["number"];
  const std::string code = body_of(sub)["access_code"];
  EXPECT_EQ(body_of(sub)["grid_id"], grid);

  // The worker's queue holds it; the whole phone number is theirs to see.
  auto queue = body_of(g->client().Get("/api/v1/tickets?scope=queue", bearer(gw)));
  bool in_queue = false;
  for (const auto& t : queue["items"]) in_queue = in_queue || t["number"] == number;
  EXPECT_TRUE(in_queue);
  auto seen = body_of(g->client().Get(("/api/v1/tickets/" + number).c_str(), bearer(gw)));
  EXPECT_EQ(seen["contact"]["phone"], "13512345678");
  ASSERT_EQ(seen["attachments"].size(), 1u);

  // The photo is visible with the ticket's code, not without it.
  auto img = g->client().Get(("/api/v1/attachments/" + photo).c_str(), {{"X-Access-Code", code}});
  ASSERT_TRUE(img);
  EXPECT_EQ(img->status, 200);
  EXPECT_EQ(img->get_header_value("Content-Type"), "image/png");
  auto hidden = g->client().Get(("/api/v1/attachments/" + photo).c_str());
  ASSERT_TRUE(hidden);
  EXPECT_EQ(hidden->status, 404);

  auto r = act(gw, number, {{"action", "accept"}});
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  r = act(gw, number, {{"action", "accept"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(body_of(r)["error"]["code"], "action_not_allowed");
  r = act(gw, number, {{"action", "escalate"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(body_of(r)["error"]["field"], "reason");
  r = act(gw, number, {{"action", "escalate"}, {"reason", "需要社区协调"}});
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_EQ(body_of(r)["level"], "community");

  // The district hotline centre can see but not act at community level; the
  // community staff are found by the ticket's community.
  const std::string ds = login(*g, "ds01");
  r = act(ds, number, {{"action", "accept"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);

  auto events = body_of(g->client().Get(("/api/v1/tickets/" + number + "/events").c_str(),
                                        {{"X-Access-Code", code}}));
  ASSERT_GE(events["items"].size(), 4u);
  EXPECT_EQ(events["items"][0]["action"], "submit");
  EXPECT_EQ(events["items"][0]["prev_hash"], std::string(64, '0'));
  EXPECT_EQ(events["items"][1]["prev_hash"], events["items"][0]["hash"]);
  // Citizens see no account ids in the trail.
  EXPECT_FALSE(events["items"][2]["actor"].contains("id"));

  // Rating an unresolved ticket is a conflict; the audit chain verifies.
  auto rate =
      g->client().Post(("/api/v1/tickets/" + number + "/rating").c_str(), {{"X-Access-Code", code}},
                       Json{{"resolved", true}, {"satisfaction", 5}}.dump(), "application/json");
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->status, 409);
  EXPECT_EQ(g->run({"audit", "verify", "--db", g->db()}), 0);
}

TEST(Hotline, ImportIsAllOrNothing) {
  const std::string ha = login(*g, "ha01");
  const std::string csv =
      "工单编号,来电时间,类别,诉求内容,纬度,经度,地址,联系人,联系电话\n"
      "HL-1,2026-11-25T08:00:00+08:00,water.outage,\"小区停水一整天了，\"\"急\"\"\",35.41,116.58,"
      "运河小区,钱女士,13600001111\n"
      "HL-2,2026-11-25T08:05:00+08:00,no.such,路灯不亮很久了,35.42,116.59,,孙先生,abc\n";
  auto bad = g->client().Post("/api/v1/hotline/import", bearer(ha), csv, "text/csv");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422) << bad->body;
  auto j = body_of(bad);
  EXPECT_EQ(j["created"], 0);
  ASSERT_FALSE(j["errors"].empty());
  for (const auto& e : j["errors"]) EXPECT_EQ(e["row"], 2);

  const std::string good =
      "external_id,category,description,lat,lng,contact_name,contact_phone\n"
      "HL-10,water.outage,小区停水一整天了,35.41,116.58,钱女士,13600001111\n"
      "HL-11,city.streetlight,路灯不亮很久了,35.42,116.59,孙先生,13600002222\n";
  auto ok = g->client().Post("/api/v1/hotline/import", bearer(ha), good, "text/csv");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 201) << ok->body;
  EXPECT_EQ(body_of(ok)["created"], 2);
  // Importing the same work orders again creates nothing.
  auto again = g->client().Post("/api/v1/hotline/import", bearer(ha), good, "text/csv");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  // Citizens may not import.
  auto anon = g->client().Post("/api/v1/hotline/import", good, "text/csv");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  const std::string gw = login(*g, "gw0002");
  auto other = g->client().Post("/api/v1/hotline/import", bearer(gw), good, "text/csv");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
}

TEST(Attachments, ContentDecidesNotTheName) {
  auto lie = g->client().Post("/api/v1/attachments", std::string("GIF89a not a png"), "image/png");
  ASSERT_TRUE(lie);
  EXPECT_EQ(lie->status, 422) << lie->body;
  auto jpeg_claim = g->client().Post("/api/v1/attachments", kPng, "image/jpeg");
  ASSERT_TRUE(jpeg_claim);
  EXPECT_EQ(jpeg_claim->status, 415);
  auto text = g->client().Post("/api/v1/attachments", kPng, "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  auto unknown = g->client().Get(("/api/v1/attachments/" + std::string(64, 'a')).c_str());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}
