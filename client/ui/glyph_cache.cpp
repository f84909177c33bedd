#include "ui/glyph_cache.hpp"

#include <GLES3/gl3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "imgui_internal.h"
#include "ui/theme.hpp"

namespace portal::client::ui {

namespace {

constexpr int kStartSize = 1024;
constexpr int kWhite = 3;              // a white square for shapes at the texture's corner
constexpr ImWchar kFallback = 0xFFFF;  // a noncharacter: the blank stand-in for glyphs on their way
constexpr std::size_t kScratchBytes = 4 << 20;  // a batch of glyphs' pixels

GlyphCache* current = nullptr;

// An empty RGBA texture, size px square, bound.
GLuint NewTexture(int size) {
  GLuint t = 0;
  glGenTextures(1, &t);
  glBindTexture(GL_TEXTURE_2D, t);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, size, size, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  return t;
}

// Format characters and selectors: no glyph of their own, no width.
bool ZeroWidth(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
         (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

}  // namespace

void SetCurrentGlyphCache(GlyphCache* cache) {
  current = cache;
}

void NeedGlyphs(const ImFont* font, std::string_view text) {
  if (current) current->need(font, text);
}

GlyphCache::~GlyphCache() {
  if (current == this) current = nullptr;
  if (texture_) glDeleteTextures(1, &texture_);
}

void GlyphCache::init(GlyphSource* source) {
  source_ = source;
  GLint max = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max);
  if (max > 0) max_size_ = std::min(4096, static_cast<int>(max));
  // Not value-initialised: zeroing 4 MB byte by byte cost tens of ms at start on a phone.
  scratch_.reset(new std::uint8_t[kScratchBytes]);
  scratch_size_ = kScratchBytes;

  // Dear ImGui's own atlas is never built: its renderer is handed a 4 px white
  // texture instead of the built-in font, and the faces below live in the atlas.
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  if (!atlas->TexPixelsRGBA32) {
    atlas->TexWidth = atlas->TexHeight = 4;
    atlas->TexPixelsRGBA32 = static_cast<unsigned int*>(IM_ALLOC(4 * 4 * 4));
    std::fill_n(atlas->TexPixelsRGBA32, 16, 0xFFFFFFFFu);
  }
  const float sizes[4] = {theme::kBodyFont, theme::kSmallFont, theme::kTitleFont,
                          theme::kDisplayFont};
  const int weights[4] = {400, 400, 600, 600};
  for (int i = 0; i < 4; ++i) {
    Face& f = faces_[i];
    f.font = IM_NEW(ImFont);
    f.css_px = sizes[i];
    f.weight = weights[i];
    atlas->Fonts.push_back(f.font);
  }
  atlas->TexReady = true;
  fonts_ = FontSet{faces_[0].font, faces_[1].font, faces_[2].font, faces_[3].font};
  ImGui::GetIO().FontDefault = fonts_.body;
}

void GlyphCache::set_dpr(float dpr) {
  if (dpr == dpr_) return;
  dpr_ = dpr;
  ImGui::GetIO().FontGlobalScale = 1.0f / dpr;
  reset_faces();
}

void GlyphCache::set_sizes(const float (&css_px)[4]) {
  bool changed = false;
  for (int i = 0; i < 4; ++i)
    if (faces_[i].css_px != css_px[i]) {
      faces_[i].css_px = css_px[i];
      changed = true;
    }
  if (changed && dpr_ > 0) reset_faces();
}

void GlyphCache::reset_faces() {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  if (!texture_) {
    tex_size_ = std::min(max_size_, kStartSize);
    texture_ = NewTexture(tex_size_);
  } else {
    // Starting afresh (another size, a full texture): clear it, so that no stale pixels
    // lie in the gaps between the new glyphs, where filtering at their edges reads.
    glBindTexture(GL_TEXTURE_2D, texture_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, tex_size_, tex_size_, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 nullptr);
  }
  std::vector<std::uint8_t> white(kWhite * kWhite * 4, 0xFF);
  upload(0, 0, kWhite, kWhite, white.data());
  shelf_x_ = kWhite + 1;
  shelf_y_ = 0;
  shelf_h_ = kWhite;
  atlas->TexUvWhitePixel = ImVec2(1.5f / tex_size_, 1.5f / tex_size_);
  atlas->TexID = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_));

