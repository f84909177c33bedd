// The set of characters the UI has to be able to draw. The font atlas is built
// lazily from it: it starts with ASCII and the catalogue, and grows when text to
// show or typed text brings characters not seen before.
#pragma once

#include <bitset>
#include <cstdint>
#include <string_view>
#include <vector>

namespace portal::client {

class GlyphSet {
 public:
  GlyphSet();
  // Adds the code points of UTF-8 text; true when any was new.
  bool require(std::string_view utf8);
  // Adds one code point; true when it was new.
  bool require(char32_t cp);
  bool contains(char32_t cp) const { return cp < kLimit && seen_[cp]; }
  // Sorted code points; changes only when version() changes.
  const std::vector<char32_t>& code_points() const { return sorted_; }
  std::uint64_t version() const { return version_; }

  // The atlas covers the Basic Multilingual Plane (ImWchar is 16-bit).
  static constexpr char32_t kLimit = 0x10000;

 private:
  std::bitset<kLimit> seen_;
  std::vector<char32_t> sorted_;
  std::uint64_t version_ = 0;
};

// Decodes one code point of UTF-8 at s[i], advancing i; U+FFFD for malformed input.
char32_t next_code_point(std::string_view s, std::size_t& i);

}  // namespace portal::client
