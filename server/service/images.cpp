// Index:
//   [SECTION] stb_image (our own copy of the implementation, JPEG and PNG only)
//   [SECTION] Byte helpers and CRC-32
//   [SECTION] Content types
//   [SECTION] JPEG: a walk over markers and entropy-coded data
//   [SECTION] PNG: chunks and their CRCs
//   [SECTION] WebP: the RIFF container and the VP8 / VP8L / VP8X headers
//   [SECTION] inspect_image
//   [SECTION] Metadata stripping
//   [SECTION] Decoding
//   [SECTION] prepare_upload
//
// Two passes. inspect_image checks structure, which is cheap and bounded: JPEG markers
// are walked from SOI through every scan to EOI (a truncated upload has no EOI); every
// PNG chunk's length and CRC-32 is checked through IEND; a WebP's RIFF chunks must fit
// the declared size; stb_image's header parser (stbi_info_from_memory) cross-checks
// JPEG and PNG, and the size caps refuse a bomb from its header. A valid header with
// random bytes behind it passes all of that, so prepare_upload, which decides what is
// stored, then decodes JPEG and PNG pixel data in full. Decoding costs memory (up to
// ~8 bytes a pixel while stb_image works, at most 25 MP), so decodes share one budget
// (DecodeBudget): a flood of concurrent uploads waits for it instead of growing the
// process; the per-address and per-account upload limits keep the queue short.
#include "server/service/images.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "portal/core/sha256.hpp"

// [SECTION] stb_image
// Debian's libstb-dev also ships libstb.so (every decoder, stdio included); compiling
// the implementation here instead keeps only the two decoders we need, with no file
// access, and keeps the symbols private to this file (STB_IMAGE_STATIC). The header
// lives in a system include directory, so its own warnings stay quiet.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS 10000
#include <stb/stb_image.h>

