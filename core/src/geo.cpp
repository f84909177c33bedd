#include "portal/core/geo.hpp"

#include <algorithm>
#include <cmath>

namespace portal::core {

// [SECTION] Boxes and polygons
void BBox::extend(LngLat p) {
  min_lng = std::min(min_lng, p.lng);
  min_lat = std::min(min_lat, p.lat);
  max_lng = std::max(max_lng, p.lng);
  max_lat = std::max(max_lat, p.lat);
}

void BBox::extend(const BBox& b) {
  if (b.empty()) return;
  extend(LngLat{b.min_lng, b.min_lat});
  extend(LngLat{b.max_lng, b.max_lat});
}

bool BBox::contains(LngLat p) const {
  return p.lng >= min_lng && p.lng <= max_lng && p.lat >= min_lat && p.lat <= max_lat;
}

bool BBox::intersects(const BBox& b) const {
  return !empty() && !b.empty() && b.min_lng <= max_lng && b.max_lng >= min_lng &&
         b.min_lat <= max_lat && b.max_lat >= min_lat;
}

Polygon rectangle(double min_lng, double min_lat, double max_lng, double max_lat) {
  return Polygon{
      {Ring{{min_lng, min_lat}, {max_lng, min_lat}, {max_lng, max_lat}, {min_lng, max_lat}}}};
}

BBox bbox(const Polygon& p) {
  BBox b;
  for (const Ring& r : p.rings)
    for (const LngLat& v : r) b.extend(v);
  return b;
}

bool contains(const Polygon& poly, LngLat p) {
  if (!std::isfinite(p.lng) || !std::isfinite(p.lat)) return false;
  bool inside = false;
  for (const Ring& ring : poly.rings) {
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      // Canonical order: a is the lower end. Horizontal edges never count.
      LngLat a = ring[j], b = ring[i];
      if (a.lat == b.lat) continue;
      if (a.lat > b.lat) std::swap(a, b);
      if (p.lat < a.lat || p.lat >= b.lat) continue;
      const double cross = (b.lng - a.lng) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lng - a.lng);
      if (cross > 0) inside = !inside;  // p strictly left of the upward edge
    }
  }
  return inside;
}

namespace {

double ring_signed_area2(const Ring& r) {
  double s = 0;
  const std::size_t n = r.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) s += r[j].lng * r[i].lat - r[i].lng * r[j].lat;
  return s;
}

}  // namespace

double area(const Polygon& p) {
  double total = 0;
  for (std::size_t k = 0; k < p.rings.size(); ++k) {
    const double a = std::abs(ring_signed_area2(p.rings[k])) / 2;
    total += k == 0 ? a : -a;
  }
  return total;
}

LngLat centroid(const Polygon& p) {
  // Area-weighted over rings (holes with negative weight), relative to the first vertex
  // for precision.
  if (p.rings.empty() || p.rings[0].empty()) return {};
  const LngLat o = p.rings[0][0];
  double a_sum = 0, x_sum = 0, y_sum = 0;
  for (std::size_t k = 0; k < p.rings.size(); ++k) {
    const Ring& r = p.rings[k];
    const std::size_t n = r.size();
    double a2 = 0, cx = 0, cy = 0;
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      const double xj = r[j].lng - o.lng, yj = r[j].lat - o.lat;
      const double xi = r[i].lng - o.lng, yi = r[i].lat - o.lat;
      const double c = xj * yi - xi * yj;
      a2 += c;
      cx += (xj + xi) * c;
      cy += (yj + yi) * c;
    }
    // Outline counts positive and holes negative, whatever their orientation.
    const double sign = (a2 >= 0 ? 1.0 : -1.0) * (k == 0 ? 1.0 : -1.0);
    a_sum += sign * a2;
    x_sum += sign * cx;
    y_sum += sign * cy;
  }
  if (a_sum == 0) {
    BBox b = bbox(p);
    return {(b.min_lng + b.max_lng) / 2, (b.min_lat + b.max_lat) / 2};
  }
  return {o.lng + x_sum / (3 * a_sum), o.lat + y_sum / (3 * a_sum)};
}

