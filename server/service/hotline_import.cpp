// Index:
//   [SECTION] Shared checks (external_id, received_at, duplicates)
//   [SECTION] JSON
//   [SECTION] CSV columns and rows
#include "server/service/hotline_import.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

#include "portal/core/json.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/service/csv.hpp"

namespace portal::server {

using core::Error;

namespace {

// [SECTION] Shared checks

Error too_many_rows(std::size_t n) {
  return Error{"too_many_rows",
               "a batch may hold at most " + std::to_string(kMaxImportRows) + " work orders, not " +
                   std::to_string(n),
               "", 413};
}

Error empty_batch() {
  return Error::invalid("", "empty_batch", "the batch holds no work orders");
}

std::optional<Error> check_external_id(std::string_view id, const std::string& field) {
  const auto len = core::utf8_length(id);
  if (!len) return Error::invalid(field, "invalid_utf8", "must be valid UTF-8 text");
  if (core::has_control_chars(id))
    return Error::invalid(field, "control_characters", "must not hold control characters");
  if (*len == 0) return Error::invalid(field, "required", "must not be empty when given");
  if (*len > kMaxExternalIdChars)
    return Error::invalid(
        field, "too_long",
        "must have at most " + std::to_string(kMaxExternalIdChars) + " characters");
  return std::nullopt;
}

Error invalid_time(const std::string& field) {
  return Error::invalid(field, "invalid_time",
                        "must be an ISO 8601 time with a zone, e.g. 2026-11-25T08:30:00+08:00");
}

// Work-order numbers seen so far in the batch, with the row that first used each.
class DuplicateCheck {
 public:
  std::optional<Error> add(const std::string& id, int row, const std::string& field) {
    auto [it, inserted] = first_row_.emplace(id, row);
    if (inserted) return std::nullopt;
    return Error::invalid(field, "duplicate_external_id",
                          "repeats the work-order number of row " + std::to_string(it->second));
  }

