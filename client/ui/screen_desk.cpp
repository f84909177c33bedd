// The handler's desk on a wide screen: the queue with its filters and search on the left,
// the open ticket (or an action form) on the right, keyboard shortcuts and their help.
//
// Index
//   [SECTION] Rows
//   [SECTION] The queue pane
//   [SECTION] Shortcuts and their help
//   [SECTION] The desk
#include <algorithm>
#include <cmath>
#include <string>

#include "imgui_internal.h"
#include "ui/screens.hpp"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

using intent::DeskOp;

void Text(ImDrawList* dl, ImFont* font, float size, ImVec2 p, ImU32 col, std::string_view t) {
  DrawText(dl, font, size, ImFloor(p), col, t);
}

// [SECTION] Rows

float RowHeight(const Ctx& ctx) {
  return 12 + ctx.size(ctx.fonts.body) + 6 + ctx.size(ctx.fonts.small) * 2 + 6 + 12;
}

// One ticket of the queue: category, status and level; the excerpt; number, place and
// followers, and on the right the next deadline that matters, red when missed, amber soon.
bool DeskRowCard(Ctx& ctx, const char* id, const DeskRow& r) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float body = ctx.size(ctx.fonts.body), small = ctx.size(ctx.fonts.small);
  const float width = AvailWidth(), h = RowHeight(ctx);
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(width, h));
  ImGui::ItemSize(bb);
  std::string value = r.status_name;
  if (!r.level_name.empty()) value += " · " + r.level_name;
  if (!r.deadline.empty()) value += " · " + r.deadline;
  if (r.urgency == 2) value += " · " + std::string(ctx.t(T::ticket_overdue));
  if (!r.place.empty()) value += " · " + r.place;
  if (!r.followers.empty()) value += " · " + r.followers;
  const std::string label = r.category + " " + r.number;
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "button", label, value);
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* dl = w->DrawList;
  const ImU32 bg = r.open ? theme::kPrimarySoft : held ? theme::kPressed : theme::kSurface;
  dl->AddRectFilled(bb.Min, bb.Max, bg, theme::kRadius);
  if (r.open || r.cursor)
    dl->AddRect(bb.Min + ImVec2(1, 1), bb.Max - ImVec2(1, 1),
                r.open ? theme::kPrimary : theme::kPrimaryDisabled, theme::kRadius, 0,
                r.cursor ? 2.0f : 1.0f);
  else if (hovered && !ctx.touch)
    dl->AddRect(bb.Min, bb.Max, theme::kBorder, theme::kRadius);
  // Missed: a red edge on the left; soon: an amber one.
  if (r.urgency > 0)
    dl->AddRectFilled(bb.Min, ImVec2(bb.Min.x + 4, bb.Max.y),
                      r.urgency == 2 ? theme::kDanger : theme::kWarning, theme::kRadius,
                      ImDrawFlags_RoundCornersLeft);
  const float x = pos.x + 16, right = bb.Max.x - 14;
  float y = pos.y + 12;
  // The status and level chips on the right of the first line.
  float chips_x = right;
  auto chip = [&](std::string_view text, ImU32 fg, ImU32 cbg) {
    if (text.empty()) return;
    const ImVec2 cs(MeasureText(ctx.fonts.small, small, text).x + 14, small + 6);
    const ImVec2 cp(chips_x - cs.x, y + std::floor((body - cs.y) * 0.5f));
    dl->AddRectFilled(cp, cp + cs, cbg, cs.y * 0.5f);
    Text(dl, ctx.fonts.small, small, ImVec2(cp.x + 7, cp.y + 3), fg, text);
    chips_x = cp.x - 6;
  };
  const Tone tone = StatusTone(r.status);
  chip(r.level_name, theme::kText2, theme::kNeutralSoft);
  chip(r.status_name,
       tone == Tone::success   ? theme::kSuccess
       : tone == Tone::warning ? theme::kWarning
       : tone == Tone::danger  ? theme::kDanger
       : tone == Tone::info    ? theme::kPrimary
                               : theme::kText2,
       tone == Tone::success   ? theme::kSuccessSoft
       : tone == Tone::warning ? theme::kWarningSoft
       : tone == Tone::danger  ? theme::kDangerSoft
       : tone == Tone::info    ? theme::kWhite
                               : theme::kNeutralSoft);
  const float title_x = r.unread ? x + 12 : x;
  if (r.unread) dl->AddCircleFilled(ImVec2(x + 4, y + body * 0.5f), 4, theme::kDanger);
  dl->PushClipRect(pos, ImVec2(chips_x - 4, bb.Max.y), true);
  Text(dl, ctx.fonts.body, body, ImVec2(title_x, y), theme::kText, r.category);
  dl->PopClipRect();
  y += body + 6;
  Text(dl, ctx.fonts.small, small, ImVec2(x, y), theme::kText2,
       clamp_lines(ctx.fonts.small, small, r.excerpt, right - x, 1));
  y += small + 6;
  // The deadline on the right, then what is left of the line for number, place, followers.
  std::string deadline = r.deadline;
  if (r.urgency == 2) deadline = std::string(ctx.t(T::ticket_overdue)) + " · " + deadline;
  const float dw = MeasureText(ctx.fonts.small, small, deadline).x;
  Text(dl, ctx.fonts.small, small, ImVec2(right - dw, y),
       r.urgency == 2   ? theme::kDanger
       : r.urgency == 1 ? theme::kWarning
                        : theme::kText2,
       deadline);
  std::string meta = r.number;
  if (!r.place.empty()) meta += "  ·  " + r.place;
  if (!r.followers.empty()) meta += "  ·  " + r.followers;
  // Cut with "…" rather than through a character.
  Text(dl, ctx.fonts.small, small, ImVec2(x, y), theme::kHint,
       clamp_lines(ctx.fonts.small, small, meta, right - dw - 12 - x, 1));
  Record(ctx, id, "button", label, value, true, held);
  if (r.unread) ctx.log.last().unread = true;
  ctx.log.last().checked = r.open;
  return pressed;
}

