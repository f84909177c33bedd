// The place search and its gazetteer: queries, the CSV import's checks (rows, lines,
// columns), and, on a seeded database of either backend (suite
// Places, run on PostgreSQL as unit.pg.Places), the store's gazetteer, the index over
// the whole district and the service's import and refresh.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "server/service/csv.hpp"
#include "server/service/places.hpp"
#include "tests/common/text.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;

namespace {

using portal::test::repeat;

// [SECTION] Queries

TEST(PlaceQuery, TrimsFoldsAndCountsCharacters) {
  EXPECT_EQ(*place_query("  古槐 "), "古槐");
  EXPECT_EQ(*place_query("\u3000古槐\u3000\t"), "古槐");  // an IME's space too
  EXPECT_EQ(*place_query("CBD中心"), "cbd中心");
  EXPECT_EQ(*place_query(repeat("𠮷", 50)), repeat("𠮷", 50));  // 200 bytes, 50 characters
  EXPECT_EQ(place_query(repeat("𠮷", 51)).error().code, "too_long");
  for (const char* blank : {"", " ", "\u3000", " \u3000 \t"}) {
    auto e = place_query(blank);
    ASSERT_FALSE(e.ok()) << blank;
    EXPECT_EQ(e.error().code, "required");
    EXPECT_EQ(e.error().field, "q");
    EXPECT_EQ(e.error().status, 422);
  }
  EXPECT_EQ(place_query("\xFF").error().code, "invalid_utf8");
  EXPECT_EQ(place_query("\xE5\x8F").error().code, "invalid_utf8");  // a cut character
  EXPECT_EQ(place_query(std::string("路\0路", 7)).error().code, "control_characters");
}

// [SECTION] CSV

TEST(Csv, RecordsKnowTheLineTheyStartOn) {
  const CsvRecords csv = read_csv("a,b\r\n\"x\ny\",2\n\n3,\"q\"\"\"\r4,5");
  ASSERT_FALSE(csv.error);
  ASSERT_EQ(csv.records.size(), 5u);
  EXPECT_EQ(csv.lines, (std::vector<int>{1, 2, 4, 5, 6}));
  EXPECT_EQ(csv.records[1][0], "x\ny");
  EXPECT_TRUE(is_blank_record(csv.records[2]));
  EXPECT_EQ(csv.records[3][1], "q\"");
  const CsvRecords open = read_csv("a\n\"b\nc");
  ASSERT_TRUE(open.error);
  EXPECT_EQ(open.error_record, 1);
  EXPECT_EQ(open.error_line, 2);
}

// [SECTION] On a seeded database (both backends)

class Places : public test::ServiceTest {
 protected:
  void SetUp() override {
    test::ServiceTest::SetUp();
    service_ = std::make_unique<PlaceService>(*store_, org_);
    ASSERT_TRUE(service_->load().ok());
  }
  void TearDown() override {
    service_.reset();
    test::ServiceTest::TearDown();
  }

  std::vector<std::string> names(const std::string& q, int limit = kMaxPlaceResults) {
    auto answer = service_->search(q, limit);
    EXPECT_TRUE(answer.ok()) << q;
    std::vector<std::string> out;
    if (!answer.ok()) return out;
    const core::Json items = core::Json::parse(*answer)["items"];
    for (const auto& item : items) out.push_back(item["name"]);
    return out;
  }

  PlaceImportBatch parse(const std::string& csv) {
    return parse_places_csv(csv, *org_, kMaxPlaceImportRows);
  }

  std::unique_ptr<PlaceService> service_;
};

// Errors as "row@line:field:code".
std::vector<std::string> summary(const PlaceImportBatch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.errors)
    out.push_back(std::to_string(e.row) + "@" + std::to_string(e.line) + ":" + e.error.field + ":" +
                  e.error.code);
  return out;
}

