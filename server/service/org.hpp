// The organisation as the services see it: grids with their spatial index, names,
// each grid's worker and the working-day calendar. Loaded once from the store;
// read-only afterwards, so any thread may use it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "portal/core/geo.hpp"
#include "portal/core/sla.hpp"
#include "server/store/store.hpp"

namespace portal::server {

class OrgDirectory {
 public:
  static core::Result<std::shared_ptr<const OrgDirectory>> load(Store& store);

  // The grid containing the point, if any.
  std::optional<std::string> locate(double lat, double lng) const;
  const GridRow* grid(const std::string& id) const;
  const UnitRow* unit(const std::string& id) const;
  const StreetRow* street(const std::string& id) const;
  const CommunityRow* community(const std::string& id) const;
  const OrgData::GridWorker* worker_of(const std::string& grid_id) const;
  const core::WorkCalendar& calendar() const { return calendar_; }
  const OrgData& data() const { return data_; }
  const std::string& hotline_centre_name() const { return hotline_centre_; }
  // Every grid's polygon, by the grid's id (GridIndex::id).
  const core::GridIndex& grid_index() const { return *index_; }
  // Grids whose bounding boxes meet the box, for the map.
  std::vector<const GridRow*> grids_in(const core::BBox& box) const;

 private:
  OrgData data_;
  std::unique_ptr<core::GridIndex> index_;
  std::map<std::string, std::size_t, std::less<>> grids_, units_, streets_, communities_;
  std::map<std::string, std::size_t, std::less<>> workers_;
  core::WorkCalendar calendar_;
  std::string hotline_centre_ = "任城区政务热线服务中心";
};

}  // namespace portal::server
