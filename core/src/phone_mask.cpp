#include "portal/core/phone_mask.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace portal::core {

namespace {

// One code point of the text, classified.
struct Unit {
  enum Kind { digit, separator, plus, other } kind = other;
  std::size_t begin = 0, size = 1;
  char value = 0;  // the digit, '0'..'9'; the ASCII character for 'other' ASCII units
};

std::vector<Unit> units_of(std::string_view s) {
  std::vector<Unit> out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    Unit u;
    u.begin = i;
    if (c < 0x80) {
      u.value = static_cast<char>(c);
      if (c >= '0' && c <= '9')
        u.kind = Unit::digit;
      else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '_')
        u.kind = Unit::separator;
      else if (c == '+')
        u.kind = Unit::plus;
    } else if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC) {
      // Full-width forms U+FF08..U+FF19: （ ） ＋ － and ０..９.
      const auto d = static_cast<unsigned char>(s[i + 2]);
      u.size = 3;
      if (d >= 0x90 && d <= 0x99) {
        u.kind = Unit::digit;
        u.value = static_cast<char>('0' + (d - 0x90));
      } else if (d == 0x88 || d == 0x89 || d == 0x8D || d == 0x8E) {
        u.kind = Unit::separator;
      } else if (d == 0x8B) {
        u.kind = Unit::plus;
      }
    } else if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               static_cast<unsigned char>(s[i + 2]) == 0x80) {
      u.kind = Unit::separator;  // U+3000 ideographic space
      u.size = 3;
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0x93 ||
                static_cast<unsigned char>(s[i + 2]) == 0x94)) {
      u.kind = Unit::separator;  // – —
      u.size = 3;
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      u.kind = Unit::separator;  // NBSP
      u.size = 2;
    } else {
      // Any other code point (or a stray byte) as one unit.
      std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      u.size = i + n <= s.size() ? n : 1;
    }
    i += u.size;
    out.push_back(u);
  }
  return out;
}

// An unbroken run of digit units [first, last).
struct Run {
  std::size_t first = 0, last = 0;
  std::string digits;
};

// Which digits of a phone stay readable; nullopt when the digits are no phone.
// `plus`: a + stood before them, so a leading 86 is the country code.
std::optional<std::vector<bool>> phone_mask(const std::string& d, bool plus) {
  std::size_t prefix = 0;
  bool international = false;
  auto is_mobile = [](std::string_view r) {
    return r.size() == 11 && r[0] == '1' && r[1] >= '3' && r[1] <= '9';
  };
  if (d.rfind("0086", 0) == 0) {
    prefix = 4, international = true;
  } else if (d.rfind("86", 0) == 0 && (plus || is_mobile(std::string_view(d).substr(2)))) {
    prefix = 2, international = true;
  }
  const std::string_view rest = std::string_view(d).substr(prefix);
  std::vector<bool> keep(d.size(), false);
  for (std::size_t i = 0; i < prefix; ++i) keep[i] = true;
  if (is_mobile(rest)) {
    for (std::size_t i = 0; i < 3; ++i) keep[prefix + i] = true;
    for (std::size_t i = rest.size() - 4; i < rest.size(); ++i) keep[prefix + i] = true;
    return keep;
  }
  // A landline: area code (010, 02x: 3 digits; others 4, the leading 0 dropped after a
  // country code), then 7 or 8 digits.
  std::size_t area = 0;
  if (international && !rest.empty() && rest[0] != '0') {
    area = rest[0] == '1' || rest[0] == '2' ? 2 : 3;
  } else if (!international && rest.size() > 1 && rest[0] == '0' && rest[1] != '0') {
    area = rest[1] == '1' || rest[1] == '2' ? 3 : 4;
  } else {
    return std::nullopt;
  }
  if (rest.size() < area + 7 || rest.size() > area + 8) return std::nullopt;
  for (std::size_t i = 0; i < area; ++i) keep[prefix + i] = true;
  for (std::size_t i = rest.size() - 2; i < rest.size(); ++i) keep[prefix + i] = true;
  return keep;
}