// [SECTION] The queue pane

// A filter button: its name and what is chosen; filled when it narrows the list.
void FilterButton(Ctx& ctx, const char* id, T name, const std::string& chosen, bool narrowed,
                  bool unfolded, float width, DeskOp op, const char* menu) {
  const std::string label = std::string(ctx.t(name)) + "：" + chosen;
  if (Button(ctx, id, label, narrowed ? ButtonKind::primary : ButtonKind::secondary, true, width))
    ctx.intents.emit(intent::Desk{op, menu});
  ctx.log.last().checked = unfolded;  // its choices are shown
}

void DrawDeskQueue(Ctx& ctx, const DeskView& v, bool focus_search) {
  BeginBody(ctx, "body.desk");
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float gap = 8;
  {
    // Who works here, and the shortcuts' help on the right.
    const float bw = 132;
    const ImVec2 row = w->DC.CursorPos;
    const float small = ctx.size(ctx.fonts.small), body = ctx.size(ctx.fonts.body);
    const std::string who = v.role_name + " · " + v.user_name;
    Text(w->DrawList, ctx.fonts.body, body,
         ImVec2(row.x + 4, row.y + (theme::kButtonHeight - body) * 0.5f), theme::kText, who);
    if (v.unread > 0) {
      const std::string u = std::to_string(v.unread) + " " + std::string(ctx.t(T::queue_unread));
      const float ux = row.x + 4 + MeasureText(ctx.fonts.body, body, who).x + 12;
      Text(w->DrawList, ctx.fonts.small, small,
           ImVec2(ux, row.y + (theme::kButtonHeight - small) * 0.5f), theme::kDanger, u);
    }
    ImGui::SetCursorScreenPos(ImVec2(row.x + AvailWidth() - bw, row.y));
    if (Button(ctx, "desk.keys", ctx.t(T::desk_keys), ButtonKind::ghost, true, bw))
      ctx.intents.emit(intent::Desk{DeskOp::help, v.help ? "" : "1"});
    w->DC.CursorPos.x = row.x;
    Record(ctx, "desk.user", "text", v.role_name, v.user_name);
  }
  if (v.can_patrol || v.can_file) {
    const float half = std::floor((AvailWidth() - gap) * 0.5f);
    if (v.can_patrol &&
        Button(ctx, "queue.patrol", ctx.t(T::queue_patrol), ButtonKind::secondary, true))
      ctx.intents.emit(intent::FileForCaller{true});
    if (v.can_file) {
      if (Button(ctx, "queue.file", ctx.t(T::queue_file_call), ButtonKind::secondary, true, half))
        ctx.intents.emit(intent::FileForCaller{false});
      ImGui::SameLine(0, gap);
      if (Button(ctx, "queue.import", ctx.t(T::queue_import), ButtonKind::secondary, true, half))
        ctx.intents.emit(intent::Navigate{Screen::hotline_import});
    }
  }

  BeginCard(ctx);
  if (focus_search) ImGui::SetKeyboardFocusHere();
  TextField(ctx, "desk.search", Field::desk_search, ctx.t(T::desk_search),
            ctx.t(T::desk_search_hint), v.search);
  {
    const float half = std::floor((AvailWidth() - gap) * 0.5f);
    FilterButton(ctx, "desk.filter.status", T::desk_status, v.status_label, !v.status.empty(),
                 v.menu == "status", half, DeskOp::menu, "status");
    ImGui::SameLine(0, gap);
    FilterButton(ctx, "desk.filter.category", T::desk_category, v.category_label,
                 !v.category.empty(), v.menu == "category", half, DeskOp::menu, "category");
    FilterButton(ctx, "desk.filter.level", T::desk_level, v.level_label, !v.level.empty(),
                 v.menu == "level", half, DeskOp::menu, "level");
    ImGui::SameLine(0, gap);
    if (Button(ctx, "desk.filter.overdue", ctx.t(T::desk_overdue),
               v.overdue ? ButtonKind::primary : ButtonKind::secondary, true, half))
      ctx.intents.emit(intent::Desk{DeskOp::overdue, v.overdue ? "" : "1"});
    ctx.log.last().checked = v.overdue;
  }
  if (!v.menu.empty()) {
    // The unfolded filter's choices, two or three to a row; the chosen one filled.
    const std::string& chosen = v.menu == "status"     ? v.status
                                : v.menu == "category" ? v.category
                                                       : v.level;
    const DeskOp op = v.menu == "status"     ? DeskOp::status
                      : v.menu == "category" ? DeskOp::category
                                             : DeskOp::level;
    Gap(4);
    const int per_row = AvailWidth() >= 480 ? 3 : 2;
    const float cell = std::floor((AvailWidth() - gap * (per_row - 1)) / per_row);
    if (v.choices.size() <= 1) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 20), 10, theme::kPrimary);
      ImGui::Dummy(ImVec2(1, 40));
    }
    for (std::size_t i = 0; i < v.choices.size(); ++i) {
      const DeskChoice& c = v.choices[i];
      if (i % per_row != 0) ImGui::SameLine(0, gap);
      const std::string id = "desk.choice." + (c.value.empty() ? std::string("any") : c.value);
      if (Button(ctx, id.c_str(), c.label,
                 c.value == chosen ? ButtonKind::primary : ButtonKind::ghost, true, cell))
        ctx.intents.emit(intent::Desk{op, c.value});
      ctx.log.last().checked = c.value == chosen;
    }
  }
  EndCard(ctx);

  {
    // How many, and the way back to the whole queue.
    const ImVec2 row = w->DC.CursorPos;
    const float small = ctx.size(ctx.fonts.small);
    const float lh = v.filtered ? theme::kButtonHeight : small + 12;
    Text(w->DrawList, ctx.fonts.small, small, ImVec2(row.x + 4, row.y + (lh - small) * 0.5f),
         theme::kText2, v.state == LoadState::loaded ? v.count : std::string());
    if (v.state == LoadState::loaded) Record(ctx, "desk.count", "text", v.count);
    if (v.filtered) {
      const float bw = 132;
      ImGui::SetCursorScreenPos(ImVec2(row.x + AvailWidth() - bw, row.y));
      if (Button(ctx, "desk.clear", ctx.t(T::desk_clear), ButtonKind::ghost, true, bw))
        ctx.intents.emit(intent::Desk{DeskOp::clear, {}});
      w->DC.CursorPos.x = row.x;
    } else {
      ImGui::Dummy(ImVec2(1, lh));
    }
  }

  const std::size_t n = v.rows.size();
  if (v.state == LoadState::failed) {
    Banner(ctx, "desk.error", v.error, Tone::danger);
    if (Button(ctx, "desk.retry", ctx.t(T::retry), ButtonKind::secondary))
      ctx.intents.emit(intent::Desk{DeskOp::load, {}});
  } else if (v.state != LoadState::loaded && n == 0) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 40), 14, theme::kPrimary);
    ImGui::Dummy(ImVec2(1, 80));
  } else if (n == 0) {
    Gap(24);
    Paragraph(ctx, ctx.t(v.filtered ? T::desk_none_found : T::queue_empty), ctx.fonts.body,
              theme::kHint, 1.5f, true);
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(n), RowHeight(ctx) + ImGui::GetStyle().ItemSpacing.y);
  // The keyboard's row is kept in view as it moves.
  int cursor = -1;
  for (std::size_t i = 0; i < n; ++i)
    if (v.rows[i].cursor) cursor = static_cast<int>(i);
  if (cursor >= 0) clipper.ForceDisplayRangeByIndices(cursor, cursor + 1);
  while (clipper.Step())
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const DeskRow& row = v.rows[static_cast<std::size_t>(i)];
      const std::string id = "desk.row." + row.number;
      if (DeskRowCard(ctx, id.c_str(), row))
        ctx.intents.emit(intent::Desk{DeskOp::open, row.number});
      // Only when it moved: the person may scroll away from it (to a filter's choices).
      if (row.cursor && ctx.desk_cursor_seen != row.number) {
        ctx.desk_cursor_seen = row.number;
        const ImRect r(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        if (r.Min.y < w->InnerClipRect.Min.y || r.Max.y > w->InnerClipRect.Max.y)
          ImGui::ScrollToRect(w, r, ImGuiScrollFlags_KeepVisibleEdgeY);
      }
    }
  clipper.End();
  EndBody(ctx);
}

