#include "server/service/passwords.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <new>
#include <string>
#include <unordered_set>

#include "portal/core/utf8.hpp"

// Index
// [SECTION] libsodium set-up
// [SECTION] Hashing and verification
// [SECTION] Patterns: sequences, repeats, keyboard walks, dates
// [SECTION] Common passwords
// [SECTION] Strength rules

namespace portal::server {

// [SECTION] libsodium set-up

namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr std::string_view kArgon2idPrefix = crypto_pwhash_argon2id_STRPREFIX;

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; it fails only without a usable RNG.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::bad_alloc();
}

}  // namespace

// [SECTION] Hashing and verification

std::string hash_password(std::string_view password) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::bad_alloc();  // the only failure left: the work area could not be allocated
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  // libsodium reads a NUL-terminated string of at most STRBYTES - 1 characters.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (hash.find('\0') != std::string_view::npos) return false;
  const std::string stored(hash);
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

bool verify_password_dummy(std::string_view password) {
  // Made once with the current limits, so the dummy costs what a real check costs.
  static const std::string dummy = hash_password("dummy password for unknown logins");
  (void)verify_password(dummy, password);
  return false;
}

bool needs_rehash(std::string_view hash) {
  ensure_sodium();
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos)
    return true;
  if (hash.substr(0, kArgon2idPrefix.size()) != kArgon2idPrefix) return true;  // argon2i, other
  const std::string stored(hash);
  return crypto_pwhash_str_needs_rehash(stored.c_str(), kOpsLimit, kMemLimit) != 0;
}

// [SECTION] Patterns: sequences, repeats, keyboard walks, dates

namespace {

using core::ascii_lower;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_symbol(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b > 0x20 && b < 0x7F && !is_digit(c) && !is_letter(c);
}
bool all_of(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool digits_or_symbols(char c) {
  return is_digit(c) || is_ascii_symbol(c);
}

// Every step the same and at most one: 11111111, 12345678, abcdefgh, 87654321,
// 7890123 (digits wrap around, as on the keyboard's number row).
bool is_monotone_run(std::string_view s) {
  if (s.size() < 2) return true;
  auto step = [](char a, char b) {
    if (is_digit(a) && is_digit(b)) {
      int d = (b - a + 10) % 10;
      return d == 9 ? -1 : d;
    }
    return b - a;
  };
  const int first = step(s[0], s[1]);
  if (first < -1 || first > 1) return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (step(s[i - 1], s[i]) != first) return false;
  return true;
}

// Rows and columns people slide a finger along, forwards or backwards.
bool is_keyboard_walk(std::string_view s) {
  static constexpr std::array<std::string_view, 9> kWalks = {
      "`1234567890-=",
      "qwertyuiop[]\\",
      "asdfghjkl;'",
      "zxcvbnm,./",
      "~!@#$%^&*()_+",
      "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
      "qazwsxedcrfvtgbyhnujmikolp",
      "1q2w3e4r5t6y7u8i9o0p",
      "zaq1xsw2cde3vfr4bgt5nhy6mju7"};
  if (s.size() < 4) return false;
  std::string reversed(s.rbegin(), s.rend());
  for (auto walk : kWalks)
    if (walk.find(s) != std::string_view::npos || walk.find(reversed) != std::string_view::npos)
      return true;
  return false;
}

// yyyymmdd, ddmmyyyy or mmddyyyy for a plausible birth or wedding date.
bool is_date(std::string_view s) {
  if (s.size() != 8 || !all_of(s, is_digit)) return false;
  auto num = [&](std::size_t at, std::size_t n) { return std::stoi(std::string(s.substr(at, n))); };
  auto year_ok = [](int y) { return y >= 1900 && y <= 2099; };
  auto md_ok = [](int m, int d) { return m >= 1 && m <= 12 && d >= 1 && d <= 31; };
  if (year_ok(num(0, 4)) && md_ok(num(4, 2), num(6, 2))) return true;
  if (year_ok(num(4, 4)) && (md_ok(num(2, 2), num(0, 2)) || md_ok(num(0, 2), num(2, 2))))
    return true;
  return false;
}

bool is_common_lower(std::string_view lower);

// The smallest period p (s[i] == s[i - p] for all i), or s.size() when none.
std::size_t period(std::string_view s) {
  for (std::size_t p = 1; p <= s.size() / 2; ++p) {
    bool ok = true;
    for (std::size_t i = p; i < s.size() && ok; ++i) ok = s[i] == s[i - p];
    if (ok) return p;
  }
  return s.size();
}

// Text (ASCII lower case) a guesser tries among the first million candidates.
bool is_trivial(std::string_view s) {
  if (s.empty()) return true;
  if (is_monotone_run(s) || is_keyboard_walk(s) || is_date(s)) return true;
  const std::size_t p = period(s);
  if (p < s.size()) {
    const std::string_view unit = s.substr(0, p);
    // 12341234, abcabcabc, woaiwoai; a long passphrase typed twice is not trivial.
    if (p <= 4 || is_trivial(unit) || is_common_lower(unit)) return true;
  }
  return false;
}

// [SECTION] Common passwords

const std::unordered_set<std::string_view>& common_set() {
  static constexpr std::string_view kList[] = {
#include "server/service/common_passwords.inc"
  };
  static const std::unordered_set<std::string_view> set(std::begin(kList), std::end(kList));
  return set;
}

bool is_common_lower(std::string_view lower) {
  return common_set().count(lower) > 0;
}

// p@ssw0rd → password; only for text that has letters, so that digit strings stay as they are.
std::string unleet(std::string_view s, char one_as) {
  std::string out(s);
  for (char& c : out) switch (c) {
      case '@':
        c = 'a';
        break;
      case '$':
        c = 's';
        break;
      case '0':
        c = 'o';
        break;
      case '3':
        c = 'e';
        break;
      case '1':
        c = one_as;
        break;
      case '!':
        c = 'i';
        break;
      default:
        break;
    }
  return out;
}

bool is_common_word(std::string_view lower) {
  if (is_common_lower(lower)) return true;
  if (std::none_of(lower.begin(), lower.end(), is_letter)) return false;
  return is_common_lower(unleet(lower, 'i')) || is_common_lower(unleet(lower, 'l'));
}

// A few characters a person adds to satisfy a rule: "1", "!!", "2024", "qq".
bool is_filler(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() <= 4 && all_of(s, digits_or_symbols)) return true;
  if (s.size() <= 2 && all_of(s, is_letter)) return true;
  return false;
}

// A common password, perhaps with filler or a trivial run around it: woaini1314!,
// qq5201314, password2024, 2024iloveyou, iloveyou12345678.
bool contains_common_core(std::string_view lower) {
  constexpr std::size_t kMinCore = 4;
  for (std::size_t a = 0; a <= 4 && a + kMinCore <= lower.size(); ++a) {
    for (std::size_t b = 0; b <= 4 && a + b + kMinCore <= lower.size(); ++b) {
      if (!is_filler(lower.substr(0, a)) || !is_filler(lower.substr(lower.size() - b))) continue;
      if (is_common_word(lower.substr(a, lower.size() - a - b))) return true;
    }
  }
  // Longer non-letter runs around a word, when those runs are trivial themselves.
  const std::size_t first = lower.find_first_of("abcdefghijklmnopqrstuvwxyz");
  const std::size_t last = lower.find_last_of("abcdefghijklmnopqrstuvwxyz");
  if (first == std::string_view::npos) return false;
  const std::string_view head = lower.substr(0, first), tail = lower.substr(last + 1);
  const std::string_view core = lower.substr(first, last + 1 - first);
  auto weak = [](std::string_view run) {
    return run.empty() || (all_of(run, digits_or_symbols) && (run.size() <= 4 || is_trivial(run)));
  };
  return core.size() >= kMinCore && weak(head) && weak(tail) && is_common_word(core);
}

}  // namespace

