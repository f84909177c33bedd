// Line breaking for mixed Chinese/Latin text. Dear ImGui 1.86 only breaks at
// spaces; Chinese has none, so lines may break between any two ideographs, but
// not before closing punctuation (，。、) nor after opening punctuation (（《“).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "imgui.h"

namespace portal::client::ui {

struct TextLine {
  int begin = 0;  // byte offsets into the text
  int end = 0;    // excludes the '\n' that ended the line, if any
  float width = 0;
};

// One line of text: its size, and drawing it at `pos` (top-left). Both ask the glyph cache
// for the characters first (NeedGlyphs), so that they are drawn by the next frame.
ImVec2 MeasureText(const ImFont* font, float size, std::string_view s);
// `bold`: the body face has no bold; a second pass one device pixel (1/dpr) to the right.
void DrawText(ImDrawList* dl, const ImFont* font, float size, ImVec2 pos, ImU32 col,
              std::string_view s, bool bold = false, float dpr = 1);

// Width in the font's size `size` (CSS px) of one code point.
float glyph_advance(const ImFont* font, float size, char32_t c);
// Breaks text into lines no wider than max_width (a word longer than a line is cut).
void wrap_text(const ImFont* font, float size, std::string_view text, float max_width,
               std::vector<TextLine>& out);
// Width of text[begin, end) on one line.
float text_width(const ImFont* font, float size, std::string_view text, int begin, int end);
// At most `max_lines` lines of `text` at this width, the last cut with "…" when more
// would follow.
std::string clamp_lines(const ImFont* font, float size, std::string_view text, float width,
                        int max_lines);

}  // namespace portal::client::ui
