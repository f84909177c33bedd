#include "ui/text_editor.hpp"

#include <algorithm>

#include "app/utf8.hpp"
#include "imgui_internal.h"
#include "portal/core/utf8.hpp"
#include "ui/glyph_cache.hpp"
#include "ui/theme.hpp"

namespace portal::client::ui {

namespace {

constexpr std::size_t kMaxUndo = 64;
constexpr double kTypingMergeSeconds = 1.0;

bool is_continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

// The caret moves, and Backspace and Delete remove, a whole character as people see it
// (an emoji with its skin tone or joined family, a flag, a letter with its marks).
int prev_boundary(std::string_view s, int i) {
  return prev_cluster(s, i);
}

int next_boundary(std::string_view s, int i) {
  return next_cluster(s, i);
}

int clamp_boundary(std::string_view s, int i) {
  i = std::clamp(i, 0, static_cast<int>(s.size()));
  while (i > 0 && i < static_cast<int>(s.size()) &&
         is_continuation(static_cast<unsigned char>(s[i])))
    --i;
  return i;
}

// 0 space, 1 ASCII word character, 2 punctuation/other, 3 wide (CJK).
int char_class(char32_t c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == 0x3000) return 0;
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
    return 1;
  if (c >= 0x2E80) return 3;
  return 2;
}

char32_t char_at(std::string_view s, int i) {
  std::size_t p = static_cast<std::size_t>(i);
  return p < s.size() ? next_code_point(s, p) : 0;
}

int word_left(std::string_view s, int i) {
  while (i > 0 && char_class(char_at(s, prev_boundary(s, i))) == 0) i = prev_boundary(s, i);
  if (i == 0) return 0;
  const int cls = char_class(char_at(s, prev_boundary(s, i)));
  while (i > 0 && char_class(char_at(s, prev_boundary(s, i))) == cls) i = prev_boundary(s, i);
  return i;
}

int word_right(std::string_view s, int i) {
  const int n = static_cast<int>(s.size());
  if (i < n) {
    const int cls = char_class(char_at(s, i));
    while (i < n && char_class(char_at(s, i)) == cls) i = next_boundary(s, i);
  }
  while (i < n && char_class(char_at(s, i)) == 0 && char_at(s, i) != '\n') i = next_boundary(s, i);
  return i;
}

// The visual line the caret at `off` is drawn on: at a soft wrap it belongs to the next line.
int line_of(const std::vector<TextLine>& lines, int off) {
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    const TextLine& l = lines[i];
    if (off < l.begin) continue;
    if (off < l.end) return i;
    if (off == l.end) {
      const bool soft_wrap = i + 1 < static_cast<int>(lines.size()) && lines[i + 1].begin == off;
      if (!soft_wrap) return i;
    }
  }
  return std::max(0, static_cast<int>(lines.size()) - 1);
}

int offset_at_x(const ImFont* font, float size, std::string_view s, const TextLine& l, float x) {
  float acc = 0;
  for (std::size_t i = static_cast<std::size_t>(l.begin); i < static_cast<std::size_t>(l.end);) {
    std::size_t next = i;
    const float adv = glyph_advance(font, size, next_code_point(s, next));
    if (x < acc + adv * 0.5f) return static_cast<int>(i);
    acc += adv;
    i = next;
  }
  return l.end;
}

}  // namespace

std::string selected_text(const TextEditState& st, std::string_view text) {
  const int a = clamp_boundary(text, std::min(st.cursor, st.anchor));
  const int b = clamp_boundary(text, std::max(st.cursor, st.anchor));
  return std::string(text.substr(static_cast<std::size_t>(a), static_cast<std::size_t>(b - a)));
}