  for (Face& f : faces_) {
    ImFont* font = f.font;
    font->ClearOutputData();
    font->ContainerAtlas = atlas;
    font->FontSize = f.css_px * dpr_;
    font->Ascent = font->FontSize * 0.88f;
    font->Descent = -font->FontSize * 0.12f;
    font->EllipsisChar = 0x2026;
    font->DotChar = '.';
    font->FallbackChar = kFallback;
    // Until a character is drawn it takes the width of an ideograph and shows nothing.
    font->AddGlyph(nullptr, kFallback, 0, 0, 0, 0, 0, 0, 0, 0, font->FontSize);
    // Its lookup is built at the end of the next prepare(), once, with the glyphs it adds
    // (a build walks a table of 64K entries: four of them cost tens of ms on a phone).
    f.lookup_dirty = true;
    f.needed.clear();
    f.queued.clear();
    f.asked_kept = false;
  }
  stats_.glyphs = 0;
  stats_.texture_size = tex_size_;
}

void GlyphCache::need(const ImFont* font, std::string_view text) {
  Face* face = nullptr;
  for (Face& f : faces_)
    if (f.font == font) face = &f;
  if (!face || text.empty()) return;
  const ImVector<ImWchar>& lookup = face->font->IndexLookup;
  const char* s = text.data();
  const char* end = s + text.size();
  while (s < end) {
    unsigned int c = 0;
    const int n = ImTextCharFromUtf8(&c, s, end);
    s += n > 0 ? n : 1;
    if (c < 0x20) continue;  // line breaks and tabs: no glyph of their own
    if (c < static_cast<unsigned>(lookup.Size) &&
        lookup[static_cast<int>(c)] != static_cast<ImWchar>(-1))
      continue;
    if (face->later.count(c)) continue;
    if (face->queued.insert(c).second) face->needed.push_back(c);
  }
}

bool GlyphCache::has_needed() const {
  for (const Face& f : faces_)
    if (!f.needed.empty()) return true;
  return false;
}

bool GlyphCache::prepare() {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  // The renderer set its own (4 px) texture when it started: ours is the one drawn with.
  atlas->TexID = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_));
  if (!source_ || !texture_) return false;
  bool added = false;
  if (source_->take_stale()) {
    // What was drawn no longer matches the device's fonts: everything is drawn again,
    // as the next frames need it.
    for (Face& f : faces_) f.later.clear();
    reset_faces();
    added = true;
  }
  queue_kept();
  if (source_->take_fonts_changed()) {
    for (Face& f : faces_) {
      for (char32_t cp : f.later)
        if (f.queued.insert(cp).second) f.needed.push_back(cp);
      f.later.clear();
    }
  }
  if (!has_needed()) {
    build_lookups();
    return added;
  }

  const auto t0 = std::chrono::steady_clock::now();
  for (Face& f : faces_) {
    if (f.needed.empty()) continue;
    ImFont* font = f.font;
    // Dear ImGui appends a tab glyph at the end of each lookup build: take it off first.
    if (!font->Glyphs.empty() && font->Glyphs.back().Codepoint == '\t') font->Glyphs.pop_back();
    std::vector<char32_t> needed = std::move(f.needed);
    f.needed.clear();
    f.queued.clear();
    std::vector<char32_t> drawn;
    for (char32_t cp : needed) {
      if (ZeroWidth(cp)) {
        font->AddGlyph(nullptr, static_cast<ImWchar>(cp), 0, 0, 0, 0, 0, 0, 0, 0, 0);
        added = true;
      } else {
        drawn.push_back(cp);
      }
    }
    std::vector<GlyphImage> images(drawn.size());
    std::vector<GlyphStatus> statuses(drawn.size());
    for (std::size_t i = 0; i < drawn.size();) {
      const int n = source_->draw(drawn.data() + i, static_cast<int>(drawn.size() - i),
                                  font->FontSize, f.weight, scratch_.get(), scratch_size_,
                                  images.data() + i, statuses.data() + i);
      if (n <= 0) break;
      std::size_t offset = 0;
      for (std::size_t k = i; k < i + static_cast<std::size_t>(n); ++k) {
        const char32_t cp = drawn[k];
        const GlyphImage& img = images[k];
        const std::uint8_t* pixels = scratch_.get() + offset;
        offset += static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 4;
        if (statuses[k] == GlyphStatus::later) {
          f.later.insert(cp);
          continue;
        }
        int x = 0, y = 0;
        const bool inked = img.width > 0 && img.height > 0;
        if (inked && !place(img.width, img.height, x, y)) {
          if (!grow()) {
            // Full at the largest size: start afresh; what is still shown comes back.
            ++stats_.resets;
            for (Face& other : faces_) other.later.clear();
            reset_faces();
            stats_.draw_ms +=
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            build_lookups();
            return true;
          }
          if (!place(img.width, img.height, x, y)) continue;  // larger than the texture
        }
        if (inked) upload(x, y, img.width, img.height, pixels);
        add_glyph(f, cp, img, x, y);
        ++stats_.drawn;
        added = true;
      }
      i += static_cast<std::size_t>(n);
    }
    f.lookup_dirty = true;
  }
  build_lookups();
  int waiting = 0;
  for (const Face& f : faces_) waiting += static_cast<int>(f.later.size());
  stats_.waiting = waiting;
  stats_.draw_ms +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return added;
}

