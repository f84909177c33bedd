#include "server/service/csv.hpp"

#include <charconv>
#include <cmath>

#include "portal/core/utf8.hpp"

namespace portal::server {

CsvRecords read_csv(std::string_view s) {
  CsvRecords out;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  int line = 1;         // the line the reader is on
  int record_line = 1;  // the line the current record started on
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    out.records.push_back(std::move(record));
    out.lines.push_back(record_line);
    record.clear();
  };
  auto fail = [&](std::string message) {
    out.error = core::Error::malformed("", "malformed_csv", std::move(message));
    out.error_record = static_cast<int>(out.records.size());
    out.error_line = record_line;
  };
  // A line break at s[i] (CRLF, LF or CR): its length, or 0.
  auto line_break = [&](std::size_t at) -> std::size_t {
    if (at >= s.size()) return 0;
    if (s[at] == '\r') return at + 1 < s.size() && s[at + 1] == '\n' ? 2 : 1;
    return s[at] == '\n' ? 1 : 0;
  };
  while (i < s.size()) {
    // At the start of a field.
    if (s[i] == '"') {
      ++i;
      for (;;) {
        if (i >= s.size()) {
          fail("a quoted field is not closed");
          return out;
        }
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (const std::size_t n = line_break(i)) {
          field.append(s.substr(i, n));
          i += n;
          ++line;
          continue;
        }
        field += s[i++];
      }
      if (i < s.size() && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
        fail("a closing quote must be followed by a comma or the end of the line");
        return out;
      }
    } else {
      const std::size_t stop = s.find_first_of(",\r\n", i);
      const std::size_t end = stop == std::string_view::npos ? s.size() : stop;
      field.append(s.substr(i, end - i));
      i = end;
    }
    // After a field: a comma, a line break, or the end of the input.
    if (i >= s.size()) {
      end_record();
      break;
    }
    if (s[i] == ',') {
      record.push_back(std::move(field));
      field.clear();
      ++i;
      if (i == s.size()) end_record();  // "a,b," ends with an empty field
      continue;
    }
    i += line_break(i);
    end_record();
    record_line = ++line;
  }
  return out;
}

CsvRecords read_csv_file(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  CsvRecords out;
  out.error_line = 1;
  if (!core::is_valid_utf8(body)) {
    out.error = core::Error::invalid(
        "", "invalid_utf8",
        "the file must be UTF-8 text (in a spreadsheet, save as \"CSV UTF-8\")");
    return out;
  }
  out = read_csv(body);
  if (!out.error && (out.records.empty() || is_blank_record(out.records.front()))) {
    out.error = core::Error::invalid("", "missing_header", "the first line must name the columns");
    out.error_record = 0;
    out.error_line = 1;
  }
  return out;
}

std::size_t count_data_records(const CsvRecords& csv) {
  std::size_t n = 0;
  for (std::size_t r = 1; r < csv.records.size(); ++r)
    if (!is_blank_record(csv.records[r])) ++n;
  return n;
}

std::optional<core::Error> check_field_count(const std::vector<std::string>& record,
                                             std::size_t header_fields) {
  if (record.size() == header_fields) return std::nullopt;
  return core::Error::invalid("", "wrong_field_count",
                              "has " + std::to_string(record.size()) + " fields; the header has " +
                                  std::to_string(header_fields));
}

bool is_blank_record(const std::vector<std::string>& r) {
  return r.size() == 1 && r[0].empty();
}

std::string_view trim_blanks(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n";
  const auto b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kBlank) - b + 1);
}

std::optional<double> parse_decimal(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

}  // namespace portal::server
