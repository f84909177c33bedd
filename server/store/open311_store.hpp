// Read-only queries of the Open311 GeoReport v2 endpoints (GET requests): tickets by
// number, service code, creation window and open/closed, newest first. The rows carry
// only what Open311 publishes: no contact, no submitter, no access code.
//
// The SQLite backend opens its own read-only connection to the same file; WAL lets it
// read beside the main store's writer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"

namespace portal::server {

struct Open311Row {
  std::string number;
  std::string category;
  std::string description;
  double lat = 0, lng = 0;
  std::string address;
  core::Status status = core::Status::submitted;
  core::Level level = core::Level::grid;
  std::string assignee_kind, assignee_id;
  std::optional<std::string> grid_id, community_id, street_id;
  core::TimePoint created_at{}, updated_at{}, resolve_due_at{};
  std::optional<std::string> reply, merged_into;
  std::optional<std::string> photo_id;  // the first photo of the report, if any
  // Submitted as anonymous, or by a visitor without an account (web or embed): Open311
  // publishes no address and only a coarse position for it.
  bool anonymous = false;
};

struct Open311Query {
  // When numbers are given, every other filter is ignored (GeoReport v2).
  std::vector<std::string> numbers;
  std::vector<std::string> categories;      // any of; empty means all
  std::optional<core::TimePoint> from, to;  // created_at, both ends included
  std::optional<bool> open;                 // true: open tickets; false: closed ones; unset: both
  int limit = 1000;
  int offset = 0;
};

class Open311Store {
 public:
  virtual ~Open311Store() = default;
  virtual core::Result<std::vector<Open311Row>> requests(const Open311Query& q) = 0;
  virtual core::Result<std::optional<Open311Row>> request(const std::string& number) = 0;
};

// The statuses GeoReport v2 calls "closed": resolved, closed, rejected, merged.
bool open311_closed(core::Status s);

// The SQL expression (both backends) of Open311Row::anonymous over tickets t.
inline constexpr const char* kOpen311AnonymousSql =
    "CASE WHEN t.anonymous <> 0 OR (t.submitter_id IS NULL AND t.channel IN ('web','embed')) "
    "THEN 1 ELSE 0 END";

// Opens a store for the database named as in open_store(): a SQLite file path or a
// postgres:// URL.
core::Result<std::unique_ptr<Open311Store>> open_open311_store(const std::string& db);

}  // namespace portal::server
