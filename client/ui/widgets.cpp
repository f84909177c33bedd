#include "ui/widgets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "imgui_internal.h"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"

namespace portal::client::ui {

namespace {

constexpr float kTouchSlop = 10.0f;         // px a finger moves before a touch becomes a scroll
constexpr float kFlingDecayPerSec = 0.02f;  // fraction of fling speed left after one second

struct ToneColors {
  ImU32 fg, bg;
};
ToneColors ColorsOf(Tone t) {
  switch (t) {
    case Tone::info:
      return {theme::kPrimary, theme::kPrimarySoft};
    case Tone::success:
      return {theme::kSuccess, theme::kSuccessSoft};
    case Tone::warning:
      return {theme::kWarning, theme::kWarningSoft};
    case Tone::danger:
      return {theme::kDanger, theme::kDangerSoft};
    case Tone::neutral:
      return {theme::kText2, theme::kNeutralSoft};
  }
  return {theme::kText2, theme::kNeutralSoft};
}

// std::string through Dear ImGui's InputText, plus per-kind character filtering.
struct InputUserData {
  std::string* str;
  FieldKind kind;
};

int InputCallback(ImGuiInputTextCallbackData* data) {
  auto* ud = static_cast<InputUserData*>(data->UserData);
  if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    ud->str->resize(static_cast<std::size_t>(data->BufTextLen));
    data->Buf = ud->str->data();
    return 0;
  }
  if (data->EventFlag == ImGuiInputTextFlags_CallbackCharFilter) {
    ImWchar c = data->EventChar;
    if (c >= 0xFF01 && c <= 0xFF5E) c = static_cast<ImWchar>(c - 0xFEE0);  // fullwidth -> ASCII
    data->EventChar = c;
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    switch (ud->kind) {
      case FieldKind::text:
      case FieldKind::password:
        return 0;
      case FieldKind::phone:
        return digit || c == '-' ? 0 : 1;
      case FieldKind::decimal:
        return digit || c == '.' || c == '-' ? 0 : 1;
      case FieldKind::ticket_number:
        if (c >= 'a' && c <= 'z') data->EventChar = static_cast<ImWchar>(c - 'a' + 'A');
        return digit || alpha ? 0 : 1;
      case FieldKind::access_code:
        return digit || alpha ? 0 : 1;
    }
  }
  return 0;
}

const char* InputModeOf(FieldKind k) {
  switch (k) {
    case FieldKind::phone:
      return "tel";
    case FieldKind::decimal:
      return "decimal";
    default:
      return "text";
  }
}

void FieldLabel(Ctx& ctx, std::string_view label) {
  if (label.empty()) return;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float size = ctx.size(ctx.fonts.small);
  const ImVec2 pos = w->DC.CursorPos;
  DrawText(w->DrawList, ctx.fonts.small, size, pos, theme::kText2, label);
  ImGui::ItemSize(ImVec2(1, size));
  w->DC.CursorPos.y -= ImGui::GetStyle().ItemSpacing.y - 6;  // sit close to the field
}

void FieldFooter(Ctx& ctx, std::string_view error, std::string_view note,
                 std::string_view right = {}) {
  if (error.empty() && note.empty() && right.empty()) return;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  w->DC.CursorPos.y -= ImGui::GetStyle().ItemSpacing.y - 6;
  const float avail = AvailWidth();
  float right_w = 0;
  const float size = ctx.size(ctx.fonts.small);
  if (!right.empty()) {
    right_w = MeasureText(ctx.fonts.small, size, right).x;
    DrawText(w->DrawList, ctx.fonts.small, size,
             ImVec2(w->DC.CursorPos.x + avail - right_w, w->DC.CursorPos.y),
             error.empty() ? theme::kHint : theme::kDanger, right);
  }
  const std::string_view text = error.empty() ? note : error;
  if (text.empty()) {
    ImGui::ItemSize(ImVec2(1, size));
    return;
  }
  std::vector<TextLine> lines;
  wrap_text(ctx.fonts.small, size, text, avail - right_w - (right_w > 0 ? 8 : 0), lines);
  const float lh = std::floor(size * 1.4f);
  for (std::size_t i = 0; i < lines.size(); ++i)
    w->DrawList->AddText(
        ctx.fonts.small, size, ImVec2(w->DC.CursorPos.x, w->DC.CursorPos.y + i * lh),
        error.empty() ? theme::kHint : theme::kDanger,
        Needing(ctx.fonts.small, text.data() + lines[i].begin, text.data() + lines[i].end),
        text.data() + lines[i].end);
  ImGui::ItemSize(ImVec2(1, lh * static_cast<float>(lines.size()) - (lh - size)));
}

}  // namespace

// [SECTION] Recording

void Record(Ctx& ctx, const char* id, const char* kind, std::string_view label,
            std::string_view value, bool enabled, bool active, std::string_view error) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const ImRect clip = ImGui::GetCurrentWindow()->ClipRect;
  WidgetRecord r;
  r.id = id;
  r.kind = kind;
  r.label = std::string(label);
  r.value = std::string(value);
  r.x = a.x;
  r.y = a.y;
  r.w = b.x - a.x;
  r.h = b.y - a.y;
  r.enabled = enabled;
  r.active = active;
  r.visible = a.y >= clip.Min.y - 0.5f && b.y <= clip.Max.y + 0.5f && a.x >= clip.Min.x - 0.5f &&
              b.x <= clip.Max.x + 0.5f;
  r.error = std::string(error);
  // A named record of a paragraph just drawn takes the paragraph's own (unnamed) place, so
  // that the mirror reads it once.
  if (!r.id.empty() && !ctx.log.records().empty()) {
    const WidgetRecord& prev = ctx.log.records().back();
    if (prev.id.empty() && prev.kind == "text" && prev.x == r.x && prev.y == r.y && prev.w == r.w &&
        prev.h == r.h)
      ctx.log.pop_back();
  }
  // Keyboard or screen reader focus on its mirror brings it into view.
  if (!ctx.a11y_reveal.empty() && r.id == ctx.a11y_reveal) {
    if (r.visible) {
      ctx.a11y_reveal.clear();
    } else {
      ImGui::ScrollToItem(ImGuiScrollFlags_KeepVisibleEdgeY);
      ctx.wants_frame = true;  // the scroll lands on the next frame
    }
  }
  ctx.log.add(std::move(r));
}

