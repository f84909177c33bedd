#include "app/glyphs.hpp"

#include <algorithm>

namespace portal::client {

char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

GlyphSet::GlyphSet() {
  for (char32_t c = 0x20; c < 0x7F; ++c) seen_.set(c);
  for (char32_t c : {0xFFFDu, 0x2026u, 0x00B7u}) seen_.set(c);  // fallback, "…", "·"
  for (char32_t c = 0; c < kLimit; ++c)
    if (seen_[c]) sorted_.push_back(c);
  version_ = 1;
}

bool GlyphSet::require(std::string_view utf8) {
  bool added = false;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {  // ASCII is always present
      ++i;
      continue;
    }
    const char32_t cp = next_code_point(utf8, i);
    if (cp >= kLimit || seen_[cp]) continue;
    seen_.set(cp);
    sorted_.insert(std::lower_bound(sorted_.begin(), sorted_.end(), cp), cp);
    added = true;
  }
  if (added) ++version_;
  return added;
}

bool GlyphSet::require(char32_t cp) {
  if (cp >= kLimit || seen_[cp]) return false;
  seen_.set(cp);
  sorted_.insert(std::lower_bound(sorted_.begin(), sorted_.end(), cp), cp);
  ++version_;
  return true;
}

}  // namespace portal::client
