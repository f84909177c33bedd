#include "portal/core/utf8.hpp"

namespace portal::core {

// Length of the sequence starting at s[i] and its code point; 0 when invalid.
void utf8_append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::size_t utf8_decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len;
  char32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    std::size_t len = utf8_decode(s, i, cp);
    if (len == 0) return std::nullopt;
    i += len;
    ++n;
  }
  return n;
}

bool is_valid_utf8(std::string_view s) {
  return utf8_length(s).has_value();
}

bool has_control_chars(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\n' && c != '\r' && c != '\t') || b == 0x7F) return true;
  }
  return false;
}

namespace {

// Code points that belong to the character before them (Grapheme_Extend and the
// emoji modifiers, in the ranges text typed here actually holds).
bool extends_previous(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0x3099 && c <= 0x309A) || (c >= 0xFE00 && c <= 0xFE0F) ||
         (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
         (c >= 0xE0020 && c <= 0xE007F) || (c >= 0xE0100 && c <= 0xE01EF) || c == 0x200C;
}

bool regional_indicator(char32_t c) {
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

// At most n code points ending between two characters; with whole_first, the first
// character is taken whole even when it is longer than n.
std::string_view cut_between_characters(std::string_view s, std::size_t n, bool whole_first) {
  std::size_t end = 0;             // the byte after the last code point taken
  std::size_t boundary = 0;        // the last end that falls between two characters
  std::size_t taken = 0, run = 0;  // code points taken; regional indicators in a row
  char32_t prev = 0;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    const std::size_t len = utf8_decode(s, i, cp);
    if (len == 0) {  // what follows is not text: the prefix ends here
      boundary = end;
      break;
    }
    const bool pair_half = regional_indicator(cp) && run % 2 == 1;
    if (i > 0 && cp != 0x200D && prev != 0x200D && !extends_previous(cp) && !pair_half)
      boundary = i;
    if (taken >= n && (boundary > 0 || !whole_first)) break;
    run = regional_indicator(cp) ? run + 1 : 0;
    prev = cp;
    i += len;
    end = i;
    ++taken;
    if (i == s.size()) boundary = i;
  }
  return s.substr(0, boundary > 0 ? boundary : end);
}

}  // namespace

std::string_view utf8_cut(std::string_view s, std::size_t n) {
  return cut_between_characters(s, n, false);
}

std::string_view utf8_first_character(std::string_view s) {
  return cut_between_characters(s, 1, true);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace portal::core
