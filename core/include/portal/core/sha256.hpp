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
  void blocks(const std::uint8_t* p, std::size_t n);

  std::array<std::uint32_t, 8> h_{};
  std::array<std::uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;  // bytes
};

Sha256::Digest sha256(std::string_view data);
// Lower-case hex of the digest: 64 characters.
std::string sha256_hex(std::string_view data);
std::string to_hex(const Sha256::Digest& d);

namespace detail {
// The compression function over `n` 64-byte blocks, in plain C++ and with the CPU's
// SHA extensions. The latter returns false, doing nothing, where the CPU (or the
// target) has none. Sha256 uses the second where it can; tests compare the two.
void sha256_blocks_portable(std::uint32_t state[8], const std::uint8_t* p, std::size_t n);
bool sha256_blocks_hardware(std::uint32_t state[8], const std::uint8_t* p, std::size_t n);
}  // namespace detail

}  // namespace portal::core
