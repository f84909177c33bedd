// Point in polygon, the boundary rule (every point of a tiling in exactly one tile),
// the grid index, GeoJSON, and routing over the demo organisation's 1,571 grids.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "portal/core/geo.hpp"
#include "server/service/demo_org.hpp"

namespace {

using portal::core::contains;
using portal::core::GridIndex;
using portal::core::LngLat;
using portal::core::Polygon;
using portal::core::rectangle;
using portal::core::Ring;

int count_containing(const std::vector<Polygon>& polys, LngLat p) {
  int n = 0;
  for (const Polygon& poly : polys) n += contains(poly, p) ? 1 : 0;
  return n;
}

// [SECTION] Point in polygon
TEST(Geo, InsideAndOutsideASquare) {
  const Polygon sq = rectangle(0, 0, 1, 1);
  EXPECT_TRUE(contains(sq, {0.5, 0.5}));
  EXPECT_TRUE(contains(sq, {0.001, 0.999}));
  EXPECT_FALSE(contains(sq, {1.5, 0.5}));
  EXPECT_FALSE(contains(sq, {-0.5, 0.5}));
  EXPECT_FALSE(contains(sq, {0.5, 1.5}));
  EXPECT_FALSE(contains(sq, {0.5, -0.001}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(contains(sq, {nan, 0.5}));
  EXPECT_FALSE(contains(sq, {0.5, std::numeric_limits<double>::infinity()}));
}

TEST(Geo, EdgesAndVerticesOfARectangleAreHalfOpen) {
  // [min_lng, max_lng) x [min_lat, max_lat)
  const Polygon sq = rectangle(0, 0, 1, 1);
  EXPECT_TRUE(contains(sq, {0, 0.5}));   // west edge
  EXPECT_TRUE(contains(sq, {0.5, 0}));   // south edge
  EXPECT_FALSE(contains(sq, {1, 0.5}));  // east edge
  EXPECT_FALSE(contains(sq, {0.5, 1}));  // north edge
  EXPECT_TRUE(contains(sq, {0, 0}));     // south-west corner
  EXPECT_FALSE(contains(sq, {1, 0}));
  EXPECT_FALSE(contains(sq, {0, 1}));
  EXPECT_FALSE(contains(sq, {1, 1}));
}

TEST(Geo, OrientationAndClosingVertexDoNotMatter) {
  const Polygon ccw{{Ring{{0, 0}, {2, 0}, {2, 2}, {0, 2}}}};
  const Polygon cw{{Ring{{0, 0}, {0, 2}, {2, 2}, {2, 0}}}};
  const Polygon closed{{Ring{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}};
  for (LngLat p : std::vector<LngLat>{{1, 1}, {0, 1}, {2, 1}, {1, 0}, {1, 2}, {0, 0}, {3, 3}}) {
    EXPECT_EQ(contains(ccw, p), contains(cw, p)) << p.lng << "," << p.lat;
    EXPECT_EQ(contains(ccw, p), contains(closed, p)) << p.lng << "," << p.lat;
  }
}

TEST(Geo, ConcavePolygonAndHole) {
  // An L shape.
  const Polygon l{{Ring{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 3}, {0, 3}}}};
  EXPECT_TRUE(contains(l, {0.5, 2.5}));
  EXPECT_TRUE(contains(l, {2.5, 0.5}));
  EXPECT_FALSE(contains(l, {2, 2}));
  // A square with a square hole.
  Polygon donut = rectangle(0, 0, 4, 4);
  donut.rings.push_back(Ring{{1, 1}, {3, 1}, {3, 3}, {1, 3}});
  EXPECT_TRUE(contains(donut, {0.5, 0.5}));
  EXPECT_FALSE(contains(donut, {2, 2}));
  EXPECT_TRUE(contains(donut, {3.5, 2}));
  EXPECT_NEAR(portal::core::area(donut), 12.0, 1e-12);
}

TEST(Geo, SharedEdgesBelongToExactlyOnePolygon) {
  // Two rectangles side by side and one on top (a T-junction along y = 1).
  const std::vector<Polygon> tiles = {rectangle(0, 0, 1, 1), rectangle(1, 0, 2, 1),
                                      rectangle(0, 1, 2, 2)};
  for (double x = 0; x < 2; x += 0.125)
    for (double y = 0; y < 2; y += 0.125)
      EXPECT_EQ(count_containing(tiles, {x, y}), 1) << x << "," << y;
  EXPECT_TRUE(contains(tiles[1], {1, 0.5}));  // the shared north-south edge: the east tile
  EXPECT_TRUE(contains(tiles[2], {0.5, 1}));  // the shared east-west edge: the north tile
  EXPECT_TRUE(contains(tiles[2], {1, 1}));    // the T-junction vertex
}

TEST(Geo, SlantedSharedEdgesToo) {
  // A 4x4 square, every cell split along its diagonal into two triangles, the triangles
  // of neighbouring cells sharing edges and vertices; plus points along the diagonals.
  std::vector<Polygon> tris;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const double x0 = 0.1 * i, x1 = 0.1 * (i + 1), y0 = 0.1 * j, y1 = 0.1 * (j + 1);
      tris.push_back(Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}}}});
      tris.push_back(Polygon{{Ring{{x0, y0}, {x1, y1}, {x0, y1}}}});
    }
  int checked = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const double x0 = 0.1 * i, y0 = 0.1 * j;
      for (int k = 0; k <= 20; ++k) {
        const double t = k / 20.0;
        // On the diagonal (as floating point puts it), on the cell's edges, at its corner.
        for (LngLat p : std::vector<LngLat>{
                 {x0 + 0.1 * t, y0 + 0.1 * t}, {x0 + 0.1 * t, y0}, {x0, y0 + 0.1 * t}, {x0, y0}}) {
          if (p.lng >= 0.4 || p.lat >= 0.4) continue;
          EXPECT_EQ(count_containing(tris, p), 1) << p.lng << "," << p.lat;
          ++checked;
        }
      }
    }
  EXPECT_GT(checked, 1000);
}

