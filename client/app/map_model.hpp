// The district's map, built once per answer of GET /api/v1/grids (and /api/v1/org for
// the names of streets and communities) and shared by every frame that draws it: the
// grids in Web Mercator, the streets and communities they make up, where each region's
// name goes, and the boundary lines between communities and between streets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/model.hpp"

namespace portal::client {

// Web Mercator in world units: x and y in [0, 1], y down (the XYZ tile scheme's).
struct MercPoint {
  double x = 0, y = 0;
};
MercPoint to_mercator(double lat, double lng);
void from_mercator(MercPoint p, double& lat, double& lng);

struct MapData {
  struct Grid {
    std::string id, name;
    int community = -1, street = -1;  // indices into communities, streets
    std::vector<MercPoint> ring;      // not closed
    MercPoint lo, hi, label;          // bounding box; where its name goes
  };
  struct Region {  // a community or a street: the grids that carry its id
    std::string id, name;
    MercPoint lo, hi, label;
    double area = 0;  // world units squared
  };
  struct Segment {
    MercPoint a, b;
  };
  std::vector<Grid> grids;
  std::vector<Region> communities, streets;
  // Boundaries: between streets (and around the district), and between communities of
  // one street.
  std::vector<Segment> street_lines, community_lines;
  MercPoint lo, hi;  // of all grids
  // Median widths in world units: the map draws grid lines and community boundaries only
  // once grids and communities are wide enough on screen to show them apart.
  double street_width = 0, community_width = 0, grid_width = 0;
  Basemap basemap;

  int find(const std::string& grid_id) const;  // -1 when unknown
  int grid_at(MercPoint p) const;              // the grid containing p, or -1

  // A uniform bucket index over the grids' boxes (for grid_at).
  int cols = 0, rows = 0;
  std::vector<std::vector<int>> buckets;
};

std::shared_ptr<const MapData> build_map(const std::vector<GridShape>& grids, const OrgNames& names,
                                         const Basemap& basemap);

}  // namespace portal::client