 private:
  std::unordered_map<std::string, int> first_row_;
};

// [SECTION] JSON

constexpr std::array<std::string_view, 10> kJsonKeys = {
    "category",  "description", "location",    "grid_id",     "contact",
    "anonymous", "channel",     "attachments", "external_id", "received_at"};

void parse_json_row(const core::Json& item, int row, DuplicateCheck& dups, ImportBatch& batch) {
  const std::size_t errors_before = batch.errors.size();
  auto fail = [&](Error e) { batch.errors.push_back({row, std::move(e)}); };

  if (!item.is_object()) {
    fail(Error::malformed("", "wrong_type", "a work order must be a JSON object"));
    return;
  }
  for (const auto& [key, value] : item.items()) {
    if (std::find(kJsonKeys.begin(), kJsonKeys.end(), key) == kJsonKeys.end())
      fail(Error::invalid(key, "unknown_field", "is not a field of a work order"));
  }

  ImportRow out;
  out.row = row;
  if (auto it = item.find("external_id"); it != item.end() && !it->is_null()) {
    if (!it->is_string()) {
      fail(Error::malformed("external_id", "wrong_type", "must be a string"));
    } else {
      std::string id = it->get<std::string>();
      if (auto e = check_external_id(id, "external_id")) {
        fail(*e);
      } else {
        if (auto dup = dups.add(id, row, "external_id")) fail(*dup);
        out.external_id = std::move(id);
      }
    }
  }
  if (auto it = item.find("received_at"); it != item.end() && !it->is_null()) {
    if (!it->is_string()) {
      fail(Error::malformed("received_at", "wrong_type", "must be a string"));
    } else if (auto t = core::parse_iso(it->get<std::string>())) {
      out.received_at = *t;
    } else {
      fail(invalid_time("received_at"));
    }
  }

  // The channel is the import's to set, whatever the row says.
  core::Json body = item;
  body.erase("channel");
  auto draft = core::parse_ticket_draft(body);
  if (!draft) {
    fail(draft.error());
  } else {
    draft->channel = core::Channel::hotline;
    for (auto& e : core::validate(*draft)) fail(std::move(e));
    out.draft = std::move(*draft);
  }
  if (batch.errors.size() == errors_before) batch.rows.push_back(std::move(out));
}

// [SECTION] CSV columns and rows

enum class Col {
  external_id,
  received_at,
  category,
  description,
  lat,
  lng,
  address,
  contact_name,
  contact_phone,
  grid_id,
  count
};

struct ColumnDef {
  Col col;
  std::string_view name;
  std::string_view name_zh;
  bool required;
};

constexpr std::array<ColumnDef, static_cast<std::size_t>(Col::count)> kColumns = {{
    {Col::external_id, "external_id", "工单编号", false},
    {Col::received_at, "received_at", "来电时间", false},
    {Col::category, "category", "类别", true},
    {Col::description, "description", "诉求内容", true},
    {Col::lat, "lat", "纬度", true},
    {Col::lng, "lng", "经度", true},
    {Col::address, "address", "地址", false},
    {Col::contact_name, "contact_name", "联系人", true},
    {Col::contact_phone, "contact_phone", "联系电话", true},
    {Col::grid_id, "grid_id", "网格", false},
}};

std::string column_name(Col c) {
  return std::string(kColumns[static_cast<std::size_t>(c)].name);
}

std::optional<Col> find_column(std::string_view header) {
  std::string lower(header);
  for (auto& ch : lower)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  for (const auto& def : kColumns)
    if (lower == def.name || header == def.name_zh) return def.col;
  return std::nullopt;
}

// The draft's field paths (what core::validate names) as CSV columns.
std::string csv_field(const std::string& draft_field) {
  static const std::unordered_map<std::string, std::string> kMap = {
      {"location.lat", "lat"},
      {"location.lng", "lng"},
      {"location.address", "address"},
      {"contact.name", "contact_name"},
      {"contact.phone", "contact_phone"}};
  auto it = kMap.find(draft_field);
  return it == kMap.end() ? draft_field : it->second;
}

using ColumnIndex = std::array<std::optional<std::size_t>, static_cast<std::size_t>(Col::count)>;

void parse_csv_row(const std::vector<std::string>& cells, const ColumnIndex& index, int row,
                   DuplicateCheck& dups, ImportBatch& batch) {
  const std::size_t errors_before = batch.errors.size();
  std::set<std::string> failed;  // columns with a parse error: validate need not repeat it
  auto fail = [&](Error e) {
    failed.insert(e.field);
    batch.errors.push_back({row, std::move(e)});
  };
  auto cell = [&](Col c) -> std::string_view {
    const auto& at = index[static_cast<std::size_t>(c)];
    return at ? trim_blanks(cells[*at]) : std::string_view{};
  };

  ImportRow out;
  out.row = row;
  core::TicketDraft& d = out.draft;
  d.channel = core::Channel::hotline;
  d.category = cell(Col::category);
  d.description = cell(Col::description);
  d.location.address = cell(Col::address);
  d.contact.name = cell(Col::contact_name);
  d.contact.phone = cell(Col::contact_phone);
  if (auto g = cell(Col::grid_id); !g.empty()) d.grid_id = std::string(g);

  for (Col c : {Col::lat, Col::lng}) {
    const std::string_view text = cell(c);
    const std::string name = column_name(c);
    if (text.empty()) {
      fail(Error::invalid(name, "required", "is required"));
    } else if (auto v = parse_decimal(text)) {
      (c == Col::lat ? d.location.lat : d.location.lng) = *v;
    } else {
      fail(Error::invalid(name, "not_a_number", "must be a decimal number such as 35.41"));
    }
  }
  if (auto id = cell(Col::external_id); !id.empty()) {
    const std::string name = column_name(Col::external_id);
    if (auto e = check_external_id(id, name)) {
      fail(*e);
    } else {
      if (auto dup = dups.add(std::string(id), row, name)) fail(*dup);
      out.external_id = std::string(id);
    }
  }
  if (auto at = cell(Col::received_at); !at.empty()) {
    if (auto t = core::parse_iso(at))
      out.received_at = *t;
    else
      fail(invalid_time(column_name(Col::received_at)));
  }
  for (auto& e : core::validate(d)) {
    e.field = csv_field(e.field);
    if (!failed.count(e.field)) batch.errors.push_back({row, std::move(e)});
  }
  if (batch.errors.size() == errors_before) batch.rows.push_back(std::move(out));
}

}  // namespace

ImportBatch parse_hotline_json(std::string_view body) {
  ImportBatch batch;
  auto json = core::parse_json(body);
  if (!json) {
    batch.errors.push_back({0, json.error()});
    return batch;
  }
  if (!json->is_array()) {
    batch.errors.push_back(
        {0, Error::malformed("", "wrong_type", "the body must be a JSON array of work orders")});
    return batch;
  }
  if (json->empty()) {
    batch.errors.push_back({0, empty_batch()});
    return batch;
  }
  if (json->size() > kMaxImportRows) {
    batch.errors.push_back({0, too_many_rows(json->size())});
    return batch;
  }
  DuplicateCheck dups;
  for (std::size_t i = 0; i < json->size(); ++i)
    parse_json_row((*json)[i], static_cast<int>(i + 1), dups, batch);
  return batch;
}

ImportBatch parse_hotline_csv(std::string_view body) {
  ImportBatch batch;
  auto fail0 = [&](Error e) { batch.errors.push_back({0, std::move(e)}); };
  const CsvRecords csv = read_csv_file(body);
  if (csv.error) {
    batch.errors.push_back({csv.error_record, *csv.error});
    return batch;
  }

  // The header.
  const auto& header = csv.records.front();
  ColumnIndex index;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = trim_blanks(header[i]);
    auto col = find_column(name);
    if (!col) {
      fail0(Error::invalid(std::string(name), "unknown_column",
                           name.empty() ? "column " + std::to_string(i + 1) + " has no name"
                                        : "is not a column of a work order"));
      continue;
    }
    auto& slot = index[static_cast<std::size_t>(*col)];
    if (slot)
      fail0(Error::invalid(column_name(*col), "duplicate_column", "appears more than once"));
    else
      slot = i;
  }
  for (const auto& def : kColumns)
    if (def.required && !index[static_cast<std::size_t>(def.col)])
      fail0(Error::invalid(std::string(def.name), "missing_column",
                           "is a required column (" + std::string(def.name_zh) + ")"));
  if (!batch.errors.empty()) return batch;

  // The data rows.
  const std::size_t data_rows = count_data_records(csv);
  if (data_rows == 0) {
    fail0(empty_batch());
    return batch;
  }
  if (data_rows > kMaxImportRows) {
    fail0(too_many_rows(data_rows));
    return batch;
  }
  DuplicateCheck dups;
  for (std::size_t r = 1; r < csv.records.size(); ++r) {
    const auto& cells = csv.records[r];
    if (is_blank_record(cells)) continue;
    const int row = static_cast<int>(r);
    if (auto e = check_field_count(cells, header.size())) {
      batch.errors.push_back({row, std::move(*e)});
      continue;
    }
    parse_csv_row(cells, index, row, dups, batch);
  }
  return batch;
}

}  // namespace portal::server
