#include "server/service/seed.hpp"

#include "portal/core/geo.hpp"
#include "server/service/demo_org.hpp"
#include "server/service/passwords.hpp"

namespace portal::server {

namespace {

std::string geometry(const core::Polygon& p) {
  return core::to_geojson(p).dump();
}

OrgData to_rows(const DemoOrg& org, const std::string& password_hash, core::TimePoint now) {
  OrgData d;
  for (const auto& s : org.streets) d.streets.push_back({s.id, s.name, s.town, geometry(s.area)});
  for (const auto& c : org.communities)
    d.communities.push_back({c.id, c.street_id, c.name, c.village, geometry(c.area)});
  for (const auto& g : org.grids) {
    const auto box = core::bbox(g.polygon);
    GridRow r{g.id, g.community_id, g.street_id, g.name, g.kind, geometry(g.polygon)};
    r.min_lng = box.min_lng, r.min_lat = box.min_lat, r.max_lng = box.max_lng;
    r.max_lat = box.max_lat, r.households = g.households, r.residents = g.residents;
    d.grids.push_back(std::move(r));
  }
  for (const auto& u : org.units) {
    UnitRow r{u.id,        u.kind,         u.subkind,        u.name,
              u.name_en,   u.contact,      u.contact_person, u.address,
              u.street_id, u.community_id, u.grid_id};
    if (u.location) r.lat = u.location->lat, r.lng = u.location->lng;
    d.units.push_back(std::move(r));
  }
  // Every demo account shares one password, so one argon2id hash serves them all:
  // hashing thousands of accounts one by one would take minutes.
  for (const auto& u : org.users) {
    UserRow r;
    r.username = u.username;
    r.phone = u.phone;
    r.name = u.name;
    r.role = u.role;
    r.title = u.title;
    r.password_hash = password_hash;
    r.unit_id = u.unit_id;
    r.street_id = u.street_id;
    r.community_id = u.community_id;
    r.grid_ids = u.grid_ids;
    r.created_at = now;
    d.users.push_back(std::move(r));
  }
  for (const auto& h : org.holidays) d.calendar.push_back({h, "holiday"});
  for (const auto& w : org.workdays) d.calendar.push_back({w, "workday"});
  return d;
}

}  // namespace

core::Outcome seed_demo(Store& store, const SeedOptions& options, const ProgressFn& progress) {
  if (!options.demo) return core::Unit{};
  auto report = [&](const std::string& step, std::int64_t done, std::int64_t total) {
    if (progress) progress(step, done, total);
  };
  const DemoOrg org = generate_demo_org(options.seed);
  report("organisation", 0, 3);
  if (auto ok = store.upsert_categories(org.categories); !ok) return ok;
  report("organisation", 1, 3);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(core::Clock::now());
  const OrgData rows = to_rows(org, hash_password(options.demo_password), now);
  report("organisation", 2, 3);
  if (auto ok = store.upsert_org(rows); !ok) return ok;
  report("organisation", 3, 3);
  // The gazetteer's roads and landmarks: added, each replacing its namesake, so that
  // places an administrator imported stay.
  std::vector<PlaceRow> places;
  places.reserve(org.places.size());
  for (const auto& p : org.places)
    places.push_back({0, p.name, p.kind, p.location.lat, p.location.lng, p.street_id});
  auto written = store.write_places(places, false, [&](std::int64_t done, std::int64_t total) {
    report("gazetteer", done, total);
  });
  if (!written) return written.error();
  return core::Unit{};
}

}  // namespace portal::server