// [SECTION] Layout

float AvailWidth() {
  return ImGui::GetContentRegionAvail().x;
}

void Gap(float px) {
  ImGui::Dummy(ImVec2(1, std::max(0.0f, px - ImGui::GetStyle().ItemSpacing.y)));
}

void BeginBody(Ctx& ctx, const char* id) {
  // The body spans the screen (the scrollbar and the wheel work anywhere on it); its
  // content is a column centred on wide screens.
  ImGui::SetCursorScreenPos(ImVec2(ctx.body_x, ctx.top_bar));
  if (ctx.screen_changed) {
    ImGui::SetNextWindowScroll(ImVec2(0, 0));
    ctx.scroll = {};
  }
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPad, theme::kPad));
  ImGui::BeginChild(
      id, ImVec2(ctx.body_w > 0 ? ctx.body_w : ctx.display.x, ctx.display.y - ctx.top_bar), false,
      ImGuiWindowFlags_AlwaysUseWindowPadding);
  ImGui::PopStyleVar();
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float left = ctx.column_x + theme::kPad;
  const float right = ctx.column_x + ctx.column_w - theme::kPad;
  if (left > w->DC.CursorPos.x) {
    const float shift = left - w->DC.CursorPos.x;
    w->DC.Indent.x += shift;
    w->DC.CursorPos.x += shift;
    w->DC.CursorStartPos.x += shift;
  }
  w->ContentRegionRect.Max.x = std::min(w->ContentRegionRect.Max.x, right);
  w->WorkRect.Max.x = std::min(w->WorkRect.Max.x, right);
}

void EndBody(Ctx& ctx) {
  Gap(theme::kPad);
  ImGuiContext& g = *GImGui;
  ImGuiIO& io = g.IO;
  ImGuiWindow* w = g.CurrentWindow;
  // What the body laid out, scrolled or not, with its padding above and below. Nothing in a
  // body is sized by the display's height, so a frame made this tall (autoHeight) lays
  // out the same content again: the frame's height and the content's cannot chase each
  // other.
  const float laid_out = w->DC.CursorMaxPos.y - w->DC.CursorStartPos.y + w->WindowPadding.y * 2;
  ctx.content_h = std::max(ctx.content_h, ctx.top_bar + laid_out);
  TouchScroll& s = ctx.scroll;
  const float dt = std::max(io.DeltaTime, 1.0f / 240.0f);
  // A finger drags the page; a mouse uses the wheel or the scrollbar.
  if (ctx.touch) {
    if (io.MouseClicked[0]) {
      // A finger on the map scrolls the page too: the map takes two fingers.
      s.candidate = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows |
                                           ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
      s.dragging = false;
      s.velocity = 0;
    }
    if (s.candidate && io.MouseDown[0] && !s.dragging &&
        std::fabs(io.MousePos.y - io.MouseClickedPos[0].y) > kTouchSlop) {
      s.dragging = true;
      // Whatever the finger pressed is not clicked after all.
      if (g.ActiveId != 0 && g.ActiveIdTimer <= io.MouseDownDuration[0] + 1e-3f)
        ImGui::ClearActiveID();
    }
    if (s.dragging && io.MouseDown[0]) {
      const float dy = io.MouseDelta.y;
      ImGui::SetScrollY(w, ImClamp(w->Scroll.y - dy, 0.0f, w->ScrollMax.y));
      s.velocity = 0.6f * (-dy / dt) + 0.4f * s.velocity;
    }
    if (io.MouseReleased[0]) {
      if (!s.dragging) s.velocity = 0;
      s.candidate = s.dragging = false;
    }
  }
  if (!s.dragging && std::fabs(s.velocity) > 1) {
    const float y = w->Scroll.y + s.velocity * dt;
    ImGui::SetScrollY(w, ImClamp(y, 0.0f, w->ScrollMax.y));
    s.velocity *= std::pow(kFlingDecayPerSec, dt);
    if (std::fabs(s.velocity) < 30 || y <= 0 || y >= w->ScrollMax.y) s.velocity = 0;
    ctx.wants_frame = true;
  }
  ImGui::EndChild();
}

void BeginCard(Ctx& ctx, bool flush) {
  ctx.card_vpad = flush ? 0.0f : theme::kPad;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  ImGui::BeginGroup();
  w->ContentRegionRect.Max.x -= theme::kPad;
  w->WorkRect.Max.x -= theme::kPad;
  ImGui::Indent(theme::kPad);
  w->DC.CursorPos.y += ctx.card_vpad;
}

void EndCard(Ctx& ctx) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;
  // The bottom of the last line drawn, whatever spacing followed it.
  const float bottom = w->DC.CursorPosPrevLine.y + w->DC.PrevLineSize.y + ctx.card_vpad;
  ImGui::Unindent(theme::kPad);
  w->ContentRegionRect.Max.x += theme::kPad;
  w->WorkRect.Max.x += theme::kPad;
  ImGui::EndGroup();
  const ImVec2 top_left = ImGui::GetItemRectMin();
  const ImVec2 bottom_right(top_left.x + AvailWidth(), bottom);
  dl->ChannelsSetCurrent(0);
  dl->AddRectFilled(top_left, bottom_right, theme::kSurface, theme::kRadius);
  dl->ChannelsMerge();
  w->DC.CursorPos.y = bottom;
  w->DC.CursorPos.x = top_left.x;
  ImGui::ItemSize(ImVec2(0, 0));
}

// [SECTION] Text

