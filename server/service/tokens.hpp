// Bearer secrets: session tokens and API keys. Both are 256 random bits from libsodium's
// CSPRNG, written base64url without padding. The server keeps only token_hash() of a
// secret, so a copy of the database opens no session; a lookup hashes what the client
// sent and compares hashes.
#pragma once

#include <string>
#include <string_view>

namespace portal::server {

namespace token_format {
inline constexpr std::size_t kRandomBytes = 32;           // 256 bits
inline constexpr std::size_t kEncodedChars = 43;          // base64url, no padding
inline constexpr std::string_view kApiKeyPrefix = "rk_";  // tells keys from sessions in logs
inline constexpr std::size_t kMaxPresentedChars = 128;    // longer Bearer values are refused
}  // namespace token_format

// 43 characters of [A-Za-z0-9_-]: 256 random bits.
std::string new_session_token();

// "rk_" followed by 43 characters of [A-Za-z0-9_-]: 256 random bits. Shown once.
std::string new_api_key();

// An uploaded photo's id: 32 lower-case hex characters, 128 random bits. Only its
// uploader learns it until a ticket claims the photo, so for an anonymous upload it is
// the capability to use it.
std::string new_attachment_id();
// 32 hex characters, or 64 (photos uploaded before ids were random: their content hash).
bool looks_like_attachment_id(std::string_view id);

// Lower-case hex SHA-256 of the secret (64 characters): the only form that is stored.
std::string token_hash(std::string_view token);

// Equality whose time does not depend on where the inputs differ. The lengths are not
// secret (hashes have a fixed length); different lengths compare unequal.
bool constant_time_equal(std::string_view a, std::string_view b);

// Cheap shape checks for what a client presents, before any hashing or lookup: the
// right length and alphabet only. They reveal nothing about validity.
bool looks_like_session_token(std::string_view token);
bool looks_like_api_key(std::string_view key);

}  // namespace portal::server
