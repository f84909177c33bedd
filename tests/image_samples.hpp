// PNG files made byte by byte for the tests (unit and API): real ones that decode, and
// hostile ones — a header claiming a huge size, a valid header over random bytes.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace portal::test {

inline std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF),
          static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}

inline std::uint32_t crc32(std::string_view data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : data) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

inline std::string png_chunk(std::string_view type, std::string_view data) {
  const std::string body = std::string(type) + std::string(data);
  return be32(static_cast<std::uint32_t>(data.size())) + body + be32(crc32(body));
}

inline const std::string kPngSig("\x89PNG\r\n\x1a\n", 8);

// 8-bit RGB, not interlaced.
inline std::string png_ihdr(std::uint32_t w, std::uint32_t h) {
  return png_chunk("IHDR", be32(w) + be32(h) + std::string("\x08\x02\x00\x00\x00", 5));
}

// A PNG whose header claims w x h but whose data is a few bytes: a bomb's shape.
inline std::string png_with_header(std::uint32_t w, std::uint32_t h) {
  return kPngSig + png_ihdr(w, h) +
         png_chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) +
         png_chunk("IEND", "");
}

// A PNG that is whole by its structure (lengths, CRCs, IHDR, IDAT, IEND) but whose
// image data is `n` random bytes: it does not decode.
inline std::string png_over_random_bytes(std::uint32_t w, std::uint32_t h, std::size_t n,
                                         unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string data(n, '\0');
  for (auto& c : data) c = static_cast<char>(rng() & 0xFF);
  return kPngSig + png_ihdr(w, h) + png_chunk("IDAT", data) + png_chunk("IEND", "");
}

// A w x h PNG of noise that decodes, stored without compression (zlib "stored"
// blocks): its size is about 3·w·h bytes, for tests that need large uploads.
inline std::string noisy_png(std::uint32_t w, std::uint32_t h, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string raw;
  raw.reserve(static_cast<std::size_t>(h) * (1 + 3 * w));
  for (std::uint32_t y = 0; y < h; ++y) {
    raw += '\0';  // filter: none
    for (std::uint32_t x = 0; x < 3 * w; ++x) raw += static_cast<char>(rng() & 0xFF);
  }
  std::string z("\x78\x01", 2);
  for (std::size_t at = 0; at < raw.size(); at += 65535) {
    const std::size_t len = std::min<std::size_t>(65535, raw.size() - at);
    const bool last = at + len == raw.size();
    z += static_cast<char>(last ? 1 : 0);
    z += static_cast<char>(len & 0xFF);
    z += static_cast<char>(len >> 8);
    z += static_cast<char>(~len & 0xFF);
    z += static_cast<char>((~len >> 8) & 0xFF);
    z.append(raw, at, len);
  }
  std::uint32_t a = 1, b = 0;
  for (unsigned char ch : raw) {
    a = (a + ch) % 65521;
    b = (b + a) % 65521;
  }
  z += be32((b << 16) | a);
  return kPngSig + png_ihdr(w, h) + png_chunk("IDAT", z) + png_chunk("IEND", "");
}

}  // namespace portal::test
