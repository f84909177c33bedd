// The cockpit's statistics and the public board over real HTTP: who may read what,
// CSV answers, parameter errors that name the field, and a public board free of
// personal data.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <tuple>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

void add_rated_ticket_and_history(ServerProcess& server);
portal::test::LazyServer g({"--rate-limit-scale", "1000"}, add_rated_ticket_and_history);

// The contact, description and comment of the one ticket this file files and rates:
// none of them may appear on the public board.
const char* const kName = "欧阳测试";
const char* const kPhone = "13800138123";
const char* const kDescription = "统计测试：楼道里堆满杂物，消防通道被堵";
const char* const kComment = "处理得很好，谢谢欧阳测试的邻居";
std::string g_grid, g_street;

httplib::Result get(const std::string& path, const std::string& token = {},
                    httplib::Headers extra = {}) {
  httplib::Headers h = token.empty() ? httplib::Headers{} : bearer(token);
  for (auto& [k, v] : extra) h.emplace(k, v);
  return g->client().Get(path.c_str(), h);
}

// A ticket filed, handled and rated by its citizen, then some history around it.
void add_rated_ticket_and_history(ServerProcess&) {
  {
    const std::string gw = login(*g, "gw0001");
    auto me = body_of(g->client().Get("/api/v1/me", bearer(gw)));
    g_grid = me["grid_ids"][0];
    g_street = me["street_id"];
    Json ticket = {{"category", "city.road"},
                   {"description", kDescription},
                   {"location", {{"lat", 35.45}, {"lng", 116.55}, {"address", "统计测试小区"}}},
                   {"grid_id", g_grid},
                   {"contact", {{"name", kName}, {"phone", kPhone}}}};
    auto sub = g->client().Post("/api/v1/tickets", ticket.dump(), "application/json");
    ASSERT_TRUE(sub && sub->status == 201) << (sub ? sub->body : "");
    const std::string number = body_of(sub)["number"], code = body_of(sub)["access_code"];
    for (Json a : {Json{{"action", "accept"}}, Json{{"action", "resolve"}, {"reply", "已清理"}}}) {
      auto r = g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(gw),
                                a.dump(), "application/json");
      ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
    }
    auto rate = g->client().Post(
        ("/api/v1/tickets/" + number + "/rating").c_str(), {{"X-Access-Code", code}},
        Json{{"resolved", true}, {"satisfaction", 5}, {"comment", kComment}}.dump(),
        "application/json");
    ASSERT_TRUE(rate && rate->status == 200) << (rate ? rate->body : "");
    // History beside the running server (WAL: the server keeps serving).
    ASSERT_EQ(g->run({"seed", "--db", g->db(), "--demo", "--tickets", "400"}), 0);
  }
}

void expect_error(const httplib::Result& r, int status, const std::string& field) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  auto j = Json::parse(r->body, nullptr, false);
  EXPECT_EQ(j["error"].value("field", ""), field) << r->body;
}

}  // namespace

