// UTF-8 checks used by validation on both sides.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace portal::core {

// Number of code points, or nullopt when the bytes are not valid UTF-8
// (overlongs, surrogates and code points past U+10FFFF are invalid).
std::optional<std::size_t> utf8_length(std::string_view s);
bool is_valid_utf8(std::string_view s);
// True when the text holds control characters other than \n, \r and \t (NUL included).
bool has_control_chars(std::string_view s);
// The longest prefix of at most n code points that ends between two characters as a
// reader sees them: never inside a UTF-8 sequence, an emoji ZWJ sequence, a flag's pair
// of regional indicators, or before a combining mark, variation selector, skin tone or
// tag. Only when the first such character alone is longer than n is it cut between code
// points (never inside a sequence of bytes). Stops before the first invalid byte.
std::string_view utf8_cut(std::string_view s, std::size_t n);
// The first character as a reader sees it (by the same rules), however many code points.
std::string_view utf8_first_character(std::string_view s);
// Decodes the sequence starting at s[i] into cp; returns its length in bytes, or 0
// when it is not valid UTF-8.
std::size_t utf8_decode(std::string_view s, std::size_t i, char32_t& cp);
// Appends the UTF-8 bytes of the code point cp (at most U+10FFFF).
void utf8_append(std::string& out, char32_t cp);
// A..Z to a..z, every other byte as it is (usernames are compared this way).
std::string ascii_lower(std::string_view s);

}  // namespace portal::core