LngLat interior_point(const Polygon& p) {
  const LngLat c = centroid(p);
  if (contains(p, c)) return c;
  const BBox b = bbox(p);
  for (const double lat : {c.lat, (b.min_lat + b.max_lat) / 2}) {
    // Where the line of latitude crosses the rings, west to east: inside between the
    // first and second crossing, the third and fourth, ...
    std::vector<double> xs;
    for (const Ring& r : p.rings)
      for (std::size_t i = 0, j = r.empty() ? 0 : r.size() - 1; i < r.size(); j = i++) {
        const LngLat a = r[j], e = r[i];
        if ((a.lat <= lat) == (e.lat <= lat)) continue;
        xs.push_back(a.lng + (lat - a.lat) * (e.lng - a.lng) / (e.lat - a.lat));
      }
    std::sort(xs.begin(), xs.end());
    double best = 0;
    std::optional<LngLat> found;
    for (std::size_t k = 0; k + 1 < xs.size(); k += 2)
      if (xs[k + 1] - xs[k] > best) {
        const LngLat m{(xs[k] + xs[k + 1]) / 2, lat};
        if (!contains(p, m)) continue;
        best = xs[k + 1] - xs[k];
        found = m;
      }
    if (found) return *found;
  }
  return c;
}

// [SECTION] GeoJSON
Json to_geojson(const Polygon& p) {
  Json coords = Json::array();
  for (const Ring& r : p.rings) {
    Json ring = Json::array();
    for (const LngLat& v : r) ring.push_back(Json::array({v.lng, v.lat}));
    if (!r.empty() && !(r.front() == r.back())) ring.push_back(Json::array({r[0].lng, r[0].lat}));
    coords.push_back(std::move(ring));
  }
  return Json{{"type", "Polygon"}, {"coordinates", std::move(coords)}};
}

Result<Polygon> polygon_from_geojson(const Json& g) {
  constexpr std::size_t kMaxVertices = 100000;
  if (!g.is_object()) return Error::invalid("geometry", "invalid_type", "expected an object");
  const auto type = g.find("type");
  if (type == g.end() || !type->is_string() || type->get<std::string>() != "Polygon")
    return Error::invalid("geometry.type", "invalid_value", "expected \"Polygon\"");
  const auto coords = g.find("coordinates");
  if (coords == g.end() || !coords->is_array() || coords->empty())
    return Error::invalid("geometry.coordinates", "invalid_value", "expected an array of rings");
  Polygon p;
  std::size_t total = 0;
  for (std::size_t k = 0; k < coords->size(); ++k) {
    const Json& ring = (*coords)[k];
    const std::string field = "geometry.coordinates[" + std::to_string(k) + "]";
    if (!ring.is_array()) return Error::invalid(field, "invalid_type", "expected a ring");
    Ring r;
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const Json& v = ring[i];
      if (!v.is_array() || v.size() < 2 || !v[0].is_number() || !v[1].is_number())
        return Error::invalid(field + "[" + std::to_string(i) + "]", "invalid_type",
                              "expected [lng, lat]");
      const LngLat pt{v[0].get<double>(), v[1].get<double>()};
      if (!std::isfinite(pt.lng) || !std::isfinite(pt.lat) || std::abs(pt.lng) > 180 ||
          std::abs(pt.lat) > 90)
        return Error::invalid(field + "[" + std::to_string(i) + "]", "out_of_range",
                              "longitude or latitude out of range");
      r.push_back(pt);
      if (++total > kMaxVertices)
        return Error::invalid("geometry.coordinates", "too_large", "too many vertices");
    }
    if (r.size() >= 2 && r.front() == r.back()) r.pop_back();
    if (r.size() < 3) return Error::invalid(field, "too_short", "a ring needs 3 vertices");
    p.rings.push_back(std::move(r));
  }
  return p;
}

