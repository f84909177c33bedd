// Password hashing (argon2id through libsodium) and the strength rules applied when a
// password is chosen (registration, password change, staff created by an administrator).
//
// Cost: crypto_pwhash_OPSLIMIT_INTERACTIVE (2 passes) and MEMLIMIT_INTERACTIVE (64 MiB),
// libsodium's recommendation for online logins. That is about 0.1 s of one core and
// 64 MiB per hash, so callers bound concurrent logins (rate limits, the worker pool).
// Hashes made with other limits, or with argon2i, still verify; needs_rehash() tells
// the caller to store a fresh hash after the next successful login.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "portal/core/result.hpp"

namespace portal::server {

namespace password_limits {
inline constexpr std::size_t kMinChars = 8;    // code points
inline constexpr std::size_t kMaxChars = 128;  // code points
}  // namespace password_limits

// The PHC string "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>" with a fresh random
// salt. Throws std::bad_alloc when the 64 MiB work area cannot be allocated.
std::string hash_password(std::string_view password);

// True when the password matches the stored PHC string. Never throws; a malformed or
// empty hash verifies nothing.
bool verify_password(std::string_view hash, std::string_view password);

// Spends the time of one verification against a fixed hash and returns false: call it
// when the login names no account, so that response time does not tell which
// accounts exist.
bool verify_password_dummy(std::string_view password);

// True when the hash is not argon2id with the current limits (or is not a hash at all).
bool needs_rehash(std::string_view hash);

// NIST SP 800-63B style rules, no composition rules: 8..128 characters, valid UTF-8
// without control characters, not a common password (case-insensitive, also with a
// short run of digits or symbols around it), not the account's phone number or
// username, not a trivial pattern (one character repeated, 12345678, abcdefgh,
// a keyboard walk, a short repeated unit, a date such as 19900101).
// Errors are 422 with field "password" and one of the codes
//   password_invalid, password_too_short, password_too_long, password_too_common,
//   password_like_account, password_too_simple
// which the client maps to its own language.
std::optional<core::Error> check_password_strength(std::string_view password,
                                                   std::string_view phone,
                                                   std::string_view username);

// True when the text (ASCII case-folded) is in the common-password list.
bool is_common_password(std::string_view password);

}  // namespace portal::server