TEST(Geo, BBoxAndCentroid) {
  const Polygon tri{{Ring{{0, 0}, {3, 0}, {0, 3}}}};
  const auto b = portal::core::bbox(tri);
  EXPECT_EQ(b.min_lng, 0);
  EXPECT_EQ(b.max_lat, 3);
  EXPECT_TRUE(b.contains({3, 3}));
  EXPECT_FALSE(b.contains({3.1, 0}));
  const LngLat c = portal::core::centroid(tri);
  EXPECT_NEAR(c.lng, 1.0, 1e-12);
  EXPECT_NEAR(c.lat, 1.0, 1e-12);
  const LngLat r = portal::core::centroid(rectangle(116.4, 35.3, 116.5, 35.4));
  EXPECT_NEAR(r.lng, 116.45, 1e-9);
  EXPECT_NEAR(r.lat, 35.35, 1e-9);
  EXPECT_TRUE(portal::core::BBox{}.empty());
}

// A label or a search result must point inside its area, even where the centroid
// does not (a C shape, a ring around a hole).
TEST(Geo, InteriorPointLiesInside) {
  const Polygon square = rectangle(116.4, 35.3, 116.5, 35.4);
  const LngLat s = portal::core::interior_point(square);
  EXPECT_NEAR(s.lng, 116.45, 1e-9);
  EXPECT_NEAR(s.lat, 35.35, 1e-9);
  const Polygon c{{Ring{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}}}};
  ASSERT_FALSE(contains(c, portal::core::centroid(c)));
  EXPECT_TRUE(contains(c, portal::core::interior_point(c)));
  Polygon donut = rectangle(0, 0, 4, 4);
  donut.rings.push_back(Ring{{0.5, 0.5}, {3.5, 0.5}, {3.5, 3.5}, {0.5, 3.5}});
  ASSERT_FALSE(contains(donut, portal::core::centroid(donut)));
  EXPECT_TRUE(contains(donut, portal::core::interior_point(donut)));
}

