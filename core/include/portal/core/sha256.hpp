// SHA-256 (FIPS 180-4), small and dependency-free so that the audit chain can be
// computed and checked on both sides (the server, and the Wasm client if it wants to).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace portal::core {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Finishes the hash; the object must be reset() before it is used again.
  Digest finish();
  void reset();

 private:
  void block(const std::uint8_t* p);

  std::array<std::uint32_t, 8> h_{};
  std::array<std::uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;  // bytes
};

Sha256::Digest sha256(std::string_view data);
// Lower-case hex of the digest: 64 characters.
std::string sha256_hex(std::string_view data);
std::string to_hex(const Sha256::Digest& d);

}  // namespace portal::core
