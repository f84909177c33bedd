// Uploaded images: the kind by content, sizes and caps, truncation and corruption,
// decompression bombs, and metadata stripping that leaves a decodable image.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "portal/core/sha256.hpp"
#include "server/service/images.hpp"
#include "tests/image_samples.hpp"

// The test's own stb copies (private to this file): a writer to make real images and a
// decoder to prove that stripped images still decode.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#include <stb/stb_image.h>

namespace {

using namespace std::string_literals;
using portal::server::inspect_image;
using portal::server::kMaxUploadBytes;
using portal::server::prepare_upload;
using portal::server::strip_jpeg_metadata;
using portal::server::strip_png_metadata;
using portal::server::strip_webp_metadata;
using portal::test::be32;
using portal::test::kPngSig;
using portal::test::png_chunk;
using portal::test::png_with_header;

// [SECTION] Building images

void append_to(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<std::size_t>(size));
}

std::vector<unsigned char> pixels(int w, int h) {
  std::vector<unsigned char> p(static_cast<std::size_t>(w * h * 3));
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<unsigned char>(i * 7 % 251);
  return p;
}

std::string make_png(int w, int h) {
  std::string out;
  const auto px = pixels(w, h);
  EXPECT_TRUE(stbi_write_png_to_func(append_to, &out, w, h, 3, px.data(), w * 3));
  return out;
}

std::string make_jpeg(int w, int h) {
  std::string out;
  const auto px = pixels(w, h);
  EXPECT_TRUE(stbi_write_jpg_to_func(append_to, &out, w, h, 3, px.data(), 90));
  return out;
}

std::string be16(unsigned v) {
  return {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
}
std::string le16(unsigned v) {
  return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
}
std::string le24(std::uint32_t v) {
  return le16(v & 0xFFFF) + std::string(1, static_cast<char>(v >> 16));
}
std::string le32(std::uint32_t v) {
  return le16(v & 0xFFFF) + le16(v >> 16);
}

// Inserts chunks right after IHDR.
std::string png_insert(const std::string& png, const std::string& chunks) {
  const std::size_t after_ihdr = 8 + 12 + 13;
  return png.substr(0, after_ihdr) + chunks + png.substr(after_ihdr);
}

std::string jpeg_segment(unsigned marker, std::string_view payload) {
  return std::string{'\xFF', static_cast<char>(marker)} +
         be16(static_cast<unsigned>(payload.size() + 2)) + std::string(payload);
}

// An EXIF APP1 payload (little-endian TIFF) with Orientation and an ImageDescription
// that stands in for the GPS position phones write.
std::string exif_payload(unsigned orientation, std::string_view secret) {
  std::string tiff = "II" + le16(42) + le32(8);
  tiff += le16(2);                                   // two entries
  const std::uint32_t text_at = 8 + 2 + 2 * 12 + 4;  // after the IFD
  tiff += le16(0x010E) + le16(2) + le32(static_cast<std::uint32_t>(secret.size() + 1)) +
          le32(text_at);  // ImageDescription, ASCII
  tiff += le16(0x0112) + le16(3) + le32(1) + le16(orientation) + le16(0);  // Orientation
  tiff += le32(0);                                                         // no next IFD
  tiff += std::string(secret) + '\0';
  return std::string("Exif\0\0", 6) + tiff;
}

// SOI, APP0 JFIF, [inserted], the rest of stb's JPEG.
std::string jpeg_insert(const std::string& jpeg, const std::string& segments) {
  // stb writes SOI then APP0 JFIF (length 16).
  EXPECT_EQ(static_cast<unsigned char>(jpeg[3]), 0xE0u);
  const std::size_t after_app0 = 2 + 2 + 16;
  return jpeg.substr(0, after_app0) + segments + jpeg.substr(after_app0);
}

std::string webp_file(const std::string& chunks) {
  return "RIFF" + le32(static_cast<std::uint32_t>(4 + chunks.size())) + "WEBP" + chunks;
}
std::string riff_chunk(std::string_view fourcc, std::string_view data) {
  std::string c =
      std::string(fourcc) + le32(static_cast<std::uint32_t>(data.size())) + std::string(data);
  if (data.size() & 1) c += '\0';
  return c;
}
std::string vp8l_chunk(std::uint32_t w, std::uint32_t h) {
  const std::uint32_t bits = (w - 1) | ((h - 1) << 14);
  return riff_chunk("VP8L", std::string(1, '\x2f') + le32(bits) + std::string(5, '\0'));
}
std::string vp8_chunk(unsigned w, unsigned h) {
  // Key frame, version 0, shown, first partition of 0 bytes; start code; sizes.
  return riff_chunk("VP8 ", std::string("\x10\x00\x00\x9d\x01\x2a", 6) + le16(w) + le16(h) +
                                std::string(4, '\0'));
}
std::string vp8x_chunk(unsigned flags, std::uint32_t w, std::uint32_t h) {
  return riff_chunk("VP8X", std::string(1, static_cast<char>(flags)) + std::string(3, '\0') +
                                le24(w - 1) + le24(h - 1));
}

bool decodes(const std::string& bytes, int w, int h) {
  int x = 0, y = 0, n = 0;
  unsigned char* px = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                            static_cast<int>(bytes.size()), &x, &y, &n, 0);
  if (!px) return false;
  stbi_image_free(px);
  return x == w && y == h;
}

