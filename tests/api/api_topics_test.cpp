// 每月一题 topics over real HTTP: open, list, link tickets, resolve them together; every
// ticket's own chain records the resolve. Who may do what, and bad input naming the field.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

// Without a token, no Authorization header at all.
httplib::Headers auth(const std::string& token) {
  return token.empty() ? httplib::Headers{} : bearer(token);
}

httplib::Result get(const std::string& path, const std::string& token = {}) {
  return g->client().Get(path.c_str(), auth(token));
}

httplib::Result post(const std::string& path, const std::string& token, const Json& body) {
  return g->client().Post(path.c_str(), auth(token), body.dump(), "application/json");
}

void expect_error(const httplib::Result& r, int status, const std::string& field,
                  const std::string& code = {}) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  auto j = Json::parse(r->body, nullptr, false);
  ASSERT_TRUE(j.contains("error")) << r->body;
  EXPECT_EQ(j["error"].value("field", ""), field) << r->body;
  if (!code.empty()) {
    EXPECT_EQ(j["error"]["code"], code) << r->body;
  }
}

struct Filed {
  std::string number, street;
};

// A noise complaint in gw0001's grid, accepted by its worker.
Filed file_ticket(const std::string& gw) {
  auto me = body_of(get("/api/v1/me", gw));
  Json ticket = {{"category", "env.noise"},
                 {"description", "夜间施工噪音，影响休息"},
                 {"location", {{"lat", 35.45}, {"lng", 116.55}, {"address", "专题测试小区"}}},
                 {"grid_id", me["grid_ids"][0]},
                 {"contact", {{"name", "王五"}, {"phone", "13900001111"}}}};
  auto sub = g->client().Post("/api/v1/tickets", ticket.dump(), "application/json");
  EXPECT_TRUE(sub && sub->status == 201) << (sub ? sub->body : "no answer");
  const std::string number = body_of(sub)["number"];
  auto acc = post("/api/v1/tickets/" + number + "/actions", gw, {{"action", "accept"}});
  EXPECT_TRUE(acc && acc->status == 200) << (acc ? acc->body : "");
  return {number, me["street_id"]};
}

Json create_topic(const std::string& ds, Json body) {
  auto r = post("/api/v1/topics", ds, body);
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "");
  return body_of(r);
}

}  // namespace