float Paragraph(Ctx& ctx, std::string_view text, ImFont* font, ImU32 color, float line_height,
                bool centered) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float size = ctx.size(font);
  const float width = AvailWidth();
  std::vector<TextLine> lines;
  wrap_text(font, size, text, width, lines);
  const float lh = std::floor(size * line_height);
  const ImVec2 pos = w->DC.CursorPos;
  const float height = lh * static_cast<float>(lines.size()) - (lh - size);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const float x = centered ? pos.x + (width - lines[i].width) * 0.5f : pos.x;
    w->DrawList->AddText(font, size, ImVec2(std::floor(x), pos.y + i * lh), color,
                         Needing(font, text.data() + lines[i].begin, text.data() + lines[i].end),
                         text.data() + lines[i].end);
  }
  const ImRect bb(pos, ImVec2(pos.x + width, pos.y + height));
  ImGui::ItemSize(bb);
  ImGui::ItemAdd(bb, 0);
  Record(ctx, "", "text", text);
  return height;
}

void SectionLabel(Ctx& ctx, std::string_view text, bool inset) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  if (inset) w->DC.CursorPos.x += 4;  // line up with the rounded corner of the card below
  Paragraph(ctx, text, ctx.fonts.small, theme::kText2);
  ctx.log.last().role = "heading";
  ctx.log.last().level = 2;
  w->DC.CursorPos.y -= ImGui::GetStyle().ItemSpacing.y - 8;
}

void Chip(Ctx& ctx, const char* id, std::string_view text, Tone tone) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float size = ctx.size(ctx.fonts.small);
  const ImVec2 ts = MeasureText(ctx.fonts.small, size, text);
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(ts.x + 20, size + 12));
  ImGui::ItemSize(bb);
  ImGui::ItemAdd(bb, 0);
  const ToneColors c = ColorsOf(tone);
  w->DrawList->AddRectFilled(bb.Min, bb.Max, c.bg, bb.GetHeight() * 0.5f);
  DrawText(w->DrawList, ctx.fonts.small, size, ImVec2(pos.x + 10, pos.y + 6), c.fg, text);
  Record(ctx, id, "text", text, text);
}

void Banner(Ctx& ctx, const char* id, std::string_view text, Tone tone) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ToneColors c = ColorsOf(tone);
  const float size = ctx.size(ctx.fonts.body);
  const float width = AvailWidth();
  std::vector<TextLine> lines;
  wrap_text(ctx.fonts.body, size, text, width - 28, lines);
  const float lh = std::floor(size * 1.45f);
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(width, lh * lines.size() + 24 - (lh - size)));
  ImGui::ItemSize(bb);
  ImGui::ItemAdd(bb, 0);
  w->DrawList->AddRectFilled(bb.Min, bb.Max, c.bg, theme::kFieldRadius);
  w->DrawList->AddRectFilled(bb.Min, ImVec2(bb.Min.x + 4, bb.Max.y), c.fg, theme::kFieldRadius,
                             ImDrawFlags_RoundCornersLeft);
  for (std::size_t i = 0; i < lines.size(); ++i)
    w->DrawList->AddText(
        ctx.fonts.body, size, ImVec2(pos.x + 16, pos.y + 12 + i * lh), c.fg,
        Needing(ctx.fonts.body, text.data() + lines[i].begin, text.data() + lines[i].end),
        text.data() + lines[i].end);
  Record(ctx, id, "text", text, text);
}

void Spinner(Ctx& ctx, ImVec2 c, float r, ImU32 color) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float t = static_cast<float>(ctx.now_ms / 1000.0);
  const float a0 = t * 6.0f;
  dl->PathArcTo(c, r, a0, a0 + 4.2f, 24);
  dl->PathStroke(color, 0, std::max(2.0f, r * 0.22f));
  ctx.wants_frame = true;  // it turns
}

void KeyValue(Ctx& ctx, const char* id, std::string_view key, std::string_view value,
              ImU32 value_color, std::string_view href) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float size = ctx.size(ctx.fonts.body);
  const float small = ctx.size(ctx.fonts.small);
  const float width = AvailWidth();
  // The value sits right of the key, or under it when the key is too long for the column.
  const float column = ctx.lang == Lang::zh ? 80.0f : 104.0f;
  const bool stacked = MeasureText(ctx.fonts.small, small, key).x > column - 8;
  const float key_w = stacked ? 0.0f : column;
  const float top = stacked ? std::floor(small * 1.45f) : 0.0f;
  std::vector<TextLine> lines;
  wrap_text(ctx.fonts.body, size, value, width - key_w, lines);
  const float lh = std::floor(size * 1.45f);
  const ImVec2 pos = w->DC.CursorPos;
  const float height = top + std::max(lh * lines.size() - (lh - size), size);
  const ImRect bb(pos, pos + ImVec2(width, height));
  ImGui::ItemSize(bb);
  const ImGuiID gid = href.empty() ? 0 : w->GetID(id);
  ImGui::ItemAdd(bb, gid);
  if (gid) {
    bool hovered = false, held = false;
    if (ImGui::ButtonBehavior(bb, gid, &hovered, &held))
      ctx.intents.emit(intent::OpenLink{std::string(href)});
    if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    if (held) w->DrawList->AddRectFilled(bb.Min, bb.Max, theme::kPressed, 6);
    value_color = theme::kPrimary;
  }
  DrawText(w->DrawList, ctx.fonts.small, small,
           ImVec2(pos.x, stacked ? pos.y : pos.y + (size - small) * 0.5f), theme::kText2, key);
  for (std::size_t i = 0; i < lines.size(); ++i)
    w->DrawList->AddText(
        ctx.fonts.body, size, ImVec2(pos.x + key_w, pos.y + top + i * lh),
        value_color ? value_color : theme::kText,
        Needing(ctx.fonts.body, value.data() + lines[i].begin, value.data() + lines[i].end),
        value.data() + lines[i].end);
  if (gid) {  // underlined, as a link
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const float y = std::floor(pos.y + top + i * lh + size) + 1;
      w->DrawList->AddLine(ImVec2(pos.x + key_w, y), ImVec2(pos.x + key_w + lines[i].width, y),
                           theme::kPrimary, 1.0f);
    }
  }
  Record(ctx, id, "text", key, value);
  if (gid) {
    ctx.log.last().role = "link";
    ctx.log.last().href = std::string(href);
  }
}

// [SECTION] Controls