// [SECTION] Kinds and sizes

TEST(Images, MeasuresPngJpegAndWebp) {
  const std::string png = make_png(7, 5);
  auto p = inspect_image(png, "image/png");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->mime, "image/png");
  EXPECT_EQ(p->width, 7);
  EXPECT_EQ(p->height, 5);
  EXPECT_EQ(p->bytes, png.size());
  EXPECT_EQ(p->sha256, portal::core::sha256_hex(png));

  auto j = inspect_image(make_jpeg(33, 17), "image/jpeg");
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_EQ(j->mime, "image/jpeg");
  EXPECT_EQ(j->width, 33);
  EXPECT_EQ(j->height, 17);

  auto lossless = inspect_image(webp_file(vp8l_chunk(640, 480)), "image/webp");
  ASSERT_TRUE(lossless.ok()) << lossless.error().message;
  EXPECT_EQ(lossless->mime, "image/webp");
  EXPECT_EQ(lossless->width, 640);
  EXPECT_EQ(lossless->height, 480);

  auto lossy = inspect_image(webp_file(vp8_chunk(1200, 900)), "image/webp");
  ASSERT_TRUE(lossy.ok()) << lossy.error().message;
  EXPECT_EQ(lossy->width, 1200);
  EXPECT_EQ(lossy->height, 900);

  auto extended =
      inspect_image(webp_file(vp8x_chunk(0x10, 300, 200) + vp8l_chunk(300, 200)), "image/webp");
  ASSERT_TRUE(extended.ok()) << extended.error().message;
  EXPECT_EQ(extended->width, 300);
  EXPECT_EQ(extended->height, 200);
}

TEST(Images, KindComesFromContentNotFromTheDeclaredType) {
  const std::string png = make_png(4, 4);
  EXPECT_TRUE(inspect_image(png, "").ok());  // not declared: the content decides
  EXPECT_TRUE(inspect_image(png, "IMAGE/PNG; charset=binary").ok());
  EXPECT_TRUE(inspect_image(make_jpeg(4, 4), "image/jpg").ok());

  auto e = inspect_image(png, "image/jpeg");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 415);
  EXPECT_EQ(e.error().code, "content_type_mismatch");

  e = inspect_image(make_jpeg(4, 4), "image/webp");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "content_type_mismatch");

  e = inspect_image(png, "text/html");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 415);
  EXPECT_EQ(e.error().code, "unsupported_media_type");
}