TEST(Topics, OpenLinkAndResolveTogether) {
  const std::string ds = login(*g, "ds01"), gw = login(*g, "gw0001");
  const Filed a = file_ticket(gw), b = file_ticket(gw);
  Json topic = create_topic(ds, {{"title", "夜间施工噪音专项治理"},
                                 {"category", "env.noise"},
                                 {"street_id", a.street},
                                 {"note", "本月噪音投诉增长最快"}});
  EXPECT_EQ(topic["status"], "open");
  EXPECT_EQ(topic["ticket_count"], 0);
  EXPECT_FALSE(topic["category_name"].get<std::string>().empty());
  EXPECT_FALSE(topic["street_name"].get<std::string>().empty());
  EXPECT_EQ(topic["month"].get<std::string>().size(), 7u);
  const std::string id = std::to_string(topic["id"].get<int>());

  // Candidates: open tickets of its category in its street, our two among them.
  auto cands = body_of(get("/api/v1/topics/" + id + "/candidates", ds));
  int found = 0;
  for (const auto& c : cands["items"]) found += c["number"] == a.number || c["number"] == b.number;
  EXPECT_EQ(found, 2);

  auto linked = post("/api/v1/topics/" + id + "/tickets", ds, {{"numbers", {a.number, b.number}}});
  ASSERT_TRUE(linked && linked->status == 200) << linked->body;
  EXPECT_EQ(body_of(linked)["linked"], 2);
  EXPECT_EQ(body_of(linked)["topic"]["ticket_count"], 2);
  EXPECT_EQ(body_of(linked)["topic"]["open_count"], 2);
  // Linking again changes nothing.
  auto again = post("/api/v1/topics/" + id + "/tickets", ds, {{"numbers", {a.number}}});
  EXPECT_EQ(body_of(again)["linked"], 0);

  auto listed = body_of(get("/api/v1/topics/" + id + "/tickets", ds));
  ASSERT_EQ(listed["items"].size(), 2u);
  EXPECT_EQ(listed["items"][0]["number"], a.number);
  EXPECT_EQ(listed["items"][0]["status"], "accepted");
  EXPECT_FALSE(listed.dump().find("13900001111") != std::string::npos);

  const std::string reply = "已协调住建、城管部门，夜间22时后禁止施工";
  auto res = post("/api/v1/topics/" + id + "/resolve", ds, {{"reply", reply}});
  ASSERT_TRUE(res && res->status == 200) << res->body;
  auto out = body_of(res);
  EXPECT_EQ(out["resolved"].size(), 2u);
  EXPECT_TRUE(out["skipped"].empty());
  EXPECT_EQ(out["topic"]["status"], "resolved");
  EXPECT_EQ(out["topic"]["open_count"], 0);
  EXPECT_EQ(out["topic"]["reply"], reply);

  for (const auto& n : {a.number, b.number}) {
    auto t = body_of(get("/api/v1/tickets/" + n, ds));
    EXPECT_EQ(t["status"], "resolved");
    EXPECT_EQ(t["reply"], reply);
    auto ev = body_of(get("/api/v1/tickets/" + n + "/events", ds));
    const auto& last = ev["items"].back();
    EXPECT_EQ(last["action"], "resolve");
    EXPECT_EQ(last["actor"]["role"], "district_staff");
    EXPECT_EQ(last["note"], reply);
    auto data =
        last["data"].is_string() ? Json::parse(last["data"].get<std::string>()) : last["data"];
    EXPECT_EQ(data["topic_id"], topic["id"]) << last.dump();
  }
  // The chains still verify.
  EXPECT_EQ(g->run({"audit", "verify", "--db", g->db()}), 0);

  expect_error(post("/api/v1/topics/" + id + "/resolve", ds, {{"reply", "再来一次"}}), 409, "",
               "topic_resolved");
  expect_error(post("/api/v1/topics/" + id + "/tickets", ds, {{"numbers", {a.number}}}), 409, "",
               "topic_resolved");

  auto all = body_of(get("/api/v1/topics", ds));
  bool seen = false;
  for (const auto& t : all["items"]) seen = seen || t["id"] == topic["id"];
  EXPECT_TRUE(seen);
  EXPECT_EQ(body_of(get("/api/v1/topics?status=open", ds))["items"].size() +
                body_of(get("/api/v1/topics?status=resolved", ds))["items"].size(),
            all["items"].size());
  auto csv = get("/api/v1/topics?format=csv", ds);
  ASSERT_TRUE(csv && csv->status == 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv->body.find("夜间施工噪音专项治理"), std::string::npos);
  auto tcsv = get("/api/v1/topics/" + id + "/tickets?format=csv", ds);
  ASSERT_TRUE(tcsv && tcsv->status == 200);
  EXPECT_NE(tcsv->body.find(a.number), std::string::npos);
}

TEST(Topics, AnOpenWhistleKeepsItsTicketAndTheTopicOpen) {
  const std::string ds = login(*g, "ds01"), gw = login(*g, "gw0001");
  const Filed a = file_ticket(gw), b = file_ticket(gw);
  auto units = body_of(get("/api/v1/units"));
  std::string unit;
  for (const auto& u : units)
    if (u["kind"] == "department" && unit.empty()) unit = u["id"];
  auto w = post("/api/v1/tickets/" + b.number + "/actions", gw,
                {{"action", "whistle"}, {"unit_ids", {unit}}, {"note", "请协助"}});
  ASSERT_TRUE(w && w->status == 200) << w->body;
  Json topic = create_topic(ds, {{"title", "噪音"}, {"category", "env.noise"}});
  const std::string id = std::to_string(topic["id"].get<int>());
  EXPECT_TRUE(topic["street_id"].is_null());
  ASSERT_EQ(
      post("/api/v1/topics/" + id + "/tickets", ds, {{"numbers", {a.number, b.number}}})->status,
      200);
  auto out = body_of(post("/api/v1/topics/" + id + "/resolve", ds, {{"reply", "统一处理"}}));
  ASSERT_EQ(out["resolved"].size(), 1u) << out.dump();
  EXPECT_EQ(out["resolved"][0], a.number);
  ASSERT_EQ(out["skipped"].size(), 1u);
  EXPECT_EQ(out["skipped"][0]["number"], b.number);
  EXPECT_EQ(out["skipped"][0]["code"], "whistles_open");
  EXPECT_EQ(out["topic"]["status"], "open");
  EXPECT_EQ(out["topic"]["open_count"], 1);
  EXPECT_EQ(body_of(get("/api/v1/tickets/" + b.number, ds))["status"], "in_progress");
}

