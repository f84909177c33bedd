#include "server/service/tokens.hpp"

#include <sodium.h>

#include <array>
#include <new>

namespace portal::server {

namespace {

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; it fails only without a usable RNG,
  // and then no secret may be made at all.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::bad_alloc();
}

std::string random_base64url() {
  ensure_sodium();
  std::array<unsigned char, token_format::kRandomBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(token_format::kRandomBytes, kVariant)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), kVariant);
  sodium_memzero(bytes.data(), bytes.size());
  return std::string(text.data());
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool is_base64url_secret(std::string_view s) {
  if (s.size() != token_format::kEncodedChars) return false;
  for (char c : s)
    if (!is_base64url_char(c)) return false;
  return true;
}

}  // namespace

std::string new_session_token() {
  return random_base64url();
}

std::string new_api_key() {
  return std::string(token_format::kApiKeyPrefix) + random_base64url();
}

std::string new_attachment_id() {
  ensure_sodium();
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 2 * 16 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data());
}

bool looks_like_attachment_id(std::string_view id) {
  return (id.size() == 32 || id.size() == 64) &&
         id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string token_hash(std::string_view token) {
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool looks_like_session_token(std::string_view token) {
  return is_base64url_secret(token);
}

bool looks_like_api_key(std::string_view key) {
  const auto prefix = token_format::kApiKeyPrefix;
  return key.size() == prefix.size() + token_format::kEncodedChars &&
         key.substr(0, prefix.size()) == prefix && is_base64url_secret(key.substr(prefix.size()));
}

}  // namespace portal::server
