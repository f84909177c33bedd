// The demo organisation of SPEC §2 (Rencheng district, Jining, Shandong) as plain
// structs: no SQL here, the seed command writes them through the store.
//
// Deterministic under a seed (its own PRNG, so the same seed gives the same
// organisation with any standard library). Exact sizes: 15 streets/towns, a few hundred
// communities/villages, 1,541 comprehensive + 30 special grids, 16 departments, 5
// utility units, 3,579 professional grid workers, 三官一律 per street, mediation venues.
//
// The gazetteer (DemoOrg::places) comes from a random stream of its own, so it never
// changes the rest of the organisation.
//
// Geometry: every grid is an axis-aligned rectangle, and together they tile
// [kMinLng, kMaxLng) x [kMinLat, kMaxLat) with no gap and no overlap: the district is cut
// into rows of street rectangles, each street into columns of community blocks, each
// community block into rows of grid cells. Shared borders are the very same doubles, so
// core::contains() puts every point of the area in exactly one grid.
//
// Ids: streets "s01".."s15", communities "s01c01", comprehensive grids "s01c01g01",
// special grids "s01c01z01"; units "dept.urban", "util.water", "legal.s01.judge",
// "med.district", "med.s01", "med.s01c01", "med.s01c01g01". Accounts are keyed by
// username (the store assigns ids): grid workers gw0001.., professional grid workers
// pw0001.., community staff cs001.., street staff ss001.., district staff ds01..,
// hotline agents ha01.., unit duty accounts ud001.., citizens cz001.., admin, auditor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "portal/core/geo.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/workflow.hpp"

namespace portal::server {

namespace demo {
inline constexpr double kMinLng = 116.40, kMaxLng = 116.75;
inline constexpr double kMinLat = 35.30, kMaxLat = 35.55;
inline constexpr int kStreets = 15;
inline constexpr int kComprehensiveGrids = 1541;
inline constexpr int kSpecialGrids = 30;
inline constexpr int kDepartments = 16;
inline constexpr int kUtilities = 5;
inline constexpr int kProfessionalWorkers = 3579;
}  // namespace demo

struct DemoDistrict {
  std::string id;              // "370811", the district's administrative code
  std::string name;            // 任城区
  std::string hotline_centre;  // 任城区政务热线服务中心
  core::Polygon area;
};

struct DemoStreet {
  std::string id;
  std::string name;   // 古槐街道, 喻屯镇 ...
  bool town = false;  // 镇 (villages) rather than 街道 (communities)
  core::Polygon area;
};

struct DemoCommunity {
  std::string id;
  std::string street_id;
  std::string name;  // 运河社区, 王庄村 ...
  bool village = false;
  core::Polygon area;
};

struct DemoGrid {
  std::string id;
  std::string name;
  std::string kind;  // "comprehensive" | "special"
  std::string community_id;
  std::string street_id;
  core::Polygon polygon;
  core::LngLat centroid;
  int households = 0;
  int residents = 0;
  std::string worker_username;  // the grid's full-time worker
};

struct DemoUnit {
  std::string id;
  std::string kind;     // "department" | "utility" | "legal" | "mediation"
  std::string subkind;  // utility: water|power|telecom|gas|heating; legal:
                        // judge|prosecutor|police|lawyer; mediation:
                        // district_centre|street_centre|community_room|grid_room
  std::string name;
  std::string name_en;  // departments and utilities
  std::string short_name;
  std::string contact;  // phone number to reach it
  std::string contact_person;
  std::string address;
  std::string street_id, community_id, grid_id;  // where it sits, when local
  std::optional<core::LngLat> location;
};

// A named road or landmark of the gazetteer (the map's place search). A road is one
// point, on it in the middle of its stretch; "东路/中路/西路" sections are roads of their own.
struct DemoPlace {
  std::string name;
  std::string kind;  // "road" | "landmark"
  core::LngLat location;
  std::string street_id;  // the street whose area holds the point
};

struct DemoUser {
  std::string username;
  std::string name;
  std::string phone;  // unique across all accounts
  core::Role role = core::Role::citizen;
  std::string title;  // e.g. 专职网格员, 专业网格员, 社区书记
  std::string unit_id;
  std::string street_id;
  std::string community_id;
  std::vector<std::string> grid_ids;
};

struct DemoOrg {
  std::uint64_t seed = 0;
  DemoDistrict district;
  std::vector<DemoStreet> streets;
  std::vector<DemoCommunity> communities;
  std::vector<DemoGrid> grids;  // comprehensive and special, street by street
  std::vector<DemoUnit> units;  // departments, utilities, legal, mediation (in that order)
  std::vector<core::Category> categories;
  std::vector<DemoUser> users;
  // The gazetteer: roads across the city and the district, crossings of city roads,
  // famous sights, hospitals, schools, markets and residential estates (小区), each
  // placed inside the district and named once per kind.
  std::vector<DemoPlace> places;
  // The official holiday arrangements of 2025 and 2026 ("YYYY-MM-DD"): days off and
  // make-up working days (调休), for core::WorkCalendar::from_lists.
  std::vector<std::string> holidays;
  std::vector<std::string> workdays;
};

DemoOrg generate_demo_org(std::uint64_t seed = 1);

}  // namespace portal::server
