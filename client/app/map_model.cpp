#include "app/map_model.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <unordered_map>

namespace portal::client {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxLat = 85.05112878;  // Web Mercator's square world

bool contains(const std::vector<MercPoint>& ring, MercPoint p) {
  bool in = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const MercPoint a = ring[i], b = ring[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

double area(const std::vector<MercPoint>& ring) {
  double s = 0;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
    s += (ring[j].x - ring[i].x) * (ring[j].y + ring[i].y);
  return std::abs(s) * 0.5;
}

// The centroid of a polygon (its box's centre when degenerate).
MercPoint centroid(const std::vector<MercPoint>& ring, MercPoint lo, MercPoint hi) {
  double a = 0, cx = 0, cy = 0;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const double f = ring[j].x * ring[i].y - ring[i].x * ring[j].y;
    a += f;
    cx += (ring[j].x + ring[i].x) * f;
    cy += (ring[j].y + ring[i].y) * f;
  }
  if (std::abs(a) < 1e-30) return {(lo.x + hi.x) / 2, (lo.y + hi.y) / 2};
  return {cx / (3 * a), cy / (3 * a)};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}
}  // namespace

MercPoint to_mercator(double lat, double lng) {
  const double phi = std::clamp(lat, -kMaxLat, kMaxLat) * kPi / 180;
  return {(lng + 180) / 360, (1 - std::log(std::tan(phi) + 1 / std::cos(phi)) / kPi) / 2};
}

void from_mercator(MercPoint p, double& lat, double& lng) {
  lng = p.x * 360 - 180;
  lat = std::atan(std::sinh(kPi * (1 - 2 * p.y))) * 180 / kPi;
}

int MapData::find(const std::string& grid_id) const {
  for (std::size_t i = 0; i < grids.size(); ++i)
    if (grids[i].id == grid_id) return static_cast<int>(i);
  return -1;
}

int MapData::grid_at(MercPoint p) const {
  if (cols == 0 || p.x < lo.x || p.x > hi.x || p.y < lo.y || p.y > hi.y) return -1;
  const int c = std::min(cols - 1, static_cast<int>((p.x - lo.x) / (hi.x - lo.x) * cols));
  const int r = std::min(rows - 1, static_cast<int>((p.y - lo.y) / (hi.y - lo.y) * rows));
  for (int i : buckets[static_cast<std::size_t>(r * cols + c)]) {
    const Grid& g = grids[static_cast<std::size_t>(i)];
    if (p.x >= g.lo.x && p.x <= g.hi.x && p.y >= g.lo.y && p.y <= g.hi.y && contains(g.ring, p))
      return i;
  }
  return -1;
}

std::shared_ptr<const MapData> build_map(const std::vector<GridShape>& shapes,
                                         const OrgNames& names, const Basemap& basemap) {
  auto m = std::make_shared<MapData>();
  m->basemap = basemap;
  std::unordered_map<std::string, int> community_of, street_of;
  std::vector<std::vector<int>> community_grids, street_grids;
  auto region = [](std::vector<MapData::Region>& regions, std::vector<std::vector<int>>& members,
                   std::unordered_map<std::string, int>& index,
                   const std::map<std::string, std::string>& named, const std::string& id) {
    if (id.empty()) return -1;
    const auto [it, added] = index.emplace(id, static_cast<int>(regions.size()));
    if (added) {
      MapData::Region r;
      r.id = id;
      if (const auto n = named.find(id); n != named.end()) r.name = n->second;
      regions.push_back(std::move(r));
      members.emplace_back();
    }
    return it->second;
  };

  bool first = true;
  for (const GridShape& s : shapes) {
    MapData::Grid g;
    g.id = s.id;
    g.name = s.name;
    for (const auto& [lng, lat] : s.ring) g.ring.push_back(to_mercator(lat, lng));
    if (g.ring.size() > 1 && g.ring.front().x == g.ring.back().x &&
        g.ring.front().y == g.ring.back().y)
      g.ring.pop_back();
    if (g.ring.size() < 3) continue;
    g.lo = g.hi = g.ring.front();
    for (const MercPoint& p : g.ring) {
      g.lo = {std::min(g.lo.x, p.x), std::min(g.lo.y, p.y)};
      g.hi = {std::max(g.hi.x, p.x), std::max(g.hi.y, p.y)};
    }
    g.label = centroid(g.ring, g.lo, g.hi);
    if (!contains(g.ring, g.label)) g.label = {(g.lo.x + g.hi.x) / 2, (g.lo.y + g.hi.y) / 2};
    const int index = static_cast<int>(m->grids.size());
    g.community =
        region(m->communities, community_grids, community_of, names.communities, s.community_id);
    g.street = region(m->streets, street_grids, street_of, names.streets, s.street_id);
    if (g.community >= 0) community_grids[static_cast<std::size_t>(g.community)].push_back(index);
    if (g.street >= 0) street_grids[static_cast<std::size_t>(g.street)].push_back(index);
    if (first) {
      m->lo = g.lo;
      m->hi = g.hi;
      first = false;
    }
    m->lo = {std::min(m->lo.x, g.lo.x), std::min(m->lo.y, g.lo.y)};
    m->hi = {std::max(m->hi.x, g.hi.x), std::max(m->hi.y, g.hi.y)};
    m->grids.push_back(std::move(g));
  }
  if (m->grids.empty()) return m;

  // Regions: their boxes, areas, and a name point inside them (the area-weighted middle
  // of their grids, or their largest grid's when that falls outside, as for an L shape).
  auto finish = [&](std::vector<MapData::Region>& regions,
                    const std::vector<std::vector<int>>& members) {
    std::vector<double> widths;
    for (std::size_t r = 0; r < regions.size(); ++r) {
      MapData::Region& reg = regions[r];
      double sx = 0, sy = 0, total = 0, biggest = -1;
      int big = -1;
      for (std::size_t k = 0; k < members[r].size(); ++k) {
        const MapData::Grid& g = m->grids[static_cast<std::size_t>(members[r][k])];
        const double a = area(g.ring);
        if (k == 0) {
          reg.lo = g.lo;
          reg.hi = g.hi;
        }
        reg.lo = {std::min(reg.lo.x, g.lo.x), std::min(reg.lo.y, g.lo.y)};
        reg.hi = {std::max(reg.hi.x, g.hi.x), std::max(reg.hi.y, g.hi.y)};
        sx += g.label.x * a;
        sy += g.label.y * a;
        total += a;
        if (a > biggest) biggest = a, big = members[r][k];
      }
      reg.area = total;
      reg.label = total > 0 ? MercPoint{sx / total, sy / total}
                            : MercPoint{(reg.lo.x + reg.hi.x) / 2, (reg.lo.y + reg.hi.y) / 2};
      bool inside = false;
      for (int i : members[r])
        if (contains(m->grids[static_cast<std::size_t>(i)].ring, reg.label)) inside = true;
      if (!inside && big >= 0) reg.label = m->grids[static_cast<std::size_t>(big)].label;
      widths.push_back(reg.hi.x - reg.lo.x);
    }
    return median(widths);
  };
  m->community_width = finish(m->communities, community_grids);
  m->street_width = finish(m->streets, street_grids);
  std::vector<double> grid_widths;
  for (const auto& g : m->grids) grid_widths.push_back(g.hi.x - g.lo.x);
  m->grid_width = median(grid_widths);

  // The bucket index: about four grids a bucket.
  const double w = m->hi.x - m->lo.x, h = m->hi.y - m->lo.y;
  const double cells = std::max(1.0, static_cast<double>(m->grids.size()) / 4);
  const double aspect = h > 0 ? w / h : 1;
  m->cols = std::clamp(static_cast<int>(std::sqrt(cells * aspect)), 1, 256);
  m->rows = std::clamp(static_cast<int>(cells / m->cols), 1, 256);
  m->buckets.assign(static_cast<std::size_t>(m->cols * m->rows), {});
  for (std::size_t i = 0; i < m->grids.size(); ++i) {
    const MapData::Grid& g = m->grids[i];
    auto col = [&](double x) {
      return std::clamp(static_cast<int>((x - m->lo.x) / w * m->cols), 0, m->cols - 1);
    };
    auto row = [&](double y) {
      return std::clamp(static_cast<int>((y - m->lo.y) / h * m->rows), 0, m->rows - 1);
    };
    for (int r = row(g.lo.y); r <= row(g.hi.y); ++r)
      for (int c = col(g.lo.x); c <= col(g.hi.x); ++c)
        m->buckets[static_cast<std::size_t>(r * m->cols + c)].push_back(static_cast<int>(i));
  }

  // Boundaries: an edge of a grid is a street line when what lies just across it is
  // another street's grid or nothing, a community line when it is another community's.
  // Each shared edge is seen from both sides; exact duplicates are kept once.
  std::set<std::tuple<double, double, double, double>> seen;
  auto add = [&](std::vector<MapData::Segment>& out, MercPoint a, MercPoint b) {
    if (std::tie(a.x, a.y) > std::tie(b.x, b.y)) std::swap(a, b);
    if (seen.emplace(a.x, a.y, b.x, b.y).second) out.push_back({a, b});
  };
  for (std::size_t i = 0; i < m->grids.size(); ++i) {
    const MapData::Grid& g = m->grids[i];
    for (std::size_t k = 0; k < g.ring.size(); ++k) {
      const MercPoint a = g.ring[k], b = g.ring[(k + 1) % g.ring.size()];
      const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
      if (len <= 0) continue;
      const double eps = len * 1e-3;
      const MercPoint mid{(a.x + b.x) / 2, (a.y + b.y) / 2};
      const MercPoint p1{mid.x - dy / len * eps, mid.y + dx / len * eps};
      const MercPoint p2{mid.x + dy / len * eps, mid.y - dx / len * eps};
      const int j1 = m->grid_at(p1), j2 = m->grid_at(p2);
      const int other = j1 == static_cast<int>(i) ? j2 : j1;
      if (other == static_cast<int>(i)) continue;
      const MapData::Grid* o = other >= 0 ? &m->grids[static_cast<std::size_t>(other)] : nullptr;
      if (!o || o->street != g.street)
        add(m->street_lines, a, b);
      else if (o->community != g.community)
        add(m->community_lines, a, b);
    }
  }
  return m;
}

}  // namespace portal::client
