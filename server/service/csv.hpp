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

// A line with nothing on it: one empty field.
bool is_blank_record(const std::vector<std::string>& r);

// Without surrounding blanks (space, tab, CR, LF).
std::string_view trim_blanks(std::string_view s);

// A decimal number such as 35.41 or +116.5 (finite), or nullopt.
std::optional<double> parse_decimal(std::string_view s);

}  // namespace portal::server
