#include "app/format.hpp"

#include <cstdio>

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

}  // namespace portal::client
