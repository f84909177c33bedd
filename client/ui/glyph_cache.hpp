// The glyphs of the UI, drawn by the device's own fonts (through a GlyphSource, the
// browser's canvas) one character at a time, as text first needs them, into one
// WebGL texture that Dear ImGui's fonts point into. The glyphs the source kept from an
// earlier visit are asked for before the first frame is built, so that it is built
// once, with all its text.
//
// Text helpers call NeedGlyphs(font, text) for what they draw or measure; characters
// the font lacks are rasterised at the next prepare(), before the next frame (the
// host draws that frame at once when nothing else happened). The texture starts at
// 1024 px square, doubles (copied on the GPU) up to 4096, and starts afresh when
// even that is full: the glyphs still in use come back on the next frames.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "imgui.h"

namespace portal::client::ui {

struct FontSet {
  ImFont* body = nullptr;     // all text people type or read
  ImFont* small = nullptr;    // labels, hints, notes
  ImFont* title = nullptr;    // headings (semi-bold)
  ImFont* display = nullptr;  // ticket numbers, codes, the app name (semi-bold)
};

// One rasterised glyph, in device pixels. The pixels are RGBA, not premultiplied;
// a glyph that is not coloured is white with its coverage in alpha.
struct GlyphImage {
  int width = 0, height = 0;
  float x0 = 0, y0 = 0;  // top-left of the bitmap from the pen, on the line's top
  float advance = 0;
  bool colored = false;
};

enum class GlyphStatus {
  drawn,    // the bitmap and metrics are filled
  later,    // a font for it is on its way: ask again after a wake-up
  missing,  // nothing on this device can draw it: the bitmap is the device's box
};

class GlyphSource {
 public:
  virtual ~GlyphSource() = default;
  // Draws the n code points cps at device_px with the weight (400, 600). Their pixels go
  // one after another into rgba (width x height x 4 bytes each, capacity in all); out and
  // status get one entry each. Returns how many it drew: fewer when rgba is full (the
  // rest are asked for again), and at least one when n > 0.
  virtual int draw(const char32_t* cps, int n, float device_px, int weight, std::uint8_t* rgba,
                   std::size_t capacity, GlyphImage* out, GlyphStatus* status) = 0;
  // True once after a font arrived that glyphs drawn `later` were waiting for.
  virtual bool take_fonts_changed() = 0;
  // The code points whose glyphs at device_px and weight the source kept from an earlier
  // visit (they come back from draw() without being drawn), into out. False while it is
  // still reading them (ask again at the next prepare()).
  virtual bool kept(float device_px, int weight, std::vector<char32_t>& out) {
    (void)device_px;
    (void)weight;
    out.clear();
    return true;
  }
  // True once when glyphs it handed out turned out wrong (the kept ones no longer match
  // the device's fonts): every glyph is drawn again.
  virtual bool take_stale() { return false; }
};

struct GlyphStats {
  int glyphs = 0;        // glyphs in the texture now
  int drawn = 0;         // rasterised since the start
  double draw_ms = 0;    // time spent rasterising and uploading them
  int texture_size = 0;  // px, square
  int resets = 0;        // times the full texture started afresh
  int waiting = 0;       // glyphs waiting for a font
};

class GlyphCache {
 public:
  GlyphCache() = default;
  ~GlyphCache();
  GlyphCache(const GlyphCache&) = delete;
  GlyphCache& operator=(const GlyphCache&) = delete;

  // Needs a current GL context and an ImGui context.
  void init(GlyphSource* source);
  // Faces at this device pixel ratio (a change draws every glyph again; the faces are
  // usable again after the next prepare()).
  void set_dpr(float dpr);
  // The faces' sizes in CSS px: body, small, title, display (a change draws every glyph
  // again; the faces are usable again after the next prepare()).
  void set_sizes(const float (&css_px)[4]);
  const FontSet& fonts() const { return fonts_; }

  // Records the characters of text that font lacks.
  void need(const ImFont* font, std::string_view text);
  // Rasterises and uploads what was needed. True when glyphs were added.
  bool prepare();
  // Characters were needed and not drawn yet (the next prepare() draws them).
  bool has_needed() const;
  // Some wait for a font (a wake-up from the platform follows when it comes).
  bool waiting() const { return stats_.waiting > 0; }
  const GlyphStats& stats() const { return stats_; }

 private:
  struct Face {
    ImFont* font = nullptr;
    float css_px = 0;
    int weight = 400;
    std::vector<char32_t> needed;
    std::unordered_set<char32_t> queued, later;
    bool asked_kept = false;    // the source's kept glyphs at this size were queued
    bool lookup_dirty = false;  // glyphs changed: Dear ImGui's lookup is built again
  };

  void reset_faces();
  void queue_kept();
  void build_lookups();
  bool grow();
  bool place(int w, int h, int& x, int& y);
  void upload(int x, int y, int w, int h, const std::uint8_t* rgba);
  void add_glyph(Face& face, char32_t cp, const GlyphImage& img, int x, int y);

  GlyphSource* source_ = nullptr;
  Face faces_[4];
  FontSet fonts_;
  float dpr_ = 0;
  unsigned texture_ = 0;
  int tex_size_ = 0, max_size_ = 4096;
  int shelf_x_ = 0, shelf_y_ = 0, shelf_h_ = 0;  // the shelf packer's current row
  std::unique_ptr<std::uint8_t[]> scratch_;      // a batch of glyphs' pixels (not cleared)
  std::size_t scratch_size_ = 0;
  GlyphStats stats_;
};

// The cache the frame being drawn uses; text helpers call NeedGlyphs on it.
void SetCurrentGlyphCache(GlyphCache* cache);
void NeedGlyphs(const ImFont* font, std::string_view text);
// For calls into Dear ImGui's text functions: asks for the glyphs of [begin, end) (end
// null: up to the terminating zero) and returns begin.
inline const char* Needing(const ImFont* font, const char* begin, const char* end = nullptr) {
  NeedGlyphs(font, end ? std::string_view(begin, static_cast<std::size_t>(end - begin))
                       : std::string_view(begin));
  return begin;
}

}  // namespace portal::client::ui