void GlyphCache::build_lookups() {
  for (Face& f : faces_) {
    if (!f.lookup_dirty) continue;
    f.font->BuildLookupTable();
    f.lookup_dirty = false;
  }
}

void GlyphCache::queue_kept() {
  std::vector<char32_t> cps;
  for (Face& f : faces_) {
    if (f.asked_kept) continue;
    if (!source_->kept(f.font->FontSize, f.weight, cps)) continue;  // still being read
    f.asked_kept = true;
    const ImVector<ImWchar>& lookup = f.font->IndexLookup;
    for (char32_t c : cps) {
      if (c < 0x20) continue;
      if (c < static_cast<char32_t>(lookup.Size) &&
          lookup[static_cast<int>(c)] != static_cast<ImWchar>(-1))
        continue;
      if (f.later.count(c)) continue;
      if (f.queued.insert(c).second) f.needed.push_back(c);
    }
  }
}

bool GlyphCache::place(int w, int h, int& x, int& y) {
  if (w > tex_size_ || h > tex_size_) return false;
  if (shelf_x_ + w > tex_size_) {
    shelf_y_ += shelf_h_ + 1;
    shelf_x_ = 0;
    shelf_h_ = 0;
  }
  if (shelf_y_ + h > tex_size_) return false;
  x = shelf_x_;
  y = shelf_y_;
  shelf_x_ += w + 1;
  shelf_h_ = std::max(shelf_h_, h);
  return true;
}

bool GlyphCache::grow() {
  if (tex_size_ * 2 > max_size_) return false;
  const int old_size = tex_size_;
  const int size = old_size * 2;
  const GLuint bigger = NewTexture(size);
  // The glyphs drawn so far are copied on the GPU: read from the old texture through a
  // framebuffer into the new one's top-left corner.
  GLint previous_fbo = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous_fbo);
  GLuint fbo = 0;
  glGenFramebuffers(1, &fbo);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture_, 0);
  glCopyTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, 0, 0, old_size, old_size);
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous_fbo));
  glDeleteFramebuffers(1, &fbo);
  glDeleteTextures(1, &texture_);
  texture_ = bigger;
  tex_size_ = size;

  const float k = static_cast<float>(old_size) / static_cast<float>(size);
  for (Face& f : faces_) {
    for (ImFontGlyph& g : f.font->Glyphs) {
      g.U0 *= k;
      g.V0 *= k;
      g.U1 *= k;
      g.V1 *= k;
    }
  }
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->TexUvWhitePixel = ImVec2(1.5f / size, 1.5f / size);
  atlas->TexID = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_));
  stats_.texture_size = size;
  return true;
}

void GlyphCache::upload(int x, int y, int w, int h, const std::uint8_t* rgba) {
  glBindTexture(GL_TEXTURE_2D, texture_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexSubImage2D(GL_TEXTURE_2D, 0, x, y, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
}

void GlyphCache::add_glyph(Face& face, char32_t cp, const GlyphImage& img, int x, int y) {
  const float s = static_cast<float>(tex_size_);
  const bool visible = img.width > 0 && img.height > 0;
  face.font->AddGlyph(nullptr, static_cast<ImWchar>(cp), img.x0, img.y0,
                      img.x0 + (visible ? img.width : 0), img.y0 + (visible ? img.height : 0),
                      x / s, y / s, (x + img.width) / s, (y + img.height) / s, img.advance);
  face.font->Glyphs.back().Colored = img.colored ? 1 : 0;
  ++stats_.glyphs;
}

}  // namespace portal::client::ui
