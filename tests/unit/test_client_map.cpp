// The map's model (client/app/map_model): Web Mercator, regions built from the grids,
// where names go, and the boundary lines between communities and between streets.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "app/map_model.hpp"

namespace portal::client {
namespace {

// A lattice of 4 x 2 grids of 0.01 degrees: columns 0-1 are street S1 (communities C1 in
// column 0, C2 in column 1), columns 2-3 street S2 (one community C3).
std::vector<GridShape> lattice() {
  std::vector<GridShape> out;
  for (int col = 0; col < 4; ++col)
    for (int row = 0; row < 2; ++row) {
      GridShape g;
      g.id = "g" + std::to_string(col) + std::to_string(row);
      g.name = "网格" + std::to_string(col) + std::to_string(row);
      g.street_id = col < 2 ? "S1" : "S2";
      g.community_id = col == 0 ? "C1" : col == 1 ? "C2" : "C3";
      const double x0 = 116.5 + col * 0.01, y0 = 35.4 + row * 0.01;
      g.ring = {{x0, y0}, {x0 + 0.01, y0}, {x0 + 0.01, y0 + 0.01}, {x0, y0 + 0.01}, {x0, y0}};
      out.push_back(g);
    }
  return out;
}

double length(const std::vector<MapData::Segment>& lines) {
  double s = 0;
  for (const auto& l : lines) s += std::hypot(l.b.x - l.a.x, l.b.y - l.a.y);
  return s;
}

TEST(ClientMap, MercatorRoundTrip) {
  const MercPoint p = to_mercator(35.41, 116.59);
  EXPECT_GT(p.x, 0.5);
  EXPECT_LT(p.y, 0.5);  // north of the equator is up (y down)
  double lat = 0, lng = 0;
  from_mercator(p, lat, lng);
  EXPECT_NEAR(lat, 35.41, 1e-9);
  EXPECT_NEAR(lng, 116.59, 1e-9);
  // Tile 0/0/0 is the world; zoom 1 splits it at the equator and the meridian.
  EXPECT_NEAR(to_mercator(0, 0).x, 0.5, 1e-12);
  EXPECT_NEAR(to_mercator(0, 0).y, 0.5, 1e-12);
}

TEST(ClientMap, RegionsCarryNamesAndNamePointsInside) {
  OrgNames names;
  names.streets = {{"S1", "古槐街道"}, {"S2", "济阳街道"}};
  names.communities = {{"C1", "东门社区"}, {"C2", "西门社区"}, {"C3", "南门社区"}};
  const auto m = build_map(lattice(), names, {});
  ASSERT_EQ(m->grids.size(), 8u);
  ASSERT_EQ(m->streets.size(), 2u);
  ASSERT_EQ(m->communities.size(), 3u);
  EXPECT_EQ(m->streets[0].name, "古槐街道");
  EXPECT_EQ(m->communities[2].name, "南门社区");
  for (const auto& r : m->streets) {
    EXPECT_GE(m->grid_at(r.label), 0) << r.name << "'s name point is on the map";
    EXPECT_GT(r.area, 0);
  }
  // The street of two columns is twice as wide as a grid; communities of one column are a
  // grid wide, the two-column one twice (the median of 1, 1, 2 is 1).
  EXPECT_NEAR(m->street_width / m->grid_width, 2.0, 1e-6);
  EXPECT_NEAR(m->community_width / m->grid_width, 1.0, 1e-6);
  // Names unknown (org not loaded): regions exist without names.
  const auto bare = build_map(lattice(), {}, {});
  EXPECT_EQ(bare->streets.size(), 2u);
  EXPECT_TRUE(bare->streets[0].name.empty());
}

TEST(ClientMap, GridAtFindsTheGridUnderAPoint) {
  const auto m = build_map(lattice(), {}, {});
  const int i = m->grid_at(to_mercator(35.415, 116.525));  // column 2, row 1
  ASSERT_GE(i, 0);
  EXPECT_EQ(m->grids[static_cast<std::size_t>(i)].id, "g21");
  EXPECT_EQ(m->grid_at(to_mercator(35.0, 116.0)), -1);
  EXPECT_EQ(m->find("g31"), 7);
  EXPECT_EQ(m->find("nope"), -1);
}

TEST(ClientMap, BoundariesSeparateStreetsAndCommunities) {
  const auto m = build_map(lattice(), {}, {});
  const double cell = m->grids[0].hi.x - m->grids[0].lo.x;
  // Both rows (Mercator stretches the northern one a little).
  const double rows_h =
      (m->grids[0].hi.y - m->grids[0].lo.y) + (m->grids[1].hi.y - m->grids[1].lo.y);
  // Street lines: the district's outline (4 cells wide, 2 high, twice each) and the line
  // between the streets (both rows).
  EXPECT_NEAR(length(m->street_lines), 2 * 4 * cell + 2 * rows_h + rows_h, cell * 1e-6);
  // Community lines: only between C1 and C2 (both rows); C3 spans two columns, so the
  // line between columns 2 and 3 is no boundary, nor the rows' line.
  EXPECT_NEAR(length(m->community_lines), rows_h, cell * 1e-6);
  // A shared edge is drawn once.
  EXPECT_EQ(m->community_lines.size(), 2u);
}

}  // namespace
}  // namespace portal::client