// The right pane with no ticket open.
void DrawDeskEmpty(Ctx& ctx) {
  BeginBody(ctx, "body.desk.empty");
  Gap(ctx.display.y * 0.25f);
  Paragraph(ctx, ctx.t(T::desk_pick), ctx.fonts.body, theme::kHint, 1.5f, true);
  Record(ctx, "desk.pick", "text", ctx.t(T::desk_pick));
  EndBody(ctx);
}

// [SECTION] Shortcuts and their help

// Over everything: the shortcuts, two columns of key and what it does.
void DrawHelp(Ctx& ctx, const DeskView& v) {
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ctx.display);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleColor(ImGuiCol_WindowBg,
                        ImGui::ColorConvertU32ToFloat4(IM_COL32(20, 24, 31, 110)));
  ImGui::Begin("desk.help", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;
  const float body = ctx.size(ctx.fonts.body), small = ctx.size(ctx.fonts.small);
  const float card_w = std::min(720.0f, ctx.display.x - 48);
  const std::size_t rows = (v.shortcuts.size() + 1) / 2;
  const float row_h = std::floor(body * 2.0f);
  const float card_h = 24 + ctx.size(ctx.fonts.title) + 16 + rows * row_h + 12 + small * 1.5f + 16 +
                       theme::kButtonHeight + 24;
  const ImVec2 c0(std::floor((ctx.display.x - card_w) * 0.5f),
                  std::floor(std::max(16.0f, (ctx.display.y - card_h) * 0.5f)));
  dl->AddRectFilled(c0, c0 + ImVec2(card_w, card_h), theme::kSurface, theme::kRadius);
  const float x = c0.x + 24, inner = card_w - 48;
  float y = c0.y + 24;
  Text(dl, ctx.fonts.title, ctx.size(ctx.fonts.title), ImVec2(x, y), theme::kText,
       ctx.t(T::desk_keys_title));
  ImGui::SetCursorScreenPos(ImVec2(x, y));
  ImGui::Dummy(ImVec2(inner, ctx.size(ctx.fonts.title)));
  Record(ctx, "desk.help.title", "text", ctx.t(T::desk_keys_title));
  y += ctx.size(ctx.fonts.title) + 16;
  const float col_w = std::floor((inner - 24) * 0.5f);
  for (std::size_t i = 0; i < v.shortcuts.size(); ++i) {
    const DeskShortcut& s = v.shortcuts[i];
    const float cx = x + (i < rows ? 0 : col_w + 24);
    const float cy = y + static_cast<float>(i < rows ? i : i - rows) * row_h;
    const float kw = MeasureText(ctx.fonts.small, small, s.keys).x + 16;
    const ImVec2 kp(cx, cy + std::floor((row_h - small - 8) * 0.5f));
    dl->AddRectFilled(kp, kp + ImVec2(kw, small + 8), theme::kNeutralSoft, 6);
    dl->AddRect(kp, kp + ImVec2(kw, small + 8), theme::kBorder, 6);
    Text(dl, ctx.fonts.small, small, ImVec2(kp.x + 8, kp.y + 4), theme::kText, s.keys);
    const float tx = cx + std::max(kw, 96.0f) + 12;
    dl->PushClipRect(ImVec2(tx, cy), ImVec2(cx + col_w, cy + row_h), true);
    Text(dl, ctx.fonts.body, body, ImVec2(tx, cy + std::floor((row_h - body) * 0.5f)),
         theme::kText2, s.what);
    dl->PopClipRect();
    ImGui::SetCursorScreenPos(ImVec2(cx, cy));
    ImGui::Dummy(ImVec2(col_w, row_h - ImGui::GetStyle().ItemSpacing.y));
    const std::string id = "desk.help." + std::to_string(i);
    Record(ctx, id.c_str(), "text", s.keys, s.what);
  }
  y += rows * row_h + 12;
  Text(dl, ctx.fonts.small, small, ImVec2(x, y), theme::kHint, ctx.t(T::desk_keys_note));
  y += small * 1.5f + 16;
  ImGui::SetCursorScreenPos(ImVec2(x, y));
  if (Button(ctx, "desk.help.close", ctx.t(T::desk_close), ButtonKind::primary, true, inner))
    ctx.intents.emit(intent::Desk{DeskOp::help, ""});
  ImGui::End();
}

