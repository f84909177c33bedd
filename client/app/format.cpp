#include "app/format.hpp"

#include <cstdio>
#include <cstdlib>

#include "portal/core/time.hpp"

namespace portal::client {

std::string format_local_time(std::string_view iso) {
  if (iso.empty()) return {};
  auto t = core::parse_iso(iso);
  if (!t) return std::string(iso);
  const std::int64_t local = core::to_unix(*t) + core::kShanghaiOffset;
  std::int64_t days = local / 86400, rem = local % 86400;
  if (rem < 0) rem += 86400, --days;
  const core::CivilDate d = core::civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", d.year, d.month, d.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60));
  return buf;
}

std::string trim(std::string_view s) {
  auto space_at_front = [&](std::size_t& n) {
    if (!s.empty() &&
        (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
      return n = 1, true;
    if (s.size() >= 3 && s.substr(0, 3) == "\u3000") return n = 3, true;
    return false;
  };
  auto space_at_back = [&](std::size_t& n) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
      return n = 1, true;
    if (s.size() >= 3 && s.substr(s.size() - 3) == "\u3000") return n = 3, true;
    return false;
  };
  std::size_t n = 0;
  while (space_at_front(n)) s.remove_prefix(n);
  while (space_at_back(n)) s.remove_suffix(n);
  return std::string(s);
}

std::string tel_uri(std::string_view text) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!digit(text[i]) && text[i] != '+') continue;
    if (i > 0 && (digit(text[i - 1]) || text[i - 1] == '*')) continue;  // not a run's start
    std::string digits = text[i] == '+' ? "+" : "";
    std::size_t j = text[i] == '+' ? i + 1 : i;
    for (; j < text.size(); ++j) {
      if (digit(text[j])) {
        digits += text[j];
      } else if ((text[j] == '-' || text[j] == ' ') && j + 1 < text.size() && digit(text[j + 1]) &&
                 !digits.empty() && digits != "+") {
        continue;
      } else {
        break;
      }
    }
    const bool masked = j < text.size() && text[j] == '*';
    const std::size_t count = digits.size() - (digits[0] == '+' ? 1 : 0);
    if (!masked && count >= 5 && count <= 15) return "tel:" + digits;
    i = j;
  }
  return {};
}

bool parse_coordinate(const std::string& text, double& out) {
  const std::string s = trim(text);
  if (s.empty() || s.size() > 24) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

}  // namespace portal::client