bool Button(Ctx& ctx, const char* id, std::string_view label, ButtonKind kind, bool enabled,
            float width, bool busy, ButtonIcon icon) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const ImVec2 pos = w->DC.CursorPos;
  const float h = theme::kButtonHeight;
  const ImRect bb(pos, pos + ImVec2(width > 0 ? width : AvailWidth(), h));
  ImGui::ItemSize(bb);
  if (!ImGui::ItemAdd(bb, gid)) {  // scrolled out of view: still listed for tests
    Record(ctx, id, "button", label, {}, enabled && !busy);
    return false;
  }
  bool hovered = false, held = false, pressed = false;
  if (enabled && !busy) pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  const bool hot = hovered && !ctx.touch;

  ImU32 bg = 0, fg = 0, border = 0;
  switch (kind) {
    case ButtonKind::primary:
      bg = !enabled || busy ? theme::kPrimaryDisabled
           : held           ? theme::kPrimaryPressed
           : hot            ? theme::kPrimaryHover
                            : theme::kPrimary;
      fg = theme::kWhite;
      break;
    case ButtonKind::secondary:
      bg = held ? theme::kPrimarySoft : theme::kSurface;
      fg = enabled ? theme::kPrimary : theme::kHint;
      border = enabled ? theme::kPrimary : theme::kBorder;
      break;
    case ButtonKind::ghost:
      bg = held ? theme::kPressed : 0;
      fg = enabled ? theme::kPrimary : theme::kHint;
      break;
  }
  ImDrawList* dl = w->DrawList;
  const float radius = h * 0.5f;
  if (bg) dl->AddRectFilled(bb.Min, bb.Max, bg, radius);
  if (border) dl->AddRect(bb.Min, bb.Max, border, radius, 0, 1.0f);
  ImFont* font = ctx.fonts.body;
  const float size = kind == ButtonKind::ghost ? ctx.size(ctx.fonts.small) + 1 : ctx.size(font) + 1;
  const ImVec2 ts = MeasureText(font, size, label);
  const float icon_w = icon == ButtonIcon::none ? 0.0f : size + 4;
  float x = bb.Min.x + (bb.GetWidth() - ts.x - icon_w) * 0.5f + icon_w;
  if (icon == ButtonIcon::copy)
    IconCopy(dl, ImVec2(x - icon_w * 0.5f - 2, bb.GetCenter().y), size, fg);
  if (icon == ButtonIcon::done) {
    const ImVec2 c(x - icon_w * 0.5f - 2, bb.GetCenter().y);
    const float s = size * 0.5f;
    const ImVec2 pts[3] = {ImVec2(c.x - s * 0.8f, c.y), ImVec2(c.x - s * 0.25f, c.y + s * 0.55f),
                           ImVec2(c.x + s * 0.8f, c.y - s * 0.6f)};
    dl->AddPolyline(pts, 3, fg, 0, 2.0f);
  }
  if (busy) {
    const float r = size * 0.45f;
    x += r + 4;
    Spinner(ctx, ImVec2(x - r * 2 - 6, bb.GetCenter().y), r, fg);
  }
  DrawText(dl, font, size, ImVec2(std::floor(x), std::floor(bb.Min.y + (h - size) * 0.5f)), fg,
           label, kind == ButtonKind::primary, ctx.dpr);
  Record(ctx, id, "button", label, {}, enabled && !busy, held);
  return pressed;
}

bool TextField(Ctx& ctx, const char* id, Field field, std::string_view label, std::string_view hint,
               const FieldView& v, FieldKind kind, std::string_view note, bool focus) {
  ImGuiContext& g = *GImGui;
  FieldLabel(ctx, label);
  ImGui::PushID(id);
  const ImGuiID gid = ImGui::GetID("##field");
  const bool was_active = g.ActiveId == gid;
  ImGui::PushStyleColor(ImGuiCol_Border,
                        ImGui::ColorConvertU32ToFloat4(was_active         ? theme::kPrimary
                                                       : !v.error.empty() ? theme::kDanger
                                                                          : theme::kBorder));
  ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, was_active ? 1.5f : 1.0f);
  ImGui::SetNextItemWidth(AvailWidth());
  std::string value = v.value;
  InputUserData ud{&value, kind};
  ImGuiInputTextFlags flags =
      ImGuiInputTextFlags_CallbackResize | ImGuiInputTextFlags_EnterReturnsTrue;
  if (kind == FieldKind::password) flags |= ImGuiInputTextFlags_Password;
  if (kind != FieldKind::text && kind != FieldKind::password)
    flags |= ImGuiInputTextFlags_CallbackCharFilter;
  const std::string hint_z(hint);
  // Dear ImGui draws the field with the current (body) font.
  NeedGlyphs(ImGui::GetFont(), hint);
  NeedGlyphs(ImGui::GetFont(), kind == FieldKind::password ? std::string_view("*") : value);
  const bool entered = ImGui::InputTextWithHint("##field", hint_z.c_str(), value.data(),
                                                value.capacity() + 1, flags, InputCallback, &ud);
  const bool changed = value != v.value;
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
  const bool active = ImGui::IsItemActive();
  Record(ctx, id, "input", label,
         kind == FieldKind::password ? std::string(value.size(), '*') : value, true, active,
         v.error);
  if (focus) ImGui::SetScrollHereY(0.3f);
  // A soft keyboard that opens shrinks the viewport: keep the field being edited in view.
  if (active && ctx.viewport_changed) ImGui::ScrollToItem(ImGuiScrollFlags_KeepVisibleEdgeY);
  if (changed) {
    ctx.intents.emit(intent::EditField{field, value});
  }
  if (active) {
    ctx.active_text.active = true;
    ctx.active_text.multiline = false;
    ctx.active_text.mode = InputModeOf(kind);
    ctx.active_text.caret = ImVec2(g.PlatformImePos.x, g.PlatformImePos.y);
    ctx.active_text.line_height = g.FontSize;
    if (!ctx.preedit.empty()) {
      // The IME's composition, underlined at the caret, until it is committed.
      ImDrawList* dl = ImGui::GetWindowDrawList();
      const float size = ctx.size(ctx.fonts.body);
      const ImVec2 p(g.PlatformImePos.x + 1, g.PlatformImePos.y);
      const ImVec2 ts = MeasureText(ctx.fonts.body, size, ctx.preedit);
      dl->AddRectFilled(p, ImVec2(p.x + ts.x + 2, p.y + size + 2), theme::kPrimarySoft);
      DrawText(dl, ctx.fonts.body, size, ImVec2(p.x + 1, p.y), theme::kText, ctx.preedit);
      dl->AddLine(ImVec2(p.x, p.y + size + 1), ImVec2(p.x + ts.x + 2, p.y + size + 1),
                  theme::kPrimary);
    }
  }
  ImGui::PopID();
  FieldFooter(ctx, v.error, note);
  return entered;
}