bool Typed(const Ctx& ctx, const char* key) {
  return std::find(ctx.typed_keys.begin(), ctx.typed_keys.end(), key) != ctx.typed_keys.end();
}

}  // namespace

// [SECTION] The desk

bool DrawDesk(Ctx& ctx, const App& app) {
  const Screen screen = app.screen();
  const DeskView v = app.desk();
  if (v.state == LoadState::idle) ctx.intents.emit(intent::Desk{DeskOp::load, {}});

  // Keys, before anything is drawn: never while a text field is being typed in, and
  // only Escape and ? while the help is open.
  bool escape_taken = false, focus_search = false;
  const bool free_keys = ImGui::GetActiveID() == 0;
  if (free_keys) {
    const bool escape = ImGui::IsKeyPressed(ImGuiKey_Escape, false);
    if (Typed(ctx, "?")) {
      ctx.intents.emit(intent::Desk{DeskOp::help, v.help ? "" : "1"});
    } else if (v.help) {
      if (escape) ctx.intents.emit(intent::Desk{DeskOp::help, ""});
      escape_taken = escape;
    } else if (escape && !v.menu.empty()) {
      ctx.intents.emit(intent::Desk{DeskOp::menu, {}});
      escape_taken = true;
    } else if (screen != Screen::action) {
      // An action form has the keys to itself (its fields, its choices).
      if (Typed(ctx, "j") || ImGui::IsKeyPressed(ImGuiKey_DownArrow))
        ctx.intents.emit(intent::Desk{DeskOp::move, "1"});
      if (Typed(ctx, "k") || ImGui::IsKeyPressed(ImGuiKey_UpArrow))
        ctx.intents.emit(intent::Desk{DeskOp::move, "-1"});
      if (ImGui::IsKeyPressed(ImGuiKey_Enter, false))
        ctx.intents.emit(intent::Desk{DeskOp::open_cursor, {}});
      if (Typed(ctx, "/")) focus_search = true;
      if (Typed(ctx, "r")) ctx.intents.emit(intent::Desk{DeskOp::load, {}});
      if (screen == Screen::ticket)
        for (const char* a :
             {"accept", "progress", "contact", "escalate", "whistle", "resolve", "return"}) {
          const std::string key(action_key(a));
          if (!key.empty() && Typed(ctx, key.c_str()))
            ctx.intents.emit(intent::Desk{DeskOp::action, a});
        }
    }
  }

  // Two panes in the wide column: the queue (two fifths) and the ticket.
  const float x0 = ctx.column_x, width = ctx.column_w;
  const float left = std::floor(width * 0.4f);
  ctx.body_x = ctx.column_x = x0;
  ctx.body_w = ctx.column_w = left;
  // The queue keeps its scroll when the right pane changes.
  const bool changed = ctx.screen_changed;
  ctx.screen_changed = false;
  DrawDeskQueue(ctx, v, focus_search);
  ctx.screen_changed = changed;
  ImGui::GetWindowDrawList()->AddLine(ImVec2(x0 + left, ctx.top_bar),
                                      ImVec2(x0 + left, ctx.display.y), theme::kBorder);
  ctx.body_x = ctx.column_x = x0 + left;
  ctx.body_w = ctx.column_w = width - left;
  switch (screen) {
    case Screen::ticket:
      DrawTicket(ctx, app.ticket());
      break;
    case Screen::action:
      DrawAction(ctx, app.action_form());
      break;
    default:
      DrawDeskEmpty(ctx);
      break;
  }
  ctx.body_x = ctx.column_x = x0;
  ctx.body_w = ctx.column_w = width;
  if (v.help) DrawHelp(ctx, v);
  return escape_taken;
}

}  // namespace portal::client::ui
