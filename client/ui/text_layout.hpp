// Line breaking for mixed Chinese/Latin text. Dear ImGui 1.86 only breaks at
// spaces; Chinese has none, so lines may break between any two ideographs, but
// not before closing punctuation (，。、) nor after opening punctuation (（《“).
#pragma once

#include <string_view>
#include <vector>

#include "imgui.h"

namespace portal::client::ui {

struct TextLine {
  int begin = 0;  // byte offsets into the text
  int end = 0;    // excludes the '\n' that ended the line, if any
  float width = 0;
};

// Width in the font's size `size` (CSS px) of one code point.
float glyph_advance(const ImFont* font, float size, char32_t c);
// Breaks text into lines no wider than max_width (a word longer than a line is cut).
void wrap_text(const ImFont* font, float size, std::string_view text, float max_width,
               std::vector<TextLine>& out);
// Width of text[begin, end) on one line.
float text_width(const ImFont* font, float size, std::string_view text, int begin, int end);

}  // namespace portal::client::ui