void TextArea(Ctx& ctx, const char* id, Field field, std::string_view label, std::string_view hint,
              const FieldView& v, std::string_view counter, bool focus) {
  FieldLabel(ctx, label);
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  TextEditState& st = ctx.editors[gid];
  std::string text = v.value;
  TextEditStyle style;
  style.font = ctx.fonts.body;
  style.size = ctx.size(ctx.fonts.body);
  style.width = AvailWidth();
  style.min_lines = 4;
  style.hint = hint;
  style.error = !v.error.empty();
  style.touch = ctx.touch;
  if (GImGui->ActiveId == gid) style.preedit = ctx.preedit;
  const TextEditResult r = TextEditor(gid, st, text, style);
  Record(ctx, id, "textarea", label, text, true, r.active, v.error);
  if (focus) ImGui::SetScrollHereY(0.3f);
  if (r.changed) {
    ctx.intents.emit(intent::EditField{field, text});
  }
  // Keep the caret in view while typing grows the text, and when a soft keyboard opens.
  if (r.active && (r.changed || ctx.viewport_changed))
    ImGui::ScrollToRect(w, ImRect(r.caret - ImVec2(0, 8), r.caret + ImVec2(1, r.line_height + 24)),
                        ImGuiScrollFlags_KeepVisibleEdgeY);
  if (r.active) {
    ctx.active_editor = gid;
    ctx.active_text.active = true;
    ctx.active_text.multiline = true;
    ctx.active_text.mode = "text";
    ctx.active_text.caret = r.caret;
    ctx.active_text.line_height = r.line_height;
  }
  FieldFooter(ctx, v.error, {}, counter);
}

bool SelectRow(Ctx& ctx, const char* id, std::string_view label, std::string_view value,
               std::string_view placeholder, std::string_view error, bool focus) {
  FieldLabel(ctx, label);
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(AvailWidth(), theme::kFieldHeight));
  ImGui::ItemSize(bb);
  if (focus) ImGui::SetScrollHereY(0.3f);
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "select", label, value, true, false, error);
    FieldFooter(ctx, error, {});
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* dl = w->DrawList;
  dl->AddRectFilled(bb.Min, bb.Max, held ? theme::kPressed : theme::kSurface, theme::kFieldRadius);
  dl->AddRect(bb.Min, bb.Max, error.empty() ? theme::kBorder : theme::kDanger, theme::kFieldRadius);
  const float size = ctx.size(ctx.fonts.body);
  const std::string_view shown = value.empty() ? placeholder : value;
  DrawText(dl, ctx.fonts.body, size,
           ImVec2(bb.Min.x + 12, bb.Min.y + (bb.GetHeight() - size) * 0.5f),
           value.empty() ? theme::kHint : theme::kText, shown);
  IconChevron(dl, ImVec2(bb.Max.x - 18, bb.GetCenter().y), 8, theme::kHint, false);
  Record(ctx, id, "select", label, value, true, held, error);
  FieldFooter(ctx, error, {});
  return pressed;
}

bool Checkbox(Ctx& ctx, const char* id, std::string_view label, bool value) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float size = ctx.size(ctx.fonts.body);
  const float box = 22;
  const ImVec2 pos = w->DC.CursorPos;
  const ImVec2 ts = MeasureText(ctx.fonts.body, size, label);
  const float row = theme::kTargetHeight;
  const ImRect bb(pos, pos + ImVec2(std::min(AvailWidth(), box + 10 + ts.x + 8), row));
  ImGui::ItemSize(bb);
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "checkbox", label, value ? "true" : "false");
    ctx.log.last().checked = value;
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* dl = w->DrawList;
  const ImVec2 b0(pos.x, pos.y + (row - box) * 0.5f), b1(b0.x + box, b0.y + box);
  if (value) {
    dl->AddRectFilled(b0, b1, theme::kPrimary, 5);
    const ImVec2 pts[3] = {ImVec2(b0.x + 5, b0.y + 11.5f), ImVec2(b0.x + 9.5f, b0.y + 16),
                           ImVec2(b0.x + 17, b0.y + 6.5f)};
    dl->AddPolyline(pts, 3, theme::kWhite, 0, 2.2f);
  } else {
    dl->AddRectFilled(b0, b1, theme::kSurface, 5);
    dl->AddRect(b0, b1, held ? theme::kPrimary : theme::kBorder, 5, 0, 1.5f);
  }
  DrawText(dl, ctx.fonts.body, size, ImVec2(b1.x + 10, pos.y + (row - size) * 0.5f), theme::kText,
           label);
  Record(ctx, id, "checkbox", label, value ? "true" : "false", true, held);
  ctx.log.last().checked = value;
  return pressed;
}

