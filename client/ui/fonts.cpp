#include "ui/fonts.hpp"

#include <chrono>

#include "imgui_impl_opengl3.h"
#include "ui/theme.hpp"

namespace portal::client::ui {

namespace {

// Dear ImGui glyph ranges: pairs of inclusive bounds, zero-terminated.
void to_ranges(const std::vector<char32_t>& cps, std::vector<ImWchar>& out) {
  out.clear();
  for (std::size_t i = 0; i < cps.size();) {
    std::size_t j = i;
    while (j + 1 < cps.size() && cps[j + 1] == cps[j] + 1) ++j;
    out.push_back(static_cast<ImWchar>(cps[i]));
    out.push_back(static_cast<ImWchar>(cps[j]));
    i = j + 1;
  }
  out.push_back(0);
}

// ASCII and the characters of text, as ranges.
void text_ranges(std::string_view text, std::vector<ImWchar>& out) {
  GlyphSet set;  // starts with ASCII
  set.require(text);
  to_ranges(set.code_points(), out);
}

}  // namespace

void FontAtlas::set_heading_texts(std::string_view title_texts, std::string_view display_texts) {
  text_ranges(title_texts, ranges_title_);
  text_ranges(display_texts, ranges_display_);
  built_version_ = 0;  // rebuild
}

bool FontAtlas::update(const GlyphSet& glyphs, float dpr) {
  if (ttf_.empty()) return false;
  if (built_from_ == &glyphs && built_version_ == glyphs.version() && dpr_ == dpr && fonts_.body)
    return false;
  build(glyphs, dpr);
  return true;
}

void FontAtlas::build(const GlyphSet& glyphs, float dpr) {
  const auto t0 = std::chrono::steady_clock::now();
  to_ranges(glyphs.code_points(), ranges_all_);
  if (ranges_title_.empty()) text_ranges({}, ranges_title_);
  if (ranges_display_.empty()) text_ranges({}, ranges_display_);

  ImGuiIO& io = ImGui::GetIO();
  ImFontAtlas* atlas = io.Fonts;
  atlas->Clear();
  atlas->Flags |= ImFontAtlasFlags_NoMouseCursors | ImFontAtlasFlags_NoPowerOfTwoHeight;
  atlas->TexGlyphPadding = 1;

  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;
  cfg.OversampleH = 1;  // rasterised at the device pixel size already
  cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  auto add = [&](float css_px, const std::vector<ImWchar>& ranges) {
    return atlas->AddFontFromMemoryTTF(ttf_.data(), static_cast<int>(ttf_.size()), css_px * dpr,
                                       &cfg, ranges.data());
  };
  fonts_.body = add(theme::kBodyFont, ranges_all_);
  fonts_.small = add(theme::kSmallFont, ranges_all_);
  fonts_.title = add(theme::kTitleFont, ranges_title_);
  fonts_.display = add(theme::kDisplayFont, ranges_display_);
  atlas->Build();
  io.FontDefault = fonts_.body;
  io.FontGlobalScale = 1.0f / dpr;

  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  tex_w_ = atlas->TexWidth;
  tex_h_ = atlas->TexHeight;
  // The RGBA copy lives on the GPU now.
  atlas->ClearTexData();

  built_from_ = &glyphs;
  built_version_ = glyphs.version();
  dpr_ = dpr;
  last_build_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace portal::client::ui
