// A multi-line text editor that wraps lines the way Chinese text needs (Dear
// ImGui 1.86's InputTextMultiline does not wrap at all). Text arrives through
// io.InputQueueCharacters like any ImGui input; keys through io.KeysDown.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "imgui.h"
#include "ui/text_layout.hpp"

namespace portal::client::ui {

struct TextEditState {
  int cursor = 0;     // byte offsets into the text
  int anchor = 0;     // the other end of the selection (== cursor: none)
  float want_x = -1;  // column kept while moving up and down
  bool selecting = false;
  std::vector<std::string> undo, redo;
  double last_typing = -1;
  std::vector<TextLine> lines;  // scratch, reused between frames
  std::string last_text;        // the text as last drawn, for copy events from the browser
};

struct TextEditStyle {
  ImFont* font = nullptr;
  float size = 16;  // CSS px
  float width = 0;
  int min_lines = 4;
  float line_height = 1.5f;  // times size
  std::string_view hint;
  std::string_view preedit;  // IME composition to show at the caret
  bool error = false;
  bool touch = false;  // the pointer is a finger: drags scroll, they do not select
  std::size_t max_bytes = 16000;
};

struct TextEditResult {
  bool changed = false;
  bool active = false;
  ImVec2 caret;  // top-left of the caret, for the IME window
  float line_height = 0;
};

TextEditResult TextEditor(ImGuiID id, TextEditState& st, std::string& text,
                          const TextEditStyle& style);

// The selected text of the state (empty when nothing is selected).
std::string selected_text(const TextEditState& st, std::string_view text);

}  // namespace portal::client::ui