bool Switch(Ctx& ctx, const char* id, std::string_view label, std::string_view note, bool value,
            bool enabled) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float size = ctx.size(ctx.fonts.body);
  const float small = ctx.size(ctx.fonts.small);
  const float width = AvailWidth();
  const float track_w = 52, track_h = 30;
  std::vector<TextLine> lines;
  // The note wraps before the track: 16 px in from the left, the track 16 px in from the
  // right, 12 px between them.
  wrap_text(ctx.fonts.small, small, note, width - track_w - 16 - 16 - 12, lines);
  const float lh = std::floor(small * 1.4f);
  const float h = std::max(theme::kRowHeight, 14 + size + 4 + lh * lines.size() + 12);
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(width, h));
  ImGui::ItemSize(bb);
  bool pressed = false, held = false;
  if (ImGui::ItemAdd(bb, gid)) {
    bool hovered = false;
    if (enabled) {
      pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
      if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    }
    ImDrawList* dl = w->DrawList;
    if (held) dl->AddRectFilled(bb.Min, bb.Max, theme::kPressed);
    DrawText(dl, ctx.fonts.body, size, ImVec2(pos.x + 16, pos.y + 14),
             enabled ? theme::kText : theme::kText2, label);
    float y = pos.y + 14 + size + 4;
    for (const auto& l : lines) {
      dl->AddText(ctx.fonts.small, small, ImVec2(pos.x + 16, y), theme::kText2,
                  note.data() + l.begin, note.data() + l.end);
      y += lh;
    }
    // The track and its knob: on is blue with the knob right and a tick, off is grey with
    // the knob left (the position says it, not only the colour).
    const ImVec2 t0(bb.Max.x - 16 - track_w, pos.y + (h - track_h) * 0.5f);
    const ImVec2 t1(t0.x + track_w, t0.y + track_h);
    // Disabled: the same colours at half strength, so that on and off still read apart.
    const ImU32 track = value ? theme::kPrimary : theme::kBorder;
    dl->AddRectFilled(t0, t1, enabled ? track : (track & 0x00FFFFFFu) | 0x80000000u,
                      track_h * 0.5f);
    const float r = track_h * 0.5f - 3;
    const ImVec2 knob(value ? t1.x - 3 - r : t0.x + 3 + r, t0.y + track_h * 0.5f);
    dl->AddCircleFilled(knob, r, theme::kWhite, 24);
    if (value) {
      const ImVec2 pts[3] = {ImVec2(knob.x - 5, knob.y), ImVec2(knob.x - 1.5f, knob.y + 3.5f),
                             ImVec2(knob.x + 5, knob.y - 4)};
      dl->AddPolyline(pts, 3, enabled ? theme::kPrimary : theme::kHint, 0, 2.0f);
    }
  }
  Record(ctx, id, "checkbox", label, value ? "true" : "false", enabled, held);
  ctx.log.last().checked = value;
  ctx.log.last().role = "switch";
  return pressed;
}

bool ListRow(Ctx& ctx, const char* id, std::string_view title, std::string_view subtitle,
             bool checked, bool divider, bool choice) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float size = ctx.size(ctx.fonts.body);
  const float small = ctx.size(ctx.fonts.small);
  const float h = subtitle.empty() ? theme::kRowHeight : theme::kRowHeight + 12;
  const ImVec2 pos = w->DC.CursorPos;
  // Rows run edge to edge inside their card; the spacing between rows is their divider.
  const ImRect bb(ImVec2(pos.x - theme::kPad, pos.y),
                  ImVec2(pos.x + AvailWidth() + theme::kPad, pos.y + h));
  ImGui::ItemSize(ImVec2(AvailWidth(), h));
  w->DC.CursorPos.y -= ImGui::GetStyle().ItemSpacing.y;
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "button", title, subtitle);
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* dl = w->DrawList;
  if (held || (hovered && !ctx.touch)) dl->AddRectFilled(bb.Min, bb.Max, theme::kPressed);
  if (subtitle.empty()) {
    DrawText(dl, ctx.fonts.body, size, ImVec2(pos.x, pos.y + (h - size) * 0.5f),
             checked ? theme::kPrimary : theme::kText, title);
  } else {
    const float top = pos.y + (h - size - small - 6) * 0.5f;
    DrawText(dl, ctx.fonts.body, size, ImVec2(pos.x, top), checked ? theme::kPrimary : theme::kText,
             title);
    DrawText(dl, ctx.fonts.small, small, ImVec2(pos.x, top + size + 6), theme::kHint, subtitle);
  }
  const ImVec2 right(pos.x + AvailWidth() - 8, pos.y + h * 0.5f);
  if (choice) {
    // A choice among several: a box, filled and ticked when chosen.
    const ImVec2 c(right.x - 3, right.y);
    const ImRect box(ImVec2(c.x - 11, c.y - 11), ImVec2(c.x + 11, c.y + 11));
    if (checked) {
      dl->AddRectFilled(box.Min, box.Max, theme::kPrimary, 6);
      const ImVec2 pts[3] = {ImVec2(c.x - 6, c.y), ImVec2(c.x - 2, c.y + 4),
                             ImVec2(c.x + 6, c.y - 5)};
      dl->AddPolyline(pts, 3, theme::kWhite, 0, 2.2f);
    } else {
      dl->AddRect(box.Min, box.Max, theme::kBorder, 6, 0, 1.5f);
    }
  } else if (checked) {
    const ImVec2 pts[3] = {ImVec2(right.x - 10, right.y), ImVec2(right.x - 5, right.y + 5),
                           ImVec2(right.x + 4, right.y - 6)};
    dl->AddPolyline(pts, 3, theme::kPrimary, 0, 2.2f);
  } else {
    IconChevron(dl, right, 8, theme::kHint, false);
  }
  if (divider)
    dl->AddLine(ImVec2(pos.x, bb.Max.y - 0.5f), ImVec2(bb.Max.x, bb.Max.y - 0.5f), theme::kDivider);
  Record(ctx, id, "button", title, subtitle, true, held);
  if (checked) ctx.log.last().checked = true;
  return pressed;
}

bool RadioRow(Ctx& ctx, const char* id, std::string_view title, bool checked, bool divider) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float size = ctx.size(ctx.fonts.body);
  const float h = theme::kRowHeight;
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(ImVec2(pos.x - theme::kPad, pos.y),
                  ImVec2(pos.x + AvailWidth() + theme::kPad, pos.y + h));
  ImGui::ItemSize(ImVec2(AvailWidth(), h));
  w->DC.CursorPos.y -= ImGui::GetStyle().ItemSpacing.y;
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "radio", title);
    ctx.log.last().checked = checked;
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* dl = w->DrawList;
  if (held || (hovered && !ctx.touch)) dl->AddRectFilled(bb.Min, bb.Max, theme::kPressed);
  const float r = 11;
  const ImVec2 c(pos.x + r, pos.y + h * 0.5f);
  if (checked) {
    dl->AddCircle(c, r - 1, theme::kPrimary, 32, 2.0f);
    dl->AddCircleFilled(c, r * 0.5f, theme::kPrimary, 24);
  } else {
    dl->AddCircle(c, r - 0.75f, theme::kBorder, 32, 1.5f);
  }
  DrawText(dl, ctx.fonts.body, size, ImVec2(pos.x + r * 2 + 12, pos.y + (h - size) * 0.5f),
           checked ? theme::kPrimary : theme::kText, title);
  if (divider)
    dl->AddLine(ImVec2(pos.x, bb.Max.y - 0.5f), ImVec2(bb.Max.x, bb.Max.y - 0.5f), theme::kDivider);
  Record(ctx, id, "radio", title, {}, true, held);
  ctx.log.last().checked = checked;
  return pressed;
}

