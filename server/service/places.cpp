#include "server/service/places.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <unordered_set>

#include "portal/core/utf8.hpp"
#include "server/service/csv.hpp"

namespace portal::server {

using core::Error;
using core::Json;

// [SECTION] Queries

namespace {

// Without blanks at either end: ASCII blanks and the ideographic space (U+3000), which
// an IME types for a space.
std::string_view trim_query(std::string_view s) {
  static constexpr std::string_view kBlanks[] = {" ", "\t", "\r", "\n", "\u3000"};
  auto strip = [&s](bool front) {
    for (std::string_view b : kBlanks) {
      if (front && s.starts_with(b)) return s.remove_prefix(b.size()), true;
      if (!front && s.ends_with(b)) return s.remove_suffix(b.size()), true;
    }
    return false;
  };
  for (bool stripped = true; stripped;) stripped = strip(true) || strip(false);
  return s;
}

// The distinct code points of valid UTF-8 text.
std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = core::utf8_decode(s, i, cp);
    if (n == 0) break;
    out.push_back(cp);
    i += n;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

core::Result<std::string> place_query(std::string_view raw) {
  if (!core::is_valid_utf8(raw)) return Error::invalid("q", "invalid_utf8", "must be UTF-8 text");
  const std::string_view q = trim_query(raw);
  if (q.empty()) return Error::invalid("q", "required", "name a place to search for");
  if (core::has_control_chars(q))
    return Error::invalid("q", "control_characters", "must not hold control characters");
  if (*core::utf8_length(q) > kMaxPlaceQueryChars)
    return Error::invalid(
        "q", "too_long",
        "must have at most " + std::to_string(kMaxPlaceQueryChars) + " characters");
  return core::ascii_lower(q);
}

// [SECTION] The index

std::string_view to_string(PlaceKind k) {
  switch (k) {
    case PlaceKind::street:
      return "street";
    case PlaceKind::community:
      return "community";
    case PlaceKind::grid:
      return "grid";
    case PlaceKind::unit:
      return "unit";
    case PlaceKind::road:
      return "road";
    case PlaceKind::landmark:
      return "landmark";
  }
  return "landmark";
}

namespace {

void write_ref(core::JsonWriter& w, std::string_view key, const std::string& id,
               const std::string& name) {
  w.key(key).begin_object().field("id", id).field("name", name).end_object();
}

// Where a point is: its grid, and the grid's community and street.
struct Whereabouts {
  const GridRow* grid = nullptr;
  const CommunityRow* community = nullptr;
  const StreetRow* street = nullptr;
};

Whereabouts whereabouts(const OrgDirectory& org, core::LngLat at) {
  Whereabouts w;
  if (auto id = org.locate(at.lat, at.lng)) w.grid = org.grid(*id);
  if (w.grid) {
    w.community = org.community(w.grid->community_id);
    w.street = org.street(w.grid->street_id);
  }
  return w;
}

// A point inside the union of some grids (a street's, a community's): the centroid of
// their areas when one of them holds it, else a point inside the largest.
std::optional<core::LngLat> point_of(const std::vector<const core::Polygon*>& polys) {
  if (polys.empty()) return std::nullopt;
  double a_sum = 0, x = 0, y = 0;
  const core::Polygon* largest = polys.front();
  double largest_area = -1;
  for (const auto* p : polys) {
    const double a = core::area(*p);
    const core::LngLat c = core::centroid(*p);
    a_sum += a, x += a * c.lng, y += a * c.lat;
    if (a > largest_area) largest_area = a, largest = p;
  }
  if (a_sum > 0) {
    const core::LngLat c{x / a_sum, y / a_sum};
    for (const auto* p : polys)
      if (core::contains(*p, c)) return c;
  }
  return core::interior_point(*largest);
}

}  // namespace

void PlaceIndex::add(std::string name, PlaceKind kind, core::LngLat at, core::JsonWriter& item) {
  const auto chars = core::utf8_length(name);
  if (name.empty() || !chars) return;  // nothing to find it by
  const auto index = static_cast<std::uint32_t>(places_.size());
  std::string key = core::ascii_lower(name);
  for (char32_t cp : code_points(key)) postings_[cp].push_back(index);
  keys_.push_back(std::move(key));
  chars_.push_back(static_cast<std::uint32_t>(*chars));
  places_.push_back({std::move(name), kind, at, std::move(item.str())});
}

PlaceIndex::PlaceIndex(const OrgDirectory& org, const std::vector<PlaceRow>& gazetteer) {
  const OrgData& data = org.data();
  const core::GridIndex& grids = org.grid_index();
  std::map<std::string, std::vector<const core::Polygon*>, std::less<>> of_street, of_community;
  std::map<std::string, const core::Polygon*, std::less<>> of_grid;
  for (std::size_t i = 0; i < grids.size(); ++i) {
    const GridRow* g = org.grid(grids.id(i));
    if (!g) continue;
    of_grid[g->id] = &grids.polygon(i);
    of_street[g->street_id].push_back(&grids.polygon(i));
    of_community[g->community_id].push_back(&grids.polygon(i));
  }
  places_.reserve(data.streets.size() + data.communities.size() + data.grids.size() +
                  data.units.size() + gazetteer.size());
  auto begin = [](core::JsonWriter& w, const std::string& name, PlaceKind kind, core::LngLat at) {
    w.begin_object().field("name", name).field("kind", to_string(kind));
    w.field("lat", at.lat).field("lng", at.lng);
  };

  for (const auto& st : data.streets) {
    auto at = point_of(of_street[st.id]);
    if (!at) continue;
    core::JsonWriter w;
    begin(w, st.name, PlaceKind::street, *at);
    w.field("id", st.id).end_object();
    add(st.name, PlaceKind::street, *at, w);
  }
  for (const auto& c : data.communities) {
    auto at = point_of(of_community[c.id]);
    if (!at) continue;
    core::JsonWriter w;
    begin(w, c.name, PlaceKind::community, *at);
    w.field("id", c.id);
    if (const auto* st = org.street(c.street_id)) write_ref(w, "street", st->id, st->name);
    w.end_object();
    add(c.name, PlaceKind::community, *at, w);
  }
  for (const auto& g : data.grids) {
    auto it = of_grid.find(g.id);
    if (it == of_grid.end()) continue;
    const core::LngLat at = core::interior_point(*it->second);
    core::JsonWriter w;
    begin(w, g.name, PlaceKind::grid, at);
    w.field("id", g.id);
    if (const auto* st = org.street(g.street_id)) write_ref(w, "street", st->id, st->name);
    if (const auto* c = org.community(g.community_id)) write_ref(w, "community", c->id, c->name);
    w.end_object();
    add(g.name, PlaceKind::grid, at, w);
  }
  // Units and venues, roads and landmarks: named with the grid they are in.
  auto write_whereabouts = [&](core::JsonWriter& w, core::LngLat at, const std::string& street_id) {
    const Whereabouts where = whereabouts(org, at);
    const StreetRow* st = where.street ? where.street : org.street(street_id);
    if (st) write_ref(w, "street", st->id, st->name);
    if (where.community) write_ref(w, "community", where.community->id, where.community->name);
    if (where.grid) write_ref(w, "grid", where.grid->id, where.grid->name);
  };
  for (const auto& u : data.units) {
    if (!u.lat || !u.lng) continue;
    const core::LngLat at{*u.lng, *u.lat};
    core::JsonWriter w;
    begin(w, u.name, PlaceKind::unit, at);
    w.field("id", u.id);
    write_whereabouts(w, at, u.street_id);
    w.end_object();
    add(u.name, PlaceKind::unit, at, w);
  }
  for (const auto& p : gazetteer) {
    const PlaceKind kind = p.kind == "road" ? PlaceKind::road : PlaceKind::landmark;
    const core::LngLat at{p.lng, p.lat};
    core::JsonWriter w;
    begin(w, p.name, kind, at);
    write_whereabouts(w, at, p.street_id);
    w.end_object();
    add(p.name, kind, at, w);
  }
}

std::vector<const Place*> PlaceIndex::search(std::string_view q, std::size_t limit) const {
  std::vector<const Place*> out;
  if (q.empty() || limit == 0) return out;
  // The places holding the query's rarest character are the only candidates.
  const std::vector<std::uint32_t>* candidates = nullptr;
  for (char32_t cp : code_points(q)) {
    auto it = postings_.find(cp);
    if (it == postings_.end()) return out;
    if (!candidates || it->second.size() < candidates->size()) candidates = &it->second;
  }
  if (!candidates) return out;
  struct Hit {
    std::uint8_t match;  // 0 the name, 1 its beginning, 2 inside it
    std::uint8_t kind;
    std::uint32_t chars;
    std::uint32_t index;
  };
  std::vector<Hit> hits;
  for (std::uint32_t i : *candidates) {
    const std::string& key = keys_[i];
    const auto at = key.find(q);  // UTF-8: a byte match is a character match
    if (at == std::string::npos) continue;
    const std::uint8_t match = key.size() == q.size() ? 0 : at == 0 ? 1 : 2;
    hits.push_back({match, static_cast<std::uint8_t>(places_[i].kind), chars_[i], i});
  }
  auto better = [this](const Hit& a, const Hit& b) {
    if (a.match != b.match) return a.match < b.match;
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.chars != b.chars) return a.chars < b.chars;
    if (const int c = keys_[a.index].compare(keys_[b.index]); c != 0) return c < 0;
    return a.index < b.index;
  };
  const std::size_t n = std::min(limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    better);
  out.reserve(n);
  for (std::size_t k = 0; k < n; ++k) out.push_back(&places_[hits[k].index]);
  return out;
}

std::string PlaceIndex::answer(std::string_view q, std::size_t limit) const {
  std::string out = "{\"items\":[";
  bool first = true;
  for (const Place* p : search(q, limit)) {
    if (!first) out += ',';
    first = false;
    out += p->json;
  }
  out += "]}";
  return out;
}

// [SECTION] The import (CSV)

namespace {

enum class PlaceCol { name, kind, lat, lng, count };

struct PlaceColumn {
  PlaceCol col;
  std::string_view name, name_zh;
};
constexpr std::array<PlaceColumn, 4> kPlaceColumns = {{
    {PlaceCol::name, "name", "名称"},
    {PlaceCol::kind, "kind", "类型"},
    {PlaceCol::lat, "lat", "纬度"},
    {PlaceCol::lng, "lng", "经度"},
}};

std::string column(PlaceCol c) {
  return std::string(kPlaceColumns[static_cast<std::size_t>(c)].name);
}

std::optional<std::string> kind_of(std::string_view text) {
  const std::string k = core::ascii_lower(text);
  if (k == "road" || text == "道路") return "road";
  if (k == "landmark" || text == "地标") return "landmark";
  return std::nullopt;
}

}  // namespace

PlaceImportBatch parse_places_csv(std::string_view body, const OrgDirectory& org,
                                  std::size_t max_rows) {
  PlaceImportBatch batch;
  auto fail0 = [&](Error e) { batch.errors.push_back({0, 1, std::move(e)}); };
  const CsvRecords csv = read_csv_file(body);
  if (csv.error) {
    batch.errors.push_back({csv.error_record, csv.error_line, *csv.error});
    return batch;
  }

  // The header.
  const auto& header = csv.records.front();
  std::array<std::optional<std::size_t>, static_cast<std::size_t>(PlaceCol::count)> index;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = trim_blanks(header[i]);
    const std::string lower = core::ascii_lower(name);
    const PlaceColumn* def = nullptr;
    for (const auto& c : kPlaceColumns)
      if (lower == c.name || name == c.name_zh) def = &c;
    if (!def) {
      fail0(Error::invalid(std::string(name), "unknown_column",
                           name.empty() ? "column " + std::to_string(i + 1) + " has no name"
                                        : "is not a column of a place (name, kind, lat, lng)"));
      continue;
    }
    auto& slot = index[static_cast<std::size_t>(def->col)];
    if (slot)
      fail0(Error::invalid(std::string(def->name), "duplicate_column", "appears more than once"));
    else
      slot = i;
  }
  for (const auto& c : kPlaceColumns)
    if (!index[static_cast<std::size_t>(c.col)])
      fail0(Error::invalid(std::string(c.name), "missing_column",
                           "is a required column (" + std::string(c.name_zh) + ")"));
  if (!batch.errors.empty()) return batch;