TEST(Stats, OverviewNeedsACockpitRole) {
  expect_error(get("/api/v1/stats/overview"), 401, "");
  expect_error(get("/api/v1/stats/overview", login(*g, "gw0001")), 403, "");
  expect_error(get("/api/v1/stats/ranking?dim=grid", login(*g, "ha01")), 403, "");

  auto r = get("/api/v1/stats/overview?from=2000-01-01", login(*g, "ds01"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto o = body_of(r);
  for (const char* k :
       {"total", "by_status", "by_level", "by_channel", "by_category", "backlog", "overdue",
        "response_rate", "rating_rate", "rated", "resolved", "on_time_rate", "resolution_rate",
        "satisfaction_rate", "avg_handle_hours", "reopen_rate"})
    EXPECT_TRUE(o.contains(k)) << k;
  EXPECT_GE(o["total"].get<int>(), 401);
  EXPECT_EQ(o["scope"], "district");
  EXPECT_GT(o["satisfaction_rate"].get<double>(), 0.0);
  EXPECT_LE(o["satisfaction_rate"].get<double>(), 1.0);
  // 评价率 and its n: our rated ticket and the history's, some of the resolved ones.
  const auto rated = o["rated"].get<std::int64_t>(), resolved = o["resolved"].get<std::int64_t>();
  EXPECT_GE(rated, 1);
  EXPECT_LT(rated, resolved);
  EXPECT_DOUBLE_EQ(o["rating_rate"].get<double>(),
                   std::round(10000.0 * rated / resolved) / 10000.0);
  EXPECT_EQ(o["ratios"]["rating_rate"], (Json{{"numerator", rated}, {"denominator", resolved}}));
  // Every other rate with its parts too, and each the quotient of them.
  for (const auto& [rate, num, den] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"response_rate", "responded", "response_due"},
           {"on_time_rate", "resolved_on_time", "resolved_now"},
           {"resolution_rate", "solved", "rated"},
           {"satisfaction_rate", "satisfied", "rated"},
           {"reopen_rate", "reopened", "resolved"}}) {
    const auto n = o[num].get<std::int64_t>(), d = o[den].get<std::int64_t>();
    ASSERT_GT(d, 0) << rate;
    EXPECT_LE(n, d) << rate;
    EXPECT_DOUBLE_EQ(o[rate].get<double>(), std::round(10000.0 * n / d) / 10000.0) << rate;
  }
}

TEST(Stats, StreetStaffSeeOnlyTheirStreet) {
  g.get();  // the server and its data, which set g_street
  // The demo has two street staff per street, in street order: ss001 and ss002 for s01.
  const int k = std::stoi(g_street.substr(1));
  char own[16];
  std::snprintf(own, sizeof own, "ss%03d", 2 * k - 1);
  const std::string ss = login(*g, own);
  ASSERT_EQ(body_of(get("/api/v1/me", ss))["street_id"], g_street);
  std::string other_street;
  auto org = body_of(get("/api/v1/org"));
  for (const auto& s : org["streets"])
    if (s["id"] != g_street) other_street = s["id"];

  auto mine = get("/api/v1/stats/overview?from=2000-01-01", ss);
  ASSERT_TRUE(mine && mine->status == 200) << (mine ? mine->body : "");
  EXPECT_EQ(body_of(mine)["scope"], "street:" + g_street);
  const auto scope_name = body_of(mine)["scope_name"];
  ASSERT_TRUE(scope_name.is_string()) << scope_name;
  EXPECT_FALSE(scope_name.get<std::string>().empty());
  EXPECT_NE(scope_name.get<std::string>(), g_street);
  EXPECT_GE(body_of(mine)["total"].get<int>(), 1);
  auto grid = get("/api/v1/stats/trend?interval=month&scope=grid:" + g_grid, ss);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->status, 200) << grid->body;
  expect_error(get("/api/v1/stats/overview?scope=street:" + other_street, ss), 403, "scope");
  expect_error(get("/api/v1/stats/overview?scope=district", ss), 403, "scope");
  expect_error(get("/api/v1/stats/heatmap?scope=street:" + other_street, ss), 403, "scope");
  auto rk = get("/api/v1/stats/ranking?dim=community&metric=total", ss);
  ASSERT_TRUE(rk && rk->status == 200);
  for (const auto& item : body_of(rk)["items"])
    EXPECT_EQ(item["id"].get<std::string>().rfind(g_street, 0), 0u) << item["id"];
}

