#include "app/utf8.hpp"

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

namespace {

constexpr char32_t kZwj = 0x200D;

// Joins the code point before it into one cluster.
bool extends(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0xFE00 && c <= 0xFE0F) ||
         (c >= 0xE0100 && c <= 0xE01EF) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
         (c >= 0xE0020 && c <= 0xE007F) || c == kZwj;
}

bool regional_indicator(char32_t c) {
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

}  // namespace

int next_cluster(std::string_view s, int i) {
  const std::size_t n = s.size();
  if (i < 0) return 0;
  std::size_t p = static_cast<std::size_t>(i);
  if (p >= n) return static_cast<int>(n);
  const char32_t first = next_code_point(s, p);
  if (first == '\r' && p < n && s[p] == '\n') return static_cast<int>(p + 1);
  if (first == '\n' || first == '\r') return static_cast<int>(p);
  if (regional_indicator(first) && p < n) {
    std::size_t q = p;
    if (regional_indicator(next_code_point(s, q))) return static_cast<int>(q);
  }
  while (p < n) {
    std::size_t q = p;
    const char32_t c = next_code_point(s, q);
    if (!extends(c)) break;
    p = q;
    if (c == kZwj && p < n) {  // the joined emoji and its own marks
      std::size_t r = p;
      const char32_t joined = next_code_point(s, r);
      if (joined == '\n') break;
      p = r;
    }
  }
  return static_cast<int>(p);
}

int prev_cluster(std::string_view s, int i) {
  const int end = std::min(i, static_cast<int>(s.size()));
  if (end <= 0) return 0;
  // Clusters are found from the start of the line: the text of one field is short.
  int start = end - 1;
  while (start > 0 && s[static_cast<std::size_t>(start) - 1] != '\n') --start;
  for (int at = start;;) {
    const int next = next_cluster(s, at);
    if (next >= end || next <= at) return at;
    at = next;
  }
}

}  // namespace portal::client
