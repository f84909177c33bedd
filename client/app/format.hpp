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

}  // namespace portal::client
