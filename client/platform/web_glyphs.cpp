#include "platform/web_glyphs.hpp"

#include <emscripten.h>

#include <algorithm>
#include <vector>

// clang-format off
EM_JS(int, portal_js_glyphs, (const char32_t* cps, int n, float px, int weight, unsigned char* rgba,
                              int capacity, float* metrics), {
  return portalGlyphs.drawMany(HEAPU32, cps >> 2, n, px, weight, HEAPU8, rgba, capacity, HEAPF32,
                               metrics >> 2);
});
EM_JS(int, portal_js_glyph_fonts_changed, (), {
  return portalGlyphs.takeFontsChanged() ? 1 : 0;
});
EM_JS(int, portal_js_glyphs_kept, (float px, int weight, char32_t* cps, int max), {
  return portalGlyphs.kept(px, weight, HEAPU32, cps >> 2, max);
});
EM_JS(int, portal_js_glyphs_stale, (), {
  return portalGlyphs.takeStale() ? 1 : 0;
});
// clang-format on

namespace portal::client {

int WebGlyphSource::draw(const char32_t* cps, int n, float device_px, int weight,
                         std::uint8_t* rgba, std::size_t capacity, ui::GlyphImage* out,
                         ui::GlyphStatus* status) {
  // Per glyph: width, height, x0, y0, advance, coloured, status.
  std::vector<float> m(static_cast<std::size_t>(n) * 7, 0.0f);
  const int drawn =
      portal_js_glyphs(cps, n, device_px, weight, rgba, static_cast<int>(capacity), m.data());
  for (int i = 0; i < drawn; ++i) {
    const float* g = m.data() + static_cast<std::size_t>(i) * 7;
    ui::GlyphImage& img = out[i];
    img.width = static_cast<int>(g[0]);
    img.height = static_cast<int>(g[1]);
    img.x0 = g[2];
    img.y0 = g[3];
    img.advance = g[4];
    img.colored = g[5] != 0;
    status[i] = g[6] == 1   ? ui::GlyphStatus::later
                : g[6] == 2 ? ui::GlyphStatus::missing
                            : ui::GlyphStatus::drawn;
  }
  return drawn;
}

bool WebGlyphSource::take_fonts_changed() {
  return portal_js_glyph_fonts_changed() != 0;
}

bool WebGlyphSource::kept(float device_px, int weight, std::vector<char32_t>& out) {
  out.resize(1024);
  int n = portal_js_glyphs_kept(device_px, weight, out.data(), static_cast<int>(out.size()));
  if (n > static_cast<int>(out.size())) {
    out.resize(static_cast<std::size_t>(n));
    n = portal_js_glyphs_kept(device_px, weight, out.data(), n);
  }
  if (n < 0) {
    out.clear();
    return false;
  }
  out.resize(static_cast<std::size_t>(std::min(n, static_cast<int>(out.size()))));
  return true;
}

bool WebGlyphSource::take_stale() {
  return portal_js_glyphs_stale() != 0;
}

}  // namespace portal::client
