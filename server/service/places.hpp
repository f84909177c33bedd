// The map's place search (GET /api/v1/places) and the gazetteer's import (POST
// /api/v1/places/import, `portal-server import-places`).
//
// The district's named places are the organisation's streets, communities and grids
// (each at a point inside its grids), its units and mediation venues that have a
// location, and the gazetteer's roads and landmarks (Store::places). A few thousand in
// all: they are held in memory, with each character's list of the places whose names
// hold it, so that a search reads only the places sharing its rarest character and
// never asks the database.
//
// Index
//   [SECTION] Queries
//   [SECTION] The index
//   [SECTION] The import (CSV)
//   [SECTION] The service
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "portal/core/geo.hpp"
#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "server/service/org.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/store.hpp"

namespace portal::server {

// [SECTION] Queries
inline constexpr std::size_t kMaxPlaceQueryChars = 50;
inline constexpr int kDefaultPlaceResults = 10;
inline constexpr int kMaxPlaceResults = 50;

// A search text as the index compares it: trimmed of blanks (ASCII and the ideographic
// space U+3000), A-Z folded to a-z. 422 naming `q` when it is empty, not UTF-8, holds
// control characters or is longer than kMaxPlaceQueryChars characters (code points:
// 古 is one, and so is 𠮷).
core::Result<std::string> place_query(std::string_view raw);

// [SECTION] The index
// Kinds in the order a search ranks them.
enum class PlaceKind : std::uint8_t { street, community, grid, unit, road, landmark };
std::string_view to_string(PlaceKind k);

struct Place {
  std::string name;
  PlaceKind kind = PlaceKind::landmark;
  core::LngLat at;
  std::string json;  // the item of a search's answer, written when the index is built
};

class PlaceIndex {
 public:
  PlaceIndex(const OrgDirectory& org, const std::vector<PlaceRow>& gazetteer);

  // At most `limit` places whose name (A-Z folded) contains `q` (from place_query),
  // best first: the name is q, then it begins with q, then it holds q; then by kind
  // (street, community, grid, unit, road, landmark); then shorter names; then by name.
  std::vector<const Place*> search(std::string_view q, std::size_t limit) const;
  // {"items": [...]}: the answer of GET /api/v1/places.
  std::string answer(std::string_view q, std::size_t limit) const;
  std::size_t size() const { return places_.size(); }

 private:
  void add(std::string name, PlaceKind kind, core::LngLat at, core::JsonWriter& item);

  std::vector<Place> places_;
  std::vector<std::string> keys_;  // names, A-Z folded
  std::vector<std::uint32_t> chars_;
  // Each character's places, ascending and once each.
  std::unordered_map<char32_t, std::vector<std::uint32_t>> postings_;
};

// [SECTION] The import (CSV)
inline constexpr std::size_t kMaxPlaceNameChars = 50;
// Rows one POST /api/v1/places/import takes (the command line takes any number).
inline constexpr std::size_t kMaxPlaceImportRows = 20'000;
// Errors an answer lists (the count says how many there were).
inline constexpr std::size_t kMaxListedImportErrors = 1'000;

struct PlaceImportError {
  int row = 0;   // the record after the header, from 1; 0: the file as a whole
  int line = 0;  // the line of the file it starts on
  core::Error error;
};

// `rows` holds the places of the rows without errors, with their street (by point in
// polygon), in file order.
struct PlaceImportBatch {
  std::vector<PlaceRow> rows;
  std::vector<PlaceImportError> errors;
};

// UTF-8 CSV (RFC 4180; an optional byte order mark) whose header names the columns
// name, kind, lat, lng (or 名称, 类型, 纬度, 经度) in any order. Every row is checked:
// a name (at most kMaxPlaceNameChars characters, no control characters, not repeated
// with the same kind in the file), a kind (road or landmark; 道路, 地标), a decimal
// latitude and longitude, and a point inside one of the district's grids (when the
// organisation has any). Errors name the row, its line and the column; row 0 is the
// header or the file (not UTF-8, malformed, empty, more than `max_rows` rows).
PlaceImportBatch parse_places_csv(std::string_view body, const OrgDirectory& org,
                                  std::size_t max_rows);

// [SECTION] The service
class PlaceService {
 public:
  PlaceService(Store& store, std::shared_ptr<const OrgDirectory> org);

  // Reads the gazetteer and builds the index.
  core::Outcome load();
  // Builds the index again when the gazetteer changed since it was read (another
  // server instance imported places): the scheduler asks every minute.
  core::Outcome refresh();

  // GET /api/v1/places: `q` as sent; `limit` 1..kMaxPlaceResults.
  core::Result<std::string> search(std::string_view q, int limit) const;

  // POST /api/v1/places/import (administrators): all rows or none. 201 {imported,
  // errors: []}, or 422 with the error rows_invalid, imported 0 and the rows' errors
  // {row, line, error} (at most kMaxListedImportErrors; error_count says how many).
  struct ImportOutcome {
    int status = 201;
    core::Json body;
  };
  core::Result<ImportOutcome> import_csv(std::string_view body, std::string_view content_type,
                                         const Actor& actor, bool replace);

  std::shared_ptr<const PlaceIndex> index() const;
  const OrgDirectory& org() const { return *org_; }

 private:
  core::Outcome rebuild(PlacesStamp stamp);

  Store& store_;
  std::shared_ptr<const OrgDirectory> org_;
  mutable std::mutex mu_;  // guards index_ and stamp_
  std::shared_ptr<const PlaceIndex> index_;
  PlacesStamp stamp_;
  std::mutex rebuild_mu_;  // one rebuild at a time
};

// The errors of a batch as an answer lists them: [{row, line, error}], the first
// kMaxListedImportErrors by row.
core::Json place_import_errors(const std::vector<PlaceImportError>& errors);

}  // namespace portal::server