TEST_F(Places, TheSeedWroteTheGazetteer) {
  auto rows = store_->places();
  ASSERT_TRUE(rows.ok());
  EXPECT_GE(rows->size(), 300u);
  auto stamp = store_->places_stamp();
  ASSERT_TRUE(stamp.ok());
  EXPECT_EQ(stamp->count, static_cast<std::int64_t>(rows->size()));
  EXPECT_EQ(stamp->max_id, rows->back().id);
  const auto guhuai = std::find_if(rows->begin(), rows->end(),
                                   [](const PlaceRow& r) { return r.name == "古槐路"; });
  ASSERT_NE(guhuai, rows->end());
  EXPECT_EQ(guhuai->kind, "road");
  ASSERT_NE(org_->street(guhuai->street_id), nullptr);
  EXPECT_EQ(org_->street(guhuai->street_id)->name, "古槐街道");
  // The index holds every street, community and grid, the located units and the
  // gazetteer.
  std::size_t units = 0;
  for (const auto& u : org_->data().units) units += u.lat && u.lng;
  const auto& org = org_->data();
  EXPECT_EQ(service_->index()->size(),
            org.streets.size() + org.communities.size() + org.grids.size() + units + rows->size());
}

// Added places replace their namesakes (same name and kind) under a new id; replace
// makes the gazetteer exactly the rows; the stamp moves with every change.
TEST_F(Places, StoreAddsReplacesAndStampsTheGazetteer) {
  const PlacesStamp before = *store_->places_stamp();
  std::vector<std::int64_t> progress;
  auto n = store_->write_places(
      {{0, "试验路", "road", 35.42, 116.60, "s01"}, {0, "试验路", "landmark", 35.43, 116.61, ""}},
      false, [&](std::int64_t done, std::int64_t total) {
        progress.push_back(done);
        EXPECT_EQ(total, 2);
      });
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(progress.back(), 2);
  const PlacesStamp added = *store_->places_stamp();
  EXPECT_EQ(added.count, before.count + 2);
  EXPECT_GT(added.max_id, before.max_id);

  // Written again at another point: moved, not doubled, and the stamp moves.
  ASSERT_TRUE(store_->write_places({{0, "试验路", "road", 35.44, 116.62, ""}}, false, {}).ok());
  const PlacesStamp moved = *store_->places_stamp();
  EXPECT_EQ(moved.count, added.count);
  EXPECT_NE(moved, added);
  auto rows = *store_->places();
  int roads = 0;
  for (const auto& r : rows)
    if (r.name == "试验路" && r.kind == "road") {
      ++roads;
      EXPECT_DOUBLE_EQ(r.lat, 35.44);
      EXPECT_DOUBLE_EQ(r.lng, 116.62);
      EXPECT_EQ(r.street_id, "");
    }
  EXPECT_EQ(roads, 1);

  ASSERT_TRUE(store_->write_places({{0, "唯一", "landmark", 35.4, 116.6, "s02"}}, true, {}).ok());
  rows = *store_->places();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "唯一");
  EXPECT_EQ(rows[0].street_id, "s02");
  ASSERT_TRUE(store_->write_places({}, true, {}).ok());
  EXPECT_EQ(store_->places_stamp()->count, 0);
}

TEST_F(Places, SearchRanksAndLimits) {
  ASSERT_TRUE(store_
                  ->write_places({{0, "老槐荫", "landmark", 35.42, 116.60, ""},
                                  {0, "槐荫大厦", "landmark", 35.42, 116.60, ""},
                                  {0, "槐荫里", "landmark", 35.42, 116.60, ""},
                                  {0, "槐荫路", "road", 35.42, 116.60, ""},
                                  {0, "槐荫", "landmark", 35.42, 116.60, ""}},
                                 false, {})
                  .ok());
  ASSERT_TRUE(service_->refresh().ok());
  EXPECT_EQ(names("槐荫"),
            (std::vector<std::string>{"槐荫", "槐荫路", "槐荫里", "槐荫大厦", "老槐荫"}));
  EXPECT_EQ(names("槐荫", 2), (std::vector<std::string>{"槐荫", "槐荫路"}));

  // 古槐: the street first (an organisation place outranks a road), and 古槐路 in the
  // answer, placed in 古槐街道.
  auto answer = core::Json::parse(*service_->search("古槐", 50))["items"];
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(answer[0]["name"], "古槐街道");
  EXPECT_EQ(answer[0]["kind"], "street");
  EXPECT_EQ(answer[0]["id"], "s01");
  bool road = false;
  for (const auto& item : answer) {
    EXPECT_NE(item["name"].get<std::string>().find("古槐"), std::string::npos);
    if (item["name"] == "古槐路") {
      road = true;
      EXPECT_EQ(item["street"]["name"], "古槐街道");
      const auto grid = org_->locate(item["lat"].get<double>(), item["lng"].get<double>());
      ASSERT_TRUE(grid);
      EXPECT_EQ(item["grid"]["id"], *grid);
    }
  }
  EXPECT_TRUE(road);

  // Each kind of the organisation is found with its whereabouts, at a point inside it.
  const GridRow& g = org_->data().grids.front();
  answer = core::Json::parse(*service_->search(g.name, 1))["items"];
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0]["kind"], "grid");
  EXPECT_EQ(answer[0]["id"], g.id);
  EXPECT_EQ(answer[0]["community"]["id"], g.community_id);
  EXPECT_EQ(answer[0]["street"]["id"], g.street_id);
  EXPECT_EQ(org_->locate(answer[0]["lat"].get<double>(), answer[0]["lng"].get<double>()),
            std::optional(g.id));
  const CommunityRow& c = org_->data().communities.front();
  answer = core::Json::parse(*service_->search(c.name, 1))["items"];
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0]["kind"], "community");
  EXPECT_EQ(
      org_->grid(*org_->locate(answer[0]["lat"].get<double>(), answer[0]["lng"].get<double>()))
          ->community_id,
      c.id);
  EXPECT_FALSE(answer[0].contains("community"));
  answer = core::Json::parse(*service_->search("任城区社会矛盾纠纷调处化解中心", 1))["items"];
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0]["kind"], "unit");
  EXPECT_EQ(answer[0]["id"], "med.district");

  EXPECT_EQ(service_->search("古槐", 0).error().field, "limit");
  EXPECT_EQ(service_->search("古槐", 51).error().field, "limit");
  EXPECT_EQ(service_->search(" ", 5).error().field, "q");
  EXPECT_TRUE(names("没有这个地方").empty());
  EXPECT_TRUE(names("𠮷").empty());
}

