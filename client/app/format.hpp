// Formatting of values for people.
#pragma once

#include <string>
#include <string_view>

namespace portal::client {

// "2026-11-25T03:04:05Z" -> "2026-11-25 11:04" in Asia/Shanghai; "" for "", the input
// itself when it is not a time.
std::string format_local_time(std::string_view iso);
// Trims ASCII and ideographic (U+3000) spaces at both ends.
std::string trim(std::string_view s);
// "tel:05372345678" for the first telephone number in text (a run of at least 5 digits,
// with '-' or spaces between them, '+' in front), or "" when there is none (a masked
// number such as 138****8077 is none).
std::string tel_uri(std::string_view text);
// A coordinate as typed: a strict decimal number (digits, at most one dot, a sign).
bool parse_coordinate(const std::string& text, double& out);

}  // namespace portal::client