// [SECTION] GridIndex
GridIndex::GridIndex(std::vector<std::pair<std::string, Polygon>> grids, int buckets) {
  ids_.reserve(grids.size());
  polys_.reserve(grids.size());
  for (auto& [id, poly] : grids) {
    boxes_.push_back(bbox(poly));
    bounds_.extend(boxes_.back());
    ids_.push_back(std::move(id));
    polys_.push_back(std::move(poly));
  }
  if (bounds_.empty()) return;
  const double w = std::max(bounds_.max_lng - bounds_.min_lng, 1e-9);
  const double h = std::max(bounds_.max_lat - bounds_.min_lat, 1e-9);
  if (buckets > 0) {
    nx_ = ny_ = buckets;
  } else {
    const double cells = 4.0 * static_cast<double>(std::max<std::size_t>(ids_.size(), 1));
    nx_ = std::clamp(static_cast<int>(std::ceil(std::sqrt(cells * w / h))), 1, 1024);
    ny_ = std::clamp(static_cast<int>(std::ceil(cells / nx_)), 1, 1024);
  }
  cell_w_ = w / nx_;
  cell_h_ = h / ny_;
  // Two passes: count, then fill (compressed rows).
  const std::size_t nb = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  std::vector<std::size_t> counts(nb + 1, 0);
  auto for_each_bucket = [&](const BBox& b, auto&& fn) {
    const int x0 = bucket_x(b.min_lng), x1 = bucket_x(b.max_lng);
    const int y0 = bucket_y(b.min_lat), y1 = bucket_y(b.max_lat);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) fn(static_cast<std::size_t>(y) * nx_ + x);
  };
  for (std::size_t i = 0; i < boxes_.size(); ++i)
    if (!boxes_[i].empty()) for_each_bucket(boxes_[i], [&](std::size_t b) { ++counts[b + 1]; });
  for (std::size_t b = 0; b < nb; ++b) counts[b + 1] += counts[b];
  offsets_ = counts;
  items_.assign(offsets_.back(), 0);
  std::vector<std::size_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (std::size_t i = 0; i < boxes_.size(); ++i)
    if (!boxes_[i].empty())
      for_each_bucket(boxes_[i], [&](std::size_t b) { items_[fill[b]++] = i; });
}

int GridIndex::bucket_x(double lng) const {
  const double f = std::floor((lng - bounds_.min_lng) / cell_w_);
  return static_cast<int>(std::clamp(f, 0.0, static_cast<double>(nx_ - 1)));
}

int GridIndex::bucket_y(double lat) const {
  const double f = std::floor((lat - bounds_.min_lat) / cell_h_);
  return static_cast<int>(std::clamp(f, 0.0, static_cast<double>(ny_ - 1)));
}

std::optional<std::size_t> GridIndex::locate_index(LngLat p) const {
  if (nx_ == 0 || !std::isfinite(p.lng) || !std::isfinite(p.lat) || !bounds_.contains(p))
    return std::nullopt;
  const std::size_t b = static_cast<std::size_t>(bucket_y(p.lat)) * nx_ + bucket_x(p.lng);
  // Items of a bucket are in insertion order, so the first hit is the first added.
  for (std::size_t k = offsets_[b]; k < offsets_[b + 1]; ++k) {
    const std::size_t i = items_[k];
    if (boxes_[i].contains(p) && contains(polys_[i], p)) return i;
  }
  return std::nullopt;
}

std::optional<std::string> GridIndex::locate(double lat, double lng) const {
  if (auto i = locate_index({lng, lat})) return ids_[*i];
  return std::nullopt;
}

std::vector<std::size_t> GridIndex::query(const BBox& box) const {
  std::vector<std::size_t> out;
  if (nx_ == 0 || !bounds_.intersects(box)) return out;
  const int x0 = bucket_x(box.min_lng), x1 = bucket_x(box.max_lng);
  const int y0 = bucket_y(box.min_lat), y1 = bucket_y(box.max_lat);
  std::vector<bool> seen(ids_.size(), false);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const std::size_t b = static_cast<std::size_t>(y) * nx_ + x;
      for (std::size_t k = offsets_[b]; k < offsets_[b + 1]; ++k) {
        const std::size_t i = items_[k];
        if (!seen[i] && boxes_[i].intersects(box)) {
          seen[i] = true;
          out.push_back(i);
        }
      }
    }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace portal::core