namespace portal::server {

using core::Error;
using core::Result;

namespace {

// [SECTION] Byte helpers and CRC-32

std::uint8_t u8(std::string_view s, std::size_t i) {
  return static_cast<std::uint8_t>(s[i]);
}
std::uint32_t be16(std::string_view s, std::size_t i) {
  return (std::uint32_t{u8(s, i)} << 8) | u8(s, i + 1);
}
std::uint32_t be32(std::string_view s, std::size_t i) {
  return (be16(s, i) << 16) | be16(s, i + 2);
}
std::uint32_t le16(std::string_view s, std::size_t i) {
  return std::uint32_t{u8(s, i)} | (std::uint32_t{u8(s, i + 1)} << 8);
}
std::uint32_t le24(std::string_view s, std::size_t i) {
  return le16(s, i) | (std::uint32_t{u8(s, i + 2)} << 16);
}
std::uint32_t le32(std::string_view s, std::size_t i) {
  return le16(s, i) | (le16(s, i + 2) << 16);
}
void put_le32(std::string& s, std::size_t i, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) s[i + static_cast<std::size_t>(k)] = static_cast<char>(v >> (8 * k));
}

// CRC-32 of PNG chunks, four bytes a step ("slicing by 4"): every upload is checked in
// full, so this runs over up to 5 MiB per request.
std::uint32_t crc32(std::string_view data) {
  using Tables = std::array<std::array<std::uint32_t, 256>, 4>;
  static const Tables t = [] {
    Tables x{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      x[0][n] = c;
    }
    for (std::size_t k = 1; k < 4; ++k)
      for (std::size_t n = 0; n < 256; ++n) x[k][n] = (x[k - 1][n] >> 8) ^ x[0][x[k - 1][n] & 0xFF];
    return x;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  std::size_t i = 0;
  for (; i + 4 <= data.size(); i += 4) {
    c ^= le32(data, i);
    c = t[3][c & 0xFF] ^ t[2][(c >> 8) & 0xFF] ^ t[1][(c >> 16) & 0xFF] ^ t[0][c >> 24];
  }
  for (; i < data.size(); ++i) c = t[0][(c ^ u8(data, i)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

bool starts_with(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.size() >= at && s.size() - at >= prefix.size() && s.substr(at, prefix.size()) == prefix;
}

enum class Kind { jpeg, png, webp };

std::string_view mime_of(Kind k) {
  switch (k) {
    case Kind::jpeg:
      return kMimeJpeg;
    case Kind::png:
      return kMimePng;
    case Kind::webp:
      return kMimeWebp;
  }
  return {};
}

Error not_an_image(std::string message) {
  return Error::invalid("body", "not_an_image", std::move(message));
}

// Zero is not a size any of the formats allows; the caps stop decompression bombs.
std::optional<Error> check_dimensions(std::uint64_t w, std::uint64_t h) {
  if (w == 0 || h == 0) return not_an_image("the image has no width or height");
  if (w > kMaxImageSide || h > kMaxImageSide)
    return Error::invalid("body", "image_too_large",
                          "the image is " + std::to_string(w) + "x" + std::to_string(h) +
                              " pixels; at most " + std::to_string(kMaxImageSide) +
                              " pixels per side are accepted");
  if (w * h > static_cast<std::uint64_t>(kMaxImagePixels))
    return Error::invalid(
        "body", "image_too_large",
        "the image has more than " + std::to_string(kMaxImagePixels / 1'000'000) + " megapixels");
  return std::nullopt;
}

// What a successful structural check knows.
struct Parsed {
  Kind kind = Kind::jpeg;
  int width = 0;
  int height = 0;
  std::size_t end = 0;  // offset just past the image's last byte
};

// [SECTION] Content types

// "Image/JPEG; charset=x" → "image/jpeg"; aliases some clients send map to our names.
std::string normalise_content_type(std::string_view ct) {
  if (auto semi = ct.find(';'); semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  std::string out(ct);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out == "image/jpg" || out == "image/pjpeg") return std::string(kMimeJpeg);
  if (out == "image/x-png") return std::string(kMimePng);
  return out;
}

// [SECTION] JPEG

bool is_sof(std::uint8_t m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

struct JpegPiece {
  enum Type { standalone, segment, entropy } type;
  std::uint8_t marker;  // 0 for entropy-coded data
  std::size_t begin;    // at the marker's 0xFF (or the first data byte)
  std::size_t end;
};

struct JpegWalk {
  std::vector<JpegPiece> pieces;
  bool complete = false;  // EOI reached
  std::size_t end = 0;    // just past EOI
  std::string problem;
  // From the frame header (SOFn).
  bool has_frame = false;
  std::uint8_t sof = 0;
  int precision = 0, width = 0, height = 0, components = 0;
  int scans = 0;
};

// Walks SOI, marker segments (by their lengths), entropy-coded data (where 0xFF is
// followed by 0x00 stuffing or RSTn), further segments between progressive scans,
// up to EOI. Stops at the first problem; what was read so far stays in the result
// (so that a bomb's frame header is seen even when the rest is missing).
JpegWalk walk_jpeg(std::string_view s) {
  JpegWalk w;
  if (s.size() < 4 || u8(s, 0) != 0xFF || u8(s, 1) != 0xD8) {
    w.problem = "not a JPEG";
    return w;
  }
  w.pieces.push_back({JpegPiece::standalone, 0xD8, 0, 2});
  std::size_t pos = 2;
  bool in_scan = false;
  for (;;) {
    if (in_scan) {
      const std::size_t start = pos;
      for (;;) {
        const void* hit =
            pos < s.size() ? std::memchr(s.data() + pos, 0xFF, s.size() - pos) : nullptr;
        if (!hit) {
          w.problem = "the JPEG is truncated (no end of image)";
          return w;
        }
        const std::size_t p = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
        if (p + 1 >= s.size()) {
          w.problem = "the JPEG is truncated (no end of image)";
          return w;
        }
        const std::uint8_t b = u8(s, p + 1);
        if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
          pos = p + 2;
        } else if (b == 0xFF) {
          pos = p + 1;  // fill byte before a marker
        } else {
          w.pieces.push_back({JpegPiece::entropy, 0, start, p});
          pos = p;
          in_scan = false;
          break;
        }
      }
    }
    if (pos >= s.size()) {
      w.problem = "the JPEG is truncated";
      return w;
    }
    if (u8(s, pos) != 0xFF) {
      w.problem = "the JPEG has garbage where a marker belongs";
      return w;
    }
    while (pos < s.size() && u8(s, pos) == 0xFF) ++pos;  // fill bytes
    if (pos >= s.size()) {
      w.problem = "the JPEG is truncated";
      return w;
    }
    const std::size_t mstart = pos - 1;
    const std::uint8_t m = u8(s, pos++);
    if (m == 0xD9) {
      w.pieces.push_back({JpegPiece::standalone, m, mstart, pos});
      if (w.scans == 0) {
        w.problem = "the JPEG ends before any image data";
        return w;
      }
      w.complete = true;
      w.end = pos;
      return w;
    }
    if (m == 0x00 || m == 0xD8) {
      w.problem = "the JPEG has an invalid marker";
      return w;
    }
    if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) {
      w.pieces.push_back({JpegPiece::standalone, m, mstart, pos});
      continue;
    }
    if (pos + 2 > s.size()) {
      w.problem = "the JPEG is truncated";
      return w;
    }
    const std::size_t len = be16(s, pos);
    if (len < 2) {
      w.problem = "the JPEG has a segment with an invalid length";
      return w;
    }
    if (pos + len > s.size()) {
      w.problem = "the JPEG is truncated";
      return w;
    }
    const std::size_t payload = pos + 2;
    if (is_sof(m)) {
      if (w.has_frame) {
        w.problem = "the JPEG has more than one frame";
        return w;
      }
      if (len < 8) {
        w.problem = "the JPEG frame header is too short";
        return w;
      }
      w.has_frame = true;
      w.sof = m;
      w.precision = u8(s, payload);
      w.height = static_cast<int>(be16(s, payload + 1));
      w.width = static_cast<int>(be16(s, payload + 3));
      w.components = u8(s, payload + 5);
    } else if (m == 0xDA) {
      if (!w.has_frame) {
        w.problem = "the JPEG has a scan before its frame header";
        return w;
      }
      ++w.scans;
      in_scan = true;
    }
    w.pieces.push_back({JpegPiece::segment, m, mstart, pos + len});
    pos += len;
  }
}

Result<Parsed> parse_jpeg(std::string_view s) {
  const JpegWalk w = walk_jpeg(s);
  if (w.has_frame) {
    // The caps come first: a bomb is refused as such even if its data is cut short.
    if (auto e = check_dimensions(static_cast<std::uint64_t>(w.width),
                                  static_cast<std::uint64_t>(w.height)))
      return *e;
  }
  if (!w.complete) return not_an_image(w.problem);
  // Baseline, extended and progressive Huffman with 8-bit samples: what stb_image
  // and every browser decode. Lossless, hierarchical and arithmetic coding are not.
  if (w.sof > 0xC2 || w.precision != 8)
    return not_an_image("unsupported JPEG coding (baseline or progressive, 8 bits)");
  if (w.components != 1 && w.components != 3 && w.components != 4)
    return not_an_image("unsupported number of JPEG colour components");
  return Parsed{Kind::jpeg, w.width, w.height, w.end};
}

// [SECTION] PNG

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};

bool is_chunk_type(std::string_view t) {
  return std::all_of(t.begin(), t.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

struct PngChunk {
  std::string_view type;
  std::size_t begin;  // at the length field
  std::size_t end;    // past the CRC
};

// Every chunk from the signature through IEND, each length in bounds and each CRC right.
Result<std::vector<PngChunk>> walk_png(std::string_view s) {
  std::vector<PngChunk> chunks;
  std::size_t pos = kPngSignature.size();
  for (;;) {
    if (pos + 12 > s.size()) return not_an_image("the PNG is truncated (no IEND chunk)");
    const std::uint32_t len = be32(s, pos);
    if (len > 0x7FFFFFFFu) return not_an_image("the PNG has a chunk with an invalid length");
    const std::string_view type = s.substr(pos + 4, 4);
    if (!is_chunk_type(type)) return not_an_image("the PNG has an invalid chunk type");
    if (s.size() - pos - 12 < len) return not_an_image("the PNG is truncated");
    const std::size_t end = pos + 12 + len;
    if (crc32(s.substr(pos + 4, 4 + std::size_t{len})) != be32(s, end - 4))
      return not_an_image("the PNG is corrupt (a chunk's checksum does not match)");
    chunks.push_back({type, pos, end});
    if (chunks.size() == 1 && (type != "IHDR" || len != 13))
      return not_an_image("the PNG does not start with its header chunk");
    if (type == "IEND") return chunks;
    pos = end;
  }
}

Result<Parsed> parse_png(std::string_view s) {
  // Signature, then IHDR: length 13, "IHDR", width, height, ... — read the size before
  // anything else so that a bomb is refused as such.
  if (s.size() < kPngSignature.size() + 8 + 13 + 4) return not_an_image("the PNG is truncated");
  if (be32(s, 8) != 13 || s.substr(12, 4) != "IHDR")
    return not_an_image("the PNG does not start with its header chunk");
  const std::uint32_t width = be32(s, 16), height = be32(s, 20);
  if (auto e = check_dimensions(width, height)) return *e;
  auto chunks = walk_png(s);
  if (!chunks) return chunks.error();
  if (std::none_of(chunks->begin(), chunks->end(),
                   [](const PngChunk& c) { return c.type == "IDAT"; }))
    return not_an_image("the PNG has no image data");
  return Parsed{Kind::png, static_cast<int>(width), static_cast<int>(height), chunks->back().end};
}

// [SECTION] WebP

struct RiffChunk {
  std::string_view fourcc;
  std::size_t begin;    // at the FourCC
  std::size_t payload;  // first data byte
  std::uint32_t size;   // data bytes, without the padding byte
  std::size_t end;      // past the padding byte (if any)
};

Result<std::vector<RiffChunk>> walk_riff(std::string_view s, std::size_t riff_end) {
  std::vector<RiffChunk> chunks;
  std::size_t pos = 12;
  while (pos < riff_end) {
    if (riff_end - pos < 8) return not_an_image("the WebP is truncated");
    const std::uint32_t size = le32(s, pos + 4);
    if (riff_end - pos - 8 < size) return not_an_image("the WebP is truncated");
    // The padding byte of an odd-sized last chunk is sometimes left out; tolerate that.
    const std::size_t end = std::min<std::size_t>(riff_end, pos + 8 + size + (size & 1));
    chunks.push_back({s.substr(pos, 4), pos, pos + 8, size, end});
    pos = end;
  }
  if (chunks.empty()) return not_an_image("the WebP has no image");
  return chunks;
}

struct Size {
  std::uint32_t width = 0, height = 0;
};

// A lossy key frame: frame tag (3 bytes), start code 9d 01 2a, 14-bit width and height.
Result<Size> vp8_size(std::string_view s, const RiffChunk& c) {
  if (c.size < 10) return not_an_image("the WebP image header is truncated");
  const std::size_t p = c.payload;
  const std::uint32_t tag = le24(s, p);
  const bool key_frame = (tag & 1) == 0;
  const std::uint32_t version = (tag >> 1) & 7;
  const std::uint32_t first_partition = tag >> 5;
  if (!key_frame || version > 3 || u8(s, p + 3) != 0x9D || u8(s, p + 4) != 0x01 ||
      u8(s, p + 5) != 0x2A)
    return not_an_image("the WebP lossy image header is invalid");
  if (first_partition > c.size - 10) return not_an_image("the WebP lossy image is truncated");
  return Size{le16(s, p + 6) & 0x3FFF, le16(s, p + 8) & 0x3FFF};
}

// Lossless: signature 0x2f, then width-1 and height-1 in 14 bits each, alpha, version 0.
Result<Size> vp8l_size(std::string_view s, const RiffChunk& c) {
  if (c.size < 5) return not_an_image("the WebP image header is truncated");
  const std::size_t p = c.payload;
  const std::uint32_t bits = le32(s, p + 1);
  if (u8(s, p) != 0x2F || (bits >> 29) != 0)
    return not_an_image("the WebP lossless image header is invalid");
  return Size{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
}

Result<Parsed> parse_webp(std::string_view s) {
  if (s.size() < 20) return not_an_image("the WebP is truncated");
  const std::uint32_t riff_size = le32(s, 4);
  if (riff_size < 12) return not_an_image("the WebP has an invalid size");
  const std::size_t riff_end = std::size_t{riff_size} + 8;
  if (riff_end > s.size()) return not_an_image("the WebP is truncated");
  // The first chunk says which kind of WebP this is; for VP8X, check the canvas size
  // before walking the rest so that a bomb is refused as such.
  const std::string_view first = s.substr(12, 4);
  if (first == "VP8X") {
    if (le32(s, 16) < 10 || s.size() < 30) return not_an_image("the WebP header is truncated");
    if (auto e = check_dimensions(le24(s, 24) + 1, le24(s, 27) + 1)) return *e;
  }
  auto chunks = walk_riff(s, riff_end);
  if (!chunks) return chunks.error();
  const RiffChunk& head = chunks->front();
  Size size;
  if (head.fourcc == "VP8 " || head.fourcc == "VP8L") {
    auto r = head.fourcc == "VP8 " ? vp8_size(s, head) : vp8l_size(s, head);
    if (!r) return r.error();
    size = *r;
  } else if (head.fourcc == "VP8X") {
    const std::uint8_t flags = u8(s, head.payload);
    const bool animated = (flags & 0x02) != 0;
    size = {le24(s, head.payload + 4) + 1, le24(s, head.payload + 7) + 1};
    bool has_image = false;
    for (std::size_t i = 1; i < chunks->size(); ++i) {
      const RiffChunk& c = (*chunks)[i];
      if (c.fourcc == "VP8 " || c.fourcc == "VP8L") {
        auto r = c.fourcc == "VP8 " ? vp8_size(s, c) : vp8l_size(s, c);
        if (!r) return r.error();
        if (r->width > size.width || r->height > size.height)
          return not_an_image("the WebP image is larger than its canvas");
        has_image = true;
      } else if (animated && c.fourcc == "ANMF") {
        has_image = true;
      }
    }
    if (!has_image) return not_an_image("the WebP has no image data");
  } else {
    return not_an_image("the WebP has an unknown image kind");
  }
  if (auto e = check_dimensions(size.width, size.height)) return *e;
  return Parsed{Kind::webp, static_cast<int>(size.width), static_cast<int>(size.height), riff_end};
}

// [SECTION] inspect_image

Result<Parsed> parse_any(std::string_view bytes) {
  Result<Parsed> parsed = not_an_image("must be a JPEG, PNG or WebP image");
  if (starts_with(bytes, 0, "\xFF\xD8\xFF")) {
    parsed = parse_jpeg(bytes);
  } else if (starts_with(bytes, 0, kPngSignature)) {
    parsed = parse_png(bytes);
  } else if (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBP")) {
    return parse_webp(bytes);
  } else {
    return parsed;
  }
  if (!parsed) return parsed;
  // stb_image's own header parser must agree (it also checks what we do not: IHDR's
  // colour type and bit depth, the JPEG component table).
  int w = 0, h = 0, comp = 0;
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  if (!stbi_info_from_memory(data, static_cast<int>(parsed->end), &w, &h, &comp) ||
      w != parsed->width || h != parsed->height)
    return not_an_image("the image header is invalid");
  return parsed;
}

Result<Parsed> inspect_impl(std::string_view bytes, std::string_view declared_content_type) {
  if (bytes.empty()) return Error::malformed("body", "empty_body", "the body holds no image");
  if (bytes.size() > kMaxUploadBytes)
    return Error{
        "too_large",
        "an image may have at most " + std::to_string(kMaxUploadBytes / (1024 * 1024)) + " MiB",
        "body", 413};
  const std::string declared = normalise_content_type(declared_content_type);
  if (!declared.empty() && declared != kMimeJpeg && declared != kMimePng && declared != kMimeWebp)
    return Error{"unsupported_media_type",
                 "Content-Type must be image/jpeg, image/png or image/webp", "Content-Type", 415};
  auto parsed = parse_any(bytes);
  if (!parsed) return parsed;
  if (!declared.empty() && declared != mime_of(parsed->kind))
    return Error{
        "content_type_mismatch",
        "declared " + declared + " but the content is " + std::string(mime_of(parsed->kind)),
        "Content-Type", 415};
  return parsed;
}

ImageInfo make_info(const Parsed& p, std::string_view bytes) {
  return ImageInfo{std::string(mime_of(p.kind)), p.width, p.height, bytes.size(),
                   core::sha256_hex(bytes)};
}

// [SECTION] Metadata stripping

std::string_view segment_payload(std::string_view s, const JpegPiece& p) {
  return s.substr(p.begin + 4, p.end - p.begin - 4);
}

// Orientation (tag 0x0112) from IFD0 of an "Exif\0\0" APP1 payload; 1 (normal) if absent.
int exif_orientation(std::string_view app1) {
  if (!starts_with(app1, 0, std::string_view("Exif\0\0", 6))) return 1;
  const std::string_view tiff = app1.substr(6);
  if (tiff.size() < 8) return 1;
  const bool little = tiff.substr(0, 2) == "II";
  if (!little && tiff.substr(0, 2) != "MM") return 1;
  auto rd16 = [&](std::size_t i) { return little ? le16(tiff, i) : be16(tiff, i); };
  auto rd32 = [&](std::size_t i) { return little ? le32(tiff, i) : be32(tiff, i); };
  if (rd16(2) != 42) return 1;
  const std::size_t ifd = rd32(4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
  const std::size_t count = rd16(ifd);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t e = ifd + 2 + i * 12;
    if (e + 12 > tiff.size()) return 1;
    if (rd16(e) == 0x0112 && rd16(e + 2) == 3 && rd32(e + 4) == 1) {
      const std::uint32_t v = rd16(e + 8);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}

// APP1 with a big-endian TIFF holding one IFD with one entry: Orientation.
std::string orientation_app1(int orientation) {
  std::string tiff("MM\x00\x2a\x00\x00\x00\x08", 8);
  tiff += std::string("\x00\x01", 2);                          // one entry
  tiff += std::string("\x01\x12\x00\x03\x00\x00\x00\x01", 8);  // Orientation, SHORT, 1
  tiff += std::string{'\0', static_cast<char>(orientation), '\0', '\0'};
  tiff += std::string(4, '\0');  // no next IFD
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  const std::size_t len = payload.size() + 2;
  std::string seg{'\xFF', '\xE1', static_cast<char>(len >> 8), static_cast<char>(len & 0xFF)};
  return seg + payload;
}

bool keep_jpeg_segment(std::string_view s, const JpegPiece& p) {
  if (p.type != JpegPiece::segment) return true;
  const std::uint8_t m = p.marker;
  if (m == 0xFE) return false;  // COM: free text
  if (m < 0xE0 || m > 0xEF) return true;
  const std::string_view payload = segment_payload(s, p);
  if (m == 0xE0) return starts_with(payload, 0, std::string_view("JFIF\0", 5));
  if (m == 0xE2) return starts_with(payload, 0, std::string_view("ICC_PROFILE\0", 12));
  if (m == 0xEE) return starts_with(payload, 0, "Adobe");
  return false;
}

}  // namespace

Result<ImageInfo> inspect_image(std::string_view bytes, std::string_view declared_content_type) {
  auto parsed = inspect_impl(bytes, declared_content_type);
  if (!parsed) return parsed.error();
  return make_info(*parsed, bytes);
}

std::string strip_jpeg_metadata(std::string_view jpeg) {
  const JpegWalk w = walk_jpeg(jpeg);
  if (!w.complete) return {};
  int orientation = 1;
  for (const auto& p : w.pieces) {
    if (p.type == JpegPiece::segment && p.marker == 0xE1) {
      const std::string_view payload = segment_payload(jpeg, p);
      if (starts_with(payload, 0, std::string_view("Exif\0\0", 6))) {
        orientation = exif_orientation(payload);
        break;
      }
    }
  }
  std::string out;
  out.reserve(w.end);
  std::size_t i = 0;
  out.append(jpeg.substr(w.pieces[i].begin, w.pieces[i].end - w.pieces[i].begin));  // SOI
  ++i;
  // JFIF's APP0 must come right after SOI; the orientation APP1 follows it.
  if (i < w.pieces.size() && w.pieces[i].type == JpegPiece::segment && w.pieces[i].marker == 0xE0 &&
      keep_jpeg_segment(jpeg, w.pieces[i])) {
    out.append(jpeg.substr(w.pieces[i].begin, w.pieces[i].end - w.pieces[i].begin));
    ++i;
  }
  if (orientation != 1) out += orientation_app1(orientation);
  for (; i < w.pieces.size(); ++i) {
    const auto& p = w.pieces[i];
    if (keep_jpeg_segment(jpeg, p)) out.append(jpeg.substr(p.begin, p.end - p.begin));
  }
  return out;
}

std::string strip_png_metadata(std::string_view png) {
  if (!starts_with(png, 0, kPngSignature)) return {};
  auto chunks = walk_png(png);
  if (!chunks) return {};
  // Critical chunks (upper-case first letter) always stay; of the ancillary ones only
  // those that change how the image is shown (transparency, colour, pixel size, APNG).
  static constexpr std::array<std::string_view, 13> kKeep = {"tRNS", "gAMA", "cHRM", "sRGB", "iCCP",
                                                             "cICP", "sBIT", "bKGD", "hIST", "pHYs",
                                                             "acTL", "fcTL", "fdAT"};
  std::string out(kPngSignature);
  for (const auto& c : *chunks) {
    const bool critical = c.type[0] >= 'A' && c.type[0] <= 'Z';
    if (critical || std::find(kKeep.begin(), kKeep.end(), c.type) != kKeep.end())
      out.append(png.substr(c.begin, c.end - c.begin));
  }
  return out;
}

std::string strip_webp_metadata(std::string_view webp) {
  if (webp.size() < 20 || !starts_with(webp, 0, "RIFF") || !starts_with(webp, 8, "WEBP")) return {};
  const std::size_t riff_end = std::size_t{le32(webp, 4)} + 8;
  if (riff_end > webp.size()) return {};
  auto chunks = walk_riff(webp, riff_end);
  if (!chunks) return {};
  std::string out(webp.substr(0, 12));
  std::optional<std::size_t> vp8x_flags;
  for (const auto& c : *chunks) {
    if (c.fourcc == "EXIF" || c.fourcc == "XMP ") continue;
    if (c.fourcc == "VP8X" && c.size >= 10) vp8x_flags = out.size() + 8;
    out.append(webp.substr(c.begin, c.end - c.begin));
    if (c.size & 1 && c.end == c.begin + 8 + c.size) out.push_back('\0');  // restore padding
  }
  if (vp8x_flags) out[*vp8x_flags] = static_cast<char>(u8(out, *vp8x_flags) & ~0x0C);  // EXIF, XMP
  put_le32(out, 4, static_cast<std::uint32_t>(out.size() - 8));
  return out;
}

// [SECTION] Decoding

DecodeBudget& decode_budget() {
  static DecodeBudget budget(kDecodeBudgetBytes);
  return budget;
}

bool DecodeBudget::acquire(std::size_t bytes, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, wait, [&] { return running_ == 0 || used_ + bytes <= capacity_; }))
    return false;
  used_ += bytes;
  ++running_;
  return true;
}

void DecodeBudget::release(std::size_t bytes) {
  {
    std::lock_guard lock(mu_);
    used_ -= bytes;
    --running_;
  }
  cv_.notify_all();
}

std::size_t DecodeBudget::in_use() const {
  std::lock_guard lock(mu_);
  return used_;
}

namespace {

// What stb_image holds while decoding to one grey channel: for PNG the inflated rows and
// the image at the file's depth, then the converted copy; for JPEG a plane per component
// and the output. Both within w·h·(2·channels·bytes per sample + 1).
std::size_t decode_cost(std::string_view image, int w, int h, int channels) {
  const auto* data = reinterpret_cast<const stbi_uc*>(image.data());
  const int len = static_cast<int>(image.size());
  const std::size_t sample = stbi_is_16_bit_from_memory(data, len) ? 2 : 1;
  return static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
         (2 * static_cast<std::size_t>(std::max(channels, 1)) * sample + 1);
}

// Decodes JPEG and PNG pixel data in full and throws it away: only whether it decodes
// to the size the header gives matters.
std::optional<Error> check_decodes(std::string_view image, Kind kind) {
  if (kind == Kind::webp) return std::nullopt;
  const auto* data = reinterpret_cast<const stbi_uc*>(image.data());
  const int len = static_cast<int>(image.size());
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &n))
    return not_an_image("the image header is invalid");
  const std::size_t cost = decode_cost(image, w, h, n);
  DecodeBudget& budget = decode_budget();
  if (!budget.acquire(cost, kDecodeWait))
    return Error{"server_busy", "too many photos are being checked just now; try again shortly",
                 "body", 503};
  struct Release {
    DecodeBudget& b;
    std::size_t n;
    ~Release() { b.release(n); }
  } release{budget, cost};
  int x = 0, y = 0, comp = 0;
  stbi_uc* px = stbi_load_from_memory(data, len, &x, &y, &comp, 1);
  if (!px) return not_an_image("the image data is corrupt (it does not decode)");
  stbi_image_free(px);
  if (x != w || y != h) return not_an_image("the image data does not match its header");
  return std::nullopt;
}

}  // namespace

// [SECTION] prepare_upload

Result<PreparedImage> prepare_upload(std::string_view bytes,
                                     std::string_view declared_content_type) {
  auto parsed = inspect_impl(bytes, declared_content_type);
  if (!parsed) return parsed.error();
  const std::string_view image = bytes.substr(0, parsed->end);
  std::string clean;
  switch (parsed->kind) {
    case Kind::jpeg:
      clean = strip_jpeg_metadata(image);
      break;
    case Kind::png:
      clean = strip_png_metadata(image);
      break;
    case Kind::webp:
      clean = strip_webp_metadata(image);
      break;
  }
  // The cleaned file must pass the same checks as the upload did.
  auto again = inspect_impl(clean, "");
  if (!again || again->width != parsed->width || again->height != parsed->height)
    return not_an_image("the image could not be cleaned of its metadata");
  if (auto e = check_decodes(clean, again->kind)) return *e;
  PreparedImage out{make_info(*again, clean), std::move(clean)};
  return out;
}

}  // namespace portal::server