TEST(Images, EmptyTooBigAndNotAnImage) {
  auto e = inspect_image("", "image/png");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 400);
  EXPECT_EQ(e.error().field, "body");

  e = inspect_image(std::string(kMaxUploadBytes + 1, '\0'), "image/png");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 413);

  for (std::string_view junk :
       {std::string_view("<html><script>alert(1)</script></html>"),
        std::string_view("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 13), std::string_view("\xFF\xD8"),
        std::string_view("RIFF\x04\x00\x00\x00WEBP", 12)}) {
    e = inspect_image(junk, "image/png");
    ASSERT_FALSE(e.ok()) << junk;
    EXPECT_EQ(e.error().status, 422);
    EXPECT_EQ(e.error().code, "not_an_image");
    EXPECT_EQ(e.error().field, "body");
  }
}

// [SECTION] Truncated and corrupt

TEST(Images, TruncatedFilesAreRefused) {
  const std::string png = make_png(16, 16);
  const std::string jpeg = make_jpeg(16, 16);
  for (std::size_t cut : {std::size_t{1}, std::size_t{12}, png.size() / 2}) {
    auto e = inspect_image(png.substr(0, png.size() - cut), "image/png");
    ASSERT_FALSE(e.ok()) << cut;
    EXPECT_EQ(e.error().code, "not_an_image");
  }
  for (std::size_t cut : {std::size_t{1}, std::size_t{2}, jpeg.size() / 2, jpeg.size() - 30}) {
    auto e = inspect_image(jpeg.substr(0, jpeg.size() - cut), "image/jpeg");
    ASSERT_FALSE(e.ok()) << cut;
    EXPECT_EQ(e.error().code, "not_an_image");
  }
  const std::string webp = webp_file(vp8l_chunk(10, 10));
  auto e = inspect_image(webp.substr(0, webp.size() - 2), "image/webp");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "not_an_image");
}

TEST(Images, CorruptStructureIsRefused) {
  // A flipped bit in the PNG's data no longer matches its chunk's CRC.
  std::string png = make_png(16, 16);
  png[png.size() - 20] = static_cast<char>(png[png.size() - 20] ^ 0x01);
  EXPECT_EQ(inspect_image(png, "").error().code, "not_an_image");

  // A JPEG segment length that runs past the end.
  std::string jpeg = make_jpeg(16, 16);
  jpeg[4] = '\x7F';
  EXPECT_EQ(inspect_image(jpeg, "").error().code, "not_an_image");

  // No width: none of the formats allow it.
  EXPECT_EQ(inspect_image(png_with_header(0, 10), "").error().code, "not_an_image");

  // A WebP lossy chunk without the VP8 start code.
  std::string webp = webp_file(vp8_chunk(10, 10));
  webp[20 + 3] = '\0';
  EXPECT_EQ(inspect_image(webp, "").error().code, "not_an_image");

  // An extended WebP with no image in it.
  EXPECT_EQ(inspect_image(webp_file(vp8x_chunk(0, 10, 10)), "").error().code, "not_an_image");
}

TEST(Images, BytesAfterTheImageAreToleratedThenCut) {
  const std::string jpeg = make_jpeg(8, 8);
  const std::string trailer =
      "\0\0\0\x18"
      "ftypmp42 a motion photo's video"s;
  auto info = inspect_image(jpeg + trailer, "image/jpeg");
  ASSERT_TRUE(info.ok()) << info.error().message;
  auto prepared = prepare_upload(jpeg + trailer, "image/jpeg");
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->bytes.find("ftyp"), std::string::npos);
  EXPECT_TRUE(decodes(prepared->bytes, 8, 8));
}

// [SECTION] Decompression bombs

