// Uploaded images (POST /api/v1/attachments): what kind they are, decided by their
// content and never by a name; how large; and the image without the metadata that
// phones put in it (GPS position, device, time). Storage-free: callers store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "portal/core/result.hpp"

namespace portal::server {

inline constexpr std::size_t kMaxUploadBytes = 5 * 1024 * 1024;
inline constexpr int kMaxImageSide = 10'000;              // pixels per side
inline constexpr long long kMaxImagePixels = 25'000'000;  // 25 megapixels
inline constexpr std::string_view kMimeJpeg = "image/jpeg";
inline constexpr std::string_view kMimePng = "image/png";
inline constexpr std::string_view kMimeWebp = "image/webp";

struct ImageInfo {
  std::string mime;  // "image/jpeg" | "image/png" | "image/webp"
  int width = 0;
  int height = 0;
  std::size_t bytes = 0;
  std::string sha256;  // lower-case hex of the bytes inspected
};

// Checks that `bytes` is a whole JPEG, PNG or WebP image and measures it.
// `declared_content_type` is the request's Content-Type ("image/png; x=y" is fine;
// "image/jpg" is taken as image/jpeg); empty means "not declared".
// Errors (field "body"):
//   400 empty_body; 413 too_large (over kMaxUploadBytes);
//   422 not_an_image (unknown kind, truncated, corrupt structure, zero width or height);
//   422 image_too_large (a side over kMaxImageSide or over kMaxImagePixels: a
//       decompression bomb is refused from its header, before anything is decoded);
//   415 unsupported_media_type (field "Content-Type": declared, but not one of the three);
//   415 content_type_mismatch (field "Content-Type": the declared type is another kind).
// Bytes after the image's end (EOI, IEND, the RIFF size) are tolerated here and cut
// off by prepare_upload.
core::Result<ImageInfo> inspect_image(std::string_view bytes,
                                      std::string_view declared_content_type);

// A JPEG without APP1 (EXIF, XMP), the other APPn segments and comments. Kept:
// APP0 JFIF, APP2 ICC_PROFILE (colours) and APP14 Adobe (needed to decode CMYK/YCCK
// colours correctly); an EXIF orientation other than "normal" is carried over in a
// minimal new APP1 that holds nothing else, so portrait photos stay upright. Bytes
// after EOI (e.g. the video of a "motion photo") are dropped.
// Returns an empty string when `jpeg` is not a well-formed JPEG.
std::string strip_jpeg_metadata(std::string_view jpeg);

// The same for the other kinds. PNG: drops eXIf, tEXt, zTXt, iTXt, tIME and every
// other ancillary chunk that does not affect how the image looks. WebP: drops the
// EXIF and XMP chunks of an extended (VP8X) file and clears their flags.
// Both return an empty string when the input is not well formed.
std::string strip_png_metadata(std::string_view png);
std::string strip_webp_metadata(std::string_view webp);

// Memory that decoding may hold at once, shared by every request: a decode reserves its
// estimate (decode_cost) and waits while others hold the rest. One that alone is larger
// than the budget runs when nothing else does, so the peak is the larger of the budget
// and the single largest decode (a 25 MP 16-bit RGBA PNG: ~425 MB; a 25 MP JPEG: ~100 MB).
class DecodeBudget {
 public:
  explicit DecodeBudget(std::size_t bytes) : capacity_(bytes) {}
  // false when `wait` passed first.
  bool acquire(std::size_t bytes, std::chrono::milliseconds wait);
  void release(std::size_t bytes);
  std::size_t in_use() const;

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::size_t used_ = 0;
  int running_ = 0;
};
inline constexpr std::size_t kDecodeBudgetBytes = 256u << 20;
inline constexpr std::chrono::milliseconds kDecodeWait{10'000};
DecodeBudget& decode_budget();  // the process's, of kDecodeBudgetBytes

// What the attachment route stores: the image cut at its end, stripped of metadata, and the info
// (size, hash) of exactly those bytes. Unlike inspect_image, this decodes JPEG and PNG pixel
// data in full (within decode_budget()), so that a valid header on random bytes is refused
// (422 not_an_image); 503 server_busy (field "body") when the budget stays taken for
// kDecodeWait. WebP is checked by its structure only (no WebP decoder is linked).
struct PreparedImage {
  ImageInfo info;
  std::string bytes;
};
core::Result<PreparedImage> prepare_upload(std::string_view bytes,
                                           std::string_view declared_content_type);

}  // namespace portal::server