// [SECTION] Chrome

void TopBar(Ctx& ctx, const ShellView& shell, std::string_view title) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;
  const float h = theme::kTopBar;
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(ctx.display.x, h), theme::kPrimary);
  const float x0 = ctx.column_x, x1 = ctx.column_x + ctx.column_w;

  // Back.
  if (shell.can_go_back) {
    ImGui::SetCursorScreenPos(ImVec2(x0 + 4, 4));
    const ImGuiID gid = w->GetID("nav.back");
    const ImRect bb(ImVec2(x0 + 4, 4), ImVec2(x0 + 4 + 44, h - 4));
    ImGui::ItemSize(bb);
    if (ImGui::ItemAdd(bb, gid)) {
      bool hovered = false, held = false;
      if (ImGui::ButtonBehavior(bb, gid, &hovered, &held)) ctx.intents.emit(intent::GoBack{});
      if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      if (held) dl->AddRectFilled(bb.Min, bb.Max, IM_COL32(255, 255, 255, 40), 22);
      IconChevron(dl, bb.GetCenter(), 10, theme::kWhite, true);
      Record(ctx, "nav.back", "button", ctx.t(T::back), {}, true, held);
    }
  }

  // Title, centred between the back button and the language button; a title too long for
  // that (a narrow window, 200 % zoom) gets smaller, down to the small size, then is cut.
  const float lang_w = std::max(
      MeasureText(ctx.fonts.small, ctx.size(ctx.fonts.small), ctx.t(T::lang_toggle)).x + 24, 52.0f);
  // Centred on the bar when it fits there, else between the back and language buttons.
  const float left = x0 + (shell.can_go_back ? 52.0f : 16.0f), right = x1 - lang_w - 16;
  const float room = std::max(right - left, 1.0f);
  float size = ctx.size(ctx.fonts.title);
  ImVec2 ts = MeasureText(ctx.fonts.title, size, title);
  if (ts.x > room) {
    size = std::max(ctx.size(ctx.fonts.small), std::floor(size * room / ts.x));
    ts = MeasureText(ctx.fonts.title, size, title);
  }
  const float shown = std::min(ts.x, room);
  const float centred = std::floor((x0 + x1 - shown) * 0.5f);
  const ImVec2 tp(std::max(left, std::min(centred, right - shown)), std::floor((h - size) * 0.5f));
  dl->PushClipRect(ImVec2(left, 0), ImVec2(right, h), true);
  DrawText(dl, ctx.fonts.title, size, tp, theme::kWhite, title);
  dl->PopClipRect();
  ImGui::SetCursorScreenPos(tp);
  ImGui::ItemSize(ImVec2(shown, ts.y));
  ImGui::ItemAdd(ImRect(tp, tp + ImVec2(shown, ts.y)), 0);
  Record(ctx, "nav.title", "text", title, title);
  ctx.log.last().role = "heading";
  ctx.log.last().level = 1;

  // Language.
  {
    const std::string_view label = ctx.t(T::lang_toggle);
    const float small = ctx.size(ctx.fonts.small);
    const ImVec2 ls = MeasureText(ctx.fonts.small, small, label);
    const float bw = std::max(ls.x + 24, 52.0f), bh = 32;
    const ImRect bb(ImVec2(x1 - 8 - bw, (h - bh) * 0.5f), ImVec2(x1 - 8, (h + bh) * 0.5f));
    // The tappable area is taller than the pill.
    const ImRect hit(ImVec2(bb.Min.x - 4, 2), ImVec2(bb.Max.x + 4, h - 2));
    const ImGuiID gid = w->GetID("lang.toggle");
    ImGui::SetCursorScreenPos(hit.Min);
    ImGui::ItemSize(hit);
    if (ImGui::ItemAdd(hit, gid)) {
      bool hovered = false, held = false;
      if (ImGui::ButtonBehavior(hit, gid, &hovered, &held))
        ctx.intents.emit(intent::ToggleLanguage{});
      if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      dl->AddRectFilled(bb.Min, bb.Max,
                        held ? IM_COL32(255, 255, 255, 70) : IM_COL32(255, 255, 255, 36),
                        bh * 0.5f);
      dl->AddRect(bb.Min, bb.Max, IM_COL32(255, 255, 255, 150), bh * 0.5f, 0, 1.0f);
      DrawText(dl, ctx.fonts.small, small,
               ImVec2(std::floor(bb.GetCenter().x - ls.x * 0.5f),
                      std::floor(bb.GetCenter().y - small * 0.5f)),
               theme::kWhite, label);
      Record(ctx, "lang.toggle", "toggle", label, lang_tag(ctx.lang), true, held);
      ctx.log.last().name = ctx.t(T::lang_toggle_name);
    }
  }
}

