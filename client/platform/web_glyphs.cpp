#include "platform/web_glyphs.hpp"

#include <emscripten.h>

// clang-format off
EM_JS(int, portal_js_glyph, (int cp, float px, int weight, unsigned char* rgba, int capacity,
                             float* metrics), {
  return portalGlyphs.draw(cp, px, weight, HEAPU8, rgba, capacity, HEAPF32, metrics >> 2);
});
EM_JS(int, portal_js_glyph_fonts_changed, (), {
  return portalGlyphs.takeFontsChanged() ? 1 : 0;
});
// clang-format on

namespace portal::client {

ui::GlyphStatus WebGlyphSource::draw(char32_t cp, float device_px, int weight, std::uint8_t* rgba,
                                     std::size_t capacity, ui::GlyphImage& out) {
  float m[6] = {0, 0, 0, 0, 0, 0};  // width, height, x0, y0, advance, coloured
  const int status =
      portal_js_glyph(static_cast<int>(cp), device_px, weight, rgba, static_cast<int>(capacity), m);
  out.width = static_cast<int>(m[0]);
  out.height = static_cast<int>(m[1]);
  out.x0 = m[2];
  out.y0 = m[3];
  out.advance = m[4];
  out.colored = m[5] != 0;
  return status == 1   ? ui::GlyphStatus::later
         : status == 2 ? ui::GlyphStatus::missing
                       : ui::GlyphStatus::drawn;
}

bool WebGlyphSource::take_fonts_changed() {
  return portal_js_glyph_fonts_changed() != 0;
}

}  // namespace portal::client
