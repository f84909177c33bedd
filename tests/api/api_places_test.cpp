// The map's place search and its gazetteer over real HTTP: GET /api/v1/places (matches,
// ranking, limits, bad input, Chinese and characters beyond the BMP, the demo seed's
// 古槐), POST /api/v1/places/import (administrators only, errors by row, nothing half
// imported), and `portal-server import-places` with a real file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"
#include "tests/common/text.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

LazyServer g;

httplib::Result places(ServerProcess& s, const std::string& q, const std::string& limit = "") {
  httplib::Params params{{"q", q}};
  if (!limit.empty()) params.emplace("limit", limit);
  return s.client().Get("/api/v1/places", params, httplib::Headers{});
}

// The names a search answers, in order.
std::vector<std::string> names(ServerProcess& s, const std::string& q,
                               const std::string& limit = "") {
  auto r = places(s, q, limit);
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  std::vector<std::string> out;
  if (!r || r->status != 200) return out;
  const Json items = Json::parse(r->body)["items"];
  for (const auto& item : items) out.push_back(item["name"]);
  return out;
}

httplib::Result import(ServerProcess& s, const std::string& token, const std::string& csv,
                       const std::string& query = "") {
  return s.client().Post("/api/v1/places/import" + query, bearer(token), csv, "text/csv");
}

void expect_error(const httplib::Result& r, int status, const std::string& code,
                  const std::string& field) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  const auto j = Json::parse(r->body, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r->body;
  EXPECT_EQ(j["error"]["code"], code) << r->body;
  EXPECT_EQ(j["error"].value("field", ""), field) << r->body;
}

// [SECTION] Search

// The demo seed's gazetteer holds 古槐路, which runs through 古槐街道; the street itself
// comes first (a street outranks a road), and every answer holds 古槐.
TEST(Places, TheDemoSeedsGuhuaiIsFound) {
  auto r = places(*g, "古槐");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("application/json", 0), 0u);
  const auto items = Json::parse(r->body)["items"];
  ASSERT_EQ(items.size(), 10u) << r->body;  // the default limit
  EXPECT_EQ(items[0]["name"], "古槐街道");
  EXPECT_EQ(items[0]["kind"], "street");
  bool road = false;
  for (const auto& item : items) {
    EXPECT_NE(item["name"].get<std::string>().find("古槐"), std::string::npos) << item.dump();
    for (const char* key : {"name", "kind", "lat", "lng"}) EXPECT_TRUE(item.contains(key)) << key;
    if (item["name"] == "古槐路") {
      road = true;
      EXPECT_EQ(item["kind"], "road");
      EXPECT_EQ(item["street"]["name"], "古槐街道") << item.dump();
      // The point lies in the grid the answer names, as the map will locate it.
      auto at = body_of(
          g->client().Get("/api/v1/grids/locate?lat=" + std::to_string(item["lat"].get<double>()) +
                          "&lng=" + std::to_string(item["lng"].get<double>())));
      EXPECT_EQ(at["grid_id"], item["grid"]["id"]) << item.dump();
    }
  }
  EXPECT_TRUE(road) << r->body;
}