TextEditResult TextEditor(ImGuiID id, TextEditState& st, std::string& text,
                          const TextEditStyle& style) {
  TextEditResult result;
  ImGuiContext& g = *GImGui;
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return result;
  ImGuiIO& io = g.IO;
  const ImFont* font = style.font;
  const float fs = style.size;
  const float line_h = ImFloor(fs * style.line_height);
  const ImVec2 pad(12, 10);
  const float inner_w = ImMax(style.width - pad.x * 2, fs * 2);
  result.line_height = line_h;

  wrap_text(font, fs, text, inner_w, st.lines);
  const int shown_lines = ImMax(style.min_lines, static_cast<int>(st.lines.size()));
  const ImVec2 pos = window->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(style.width, shown_lines * line_h + pad.y * 2));
  ImGui::ItemSize(bb);
  if (!ImGui::ItemAdd(bb, id, nullptr, ImGuiItemFlags_Inputable)) return result;

  const bool hovered = ImGui::ItemHoverable(bb, id);
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_TextInput);
  const bool tabbed = (g.LastItemData.StatusFlags & ImGuiItemStatusFlags_FocusedByTabbing) != 0;
  const bool clicked = hovered && io.MouseClicked[0];
  if ((clicked || tabbed) && g.ActiveId != id) {
    ImGui::SetActiveID(id, window);
    ImGui::SetFocusID(id, window);
    ImGui::FocusWindow(window);
    g.ActiveIdUsingNavDirMask |=
        (1 << ImGuiDir_Left) | (1 << ImGuiDir_Right) | (1 << ImGuiDir_Up) | (1 << ImGuiDir_Down);
    g.ActiveIdUsingNavInputMask |= (1 << ImGuiNavInput_Cancel);
    g.ActiveIdUsingKeyInputMask |=
        (static_cast<ImU64>(1) << ImGuiKey_Home) | (static_cast<ImU64>(1) << ImGuiKey_End) |
        (static_cast<ImU64>(1) << ImGuiKey_PageUp) | (static_cast<ImU64>(1) << ImGuiKey_PageDown);
    if (tabbed) st.cursor = st.anchor = static_cast<int>(text.size());
  } else if (g.ActiveId == id && io.MouseClicked[0] && !hovered) {
    ImGui::ClearActiveID();
  }
  const bool active = g.ActiveId == id;
  result.active = active;
  st.cursor = clamp_boundary(text, st.cursor);
  st.anchor = clamp_boundary(text, st.anchor);

  // [SECTION] Editing
  bool changed = false;
  auto has_selection = [&] { return st.cursor != st.anchor; };
  auto snapshot = [&](bool typing) {
    const double now = ImGui::GetTime();
    const bool merge = typing && st.last_typing >= 0 && now - st.last_typing < kTypingMergeSeconds;
    if (!merge) {
      st.undo.push_back(text);
      if (st.undo.size() > kMaxUndo) st.undo.erase(st.undo.begin());
      st.redo.clear();
    }
    st.last_typing = typing ? now : -1;
  };
  auto erase_selection = [&] {
    const int a = std::min(st.cursor, st.anchor), b = std::max(st.cursor, st.anchor);
    text.erase(static_cast<std::size_t>(a), static_cast<std::size_t>(b - a));
    st.cursor = st.anchor = a;
    changed = true;
  };
  auto insert = [&](std::string_view s, bool typing) {
    if (s.empty()) return;
    snapshot(typing);
    if (has_selection()) erase_selection();
    if (text.size() + s.size() > style.max_bytes) return;
    text.insert(static_cast<std::size_t>(st.cursor), s);
    st.cursor = st.anchor = st.cursor + static_cast<int>(s.size());
    st.want_x = -1;
    changed = true;
  };
  auto move_to = [&](int off, bool extend) {
    st.cursor = off;
    if (!extend) st.anchor = off;
  };

  if (active) {
    g.ActiveIdAllowOverlap = !io.MouseDown[0];
    g.WantTextInputNextFrame = 1;
    const float top = bb.Min.y + pad.y;
    auto hit = [&](ImVec2 p) {
      if (st.lines.empty()) return 0;
      const int li = std::clamp(static_cast<int>((p.y - top) / line_h), 0,
                                static_cast<int>(st.lines.size()) - 1);
      return offset_at_x(font, fs, text, st.lines[li], p.x - (bb.Min.x + pad.x));
    };

    // Mouse: click places the caret, double click selects a word, drag selects.
    if (clicked) {
      const int off = hit(io.MousePos);
      move_to(off, io.KeyShift);
      st.want_x = -1;
      st.selecting = !style.touch;
      if (io.MouseClickedCount[0] == 2) {
        st.anchor =
            word_left(text, off == static_cast<int>(text.size()) ? off : next_boundary(text, off));
        st.cursor = word_right(text, st.anchor);
      }
    } else if (st.selecting && io.MouseDown[0] && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
      st.cursor = hit(io.MousePos);
    }
    if (!io.MouseDown[0]) st.selecting = false;

    // Committed text (typing, IME, paste).
    const bool ctrl_only = (io.KeyCtrl && !io.KeyAlt) || io.KeySuper;
    if (io.InputQueueCharacters.Size > 0) {
      std::string typed;
      for (int k = 0; k < io.InputQueueCharacters.Size; ++k) {
        const unsigned int c = io.InputQueueCharacters[k];
        if (c == '\r' || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) continue;
        portal::core::utf8_append(typed, static_cast<char32_t>(c));
      }
      if (!ctrl_only) insert(typed, true);
      io.InputQueueCharacters.resize(0);
    }

    // Keys.
    const bool shift = io.KeyShift;
    const bool word = io.KeyCtrl || io.KeyAlt;
    auto pressed = [](ImGuiKey k) { return ImGui::IsKeyPressedMap(k); };
    auto vertical = [&](int dir) {
      const int li = line_of(st.lines, st.cursor);
      const TextLine& cur = st.lines[li];
      if (st.want_x < 0) st.want_x = text_width(font, fs, text, cur.begin, st.cursor);
      const int target = li + dir;
      const float keep = st.want_x;
      if (target < 0)
        move_to(0, shift);
      else if (target >= static_cast<int>(st.lines.size()))
        move_to(static_cast<int>(text.size()), shift);
      else
        move_to(offset_at_x(font, fs, text, st.lines[target], st.want_x), shift);
      st.want_x = keep;
    };
    if (!g.ActiveIdIsJustActivated) {
      if (pressed(ImGuiKey_LeftArrow)) {
        const int to = !shift && has_selection() ? std::min(st.cursor, st.anchor)
                       : word                    ? word_left(text, st.cursor)
                                                 : prev_boundary(text, st.cursor);
        move_to(to, shift);
        st.want_x = -1;
      } else if (pressed(ImGuiKey_RightArrow)) {
        const int to = !shift && has_selection() ? std::max(st.cursor, st.anchor)
                       : word                    ? word_right(text, st.cursor)
                                                 : next_boundary(text, st.cursor);
        move_to(to, shift);
        st.want_x = -1;
      } else if (pressed(ImGuiKey_UpArrow)) {
        vertical(-1);
      } else if (pressed(ImGuiKey_DownArrow)) {
        vertical(+1);
      } else if (pressed(ImGuiKey_Home)) {
        move_to(io.KeyCtrl ? 0 : st.lines[line_of(st.lines, st.cursor)].begin, shift);
        st.want_x = -1;
      } else if (pressed(ImGuiKey_End)) {
        move_to(
            io.KeyCtrl ? static_cast<int>(text.size()) : st.lines[line_of(st.lines, st.cursor)].end,
            shift);
        st.want_x = -1;
      } else if (pressed(ImGuiKey_Backspace)) {
        snapshot(false);
        if (!has_selection())
          st.anchor = word ? word_left(text, st.cursor) : prev_boundary(text, st.cursor);
        erase_selection();
        st.want_x = -1;
      } else if (pressed(ImGuiKey_Delete)) {
        snapshot(false);
        if (!has_selection())
          st.anchor = word ? word_right(text, st.cursor) : next_boundary(text, st.cursor);
        erase_selection();
        st.want_x = -1;
      } else if (pressed(ImGuiKey_Enter) || pressed(ImGuiKey_KeyPadEnter)) {
        insert("\n", false);
      } else if (pressed(ImGuiKey_Escape)) {
        ImGui::ClearActiveID();
      } else if (ctrl_only && pressed(ImGuiKey_A)) {
        st.anchor = 0;
        st.cursor = static_cast<int>(text.size());
      } else if (ctrl_only && (pressed(ImGuiKey_C) || pressed(ImGuiKey_X)) && has_selection()) {
        ImGui::SetClipboardText(selected_text(st, text).c_str());
        if (pressed(ImGuiKey_X)) {
          snapshot(false);
          erase_selection();
        }
      } else if (ctrl_only && pressed(ImGuiKey_Z) && !shift && !st.undo.empty()) {
        st.redo.push_back(text);
        text = st.undo.back();
        st.undo.pop_back();
        st.cursor = st.anchor = static_cast<int>(text.size());
        st.last_typing = -1;
        changed = true;
      } else if (ctrl_only && (pressed(ImGuiKey_Y) || (shift && pressed(ImGuiKey_Z))) &&
                 !st.redo.empty()) {
        st.undo.push_back(text);
        text = st.redo.back();
        st.redo.pop_back();
        st.cursor = st.anchor = static_cast<int>(text.size());
        st.last_typing = -1;
        changed = true;
      }
    }
    if (changed) wrap_text(font, fs, text, inner_w, st.lines);
  }
  result.changed = changed;

  // [SECTION] Drawing
  ImDrawList* dl = window->DrawList;
  const ImU32 border = active ? theme::kPrimary : style.error ? theme::kDanger : theme::kBorder;
  dl->AddRectFilled(bb.Min, bb.Max, theme::kSurface, theme::kFieldRadius);
  dl->AddRect(bb.Min, bb.Max, border, theme::kFieldRadius, 0, active ? 1.5f : 1.0f);
  dl->PushClipRect(bb.Min, bb.Max, true);
  const float text_dy = (line_h - fs) * 0.5f;
  const ImVec2 origin(bb.Min.x + pad.x, bb.Min.y + pad.y);
  if (text.empty() && style.preedit.empty() && !style.hint.empty()) {
    std::vector<TextLine> hint_lines;
    wrap_text(font, fs, style.hint, inner_w, hint_lines);
    for (std::size_t i = 0; i < hint_lines.size(); ++i)
      dl->AddText(font, fs, ImVec2(origin.x, origin.y + i * line_h + text_dy), theme::kHint,
                  Needing(font, style.hint.data() + hint_lines[i].begin,
                          style.hint.data() + hint_lines[i].end),
                  style.hint.data() + hint_lines[i].end);
  }
  const int sel_a = std::min(st.cursor, st.anchor), sel_b = std::max(st.cursor, st.anchor);
  for (std::size_t i = 0; i < st.lines.size(); ++i) {
    const TextLine& l = st.lines[i];
    const float y = origin.y + i * line_h;
    if (y > bb.Max.y || y + line_h < bb.Min.y) continue;
    if (active && sel_a != sel_b && sel_a <= l.end && sel_b >= l.begin) {
      const int a = std::max(sel_a, l.begin), b = std::min(sel_b, l.end);
      const float x0 = origin.x + text_width(font, fs, text, l.begin, a);
      float x1 = origin.x + text_width(font, fs, text, l.begin, b);
      if (sel_b > l.end) x1 += fs * 0.3f;  // the selection runs on past this line
      dl->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + line_h), IM_COL32(22, 93, 205, 60));
    }
    dl->AddText(font, fs, ImVec2(origin.x, y + text_dy), theme::kText,
                Needing(font, text.data() + l.begin, text.data() + l.end), text.data() + l.end);
  }
  if (active && !st.lines.empty()) {
    const int li = line_of(st.lines, st.cursor);
    const float cx = origin.x + text_width(font, fs, text, st.lines[li].begin, st.cursor);
    const float cy = origin.y + li * line_h;
    result.caret = ImVec2(cx, cy);
    if (!style.preedit.empty()) {
      // The IME's composition, underlined at the caret, until it is committed.
      const ImVec2 sz = font->CalcTextSizeA(
          fs, FLT_MAX, 0,
          Needing(font, style.preedit.data(), style.preedit.data() + style.preedit.size()),
          style.preedit.data() + style.preedit.size());
      dl->AddRectFilled(ImVec2(cx, cy), ImVec2(cx + sz.x + 2, cy + line_h), theme::kPrimarySoft);
      dl->AddText(font, fs, ImVec2(cx + 1, cy + text_dy), theme::kText,
                  Needing(font, style.preedit.data(), style.preedit.data() + style.preedit.size()),
                  style.preedit.data() + style.preedit.size());
      dl->AddLine(ImVec2(cx, cy + line_h - 2), ImVec2(cx + sz.x + 2, cy + line_h - 2),
                  theme::kPrimary, 1.0f);
    } else {
      dl->AddRectFilled(ImVec2(cx - 0.75f, cy + 3), ImVec2(cx + 0.75f, cy + line_h - 3),
                        theme::kPrimary);
    }
  }
  dl->PopClipRect();
  if (active) st.last_text = text;
  return result;
}

}  // namespace portal::client::ui