// [SECTION] GeoJSON
TEST(Geo, GeoJsonRoundTrip) {
  const Polygon p = rectangle(116.4, 35.3, 116.5, 35.4);
  const auto j = portal::core::to_geojson(p);
  EXPECT_EQ(j["type"], "Polygon");
  ASSERT_EQ(j["coordinates"][0].size(), 5u);  // closed
  EXPECT_EQ(j["coordinates"][0][0], j["coordinates"][0][4]);
  auto back = portal::core::polygon_from_geojson(j);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->rings.size(), 1u);
  EXPECT_EQ(back->rings[0], p.rings[0]);
}

TEST(Geo, GeoJsonErrorsNameTheField) {
  using portal::core::Json;
  auto e = portal::core::polygon_from_geojson(Json::parse(R"({"type":"Point"})"));
  EXPECT_EQ(e.error().field, "geometry.type");
  e = portal::core::polygon_from_geojson(Json::parse(R"({"type":"Polygon","coordinates":[]})"));
  EXPECT_EQ(e.error().field, "geometry.coordinates");
  e = portal::core::polygon_from_geojson(
      Json::parse(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"x"]]]})"));
  EXPECT_EQ(e.error().field, "geometry.coordinates[0][2]");
  e = portal::core::polygon_from_geojson(
      Json::parse(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})"));
  EXPECT_EQ(e.error().code, "too_short");
  e = portal::core::polygon_from_geojson(
      Json::parse(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,200]]]})"));
  EXPECT_EQ(e.error().code, "out_of_range");
  e = portal::core::polygon_from_geojson(Json::array());
  EXPECT_EQ(e.error().status, 422);
}

// [SECTION] The index
TEST(Geo, IndexLocatesAndReturnsNulloptOutside) {
  GridIndex idx(
      {{"a", rectangle(0, 0, 1, 1)}, {"b", rectangle(1, 0, 2, 1)}, {"c", rectangle(0, 1, 2, 2)}});
  EXPECT_EQ(idx.size(), 3u);
  // Note the order: latitude first.
  EXPECT_EQ(idx.locate(0.5, 0.5), "a");
  EXPECT_EQ(idx.locate(0.5, 1.5), "b");
  EXPECT_EQ(idx.locate(1.5, 0.2), "c");
  EXPECT_EQ(idx.locate(0.5, 1.0), "b");            // shared edge: east
  EXPECT_EQ(idx.locate(1.0, 0.5), "c");            // shared edge: north
  EXPECT_FALSE(idx.locate(2.0, 0.5).has_value());  // the outline's north edge is outside
  EXPECT_FALSE(idx.locate(0.5, 2.0).has_value());
  EXPECT_FALSE(idx.locate(-0.1, 0.5).has_value());
  EXPECT_FALSE(idx.locate(50, 50).has_value());
  EXPECT_FALSE(idx.locate(std::nan(""), 0.5).has_value());
  EXPECT_EQ(idx.locate_index({0.5, 0.5}), 0u);
  EXPECT_EQ(idx.query({0.9, 0.9, 1.1, 1.1}), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(idx.query({1.5, 0.1, 1.6, 0.2}), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(idx.query({5, 5, 6, 6}).empty());
  GridIndex empty;
  EXPECT_FALSE(empty.locate(0, 0).has_value());
}

TEST(Geo, IndexWithAHoleAndOverlapsIsDeterministic) {
  Polygon donut = rectangle(0, 0, 4, 4);
  donut.rings.push_back(Ring{{1, 1}, {3, 1}, {3, 3}, {1, 3}});
  GridIndex idx(
      {{"donut", donut}, {"inner", rectangle(1, 1, 3, 3)}, {"late", rectangle(0, 0, 4, 4)}}, 8);
  EXPECT_EQ(idx.locate(2, 2), "inner");
  EXPECT_EQ(idx.locate(0.5, 0.5), "donut");  // "late" overlaps: the first added wins
}

// [SECTION] The demo organisation's grids
class DemoGrids : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    org_ = new portal::server::DemoOrg(portal::server::generate_demo_org(1));
    std::vector<std::pair<std::string, Polygon>> items;
    for (const auto& g : org_->grids) items.push_back({g.id, g.polygon});
    index_ = new GridIndex(std::move(items));
  }
  static void TearDownTestSuite() {
    delete index_;
    delete org_;
  }
  static portal::server::DemoOrg* org_;
  static GridIndex* index_;
};
portal::server::DemoOrg* DemoGrids::org_ = nullptr;
GridIndex* DemoGrids::index_ = nullptr;