// An unbroken run of 7 or more digits that is no phone: ID, card and account numbers.
std::vector<bool> long_number_mask(std::size_t n) {
  std::vector<bool> keep(n, false);
  if (n >= 11) {
    for (std::size_t i = 0; i < 3; ++i) keep[i] = true;
    for (std::size_t i = n - 4; i < n; ++i) keep[i] = true;
  } else {
    keep[n - 2] = keep[n - 1] = true;
  }
  return keep;
}

// A ticket number: "RC" right before 16 digits.
bool is_ticket_number_at(const std::vector<Unit>& u, const Run& r) {
  if (r.digits.size() != 16 || r.first < 2) return false;
  if (r.last < u.size() && u[r.last].kind == Unit::digit) return false;
  return u[r.first - 2].value == 'R' && u[r.first - 1].value == 'C';
}

constexpr std::size_t kMaxSeparators = 3;  // between two groups, e.g. ") " or " - "
constexpr std::size_t kMaxPhoneDigits = 15;

}  // namespace

std::string mask_phones_in_text(std::string_view text) {
  const std::vector<Unit> u = units_of(text);
  std::vector<Run> runs;
  for (std::size_t i = 0; i < u.size();) {
    if (u[i].kind != Unit::digit) {
      ++i;
      continue;
    }
    Run r;
    r.first = i;
    while (i < u.size() && u[i].kind == Unit::digit) r.digits += u[i++].value;
    r.last = i;
    runs.push_back(std::move(r));
  }

  std::vector<bool> masked(u.size(), false);
  auto apply = [&](std::size_t from, std::size_t to, const std::vector<bool>& keep) {
    std::size_t k = 0;
    for (std::size_t r = from; r <= to; ++r)
      for (std::size_t i = runs[r].first; i < runs[r].last; ++i) masked[i] = !keep[k++];
  };

  // Groups joined by a few separators form a span; within it, the longest sequence of
  // groups from each start that spells a phone is masked.
  std::size_t a = 0;
  while (a < runs.size()) {
    if (is_ticket_number_at(u, runs[a])) {
      ++a;
      continue;
    }
    std::size_t b = a;
    while (b + 1 < runs.size() && !is_ticket_number_at(u, runs[b + 1])) {
      const std::size_t gap = runs[b + 1].first - runs[b].last;
      bool joined = gap >= 1 && gap <= kMaxSeparators;
      for (std::size_t i = runs[b].last; joined && i < runs[b + 1].first; ++i)
        joined = u[i].kind == Unit::separator;
      if (!joined) break;
      ++b;
    }
    for (std::size_t i = a; i <= b;) {
      // A + (possibly behind an opening parenthesis or a space) right before the group.
      bool plus = false;
      for (std::size_t k = runs[i].first, seen = 0; k > 0 && seen < 2; --k, ++seen) {
        if (u[k - 1].kind == Unit::plus) plus = true;
        if (u[k - 1].kind != Unit::separator) break;
      }
      // At most 15 digits, so at most 15 groups from each start: linear in the text.
      std::optional<std::vector<bool>> best;
      std::size_t best_end = i;
      std::string digits;
      for (std::size_t j = i; j <= b; ++j) {
        digits += runs[j].digits;
        if (digits.size() > kMaxPhoneDigits) break;
        if (auto keep = phone_mask(digits, plus)) best = std::move(keep), best_end = j;
      }
      if (best) {
        apply(i, best_end, *best);
        i = best_end + 1;
        continue;
      }
      if (runs[i].digits.size() >= 7) apply(i, i, long_number_mask(runs[i].digits.size()));
      ++i;
    }
    a = b + 1;
  }

  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (masked[i])
      out += '*';
    else
      out.append(text.substr(u[i].begin, u[i].size));
  }
  return out;
}

}  // namespace portal::core
