// The font atlas, built lazily from the GlyphSet at CSS size x devicePixelRatio so
// text is crisp; Dear ImGui scales it back with FontGlobalScale = 1 / dpr.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "app/glyphs.hpp"
#include "imgui.h"

namespace portal::client::ui {

struct FontSet {
  ImFont* body = nullptr;     // all text people type or read
  ImFont* small = nullptr;    // labels, hints, notes
  ImFont* title = nullptr;    // headings: ASCII and TitleFontTexts() only
  ImFont* display = nullptr;  // ticket numbers, codes, the app name: DisplayFontTexts() only
};

class FontAtlas {
 public:
  // Takes the TTF bytes; they must outlive the atlas (the atlas does not copy them).
  void set_font_data(std::vector<unsigned char> ttf) { ttf_ = std::move(ttf); }
  bool has_font_data() const { return !ttf_.empty(); }
  // The only texts (besides ASCII) the title and the display font must draw.
  void set_heading_texts(std::string_view title_texts, std::string_view display_texts);
  // Rebuilds the atlas and the GL texture when the glyph set (another one, or a new
  // version of it) or the scale changed. True when it did.
  bool update(const GlyphSet& glyphs, float dpr);
  bool built() const { return fonts_.body != nullptr; }
  const FontSet& fonts() const { return fonts_; }
  float dpr() const { return dpr_; }
  double last_build_ms() const { return last_build_ms_; }
  int texture_width() const { return tex_w_; }
  int texture_height() const { return tex_h_; }

 private:
  void build(const GlyphSet& glyphs, float dpr);

  std::vector<unsigned char> ttf_;
  std::vector<ImWchar> ranges_all_, ranges_title_, ranges_display_;
  FontSet fonts_;
  const GlyphSet* built_from_ = nullptr;
  std::uint64_t built_version_ = 0;
  float dpr_ = 0;
  double last_build_ms_ = 0;
  int tex_w_ = 0, tex_h_ = 0;
};

}  // namespace portal::client::ui