bool is_common_password(std::string_view password) {
  return is_common_lower(ascii_lower(password));
}

// [SECTION] Strength rules

namespace {

core::Error weak(std::string code, std::string message) {
  return core::Error::invalid("password", std::move(code), std::move(message));
}

// After taking `part` out of the password once, is what is left worth anything?
bool remainder_is_weak(std::string_view lower, std::string_view part) {
  const std::size_t at = lower.find(part);
  if (at == std::string_view::npos) return false;
  std::string rest(lower.substr(0, at));
  rest += lower.substr(at + part.size());
  return rest.size() < 4 || is_filler(rest) || is_trivial(rest) || is_common_word(rest);
}

bool like_account(std::string_view lower, std::string_view phone, std::string_view username) {
  std::string phone_digits;
  for (char c : phone)
    if (is_digit(c)) phone_digits += c;
  if (phone_digits.size() >= 6) {
    std::string digits;
    for (char c : lower)
      if (is_digit(c)) digits += c;
    if (digits.find(phone_digits) != std::string::npos) return true;
    // The last eight digits of the number, or the number read backwards.
    if (all_of(lower, is_digit) && std::string_view(phone_digits).ends_with(lower)) return true;
    if (std::string(lower.rbegin(), lower.rend()) == phone_digits) return true;
  }
  const std::string user = ascii_lower(username);
  const auto user_chars = core::utf8_length(user);
  if (user_chars && *user_chars >= 3) {
    if (lower == user || remainder_is_weak(lower, user)) return true;
    if (std::string(lower.rbegin(), lower.rend()) == user) return true;
  }
  return false;
}

// A trivial run with a letter or two of decoration: a12345678, qq88888888, 19900101aa.
bool decorated_trivial(std::string_view lower) {
  for (std::size_t a = 0; a <= 2; ++a)
    for (std::size_t b = 0; b <= 2; ++b) {
      if (a + b + 6 > lower.size()) continue;
      const std::string_view head = lower.substr(0, a), tail = lower.substr(lower.size() - b);
      if ((a && !all_of(head, is_letter)) || (b && !all_of(tail, is_letter))) continue;
      if (is_trivial(lower.substr(a, lower.size() - a - b))) return true;
    }
  return false;
}

}  // namespace

std::optional<core::Error> check_password_strength(std::string_view password,
                                                   std::string_view phone,
                                                   std::string_view username) {
  const auto chars = core::utf8_length(password);
  if (!chars || core::has_control_chars(password) ||
      password.find_first_of("\n\r\t") != std::string_view::npos)
    return weak("password_invalid", "must be text without control characters");
  if (*chars < password_limits::kMinChars)
    return weak("password_too_short",
                "must have at least " + std::to_string(password_limits::kMinChars) + " characters");
  if (*chars > password_limits::kMaxChars)
    return weak("password_too_long",
                "must have at most " + std::to_string(password_limits::kMaxChars) + " characters");

  const std::string lower = ascii_lower(password);
  if (like_account(lower, phone, username))
    return weak("password_like_account", "must not be built from your phone number or username");
  if (is_common_lower(lower) || contains_common_core(lower))
    return weak("password_too_common", "is one of the most common passwords");
  if (is_trivial(lower) || decorated_trivial(lower))
    return weak("password_too_simple", "is a simple pattern such as 12345678 or a date");
  return std::nullopt;
}

}  // namespace portal::server