  const std::size_t data_rows = count_data_records(csv);
  if (data_rows == 0) {
    fail0(Error::invalid("", "empty_batch", "the file holds no places"));
    return batch;
  }
  if (data_rows > max_rows) {
    fail0(Error{"too_many_rows",
                "import at most " + std::to_string(max_rows) + " places at once, not " +
                    std::to_string(data_rows),
                "", 413});
    return batch;
  }

  const bool have_grids = org.grid_index().size() > 0;
  std::unordered_map<std::string, int> first_row;  // kind|name → its row
  batch.rows.reserve(data_rows);
  for (std::size_t r = 1; r < csv.records.size(); ++r) {
    const auto& cells = csv.records[r];
    if (is_blank_record(cells)) continue;
    const int row = static_cast<int>(r);
    const int line = csv.lines[r];
    const std::size_t errors_before = batch.errors.size();
    auto fail = [&](Error e) { batch.errors.push_back({row, line, std::move(e)}); };
    if (auto e = check_field_count(cells, header.size())) {
      fail(std::move(*e));
      continue;
    }
    auto cell = [&](PlaceCol c) { return trim_blanks(cells[*index[static_cast<std::size_t>(c)]]); };

    PlaceRow place;
    const std::string_view name = cell(PlaceCol::name);
    if (name.empty())
      fail(Error::invalid(column(PlaceCol::name), "required", "is required"));
    else if (core::has_control_chars(name) || name.find_first_of("\t\r\n") != std::string::npos)
      fail(Error::invalid(column(PlaceCol::name), "control_characters",
                          "must not hold control characters"));
    else if (*core::utf8_length(name) > kMaxPlaceNameChars)
      fail(Error::invalid(
          column(PlaceCol::name), "too_long",
          "must have at most " + std::to_string(kMaxPlaceNameChars) + " characters"));
    else
      place.name = std::string(name);

    const std::string_view kind = cell(PlaceCol::kind);
    if (auto k = kind_of(kind))
      place.kind = *k;
    else
      fail(Error::invalid(column(PlaceCol::kind), kind.empty() ? "required" : "unknown_kind",
                          "must be road or landmark"));

    std::optional<double> lat, lng;
    for (PlaceCol c : {PlaceCol::lat, PlaceCol::lng}) {
      const std::string_view text = cell(c);
      const bool is_lat = c == PlaceCol::lat;
      auto v = parse_decimal(text);
      if (text.empty())
        fail(Error::invalid(column(c), "required", "is required"));
      else if (!v)
        fail(Error::invalid(column(c), "not_a_number", "must be a decimal number such as 35.41"));
      else if (is_lat ? (*v < -90 || *v > 90) : (*v < -180 || *v > 180))
        fail(Error::invalid(
            column(c), "out_of_range",
            is_lat ? "must be a latitude (-90 to 90)" : "must be a longitude (-180 to 180)"));
      else
        (is_lat ? lat : lng) = v;
    }
    if (lat && lng) {
      place.lat = *lat, place.lng = *lng;
      const auto grid = org.locate(*lat, *lng);
      if (grid) {
        if (const GridRow* g = org.grid(*grid)) place.street_id = g->street_id;
      } else if (have_grids) {
        fail(Error::invalid(column(PlaceCol::lat), "outside_district",
                            "the point (lat, lng) is in none of the district's grids"));
      }
    }
    if (!place.name.empty() && !place.kind.empty()) {
      auto [it, fresh] = first_row.emplace(place.kind + "|" + place.name, row);
      if (!fresh)
        fail(Error::invalid(column(PlaceCol::name), "duplicate_place",
                            "repeats the " + place.kind + " of row " + std::to_string(it->second)));
    }
    if (batch.errors.size() == errors_before) batch.rows.push_back(std::move(place));
  }
  return batch;
}

