// The ticket list's text search (GET /tickets?q=) over real HTTP: description, address
// and number, with the other filters and the caller's scope. The matching itself, on
// both backends: tests/unit/test_search.cpp.
#include <gtest/gtest.h>

#include <set>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

std::string submit(double lat, double lng, const std::string& description,
                   const std::string& address) {
  Json body = {{"category", "city.streetlight"},
               {"description", description},
               {"location", {{"lat", lat}, {"lng", lng}, {"address", address}}},
               {"contact", {{"name", "赵敏"}, {"phone", "13812345678"}}}};
  auto r = g->client().Post("/api/v1/tickets", body.dump(), "application/json");
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  return r && r->status == 201 ? body_of(r)["number"].get<std::string>() : "";
}

std::string encoded(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

httplib::Result list(const std::string& token, const std::string& query) {
  return g->client().Get(("/api/v1/tickets?" + query).c_str(), bearer(token));
}

// The numbers listed, in order; the total must agree with them.
std::vector<std::string> numbers(const httplib::Result& r) {
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  if (!r || r->status != 200) return {};
  const Json j = body_of(r);
  std::vector<std::string> out;
  for (const auto& it : j["items"]) out.push_back(it["number"]);
  EXPECT_EQ(j["total"], out.size()) << r->body;
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST(Search, DescriptionAddressAndNumberWithFiltersAndScope) {
  const std::string gw = login(*g, "gw0002");
  const std::string ds = login(*g, "ds01");
  auto [lat, lng] = point_in_grid_of(*g, gw);
  // Words no other test writes.
  const std::string a = submit(lat, lng, "犄角旮旯的路灯一闪一闪", "罡风巷7号");
  const std::string b = submit(lat, lng, "犄角处井盖缺失", "罡风巷东口");
  const std::string far = submit(35.0, 116.0, "犄角旮旯也黑", "别处");
  ASSERT_FALSE(a.empty() || b.empty() || far.empty());

  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + encoded("犄角旮旯"))), (V{far, a}));
  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + encoded("罡"))), (V{b, a}));
  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + encoded("罡风巷7"))), (V{a}));
  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + encoded("犄角 井盖"))), (V{b}));
  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + a)), (V{a}));
  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + encoded(" rc") + a.substr(2))), (V{a}));
  // The grid worker's queue holds its grid's open tickets only.
  EXPECT_EQ(numbers(list(gw, "scope=queue&q=" + encoded("犄角"))), (V{b, a}));
  // With another filter: a accepted is no longer "assigned".
  auto r = g->client().Post(("/api/v1/tickets/" + a + "/actions").c_str(), bearer(gw),
                            Json{{"action", "accept"}}.dump(), "application/json");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  EXPECT_EQ(numbers(list(gw, "scope=all&status=accepted&q=" + encoded("犄角"))), (V{a}));
  EXPECT_EQ(numbers(list(gw, "scope=all&status=assigned&q=" + encoded("犄角"))), (V{b}));
  EXPECT_EQ(numbers(list(ds, "scope=all&overdue=true&q=" + encoded("犄角"))), V{});
  EXPECT_EQ(numbers(list(ds, "scope=all&category=env.noise&q=" + encoded("犄角"))), V{});
  EXPECT_EQ(numbers(list(ds, "scope=all&q=" + encoded("角犄"))), V{});
}

TEST(Search, AnOverlongQueryNamesTheField) {
  const std::string ds = login(*g, "ds01");
  std::string q;
  for (int i = 0; i < 201; ++i) q += "路";
  auto r = list(ds, "scope=all&q=" + encoded(q));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(body_of(r)["error"]["field"], "q");
  r = list(ds, "scope=all&q=%FF");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(body_of(r)["error"]["field"], "q");
  q.pop_back();
  q.pop_back();
  q.pop_back();
  EXPECT_EQ(list(ds, "scope=all&q=" + encoded(q))->status, 200);
}
