// ui::GlyphSource in the browser: each glyph drawn by the device's fonts on a 2D
// canvas (web/portal-glyphs.js), with the pieces of the fallback CJK font fetched
// only for characters the device cannot draw, and the glyphs of an earlier visit kept in
// the browser's localStorage handed back without drawing them.
#pragma once

#include "ui/glyph_cache.hpp"

namespace portal::client {

class WebGlyphSource : public ui::GlyphSource {
 public:
  int draw(const char32_t* cps, int n, float device_px, int weight, std::uint8_t* rgba,
           std::size_t capacity, ui::GlyphImage* out, ui::GlyphStatus* status) override;
  bool take_fonts_changed() override;
  bool kept(float device_px, int weight, std::vector<char32_t>& out) override;
  bool take_stale() override;
};

}  // namespace portal::client