TEST(Stats, EveryEndpointAnswers) {
  const std::string ds = login(*g, "ds01");
  auto rk =
      body_of(get("/api/v1/stats/ranking?dim=street&metric=on_time_rate&from=2000-01-01", ds));
  EXPECT_EQ(rk["items"].size(), 15u);
  EXPECT_EQ(rk["items"][0]["rank"], 1);
  EXPECT_FALSE(rk["items"][0]["name"].get<std::string>().empty());
  auto units = body_of(get("/api/v1/stats/ranking?dim=unit&metric=total&from=2000-01-01", ds));
  EXPECT_GE(units["items"].size(), 21u);  // 16 departments, 5 utilities
  auto tr = body_of(get("/api/v1/stats/trend?interval=week", ds));
  EXPECT_EQ(tr["items"].size(), 12u);
  for (const auto& item : tr["items"]) EXPECT_TRUE(item.contains("rating_rate")) << item;
  // Streets ranked by 评价率, best first, each value its own rated ÷ resolved.
  auto by_rating =
      body_of(get("/api/v1/stats/ranking?dim=street&metric=rating_rate&from=2000-01-01", ds));
  EXPECT_EQ(by_rating["metric"], "rating_rate");
  ASSERT_EQ(by_rating["items"].size(), 15u);
  EXPECT_EQ(by_rating["items"][0]["rank"], 1);
  for (std::size_t i = 1; i < by_rating["items"].size(); ++i) {
    const Json &prev = by_rating["items"][i - 1]["value"], &cur = by_rating["items"][i]["value"];
    if (!cur.is_null()) EXPECT_GE(prev.get<double>(), cur.get<double>());
  }
  EXPECT_EQ(by_rating["items"][0]["value"], by_rating["items"][0]["rating_rate"]);
  auto hm = get("/api/v1/stats/heatmap?from=2000-01-01", ds);
  ASSERT_TRUE(hm && hm->status == 200);
  auto cells = body_of(hm);
  ASSERT_TRUE(cells.is_array());
  ASSERT_FALSE(cells.empty());
  EXPECT_TRUE(cells[0].contains("grid_id") && cells[0].contains("count"));
  auto wh = get("/api/v1/stats/whistles?from=2000-01-01", ds);
  ASSERT_TRUE(wh && wh->status == 200);
  EXPECT_FALSE(body_of(wh)["items"].empty());
  auto tp = get("/api/v1/stats/topics?month=2026-01", ds);
  ASSERT_TRUE(tp && tp->status == 200) << tp->body;
  EXPECT_EQ(body_of(tp)["month"], "2026-01");
  EXPECT_TRUE(body_of(tp)["items"].is_array());
  EXPECT_EQ(get("/api/v1/stats/topics", ds)->status, 200);
  EXPECT_EQ(get("/api/v1/stats/overview?scope=unit:dept.housing", ds)->status, 200);
}

