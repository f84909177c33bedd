// Batch import of 12345 hotline work orders (POST /api/v1/hotline/import): parses a
// JSON array or a CSV file into ticket drafts, checking every row. Nothing here writes
// anything; the caller imports all or nothing — when `errors` is non-empty it creates
// no ticket and answers the errors.
//
// Rows are numbered from 1 in the order of the data: the JSON array's elements, or
// the CSV's records after the header (so CSV row N is the spreadsheet's line N + 1
// when no quoted field spans lines). Row 0 means the batch as a whole (malformed
// body, bad header, too many rows).
//
// Error fields name what the sender wrote: JSON paths for JSON ("contact.phone",
// "location.lat", "external_id"), column names for CSV ("contact_phone", "lat"; the
// English name also when the header used the Chinese one).
//
// Not checked here (the caller knows): whether the category and grid exist, and
// whether an external_id was already imported by an earlier batch.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"

namespace portal::server {

inline constexpr std::size_t kMaxImportRows = 5'000;
inline constexpr std::size_t kMaxExternalIdChars = 64;

struct ImportRow {
  int row = 0;
  core::TicketDraft draft;                     // channel is always hotline
  std::optional<std::string> external_id;      // the hotline's work-order number
  std::optional<core::TimePoint> received_at;  // when the call came in
};

struct ImportError {
  int row = 0;  // 0: the batch as a whole
  core::Error error;
};

// `rows` holds only rows without errors, in order.
struct ImportBatch {
  std::vector<ImportRow> rows;
  std::vector<ImportError> errors;
};

// A JSON array of objects shaped as the POST /api/v1/tickets body, each with an
// optional "external_id" (string) and "received_at" (ISO 8601 with a zone). Any
// "channel" given is replaced by hotline. Unknown keys are errors (a misspelt
// "external_id" must not silently lose duplicate detection).
ImportBatch parse_hotline_json(std::string_view body);

// CSV (RFC 4180: quoted fields, "" for a quote, commas and line breaks inside quotes,
// CRLF or LF; an optional UTF-8 byte order mark). The first record is the header; its
// columns may come in any order:
//   external_id 工单编号, received_at 来电时间, category 类别 (required),
//   description 诉求内容 (required), lat 纬度 (required), lng 经度 (required),
//   address 地址, contact_name 联系人 (required), contact_phone 联系电话 (required),
//   grid_id 网格.
// Unknown, repeated and missing required columns are row-0 errors naming the column.
// Cells are trimmed of surrounding blanks; an empty optional cell means "not given";
// blank lines are skipped (but counted in the row numbers). The file must be UTF-8.
ImportBatch parse_hotline_csv(std::string_view body);

}  // namespace portal::server