// At the district's size (1,571 grids, units and the seed's gazetteer grown to a few
// thousand places) a search takes well under the 5 ms it may.
TEST_F(Places, SearchIsFastAtTheDistrictsSize) {
  std::vector<PlaceRow> more;
  for (int i = 0; i < 3000; ++i)
    more.push_back({0, "测试地标" + std::to_string(i) + (i % 2 ? "小区" : "路口"),
                    i % 3 ? "landmark" : "road", 35.35 + (i % 100) * 0.001,
                    116.45 + (i / 100) * 0.005, ""});
  ASSERT_TRUE(store_->write_places(more, false, {}).ok());
  ASSERT_TRUE(service_->refresh().ok());
  ASSERT_GE(service_->index()->size(), 6000u);
  std::vector<double> ms;
  for (int round = 0; round < 20; ++round)
    for (const char* q : {"古槐", "社区", "路", "第1网格", "小区", "测试地标12", "太白楼", "x"}) {
      const auto t0 = std::chrono::steady_clock::now();
      auto a = service_->search(q, kMaxPlaceResults);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      ASSERT_TRUE(a.ok());
    }
  std::sort(ms.begin(), ms.end());
  const double p50 = ms[ms.size() / 2], p99 = ms[ms.size() * 99 / 100];
  std::printf("places search over %zu places: p50 %.3f ms, p99 %.3f ms\n",
              service_->index()->size(), p50, p99);
  EXPECT_LT(p50, 5.0);
}

// Another instance's import (here: rows written behind the service's back) is seen
// after a refresh, and not before.
TEST_F(Places, RefreshSeesPlacesWrittenElsewhere) {
  ASSERT_TRUE(
      raw_sql("INSERT INTO places(name, kind, lat, lng) VALUES ('别处导入的地标', "
              "'landmark', 35.42, 116.6)"));
  EXPECT_TRUE(names("别处导入").empty());
  ASSERT_TRUE(service_->refresh().ok());
  EXPECT_EQ(names("别处导入"), (std::vector<std::string>{"别处导入的地标"}));
  const auto index = service_->index();
  ASSERT_TRUE(service_->refresh().ok());
  EXPECT_EQ(service_->index(), index);  // nothing changed: the same index
}