TEST(Topics, WhoMayDoWhat) {
  const std::string ds = login(*g, "ds01"), gw = login(*g, "gw0001");
  const Filed a = file_ticket(gw);
  Json own =
      create_topic(ds, {{"title", "本街道"}, {"category", "env.noise"}, {"street_id", a.street}});
  Json district = create_topic(ds, {{"title", "全区"}, {"category", "env.noise"}});
  const std::string own_id = std::to_string(own["id"].get<int>());
  const std::string district_id = std::to_string(district["id"].get<int>());
  const Json topic = {{"title", "t"}, {"category", "env.noise"}};

  // Anonymous: 401 everywhere.
  expect_error(get("/api/v1/topics"), 401, "");
  expect_error(get("/api/v1/topics/" + own_id), 401, "");
  expect_error(post("/api/v1/topics", "", topic), 401, "");
  expect_error(post("/api/v1/topics/" + own_id + "/resolve", "", {{"reply", "x"}}), 401, "");
  // Roles without a cockpit: 403.
  for (const char* user : {"gw0001", "cz001", "ha01", "ud001"}) {
    SCOPED_TRACE(user);
    const std::string t = login(*g, user);
    expect_error(get("/api/v1/topics", t), 403, "");
    expect_error(post("/api/v1/topics", t, topic), 403, "");
  }
  // Readers who do not open topics: admin, auditor, street staff.
  for (const char* user : {"admin", "auditor", "ss001"}) {
    SCOPED_TRACE(user);
    const std::string t = login(*g, user);
    expect_error(post("/api/v1/topics", t, topic), 403, "");
    expect_error(post("/api/v1/topics/" + own_id + "/tickets", t, {{"numbers", {a.number}}}), 403,
                 "");
    expect_error(post("/api/v1/topics/" + own_id + "/resolve", t, {{"reply", "x"}}), 403, "");
  }
  const std::string auditor = login(*g, "auditor");
  EXPECT_EQ(get("/api/v1/topics/" + district_id, auditor)->status, 200);
  // Street staff read their own street's topics only; others do not exist for them.
  auto me = body_of(get("/api/v1/me", login(*g, "ss001")));
  const std::string ss = login(*g, me["street_id"] == a.street ? "ss001" : "ss003");
  const std::string other = login(*g, me["street_id"] == a.street ? "ss003" : "ss001");
  EXPECT_EQ(get("/api/v1/topics/" + own_id, ss)->status, 200);
  EXPECT_EQ(get("/api/v1/topics/" + own_id + "/tickets", ss)->status, 200);
  expect_error(get("/api/v1/topics/" + district_id, ss), 404, "");
  expect_error(get("/api/v1/topics/" + own_id, other), 404, "");
  expect_error(get("/api/v1/topics/" + own_id + "/tickets", other), 404, "");
  for (const auto& t : body_of(get("/api/v1/topics", other))["items"])
    EXPECT_NE(t["id"], own["id"]);
  for (const auto& t : body_of(get("/api/v1/topics", ss))["items"])
    EXPECT_EQ(t["street_id"], a.street);
}