TEST_F(DemoGrids, EveryGridContainsItsCentroid) {
  ASSERT_EQ(org_->grids.size(), 1571u);
  for (const auto& g : org_->grids) {
    EXPECT_TRUE(contains(g.polygon, g.centroid)) << g.id;
    EXPECT_EQ(index_->locate(g.centroid.lat, g.centroid.lng), g.id);
  }
}

TEST_F(DemoGrids, SampledPointsLandInExactlyOneGrid) {
  using namespace portal::server::demo;
  std::vector<LngLat> points;
  // A lattice over the district, including its south and west borders.
  for (int i = 0; i < 120; ++i)
    for (int j = 0; j < 100; ++j)
      points.push_back(
          {kMinLng + (kMaxLng - kMinLng) * i / 120.0, kMinLat + (kMaxLat - kMinLat) * j / 100.0});
  // Every grid corner and the midpoints of its edges: the shared borders themselves.
  for (const auto& g : org_->grids) {
    const auto& r = g.polygon.rings[0];
    for (std::size_t k = 0; k < r.size(); ++k) {
      const LngLat a = r[k], b = r[(k + 1) % r.size()];
      points.push_back(a);
      points.push_back({(a.lng + b.lng) / 2, (a.lat + b.lat) / 2});
    }
  }
  // Brute force over every grid (a point outside a grid's closed box is outside the grid).
  std::vector<portal::core::BBox> boxes;
  for (const auto& g : org_->grids) boxes.push_back(portal::core::bbox(g.polygon));
  int inside = 0;
  for (const LngLat& p : points) {
    int n = 0;
    std::size_t found = 0;
    for (std::size_t i = 0; i < org_->grids.size(); ++i) {
      if (boxes[i].contains(p) && contains(org_->grids[i].polygon, p)) {
        ++n;
        found = i;
      }
    }
    const bool in_district = p.lng < kMaxLng && p.lat < kMaxLat;
    if (!in_district) {
      EXPECT_EQ(n, 0) << p.lng << "," << p.lat;
      EXPECT_FALSE(index_->locate(p.lat, p.lng).has_value());
      continue;
    }
    ++inside;
    ASSERT_EQ(n, 1) << p.lng << "," << p.lat;
    EXPECT_EQ(index_->locate(p.lat, p.lng), org_->grids[found].id) << p.lng << "," << p.lat;
  }
  EXPECT_GT(inside, 12000);
}

TEST_F(DemoGrids, OutsideTheDistrictIsNowhere) {
  EXPECT_FALSE(index_->locate(35.29, 116.5).has_value());
  EXPECT_FALSE(index_->locate(35.4, 116.76).has_value());
  EXPECT_FALSE(index_->locate(36.65, 117.12).has_value());  // Jinan
  EXPECT_FALSE(index_->locate(35.55, 116.5).has_value());   // on the north border
  EXPECT_TRUE(index_->locate(35.30, 116.40).has_value());   // the south-west corner is in
  EXPECT_TRUE(index_->locate(35.5499999, 116.7499999).has_value());
}

TEST_F(DemoGrids, GridsTileTheDistrict) {
  double total = 0;
  for (const auto& g : org_->grids) {
    const double a = portal::core::area(g.polygon);
    EXPECT_GT(a, 0) << g.id;
    total += a;
  }
  EXPECT_NEAR(total, 0.35 * 0.25, 1e-9);
}

}  // namespace
