#include "server/service/org.hpp"

namespace portal::server {

core::Result<std::shared_ptr<const OrgDirectory>> OrgDirectory::load(Store& store) {
  auto org = store.load_org();
  if (!org) return org.error();
  auto d = std::make_shared<OrgDirectory>();
  d->data_ = std::move(*org);
  std::vector<std::pair<std::string, core::Polygon>> polys;
  polys.reserve(d->data_.grids.size());
  for (std::size_t i = 0; i < d->data_.grids.size(); ++i) {
    const auto& g = d->data_.grids[i];
    d->grids_[g.id] = i;
    auto geometry = core::parse_json(g.polygon);
    if (!geometry) continue;
    auto poly = core::polygon_from_geojson(*geometry);
    if (poly) polys.emplace_back(g.id, std::move(*poly));
  }
  d->index_ = std::make_unique<core::GridIndex>(std::move(polys));
  for (std::size_t i = 0; i < d->data_.units.size(); ++i) d->units_[d->data_.units[i].id] = i;
  for (std::size_t i = 0; i < d->data_.streets.size(); ++i) d->streets_[d->data_.streets[i].id] = i;
  for (std::size_t i = 0; i < d->data_.communities.size(); ++i)
    d->communities_[d->data_.communities[i].id] = i;
  for (std::size_t i = 0; i < d->data_.grid_workers.size(); ++i)
    d->workers_.emplace(d->data_.grid_workers[i].grid_id, i);  // the first worker wins
  for (const auto& day : d->data_.calendar) {
    auto date = core::parse_civil_date(day.day);
    if (!date) continue;
    if (day.kind == "holiday")
      d->calendar_.add_holiday(*date);
    else if (day.kind == "workday")
      d->calendar_.add_workday(*date);
  }
  return std::shared_ptr<const OrgDirectory>(std::move(d));
}

std::optional<std::string> OrgDirectory::locate(double lat, double lng) const {
  return index_->locate(lat, lng);
}

namespace {
template <class T>
const T* find_in(const std::map<std::string, std::size_t, std::less<>>& index,
                 const std::vector<T>& rows, const std::string& id) {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &rows[it->second];
}
}  // namespace

const GridRow* OrgDirectory::grid(const std::string& id) const {
  return find_in(grids_, data_.grids, id);
}
const UnitRow* OrgDirectory::unit(const std::string& id) const {
  return find_in(units_, data_.units, id);
}
const StreetRow* OrgDirectory::street(const std::string& id) const {
  return find_in(streets_, data_.streets, id);
}
const CommunityRow* OrgDirectory::community(const std::string& id) const {
  return find_in(communities_, data_.communities, id);
}
const OrgData::GridWorker* OrgDirectory::worker_of(const std::string& grid_id) const {
  return find_in(workers_, data_.grid_workers, grid_id);
}

std::vector<const GridRow*> OrgDirectory::grids_in(const core::BBox& box) const {
  std::vector<const GridRow*> out;
  for (const auto& g : data_.grids)
    if (g.max_lng >= box.min_lng && g.min_lng <= box.max_lng && g.max_lat >= box.min_lat &&
        g.min_lat <= box.max_lat)
      out.push_back(&g);
  return out;
}

}  // namespace portal::server
