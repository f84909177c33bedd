// Grid geometry: polygons in longitude/latitude, point in polygon with a rule that
// gives every point of a tiling to exactly one tile, and an index that finds the grid
// of a point quickly (routing, SPEC §4).
//
// [SECTION] The boundary rule
// Containment is even-odd over all rings, with a half-open rule on the boundary: a ray
// goes from the point towards +lng; an edge counts when it spans the point's latitude
// half-open (lower end included, upper excluded, horizontal edges never) and the point
// lies strictly to its left. Each edge is evaluated with its end points in a canonical
// order (lower latitude first), so an edge shared by two polygons gives both the same
// answer, and a point on it belongs to exactly one of them: across a north-south edge to
// the polygon east of it, across an east-west edge to the polygon north of it. For an
// axis-aligned rectangle this is exactly [min_lng, max_lng) x [min_lat, max_lat), and the
// tests along axis-aligned edges are exact in floating point, T-junctions included.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"

namespace portal::core {

struct LngLat {
  double lng = 0;
  double lat = 0;
  bool operator==(const LngLat&) const = default;
};

// A ring lists its vertices once (no closing repeat needed; one is ignored).
using Ring = std::vector<LngLat>;

struct Polygon {
  std::vector<Ring> rings;  // rings[0] the outline, the others holes
};

struct BBox {
  double min_lng = std::numeric_limits<double>::infinity();
  double min_lat = std::numeric_limits<double>::infinity();
  double max_lng = -std::numeric_limits<double>::infinity();
  double max_lat = -std::numeric_limits<double>::infinity();

  bool empty() const { return min_lng > max_lng || min_lat > max_lat; }
  void extend(LngLat p);
  void extend(const BBox& b);
  bool contains(LngLat p) const;         // closed
  bool intersects(const BBox& b) const;  // closed
};

Polygon rectangle(double min_lng, double min_lat, double max_lng, double max_lat);
BBox bbox(const Polygon& p);
bool contains(const Polygon& poly, LngLat p);
// Planar area in square degrees (holes subtracted) and the area centroid.
double area(const Polygon& p);
LngLat centroid(const Polygon& p);
// A point inside the polygon, for a label or a search result to point at: the centroid
// when it lies inside (always for a convex polygon), otherwise the middle of the widest
// inside span of the line of latitude through the centroid (or through the middle of
// the bounding box).
LngLat interior_point(const Polygon& p);

// GeoJSON geometry {"type":"Polygon","coordinates":[[[lng,lat],...]]}, rings closed.
Json to_geojson(const Polygon& p);
// Accepts closed or open rings; at least 3 vertices per ring, finite numbers.
Result<Polygon> polygon_from_geojson(const Json& geometry);

// [SECTION] The index
// A uniform bucket grid over the polygons' extent: each bucket lists the polygons whose
// bounding box touches it. Where polygons overlap, the first added wins.
class GridIndex {
 public:
  GridIndex() = default;
  // buckets_per_side = 0 picks about four buckets per polygon.
  explicit GridIndex(std::vector<std::pair<std::string, Polygon>> grids, int buckets = 0);

  // Note the order: latitude first, as in ?lat=..&lng=..
  std::optional<std::string> locate(double lat, double lng) const;
  std::optional<std::size_t> locate_index(LngLat p) const;
  // Polygons whose bounding box meets the box, in insertion order.
  std::vector<std::size_t> query(const BBox& box) const;

  std::size_t size() const { return ids_.size(); }
  const std::string& id(std::size_t i) const { return ids_[i]; }
  const Polygon& polygon(std::size_t i) const { return polys_[i]; }
  const BBox& bounds() const { return bounds_; }

 private:
  int bucket_x(double lng) const;
  int bucket_y(double lat) const;

  std::vector<std::string> ids_;
  std::vector<Polygon> polys_;
  std::vector<BBox> boxes_;
  BBox bounds_;
  int nx_ = 0, ny_ = 0;
  double cell_w_ = 1, cell_h_ = 1;
  std::vector<std::size_t> offsets_;  // CSR: bucket b holds items_[offsets_[b] .. offsets_[b+1])
  std::vector<std::size_t> items_;
};

}  // namespace portal::core
