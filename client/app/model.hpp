// What the portal reads from the API beyond core's ticket types: accounts, the
// ticket's whistles, photos and rating, its events, the grid map and the units.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "portal/core/ticket.hpp"

namespace portal::client {

struct User {
  std::string id, name, role;
  std::string unit_id;  // unit staff: their unit
};
struct Session {
  std::string token, expires_at;
  User user;
};

struct TicketSummary {
  std::string number, status, level, category, description, created_at, updated_at;
  std::string handler, grid_id;
  std::string response_due_at, resolve_due_at;
  bool overdue = false;
  int followers = 0;  // citizens who said "me too" (附议)
};

struct Whistle {
  std::string unit_name, status, summoned_at, checked_in_at, done_at;
  std::string id, unit_id;
};
struct Photo {
  std::string id;
  int width = 0, height = 0;
};
struct Rating {
  bool resolved = false;
  int satisfaction = 0;
  std::string comment, rated_at;
};
// GET /api/v1/tickets/{n}: core's view plus what only readers of one ticket need.
struct TicketDetail {
  core::TicketView view;
  std::vector<Whistle> whistles;
  std::vector<Photo> photos;
  std::optional<Rating> rating;
  int followers = 0;              // citizens following it besides its submitter
  std::optional<bool> following;  // a citizen reader: whether they follow it (when said)
};

struct TicketEvent {
  int seq = 0;
  std::string at, actor_name, actor_role, action, from_status, to_status, level, note;
};

// One grid of the map: its outline (lng, lat pairs) and names.
struct GridShape {
  std::string id, name, kind, community_id, street_id;
  std::vector<std::pair<double, double>> ring;
};
// The basemap of serve --tiles ("basemap" of GET /api/v1/grids); no template: none.
struct Basemap {
  std::string tile_template, attribution;
  bool retina = false;  // the template has {r} ("@2x" on dense screens)
  std::vector<std::string> subdomains;
  bool operator==(const Basemap&) const = default;
};
struct GridsAnswer {
  std::vector<GridShape> grids;
  Basemap basemap;
};
// Names of the organisation's streets and communities by id (GET /api/v1/org).
struct OrgNames {
  std::map<std::string, std::string> streets, communities;
};
struct Located {
  std::string grid_id, grid_name, community, street;
};

// A named place of the district (GET /api/v1/places): a street, community, grid, unit,
// road or landmark.
struct Place {
  std::string name, kind, street, community;
  double lat = 0, lng = 0;
};

struct Unit {
  std::string id, kind, subkind, name, name_en, contact, address, street_id;
  std::optional<std::pair<double, double>> location;  // lat, lng
};

// An open ticket of the same category near a report's place (GET /api/v1/tickets/nearby):
// no names and no coordinates, only what tells a citizen it is the same matter.
struct NearbyTicket {
  std::string number, status, category, summary, created_at;
  double distance_m = 0;
  int followers = 0;
};

// A category the text of a report suggests (POST /api/v1/suggest), most likely first.
struct Suggestion {
  std::string code, name;
  double score = 0;
};

// A live change of a ticket from /api/v1/stream.
struct TicketChange {
  std::string number, status, level, action, at;
};

}  // namespace portal::client