Json place_import_errors(const std::vector<PlaceImportError>& errors) {
  std::vector<const PlaceImportError*> sorted;
  sorted.reserve(errors.size());
  for (const auto& e : errors) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->row < b->row; });
  Json out = Json::array();
  for (std::size_t i = 0; i < sorted.size() && i < kMaxListedImportErrors; ++i)
    out.push_back({{"row", sorted[i]->row},
                   {"line", sorted[i]->line},
                   {"error", core::error_body(sorted[i]->error)["error"]}});
  return out;
}

// [SECTION] The service

PlaceService::PlaceService(Store& store, std::shared_ptr<const OrgDirectory> org)
    : store_(store), org_(std::move(org)) {}

core::Outcome PlaceService::rebuild(PlacesStamp stamp) {
  auto rows = store_.places();
  if (!rows) return rows.error();
  auto index = std::make_shared<const PlaceIndex>(*org_, *rows);
  std::lock_guard lock(mu_);
  index_ = std::move(index);
  stamp_ = stamp;
  return core::Unit{};
}

core::Outcome PlaceService::load() {
  std::lock_guard rebuilding(rebuild_mu_);
  auto stamp = store_.places_stamp();
  if (!stamp) return stamp.error();
  return rebuild(*stamp);
}

core::Outcome PlaceService::refresh() {
  std::lock_guard rebuilding(rebuild_mu_);
  auto stamp = store_.places_stamp();
  if (!stamp) return stamp.error();
  {
    std::lock_guard lock(mu_);
    if (index_ && stamp_ == *stamp) return core::Unit{};
  }
  return rebuild(*stamp);
}