TEST(Images, BombsAreRefusedFromTheirHeaders) {
  auto e = inspect_image(png_with_header(50'000, 50'000), "image/png");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().status, 422);
  EXPECT_EQ(e.error().code, "image_too_large");

  // Each side within 10,000 but 48 megapixels.
  EXPECT_EQ(inspect_image(png_with_header(8'000, 6'000), "").error().code, "image_too_large");
  EXPECT_EQ(inspect_image(png_with_header(10'001, 10), "").error().code, "image_too_large");
  // Only the header is there: still a bomb, not merely truncated.
  EXPECT_EQ(inspect_image(png_with_header(50'000, 50'000).substr(0, 40), "").error().code,
            "image_too_large");

  // A real JPEG whose frame header is rewritten to 60000 x 60000.
  std::string jpeg = make_jpeg(8, 8);
  const std::size_t sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpeg.replace(sof + 5, 4, be16(60'000) + be16(60'000));
  EXPECT_EQ(inspect_image(jpeg, "image/jpeg").error().code, "image_too_large");

  EXPECT_EQ(
      inspect_image(webp_file(vp8x_chunk(0, 16'000, 16'000) + vp8l_chunk(16, 16)), "").error().code,
      "image_too_large");
  EXPECT_EQ(inspect_image(webp_file(vp8l_chunk(16'000, 2)), "").error().code, "image_too_large");
}

// [SECTION] Metadata

TEST(Images, ExifIsStrippedAndTheJpegStillDecodes) {
  const std::string secret = "GPS 35.4123N 116.5821E";
  const std::string jpeg =
      jpeg_insert(make_jpeg(24, 16),
                  jpeg_segment(0xE1, exif_payload(6, secret)) +
                      jpeg_segment(0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>"s + secret) +
                      jpeg_segment(0xE2, std::string("ICC_PROFILE\0\x01\x01", 14) + "icc-bytes") +
                      jpeg_segment(0xED, "Photoshop 3.0\0"s + secret) + jpeg_segment(0xFE, secret) +
                      jpeg_segment(0xEE, std::string("Adobe\0\x64\0\0\0\0\x01", 12)));
  ASSERT_TRUE(inspect_image(jpeg, "image/jpeg").ok());
  ASSERT_NE(jpeg.find(secret), std::string::npos);

  const std::string clean = strip_jpeg_metadata(jpeg);
  ASSERT_FALSE(clean.empty());
  EXPECT_EQ(clean.find(secret), std::string::npos);
  EXPECT_EQ(clean.find("xmpmeta"), std::string::npos);
  EXPECT_EQ(clean.find("Photoshop"), std::string::npos);
  EXPECT_NE(clean.find("JFIF"), std::string::npos);
  EXPECT_NE(clean.find("ICC_PROFILE"), std::string::npos);
  EXPECT_NE(clean.find("Adobe"), std::string::npos);
  // The orientation survives in a minimal APP1 right after JFIF.
  const std::string orientation_app1 = std::string(
      "\xFF\xE1\x00\x22"
      "Exif\0\0MM\x00\x2a",
      14);
  EXPECT_EQ(clean.find(orientation_app1), 20u);
  EXPECT_NE(clean.find(std::string("\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06", 10)),
            std::string::npos);

  auto info = inspect_image(clean, "image/jpeg");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->width, 24);
  EXPECT_EQ(info->height, 16);
  EXPECT_TRUE(decodes(clean, 24, 16));

  // Without an orientation, nothing of EXIF is left.
  const std::string plain = strip_jpeg_metadata(
      jpeg_insert(make_jpeg(8, 8), jpeg_segment(0xE1, exif_payload(1, secret))));
  EXPECT_EQ(plain.find("Exif"), std::string::npos);
  EXPECT_TRUE(decodes(plain, 8, 8));

  EXPECT_TRUE(strip_jpeg_metadata("not a jpeg").empty());
  EXPECT_TRUE(strip_jpeg_metadata(jpeg.substr(0, jpeg.size() - 2)).empty());
}

TEST(Images, PngAndWebpMetadataIsStripped) {
  const std::string secret = "GPS 35.4123N 116.5821E";
  const std::string png = png_insert(make_png(9, 9), png_chunk("tEXt", "Comment\0"s + secret) +
                                                         png_chunk("eXIf", "MM" + secret) +
                                                         png_chunk("gAMA", be32(45455)));
  ASSERT_TRUE(inspect_image(png, "").ok());
  const std::string clean_png = strip_png_metadata(png);
  EXPECT_EQ(clean_png.find(secret), std::string::npos);
  EXPECT_NE(clean_png.find("gAMA"), std::string::npos);
  EXPECT_TRUE(decodes(clean_png, 9, 9));

  const std::string webp =
      webp_file(vp8x_chunk(0x08 | 0x04, 20, 10) + vp8l_chunk(20, 10) +
                riff_chunk("EXIF", "MM" + secret) + riff_chunk("XMP ", "<x:xmpmeta>" + secret));
  ASSERT_TRUE(inspect_image(webp, "").ok());
  const std::string clean_webp = strip_webp_metadata(webp);
  EXPECT_EQ(clean_webp.find(secret), std::string::npos);
  EXPECT_EQ(static_cast<unsigned char>(clean_webp[20]) & 0x0C, 0);  // flags cleared
  auto info = inspect_image(clean_webp, "image/webp");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->width, 20);
  EXPECT_EQ(info->bytes, clean_webp.size());
}

TEST(Images, PrepareUploadDescribesTheBytesItKeeps) {
  const std::string jpeg = jpeg_insert(make_jpeg(12, 10), jpeg_segment(0xE1, exif_payload(1, "x")));
  auto prepared = prepare_upload(jpeg, "image/jpeg");
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  EXPECT_LT(prepared->bytes.size(), jpeg.size());
  EXPECT_EQ(prepared->info.bytes, prepared->bytes.size());
  EXPECT_EQ(prepared->info.sha256, portal::core::sha256_hex(prepared->bytes));
  EXPECT_EQ(prepared->info.width, 12);
  EXPECT_EQ(prepared->info.mime, "image/jpeg");

  auto refused = prepare_upload(make_png(3, 3), "image/webp");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "content_type_mismatch");
}

// [SECTION] Decoding

// Every structural check passes (lengths, CRCs, IHDR, IDAT, IEND); only decoding the
// pixel data shows it is noise. What is stored is what decodes.
TEST(Images, AValidHeaderOverRandomBytesIsNotStored) {
  const std::string fake = portal::test::png_over_random_bytes(64, 64, 4096);
  EXPECT_TRUE(inspect_image(fake, "image/png").ok());  // structure only
  auto r = prepare_upload(fake, "image/png");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 422);
  EXPECT_EQ(r.error().code, "not_an_image");
  EXPECT_EQ(r.error().field, "body");

  // A real picture of the same kind decodes and is kept.
  const std::string noise = portal::test::noisy_png(64, 64);
  auto ok = prepare_upload(noise, "image/png");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(decodes(ok->bytes, 64, 64));
  EXPECT_TRUE(prepare_upload(make_jpeg(64, 64), "image/jpeg").ok());
}

TEST(Images, AboveTwentyFiveMegapixelsIsRefusedFromTheHeader) {
  EXPECT_EQ(portal::server::kMaxImagePixels, 25'000'000);
  auto r = prepare_upload(png_with_header(6'000, 4'334), "image/png");  // 26.0 MP
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 422);
  EXPECT_EQ(r.error().code, "image_too_large");
  // 25 MP exactly passes the size check (and then fails to decode its 8 bytes of data).
  EXPECT_EQ(prepare_upload(png_with_header(5'000, 5'000), "image/png").error().code,
            "not_an_image");
}

// Decodes share one memory budget: a second large decode waits for the first, and a
// decode alone may exceed the budget rather than never run.
TEST(Images, DecodesShareOneMemoryBudget) {
  using namespace std::chrono_literals;
  portal::server::DecodeBudget b(100);
  ASSERT_TRUE(b.acquire(80, 0ms));
  EXPECT_FALSE(b.acquire(30, 20ms));  // would exceed: waits, then gives up
  EXPECT_TRUE(b.acquire(20, 0ms));    // fits
  EXPECT_EQ(b.in_use(), 100u);
  std::atomic<bool> got{false};
  std::thread waiter([&] { got = b.acquire(50, 5000ms); });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(got.load());
  b.release(80);
  waiter.join();
  EXPECT_TRUE(got.load());
  b.release(20);
  b.release(50);
  EXPECT_EQ(b.in_use(), 0u);
  EXPECT_TRUE(b.acquire(500, 0ms));  // alone, larger than the budget
  EXPECT_FALSE(b.acquire(1, 10ms));
  b.release(500);
}

}  // namespace
