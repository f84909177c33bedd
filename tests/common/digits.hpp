// The digits of a text, full-width ones (U+FF10..U+FF19) read as ASCII: what a reader
// could piece a masked phone number back together from.
#pragma once

#include <string>
#include <string_view>

namespace portal::test {

inline std::string digits_of(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= '0' && c <= '9') {
      out += s[i];
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
               static_cast<unsigned char>(s[i + 2]) >= 0x90 &&
               static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      out += static_cast<char>('0' + static_cast<unsigned char>(s[i + 2]) - 0x90);
      i += 2;
    }
  }
  return out;
}

}  // namespace portal::test