void CompactBar(Ctx& ctx, const ShellView& shell, std::string_view title) {
  // Inside a host app the host draws the chrome: only a slim back row, on inner screens.
  if (!shell.can_go_back) return;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;
  const float h = theme::kCompactBar;
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(ctx.display.x, h), theme::kSurface);
  dl->AddLine(ImVec2(0, h - 0.5f), ImVec2(ctx.display.x, h - 0.5f), theme::kDivider);
  const float x0 = ctx.column_x;
  const float size = ctx.size(ctx.fonts.body);
  const ImVec2 ts = MeasureText(ctx.fonts.body, size, title);
  const ImRect bb(ImVec2(x0 + 4, 0), ImVec2(x0 + 4 + 36 + ts.x + 16, h));
  const ImGuiID gid = w->GetID("nav.back");
  ImGui::SetCursorScreenPos(bb.Min);
  ImGui::ItemSize(bb);
  if (ImGui::ItemAdd(bb, gid)) {
    bool hovered = false, held = false;
    if (ImGui::ButtonBehavior(bb, gid, &hovered, &held)) ctx.intents.emit(intent::GoBack{});
    if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    if (held) dl->AddRectFilled(bb.Min, bb.Max, theme::kPressed, 8);
    IconChevron(dl, ImVec2(bb.Min.x + 20, h * 0.5f), 8, theme::kPrimary, true);
    DrawText(dl, ctx.fonts.body, size, ImVec2(bb.Min.x + 36, std::floor((h - size) * 0.5f)),
             theme::kText, title, true, ctx.dpr);
    Record(ctx, "nav.back", "button", ctx.t(T::back), {}, true, held);
  }
  WidgetRecord r;
  r.id = "nav.title";
  r.kind = "text";
  r.role = "heading";
  r.level = 1;
  r.label = r.value = std::string(title);
  r.x = bb.Min.x + 36;
  r.w = ts.x;
  r.h = h;
  ctx.log.add(std::move(r));
}

void Toast(Ctx& ctx, std::string_view text) {
  if (text.empty()) return;
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const float size = ctx.size(ctx.fonts.body);
  const ImVec2 ts = MeasureText(ctx.fonts.body, size, text);
  const ImVec2 c(ctx.display.x * 0.5f, ctx.display.y * 0.78f);
  const ImRect bb(ImVec2(c.x - ts.x * 0.5f - 20, c.y - size * 0.5f - 12),
                  ImVec2(c.x + ts.x * 0.5f + 20, c.y + size * 0.5f + 12));
  dl->AddRectFilled(bb.Min, bb.Max, IM_COL32(30, 34, 40, 230), bb.GetHeight() * 0.5f);
  DrawText(dl, ctx.fonts.body, size,
           ImVec2(std::floor(c.x - ts.x * 0.5f), std::floor(c.y - size * 0.5f)), theme::kWhite,
           text);
  WidgetRecord r;
  r.id = "toast";
  r.kind = "text";
  r.role = "status";
  r.label = r.value = std::string(text);
  r.x = bb.Min.x;
  r.y = bb.Min.y;
  r.w = bb.GetWidth();
  r.h = bb.GetHeight();
  ctx.log.add(std::move(r));
}

// [SECTION] Icons

void IconCheckCircle(ImDrawList* dl, ImVec2 c, float r, ImU32 bg, ImU32 fg) {
  dl->AddCircleFilled(c, r, bg, 48);
  const ImVec2 pts[3] = {ImVec2(c.x - r * 0.42f, c.y + r * 0.02f),
                         ImVec2(c.x - r * 0.1f, c.y + r * 0.34f),
                         ImVec2(c.x + r * 0.45f, c.y - r * 0.3f)};
  dl->AddPolyline(pts, 3, fg, 0, r * 0.14f);
}

void IconChevron(ImDrawList* dl, ImVec2 c, float s, ImU32 color, bool left) {
  const float d = left ? 1.0f : -1.0f;
  const ImVec2 pts[3] = {ImVec2(c.x + d * s * 0.35f, c.y - s * 0.7f),
                         ImVec2(c.x - d * s * 0.35f, c.y),
                         ImVec2(c.x + d * s * 0.35f, c.y + s * 0.7f)};
  dl->AddPolyline(pts, 3, color, 0, std::max(1.5f, s * 0.22f));
}

void IconSearch(ImDrawList* dl, ImVec2 c, float s, ImU32 color) {
  const float r = s * 0.34f;
  const ImVec2 o(c.x - s * 0.1f, c.y - s * 0.1f);
  dl->AddCircle(o, r, color, 32, s * 0.1f);
  dl->AddLine(ImVec2(o.x + r * 0.72f, o.y + r * 0.72f), ImVec2(c.x + s * 0.4f, c.y + s * 0.4f),
              color, s * 0.11f);
}

void IconEdit(ImDrawList* dl, ImVec2 c, float s, ImU32 color) {
  // A sheet with lines and a pencil across its corner.
  const float w = s * 0.62f, h = s * 0.78f;
  const ImVec2 a(c.x - w * 0.6f, c.y - h * 0.5f), b(c.x + w * 0.4f, c.y + h * 0.5f);
  dl->AddRect(a, b, color, s * 0.08f, 0, s * 0.08f);
  for (int i = 0; i < 3; ++i) {
    const float y = a.y + h * (0.27f + 0.2f * i);
    dl->AddLine(ImVec2(a.x + w * 0.2f, y), ImVec2(b.x - w * (i == 2 ? 0.5f : 0.2f), y), color,
                s * 0.07f);
  }
  dl->AddLine(ImVec2(c.x + s * 0.05f, c.y + s * 0.38f), ImVec2(c.x + s * 0.45f, c.y - s * 0.02f),
              color, s * 0.13f);
}

void IconCopy(ImDrawList* dl, ImVec2 c, float s, ImU32 color) {
  const float w = s * 0.5f, h = s * 0.6f, t = std::max(1.2f, s * 0.08f);
  dl->AddRect(ImVec2(c.x - w * 0.5f - s * 0.1f, c.y - h * 0.5f - s * 0.1f),
              ImVec2(c.x + w * 0.5f - s * 0.1f, c.y + h * 0.5f - s * 0.1f), color, s * 0.08f, 0, t);
  dl->AddRectFilled(ImVec2(c.x - w * 0.5f + s * 0.1f, c.y - h * 0.5f + s * 0.1f),
                    ImVec2(c.x + w * 0.5f + s * 0.1f, c.y + h * 0.5f + s * 0.1f), theme::kSurface,
                    s * 0.08f);
  dl->AddRect(ImVec2(c.x - w * 0.5f + s * 0.1f, c.y - h * 0.5f + s * 0.1f),
              ImVec2(c.x + w * 0.5f + s * 0.1f, c.y + h * 0.5f + s * 0.1f), color, s * 0.08f, 0, t);
}

}  // namespace portal::client::ui