// Best first: the whole name, then its beginning, then inside it; among equals street,
// community, grid, unit, road, landmark; then shorter names.
TEST(Places, RankingIsExactThenPrefixThenSubstringThenKindThenLength) {
  const std::string admin = login(*g, "admin");
  auto r = import(*g, admin,
                  "name,kind,lat,lng\n"
                  "老槐荫,landmark,35.42,116.60\n"
                  "槐荫大厦,landmark,35.42,116.61\n"
                  "槐荫里,landmark,35.43,116.60\n"
                  "槐荫路,road,35.43,116.61\n"
                  "槐荫,landmark,35.44,116.60\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(body_of(r)["imported"], 5);
  EXPECT_EQ(names(*g, "槐荫"),
            (std::vector<std::string>{"槐荫", "槐荫路", "槐荫里", "槐荫大厦", "老槐荫"}));
  // An organisation name outranks a landmark of the same match: the street 古槐街道
  // before the landmark 古槐街道中心小学 (both begin with 古槐街道).
  const auto guhuai = names(*g, "古槐街道", "50");
  ASSERT_FALSE(guhuai.empty());
  EXPECT_EQ(guhuai.front(), "古槐街道");
  // Letters match without case.
  ASSERT_EQ(import(*g, admin, "name,kind,lat,lng\nCBD商务楼,landmark,35.42,116.62\n")->status, 201);
  EXPECT_EQ(names(*g, "cbd"), (std::vector<std::string>{"CBD商务楼"}));
  EXPECT_TRUE(names(*g, "没有这个地方").empty());
}

TEST(Places, LimitsAreHonouredAndBadOnesNamed) {
  EXPECT_EQ(names(*g, "社区", "1").size(), 1u);
  EXPECT_EQ(names(*g, "社区", "50").size(), 50u);
  EXPECT_EQ(names(*g, "社区").size(), 10u);
  for (const char* bad : {"0", "51", "-1", "abc", "1.5", "9999999999", " 5", "0x10"})
    expect_error(places(*g, "社区", bad), 422, "out_of_range", "limit");
  expect_error(g->client().Get("/api/v1/places?q=%E7%A4%BE%E5%8C%BA&limit="), 422, "out_of_range",
               "limit");
}

TEST(Places, BadQueriesAreRefusedNamingQ) {
  expect_error(g->client().Get("/api/v1/places"), 422, "required", "q");
  for (const char* blank : {"", "   ", "\u3000\u3000", " \t "})
    expect_error(places(*g, blank), 422, "required", "q");
  // Counted in characters, not bytes: 50 of 𠮷 (4 bytes each) pass, 51 do not.
  auto fifty = places(*g, repeat("𠮷", 50));
  ASSERT_TRUE(fifty);
  EXPECT_EQ(fifty->status, 200) << fifty->body;
  expect_error(places(*g, repeat("𠮷", 51)), 422, "too_long", "q");
  expect_error(places(*g, repeat("路", 51)), 422, "too_long", "q");
  EXPECT_EQ(places(*g, "  " + repeat("路", 50) + "\u3000")->status, 200);  // trimmed first
  expect_error(g->client().Get("/api/v1/places?q=%FF%FE"), 422, "invalid_utf8", "q");
  expect_error(g->client().Get("/api/v1/places?q=%E8%B7%AF%00"), 422, "control_characters", "q");
  expect_error(places(*g, "路\x07"), 422, "control_characters", "q");
}

TEST(Places, CharactersBeyondTheBmpAreFound) {
  const std::string admin = login(*g, "admin");
  auto r = import(*g, admin, "name,kind,lat,lng\n𠮷祥里,road,35.43,116.61\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(names(*g, "𠮷"), (std::vector<std::string>{"𠮷祥里"}));
  EXPECT_EQ(names(*g, " 𠮷祥 "), (std::vector<std::string>{"𠮷祥里"}));
  // 𠮷 is not 吉: no match by a shared byte or a look-alike.
  for (const auto& n : names(*g, "吉", "50")) EXPECT_EQ(n.find("𠮷"), std::string::npos) << n;
}

// [SECTION] Import

TEST(PlacesImport, OnlyAdministratorsImport) {
  const std::string csv = "name,kind,lat,lng\n权限测试点,landmark,35.42,116.60\n";
  auto anonymous = g->client().Post("/api/v1/places/import", csv, "text/csv");
  expect_error(anonymous, 401, "unauthorized", "");
  for (const char* user : {"cz001", "gw0001", "ha01", "ds01", "ss001", "auditor"})
    expect_error(import(*g, login(*g, user), csv), 403, "forbidden", "");
  EXPECT_TRUE(names(*g, "权限测试点").empty());
  const std::string admin = login(*g, "admin");
  auto wrong_type =
      g->client().Post("/api/v1/places/import", bearer(admin), csv, "application/json");
  expect_error(wrong_type, 415, "unsupported_media_type", "Content-Type");
  expect_error(import(*g, admin, csv, "?replace=yes"), 422, "invalid_boolean", "replace");
  auto ok = import(*g, admin, csv);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  EXPECT_EQ(names(*g, "权限测试点"), (std::vector<std::string>{"权限测试点"}));
}

// A file with any bad row imports nothing; the answer names each bad row, its line in
// the file and the column.
TEST(PlacesImport, BadRowsAreNamedAndNothingIsHalfImported) {
  const std::string admin = login(*g, "admin");
  const std::string csv =
      "名称,类型,纬度,经度\n"                     // line 1: the Chinese header
      "半导入测试甲,地标,35.42,116.60\n"          // row 1: good
      ",road,35.43,116.61\n"                      // row 2: no name
      "半导入测试乙,plaza,35.43,116.61\n"         // row 3: unknown kind
      "\"半导入\n测试丙\",landmark,北纬,116.6\n"  // row 4 (lines 5-6): a line break, no number
      "半导入测试丁,landmark,36.90,116.60\n"      // row 5 (line 7): outside the district
      "半导入测试甲,landmark,35.44,116.62\n"      // row 6: repeats row 1
      "半导入测试戊,road,35.42\n"                 // row 7: a field short
      "半导入测试己,road,35.42,116.63\n";         // row 8: good
  auto r = import(*g, admin, csv);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  const auto j = Json::parse(r->body);
  EXPECT_EQ(j["error"]["code"], "rows_invalid");
  EXPECT_EQ(j["imported"], 0);
  std::vector<std::string> got;
  for (const auto& e : j["errors"])
    got.push_back(std::to_string(e["row"].get<int>()) + "@" + std::to_string(e["line"].get<int>()) +
                  ":" + e["error"].value("field", "") + ":" +
                  e["error"]["code"].get<std::string>());
  EXPECT_EQ(got, (std::vector<std::string>{"2@3:name:required", "3@4:kind:unknown_kind",
                                           "4@5:name:control_characters", "4@5:lat:not_a_number",
                                           "5@7:lat:outside_district", "6@8:name:duplicate_place",
                                           "7@9::wrong_field_count"}));
  EXPECT_EQ(j["error_count"], 7);
  // Neither good row went in.
  EXPECT_TRUE(names(*g, "半导入测试").empty());

  // A header the import does not know is refused as a whole (row 0), and so is a file
  // that is not UTF-8.
  auto header = import(*g, admin, "name,kind,latitude,lng\nx,road,35.4,116.6\n");
  ASSERT_EQ(header->status, 422) << header->body;
  EXPECT_EQ(body_of(header)["errors"][0]["row"], 0);
  auto gbk = import(*g, admin, "name,kind,lat,lng\n\xB9\xC5\xBB\xB1,road,35.42,116.6\n");
  ASSERT_EQ(gbk->status, 422) << gbk->body;
  EXPECT_EQ(body_of(gbk)["errors"][0]["error"]["code"], "invalid_utf8");

  // Fixed, the file goes in whole.
  auto fixed = import(*g, admin,
                      "name,kind,lat,lng\n半导入测试甲,landmark,35.42,116.60\n"
                      "半导入测试己,road,35.42,116.63\n");
  ASSERT_EQ(fixed->status, 201) << fixed->body;
  EXPECT_EQ(body_of(fixed)["imported"], 2);
  EXPECT_EQ(names(*g, "半导入测试"), (std::vector<std::string>{"半导入测试己", "半导入测试甲"}));
}

// ?replace=true makes the gazetteer exactly the file; the organisation's places stay.
TEST(PlacesImport, ReplaceReplacesTheGazetteerOnly) {
  ServerProcess s;
  const std::string admin = login(s, "admin");
  ASSERT_FALSE(names(s, "古槐路").empty());
  auto r = import(s, admin, "name,kind,lat,lng\n唯一的路,road,35.42,116.60\n", "?replace=true");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(names(s, "唯一的路"), (std::vector<std::string>{"唯一的路"}));
  for (const auto& n : names(s, "古槐", "50")) EXPECT_NE(n, "古槐路");
  EXPECT_EQ(names(s, "古槐街道", "1"), (std::vector<std::string>{"古槐街道"}));
}

// [SECTION] The command line

TEST(PlacesCli, ImportsARealFileAndARunningServerPicksItUp) {
  ServerProcess s({"--rate-limit-scale", "1000", "--scheduler-interval", "1"});
  const auto dir = std::filesystem::path(s.db()).parent_path();
  const std::string good = (dir / "places.csv").string(), bad = (dir / "bad.csv").string();
  // With a byte order mark, CRLF line ends and a quoted name with a comma, as a
  // spreadsheet saves "CSV UTF-8".
  std::ofstream(good, std::ios::binary) << "\xEF\xBB\xBFname,kind,lat,lng\r\n"
                                           "命令行导入的路,road,35.41,116.60\r\n"
                                           "\"命令行地标,东门\",landmark,35.42,116.61\r\n";
  std::ofstream(bad, std::ios::binary) << "name,kind,lat,lng\n"
                                          "命令行坏文件甲,landmark,35.42,116.61\n"
                                          "命令行坏文件乙,landmark,35.42,east\n";
  const std::string cli = s.bin() + " import-places --db " + s.db() + " ";

  auto [said, status] = run_command(cli + bad);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << said;
  EXPECT_NE(said.find("row 2 (line 3), lng"), std::string::npos) << said;
  EXPECT_NE(said.find("nothing imported"), std::string::npos) << said;

  std::tie(said, status) = run_command(cli + good);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << said;
  EXPECT_NE(said.find("imported 2 place(s)"), std::string::npos) << said;
  EXPECT_NE(said.find("import-places: ["), std::string::npos) << said;  // progress

  // The server notices the gazetteer changed (its scheduler runs each second here).
  std::vector<std::string> found;
  for (int i = 0; i < 50 && found.empty(); ++i) {
    found = names(s, "命令行");
    if (found.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(found, (std::vector<std::string>{"命令行导入的路", "命令行地标,东门"}));
  EXPECT_TRUE(names(s, "命令行坏文件").empty());

  EXPECT_EQ(s.run({"import-places", "--help"}), 0);
  EXPECT_EQ(s.run({"import-places", "--db", s.db()}), 2);  // no file
  EXPECT_EQ(s.run({"import-places", "--db", s.db(), (dir / "missing.csv").string()}), 1);
  std::tie(said, status) = run_command(cli + "--replace --quiet " + good);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << said;
  EXPECT_EQ(said.find("import-places: ["), std::string::npos) << said;
}

}  // namespace
