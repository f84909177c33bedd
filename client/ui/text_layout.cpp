#include "ui/text_layout.hpp"

#include <cfloat>

#include "app/utf8.hpp"
#include "ui/glyph_cache.hpp"

namespace portal::client::ui {

ImVec2 MeasureText(const ImFont* font, float size, std::string_view s) {
  return font->CalcTextSizeA(size, FLT_MAX, 0, Needing(font, s.data(), s.data() + s.size()),
                             s.data() + s.size());
}

void DrawText(ImDrawList* dl, const ImFont* font, float size, ImVec2 pos, ImU32 col,
              std::string_view s, bool bold, float dpr) {
  dl->AddText(font, size, pos, col, Needing(font, s.data(), s.data() + s.size()),
              s.data() + s.size());
  if (bold)
    dl->AddText(font, size, ImVec2(pos.x + 0.6f / dpr * 1.5f, pos.y), col,
                Needing(font, s.data(), s.data() + s.size()), s.data() + s.size());
}

namespace {

bool is_wide(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) ||  // CJK radicals, symbols, kana, ideographs
         (c >= 0xAC00 && c <= 0xD7AF) ||  // Hangul
         (c >= 0xF900 && c <= 0xFAFF) ||  // compatibility ideographs
         (c >= 0xFF00 && c <= 0xFFEF);    // fullwidth forms
}

// Must not start a line.
bool is_closing(char32_t c) {
  switch (c) {
    case U'，':
    case U'。':
    case U'、':
    case U'；':
    case U'：':
    case U'？':
    case U'！':
    case U'）':
    case U'》':
    case U'」':
    case U'』':
    case U'】':
    case U'〉':
    case U'”':
    case U'’':
    case U'…':
    case U'·':
    case U'%':
    case U',':
    case U'.':
    case U';':
    case U':':
    case U'?':
    case U'!':
    case U')':
    case U']':
    case U'}':
      return true;
    default:
      return false;
  }
}

// Must not end a line.
bool is_opening(char32_t c) {
  switch (c) {
    case U'（':
    case U'《':
    case U'「':
    case U'『':
    case U'【':
    case U'〈':
    case U'“':
    case U'‘':
    case U'(':
    case U'[':
    case U'{':
      return true;
    default:
      return false;
  }
}

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == 0x3000;
}

}  // namespace

float glyph_advance(const ImFont* font, float size, char32_t c) {
  if (c == '\t') c = ' ';
  return font->GetCharAdvance(static_cast<ImWchar>(c)) * (size / font->FontSize);
}

float text_width(const ImFont* font, float size, std::string_view text, int begin, int end) {
  NeedGlyphs(font,
             text.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)));
  float w = 0;
  for (std::size_t i = static_cast<std::size_t>(begin); i < static_cast<std::size_t>(end);)
    w += glyph_advance(font, size, next_code_point(text, i));
  return w;
}

void wrap_text(const ImFont* font, float size, std::string_view text, float max_width,
               std::vector<TextLine>& out) {
  NeedGlyphs(font, text);
  out.clear();
  const int n = static_cast<int>(text.size());
  int line_begin = 0;
  float width = 0;
  int brk = -1;  // last offset before which the line may end
  float brk_width = 0;
  char32_t prev = 0;
  for (std::size_t i = 0; i <= text.size();) {
    const int pos = static_cast<int>(i);
    if (i == text.size()) {
      out.push_back({line_begin, n, width});
      break;
    }
    std::size_t next = i;
    const char32_t c = next_code_point(text, next);
    if (c == '\n') {
      out.push_back({line_begin, pos, width});
      line_begin = static_cast<int>(next);
      width = 0;
      brk = -1;
      prev = 0;
      i = next;
      continue;
    }
    if (pos > line_begin && prev != 0 && !is_closing(c) && !is_opening(prev) &&
        (is_space(prev) || is_wide(prev) || is_wide(c))) {
      brk = pos;
      brk_width = width;
    }
    const float adv = glyph_advance(font, size, c);
    if (width + adv > max_width && pos > line_begin && !is_space(c)) {
      if (brk > line_begin) {
        out.push_back({line_begin, brk, brk_width});
        line_begin = brk;
      } else {
        out.push_back({line_begin, pos, width});
        line_begin = pos;
      }
      // Measure again from the new line's start.
      width = 0;
      brk = -1;
      prev = 0;
      i = static_cast<std::size_t>(line_begin);
      continue;
    }
    width += adv;
    prev = c;
    i = next;
  }
}

std::string clamp_lines(const ImFont* font, float size, std::string_view text, float width,
                        int max_lines) {
  std::vector<TextLine> lines;
  wrap_text(font, size, text, width, lines);
  if (static_cast<int>(lines.size()) <= max_lines) return std::string(text);
  const TextLine& last = lines[static_cast<std::size_t>(max_lines - 1)];
  // Room for the ellipsis: drop characters (whole UTF-8 sequences) from the end.
  const float dots = MeasureText(font, size, "…").x;
  int end = last.end;
  while (end > last.begin && text_width(font, size, text, last.begin, end) + dots > width) {
    --end;
    while (end > last.begin && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  return std::string(text.substr(0, static_cast<std::size_t>(end))) + "…";
}

}  // namespace portal::client::ui