TEST_F(Places, ImportChecksEveryRow) {
  auto b = parse(
      "\xEF\xBB\xBF"
      "lng, 名称 ,KIND,lat\r\n"
      "116.60,好地方,landmark,35.42\r\n"
      "116.61,路口,道路,35.43\r\n");
  EXPECT_TRUE(b.errors.empty()) << summary(b).front();
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_EQ(b.rows[0].name, "好地方");
  EXPECT_EQ(b.rows[1].kind, "road");
  EXPECT_DOUBLE_EQ(b.rows[1].lat, 35.43);
  EXPECT_EQ(b.rows[1].street_id, org_->grid(*org_->locate(35.43, 116.61))->street_id);

  b = parse(
      "name,kind,lat,lng\n"
      "甲,landmark,35.42,116.60\n"
      "\n"
      "乙,landmark,91,116.60\n"
      "丙,landmark,35.42,-181\n"
      "丁,landmark,35.42,\n"
      "" +
      repeat("长", 51) +
      ",road,35.42,116.6\n"
      "甲,landmark,35.43,116.61\n"
      "甲,road,35.43,116.61\n"
      "戊,,35.4,116.6\n"
      "己\t,road,35.4,116.6\n"
      "庚,road,35.2,116.6\n");
  EXPECT_EQ(summary(b), (std::vector<std::string>{"3@4:lat:out_of_range", "4@5:lng:out_of_range",
                                                  "5@6:lng:required", "6@7:name:too_long",
                                                  "7@8:name:duplicate_place", "9@10:kind:required",
                                                  "11@12:lat:outside_district"}));
  // 己 with a tab around it is trimmed; 甲 as a road is another place than 甲 the landmark.
  EXPECT_EQ(b.rows.size(), 3u);

  EXPECT_EQ(summary(parse("name,kind,lat\n甲,road,35.4\n")),
            (std::vector<std::string>{"0@1:lng:missing_column"}));
  EXPECT_EQ(summary(parse("name,kind,lat,lng,lat,note\n")),
            (std::vector<std::string>{"0@1:lat:duplicate_column", "0@1:note:unknown_column"}));
  EXPECT_EQ(summary(parse("name,kind,lat,lng\n\n")),
            (std::vector<std::string>{"0@1::empty_batch"}));
  EXPECT_EQ(summary(parse("")), (std::vector<std::string>{"0@1::missing_header"}));
  EXPECT_EQ(summary(parse("name,kind,lat,lng\n\"甲,road,35.4,116.6\n")),
            (std::vector<std::string>{"1@2::malformed_csv"}));
  EXPECT_EQ(summary(parse_places_csv("name,kind,lat,lng\na,road,35.42,116.6\nb,road,35.42,116.6\n",
                                     *org_, 1)),
            (std::vector<std::string>{"0@1::too_many_rows"}));
}

TEST_F(Places, ImportIsForAdministratorsAndAllOrNothing) {
  const std::string good = "name,kind,lat,lng\n服务导入甲,landmark,35.42,116.60\n";
  const std::string bad = good + "服务导入乙,landmark,35.42,abc\n";
  for (const char* user : {"cz001", "gw0001", "ds01", "auditor"}) {
    auto r = service_->import_csv(good, "text/csv", actor(user), false);
    ASSERT_FALSE(r.ok()) << user;
    EXPECT_EQ(r.error().status, 403) << user;
  }
  EXPECT_EQ(service_->import_csv(good, "text/csv", Actor{}, false).error().status, 401);
  const Actor admin = actor("admin");
  EXPECT_EQ(service_->import_csv(good, "text/plain", admin, false).error().status, 415);

  const PlacesStamp before = *store_->places_stamp();
  auto refused = service_->import_csv(bad, "text/csv; charset=utf-8", admin, false);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 422);
  EXPECT_EQ(refused->body["error"]["code"], "rows_invalid");
  EXPECT_EQ(refused->body["imported"], 0);
  ASSERT_EQ(refused->body["errors"].size(), 1u);
  EXPECT_EQ(refused->body["errors"][0]["row"], 2);
  EXPECT_EQ(refused->body["errors"][0]["line"], 3);
  EXPECT_EQ(refused->body["errors"][0]["error"]["field"], "lng");
  EXPECT_EQ(*store_->places_stamp(), before);
  EXPECT_TRUE(names("服务导入").empty());

  auto ok = service_->import_csv(good, "text/csv", admin, false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 201);
  EXPECT_EQ(ok->body["imported"], 1);
  EXPECT_EQ(names("服务导入"), (std::vector<std::string>{"服务导入甲"}));  // at once

  ok = service_->import_csv("name,kind,lat,lng\n只剩我,road,35.42,116.60\n", "text/csv", admin,
                            true);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(store_->places_stamp()->count, 1);
  EXPECT_TRUE(names("服务导入").empty());
  EXPECT_EQ(names("古槐街道", 1), (std::vector<std::string>{"古槐街道"}));
}

}  // namespace