TEST(Topics, BadInputNamesTheField) {
  const std::string ds = login(*g, "ds01"), gw = login(*g, "gw0001");
  const Filed a = file_ticket(gw);
  const std::vector<std::pair<Json, std::pair<int, std::string>>> cases = {
      {Json{{"category", "env.noise"}}, {422, "title"}},
      {Json{{"title", "   "}, {"category", "env.noise"}}, {422, "title"}},
      {Json{{"title", 7}, {"category", "env.noise"}}, {400, "title"}},
      {Json{{"title", std::string(101, 'x')}, {"category", "env.noise"}}, {422, "title"}},
      {Json{{"title", "t\x01"}, {"category", "env.noise"}}, {422, "title"}},
      {Json{{"title", "t"}}, {422, "category"}},
      {Json{{"title", "t"}, {"category", "no.such"}}, {422, "category"}},
      {Json{{"title", "t"}, {"category", "env.noise"}, {"street_id", "s99"}}, {422, "street_id"}},
      {Json{{"title", "t"}, {"category", "env.noise"}, {"street_id", 3}}, {400, "street_id"}},
      {Json{{"title", "t"}, {"category", "env.noise"}, {"month", "2026-13"}}, {422, "month"}},
      {Json{{"title", "t"}, {"category", "env.noise"}, {"note", std::string(2001, 'x')}},
       {422, "note"}},
      {Json::array(), {400, ""}}};
  for (const auto& [body, want] : cases) {
    SCOPED_TRACE(body.dump().substr(0, 80));
    expect_error(post("/api/v1/topics", ds, body), want.first, want.second);
  }
  auto bad_type = g->client().Post("/api/v1/topics", bearer(ds), "title=t",
                                   "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad_type);
  EXPECT_EQ(bad_type->status, 415);
  auto not_json = g->client().Post("/api/v1/topics", bearer(ds), "{\"title\":", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);

  Json topic =
      create_topic(ds, {{"title", "t"}, {"category", "env.noise"}, {"street_id", a.street}});
  const std::string id = std::to_string(topic["id"].get<int>());
  const std::string link = "/api/v1/topics/" + id + "/tickets";
  expect_error(post(link, ds, Json::object()), 422, "numbers");
  expect_error(post(link, ds, {{"numbers", "RC1"}}), 400, "numbers");
  expect_error(post(link, ds, {{"numbers", Json::array()}}), 422, "numbers");
  expect_error(post(link, ds, {{"numbers", {a.number, 5}}}), 400, "numbers.1");
  expect_error(post(link, ds, {{"numbers", {a.number, "RC2000010100009999"}}}), 422, "numbers.1",
               "unknown_ticket");
  std::vector<std::string> many(201, a.number);
  expect_error(post(link, ds, {{"numbers", many}}), 422, "numbers");
  // Nothing was linked by the refused requests.
  EXPECT_EQ(body_of(get("/api/v1/topics/" + id, ds))["ticket_count"], 0);
  expect_error(post("/api/v1/topics/" + id + "/resolve", ds, {{"reply", "x"}}), 409, "",
               "no_tickets");
  expect_error(post("/api/v1/topics/" + id + "/resolve", ds, Json::object()), 422, "reply");
  expect_error(post("/api/v1/topics/" + id + "/resolve", ds, {{"reply", ""}}), 422, "reply");
  expect_error(post("/api/v1/topics/" + id + "/resolve", ds, {{"reply", false}}), 400, "reply");
  for (const char* bad : {"0", "abc", "999999", "-1", "1e3"}) {
    SCOPED_TRACE(bad);
    expect_error(get(std::string("/api/v1/topics/") + bad, ds), 404, "");
    expect_error(post(std::string("/api/v1/topics/") + bad + "/resolve", ds, {{"reply", "x"}}), 404,
                 "");
  }
  expect_error(get("/api/v1/topics?month=2026-1", ds), 422, "month");
  expect_error(get("/api/v1/topics?status=done", ds), 422, "status");
  expect_error(get("/api/v1/topics?format=xml", ds), 422, "format");
}

// A title is text someone typed: in a CSV export it must never open as a formula, however
// it hides its leading sign (a space, NBSP, a zero-width character, a tab or CR).
TEST(Topics, CsvNeutralisesFormulaTitles) {
  const std::string ds = login(*g, "ds01");
  const std::vector<std::string> titles = {
      "=HYPERLINK(\"http://evil.example/\",\"点此\")",
      " =1+1",
      "\u00A0=1+1",
      "\u200B@SUM(A1)",
      "\u2060+cmd",
      "\t=1",
      "\r=1",
      "-2+3",
  };
  for (const auto& t : titles) create_topic(ds, {{"title", t}, {"category", "env.noise"}});
  auto csv = get("/api/v1/topics?format=csv", ds);
  ASSERT_TRUE(csv && csv->status == 200);
  // Each title is one cell, prefixed with a quote and otherwise whole (quoted as RFC 4180
  // asks where it holds a quote or CR).
  for (const std::string& cell :
       {std::string("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"点此\"\")\""),
        std::string(",' =1+1,"), std::string(",'\u00A0=1+1,"), std::string(",'\u200B@SUM(A1),"),
        std::string(",'\u2060+cmd,"), std::string(",'\t=1,"), std::string(",\"'\r=1\","),
        std::string(",'-2+3,")})
    EXPECT_NE(csv->body.find(cell), std::string::npos) << cell;
  for (const std::string& raw :
       {std::string(",=HYPERLINK"), std::string(",\"=HYPERLINK"), std::string(", =1+1"),
        std::string(",\u00A0=1+1"), std::string(",\u200B@SUM"), std::string(",-2+3")})
    EXPECT_EQ(csv->body.find(raw), std::string::npos) << raw;
}