TEST(Stats, CsvOnRequest) {
  const std::string ds = login(*g, "ds01");
  for (auto [path, accept] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/stats/ranking?dim=street&metric=total&format=csv", ""},
           {"/api/v1/stats/ranking?dim=street&metric=total", "text/csv"}}) {
    auto r =
        get(path, ds, accept.empty() ? httplib::Headers{} : httplib::Headers{{"Accept", accept}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_NE(r->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
    EXPECT_EQ(r->body.rfind("\xEF\xBB\xBFrank,id,name,parent,total,", 0), 0u)
        << r->body.substr(0, 80);
    EXPECT_NE(r->body.find("\r\n"), std::string::npos);
    EXPECT_NE(r->body.find("街道"), std::string::npos);  // Chinese street names, as UTF-8
    std::size_t lines = 0;
    for (char c : r->body) lines += c == '\n';
    EXPECT_EQ(lines, 16u);  // header and 15 streets
  }
  auto ocsv = get("/api/v1/stats/overview?format=csv", ds);
  ASSERT_TRUE(ocsv && ocsv->status == 200);
  EXPECT_NE(ocsv->body.find("\r\nrate,rating_rate,,"), std::string::npos) << ocsv->body;
  EXPECT_NE(ocsv->body.find("\r\nrating_rate,resolved,,"), std::string::npos);
  auto tcsv = get("/api/v1/stats/trend?format=csv", ds);
  ASSERT_TRUE(tcsv && tcsv->status == 200);
  EXPECT_EQ(
      tcsv->body.rfind("\xEF\xBB\xBFperiod,total,backlog,overdue,response_rate,rating_rate,", 0),
      0u)
      << tcsv->body.substr(0, 120);
  for (const char* path :
       {"/api/v1/stats/overview?format=csv", "/api/v1/stats/trend?format=csv",
        "/api/v1/stats/heatmap?format=csv", "/api/v1/stats/topics?format=csv",
        "/api/v1/stats/whistles?format=csv", "/api/v1/public/board?format=csv&table=ratings"}) {
    auto r = get(path, ds);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path << " " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8") << path;
  }
  expect_error(get("/api/v1/public/board?format=csv&table=phones"), 422, "table");
}

TEST(Stats, BadParametersNameTheField) {
  const std::string ds = login(*g, "ds01");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/stats/overview?from=yesterday", "from"},
      {"/api/v1/stats/overview?to=2026-13-01", "to"},
      {"/api/v1/stats/overview?from=2026-11-25T08:00:00", "from"},
      {"/api/v1/stats/overview?from=2026-11-25&to=2026-11-01", "to"},
      {"/api/v1/stats/overview?scope=street", "scope"},
      {"/api/v1/stats/overview?scope=galaxy:1", "scope"},
      {"/api/v1/stats/overview?scope=street:nowhere", "scope"},
      {"/api/v1/stats/overview?format=xml", "format"},
      {"/api/v1/stats/ranking?dim=planet", "dim"},
      {"/api/v1/stats/ranking?metric=speed", "metric"},
      {"/api/v1/stats/trend?interval=hour", "interval"},
      {"/api/v1/stats/trend?interval=day&from=1990-01-01", "from"},
      {"/api/v1/stats/topics?month=2026-1", "month"},
      {"/api/v1/stats/topics?month=2099-01", "month"},
      {"/api/v1/stats/topics?limit=0", "limit"},
      {"/api/v1/public/board?from=soon", "from"},
      {"/api/v1/public/board?from=2000-01-01", "from"}};
  for (const auto& [path, field] : cases) {
    SCOPED_TRACE(path);
    expect_error(get(path, path.find("/public/") != std::string::npos ? "" : ds), 422, field);
  }
}

TEST(Stats, PublicBoardWithoutSignInOrPersonalData) {
  auto r = get("/api/v1/public/board");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto b = body_of(r);
  EXPECT_TRUE(b["district"].contains("satisfaction_rate"));
  EXPECT_EQ(b["streets"].size(), 15u);
  ASSERT_FALSE(b["recent_ratings"].empty());
  // Our own rating is the newest: it shows, but nothing of the person or the words.
  EXPECT_EQ(b["recent_ratings"][0]["satisfaction"], 5);
  EXPECT_EQ(b["recent_ratings"][0]["category"], "city.road");
  for (const char* secret : {kName, kPhone, kDescription, kComment, "统计测试", "欧阳"})
    EXPECT_EQ(r->body.find(secret), std::string::npos) << secret;
  // No phone numbers, names of people, descriptions or ticket numbers at all.
  EXPECT_FALSE(std::regex_search(r->body, std::regex("1[3-9][0-9]{9}")));
  EXPECT_FALSE(std::regex_search(r->body, std::regex("RC[0-9]{16}")));
  std::set<std::string> keys;
  for (const auto& rating : b["recent_ratings"])
    for (auto& [k, v] : rating.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"date", "satisfaction", "resolved", "category",
                                         "category_name", "street_id", "street_name"}));
  for (const char* k : {"description", "contact", "phone", "comment", "name", "number"})
    EXPECT_EQ(r->body.find(std::string("\"") + k + "\":\"1"), std::string::npos) << k;
  // A token is not needed, and a bad one is not even looked at.
  auto with_bad_token = get("/api/v1/public/board", "garbage");
  ASSERT_TRUE(with_bad_token);
  EXPECT_EQ(with_bad_token->status, 200);
  auto csv = get("/api/v1/public/board?format=csv");
  ASSERT_TRUE(csv && csv->status == 200);
  EXPECT_EQ(csv->body.find(kPhone), std::string::npos);
}
