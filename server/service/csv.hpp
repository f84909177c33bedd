// Reading CSV files (RFC 4180), shared by the imports: hotline work orders
// (hotline_import.hpp) and gazetteer places (places.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/result.hpp"

namespace portal::server {

struct CsvRecords {
  std::vector<std::vector<std::string>> records;
  // The line of the file each record starts on (from 1): record N is line N + 1 only
  // while no quoted field spans lines.
  std::vector<int> lines;
  std::optional<core::Error> error;
  int error_record = 0;  // index of the record where the error is
  int error_line = 0;    // and its line
};

// RFC 4180, with LF, CRLF or a lone CR ending a record. A quote inside an unquoted
// field is taken literally (as spreadsheets read it); after a closing quote only a
// comma or the end of the record may follow.
CsvRecords read_csv(std::string_view s);

// A file to import, read whole: UTF-8 (a byte order mark first is dropped), CSV, and a
// first record that names the columns. When it is not, `error` says why: at record 0
// (line 1), or where the CSV goes wrong.
CsvRecords read_csv_file(std::string_view body);

// The records after the header that are not blank lines.
std::size_t count_data_records(const CsvRecords& csv);

// 422 wrong_field_count (no field) when a record has not as many fields as the header.
std::optional<core::Error> check_field_count(const std::vector<std::string>& record,
                                             std::size_t header_fields);

// A line with nothing on it: one empty field.
bool is_blank_record(const std::vector<std::string>& r);

// Without surrounding blanks (space, tab, CR, LF).
std::string_view trim_blanks(std::string_view s);

// A decimal number such as 35.41 or +116.5 (finite), or nullopt.
std::optional<double> parse_decimal(std::string_view s);

}  // namespace portal::server