std::shared_ptr<const PlaceIndex> PlaceService::index() const {
  std::lock_guard lock(mu_);
  return index_;
}

core::Result<std::string> PlaceService::search(std::string_view q, int limit) const {
  auto key = place_query(q);
  if (!key) return key.error();
  if (limit < 1 || limit > kMaxPlaceResults)
    return Error::invalid("limit", "out_of_range",
                          "must be 1 to " + std::to_string(kMaxPlaceResults));
  const auto idx = index();
  if (!idx) return Error{"unavailable", "the place index is being built", {}, 503};
  return idx->answer(*key, static_cast<std::size_t>(limit));
}

core::Result<PlaceService::ImportOutcome> PlaceService::import_csv(std::string_view body,
                                                                   std::string_view content_type,
                                                                   const Actor& actor,
                                                                   bool replace) {
  if (!actor.signed_in()) return Error{"unauthorized", "sign in first", {}, 401};
  if (actor.role != core::Role::admin)
    return Error{"forbidden", "only administrators import places", {}, 403};
  const std::string mime(content_type.substr(0, content_type.find(';')));
  if (mime != "text/csv")
    return Error{"unsupported_media_type", "send text/csv", "Content-Type", 415};
  PlaceImportBatch batch = parse_places_csv(body, *org_, kMaxPlaceImportRows);
  if (!batch.errors.empty()) {
    Json out = core::error_body(
        Error::invalid("", "rows_invalid", "no place was imported: fix the rows listed"));
    out["imported"] = 0;
    out["error_count"] = batch.errors.size();
    out["errors"] = place_import_errors(batch.errors);
    return ImportOutcome{422, std::move(out)};
  }
  std::lock_guard rebuilding(rebuild_mu_);
  auto written = store_.write_places(batch.rows, replace, {});
  if (!written) return written.error();
  auto stamp = store_.places_stamp();
  if (!stamp) return stamp.error();
  if (auto ok = rebuild(*stamp); !ok) return ok.error();
  return ImportOutcome{201, Json{{"imported", *written}, {"errors", Json::array()}}};
}

}  // namespace portal::server
