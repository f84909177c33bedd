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

enum class TileIcon { edit, search };

// The lines of a tile's title and hint at a width, and the height they need. A long
// title (English, a wide system font) wraps instead of running off the tile.
struct TileText {
  std::string_view title, hint;
  std::vector<TextLine> title_lines, lines;
  float height = 0;
};
TileText LayOutTile(Ctx& ctx, float width, std::string_view title, std::string_view hint) {
  TileText t{title, hint, {}, {}, 0};
  const float small = ctx.size(ctx.fonts.small);
  const float tsize = ctx.size(ctx.fonts.title);
  wrap_text(ctx.fonts.title, tsize, title, width - 32, t.title_lines);
  wrap_text(ctx.fonts.small, small, hint, width - 32, t.lines);
  const float lh = std::floor(small * 1.45f);
  const float tlh = std::floor(tsize * 1.3f);
  t.height = 16 + 44 + 12 + tlh * static_cast<float>(t.title_lines.size()) - (tlh - tsize) + 8 +
             lh * static_cast<float>(t.lines.size()) + 14;
  return t;
}

// A big square-ish action: icon, title, one or two lines of explanation; height lines
// it up with its neighbour.
bool ActionTile(Ctx& ctx, const char* id, float width, float height, const TileText& t,
                TileIcon icon) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float small = ctx.size(ctx.fonts.small);
  const float tsize = ctx.size(ctx.fonts.title);
  const float lh = std::floor(small * 1.45f);
  const float tlh = std::floor(tsize * 1.3f);
  const std::string_view title = t.title, hint = t.hint;
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(width, std::max(height, t.height)));
  ImGui::ItemSize(bb);
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "button", title, hint);
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* dl = w->DrawList;
  dl->AddRectFilled(bb.Min, bb.Max, held ? theme::kPressed : theme::kSurface, theme::kRadius);
  if (hovered && !ctx.touch) dl->AddRect(bb.Min, bb.Max, theme::kPrimarySoft, theme::kRadius, 0, 2);
  const ImVec2 ic(pos.x + 16 + 22, pos.y + 16 + 22);
  dl->AddCircleFilled(ic, 22, theme::kPrimarySoft, 40);
  if (icon == TileIcon::edit)
    IconEdit(dl, ic, 24, theme::kPrimary);
  else
    IconSearch(dl, ic, 24, theme::kPrimary);
  float y = pos.y + 16 + 44 + 12;
  for (const auto& l : t.title_lines) {
    dl->AddText(ctx.fonts.title, tsize, ImVec2(pos.x + 16, y), theme::kText, title.data() + l.begin,
                title.data() + l.end);
    y += tlh;
  }
  y += 8 - (tlh - tsize);
  for (const auto& l : t.lines) {
    dl->AddText(ctx.fonts.small, small, ImVec2(pos.x + 16, y), theme::kText2,
                Needing(ctx.fonts.small, hint.data() + l.begin, hint.data() + l.end),
                hint.data() + l.end);
    y += lh;
  }
  Record(ctx, id, "button", title, hint, true, held);
  return pressed;
}

// A pressable rectangle of the widget log; true when pressed. `held` tells whether it is.
bool Pressable(Ctx& ctx, const char* id, const ImRect& bb, bool& held) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  held = false;
  if (!ImGui::ItemAdd(bb, gid)) return false;
  bool hovered = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  return pressed;
}

// One ticket of this device: its category and status, its number and code; a tap opens
// it, the button on the right removes it from the device (after asking).
void DeviceTicket(Ctx& ctx, std::size_t index, const RecentItem& r) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;
  const std::string id = "home.recent." + std::to_string(index);
  const float body = ctx.size(ctx.fonts.body), small = ctx.size(ctx.fonts.small);
  const float width = AvailWidth();
  const ImVec2 pos = w->DC.CursorPos;

  if (r.asking) {
    // "Remove?" in place of the row, with its two answers.
    std::vector<TextLine> lines;
    const std::string_view ask = ctx.t(T::recent_remove_ask);
    wrap_text(ctx.fonts.body, body, ask, width - 28, lines);
    const float lh = std::floor(body * 1.4f);
    const float text_h = lh * static_cast<float>(lines.size()) - (lh - body);
    const float h = 14 + small + 6 + text_h + 12 + theme::kButtonHeight + 14;
    const ImRect bb(pos, pos + ImVec2(width, h));
    ImGui::ItemSize(bb);
    ImGui::ItemAdd(bb, 0);
    Record(ctx, id.c_str(), "text", r.number, ask);
    const ImVec2 after = w->DC.CursorPos;
    dl->AddRectFilled(bb.Min, bb.Max, theme::kSurface, theme::kRadius);
    dl->AddRect(bb.Min, bb.Max, theme::kDanger, theme::kRadius, 0, 1.5f);
    DrawText(dl, ctx.fonts.small, small, ImVec2(pos.x + 14, pos.y + 14), theme::kText2, r.number);
    float y = pos.y + 14 + small + 6;
    for (const auto& l : lines) {
      DrawText(dl, ctx.fonts.body, body, ImVec2(pos.x + 14, y), theme::kText,
               ask.substr(l.begin, l.end - l.begin));
      y += lh;
    }
    const float gap = theme::kGap;
    const float half = std::floor((width - 28 - gap) * 0.5f);
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 14, bb.Max.y - 14 - theme::kButtonHeight));
    if (Button(ctx, (id + ".confirm").c_str(), ctx.t(T::recent_remove), ButtonKind::primary, true,
               half))
      ctx.intents.emit(intent::ForgetTicket{r.number, true});
    ImGui::SameLine(0, gap);
    if (Button(ctx, (id + ".keep").c_str(), ctx.t(T::recent_keep), ButtonKind::secondary, true,
               half))
      ctx.intents.emit(intent::ForgetTicket{{}, false});
    ImGui::SetCursorScreenPos(after);
    return;
  }

  const float h = 14 + body + 8 + small + 6 + small + 14;
  const float remove_w = 76;
  const ImRect bb(pos, pos + ImVec2(width, h));
  const ImRect open_bb(bb.Min, ImVec2(bb.Max.x - remove_w, bb.Max.y));
  const ImRect remove_bb(ImVec2(bb.Max.x - remove_w, bb.Min.y), bb.Max);
  ImGui::ItemSize(bb);
  bool open_held = false, remove_held = false;
  const std::string_view remove_label = ctx.t(T::recent_remove);
  const bool open = Pressable(ctx, id.c_str(), open_bb, open_held);
  Record(ctx, id.c_str(), "button", r.number, r.status_name, true, open_held, r.error);
  const std::string remove_id = id + ".remove";
  const bool remove = Pressable(ctx, remove_id.c_str(), remove_bb, remove_held);
  Record(ctx, remove_id.c_str(), "button", remove_label, r.number, true, remove_held);
  dl->AddRectFilled(bb.Min, bb.Max, theme::kSurface, theme::kRadius);
  if (open_held)
    dl->AddRectFilled(open_bb.Min, open_bb.Max, theme::kPressed, theme::kRadius,
                      ImDrawFlags_RoundCornersLeft);
  if (remove_held)
    dl->AddRectFilled(remove_bb.Min, remove_bb.Max, theme::kPressed, theme::kRadius,
                      ImDrawFlags_RoundCornersRight);
  dl->AddLine(ImVec2(remove_bb.Min.x, bb.Min.y + 12), ImVec2(remove_bb.Min.x, bb.Max.y - 12),
              theme::kDivider);

  // The status chip, then the category beside it (clipped before the chip).
  float chip_x = open_bb.Max.x - 10;
  if (!r.status_name.empty()) {
    const ImVec2 cs(MeasureText(ctx.fonts.small, small, r.status_name).x + 16, small + 8);
    const Tone tone = StatusTone(r.status);
    const ImU32 bg = tone == Tone::success   ? theme::kSuccessSoft
                     : tone == Tone::warning ? theme::kWarningSoft
                     : tone == Tone::danger  ? theme::kDangerSoft
                     : tone == Tone::info    ? theme::kPrimarySoft
                                             : theme::kNeutralSoft;
    const ImU32 fg = tone == Tone::success   ? theme::kSuccess
                     : tone == Tone::warning ? theme::kWarning
                     : tone == Tone::danger  ? theme::kDanger
                     : tone == Tone::info    ? theme::kPrimary
                                             : theme::kText2;
    const ImVec2 cp(chip_x - cs.x, pos.y + 12);
    dl->AddRectFilled(cp, cp + cs, bg, cs.y * 0.5f);
    DrawText(dl, ctx.fonts.small, small, ImVec2(cp.x + 8, cp.y + 4), fg, r.status_name);
    chip_x = cp.x - 8;
  }
  float y = pos.y + 14;
  dl->PushClipRect(pos, ImVec2(chip_x, bb.Max.y), true);
  if (!r.error.empty())
    DrawText(dl, ctx.fonts.body, body, ImVec2(pos.x + 14, y), theme::kDanger, r.error);
  else if (!r.category.empty())
    DrawText(dl, ctx.fonts.body, body, ImVec2(pos.x + 14, y), theme::kText, r.category);
  else
    DrawText(dl, ctx.fonts.body, body, ImVec2(pos.x + 14, y), theme::kHint,
             ctx.t(T::recent_loading));
  dl->PopClipRect();
  y += body + 8;
  dl->PushClipRect(pos, ImVec2(open_bb.Max.x - 8, bb.Max.y), true);
  DrawText(dl, ctx.fonts.small, small, ImVec2(pos.x + 14, y), theme::kText2, r.number);
  y += small + 6;
  const std::string code = std::string(ctx.t(T::receipt_code)) + "  " + r.code;
  DrawText(dl, ctx.fonts.small, small, ImVec2(pos.x + 14, y), theme::kHint, code);
  dl->PopClipRect();
  const ImVec2 rs = MeasureText(ctx.fonts.body, body, remove_label);
  DrawText(dl, ctx.fonts.body, body, remove_bb.GetCenter() - rs * 0.5f, theme::kDanger,
           remove_label);

  if (open) ctx.intents.emit(intent::OpenTicket{r.number, r.code});
  if (remove) ctx.intents.emit(intent::ForgetTicket{r.number, false});
}

// A primary and a secondary button side by side, half the width each: 1 when the first
// was pressed, 2 the second, 0 neither.
int ButtonPair(Ctx& ctx, const std::string& first_id, std::string_view first,
               const std::string& second_id, std::string_view second) {
  const float gap = theme::kGap;
  const float half = std::floor((AvailWidth() - gap) * 0.5f);
  int pressed = Button(ctx, first_id.c_str(), first, ButtonKind::primary, true, half) ? 1 : 0;
  ImGui::SameLine(0, gap);
  if (Button(ctx, second_id.c_str(), second, ButtonKind::secondary, true, half)) pressed = 2;
  return pressed;
}

// A report waiting on this device: what it is, its state (never "submitted"), the
// server's reason when it was refused, and what can be done with it.
void OutboxReport(Ctx& ctx, std::size_t index, const OutboxRow& r) {
  const std::string id = "home.outbox." + std::to_string(index);
  BeginCard(ctx);
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImVec2 top = w->DC.CursorPos;
  const std::string title = r.category.empty() ? r.label : r.category + " · " + r.label;
  Paragraph(ctx, title, ctx.fonts.body, theme::kText, 1.4f);
  Gap(6);
  Chip(ctx, (id + ".status").c_str(), r.status,
       r.failed    ? Tone::danger
       : r.sending ? Tone::info
                   : Tone::warning);
  if (!r.error.empty()) {
    Gap(6);
    Paragraph(ctx, r.error, ctx.fonts.small, theme::kDanger, 1.4f);
  }
  // The row as one node for screen readers: what, and its state.
  const ImRect bb(top, ImVec2(top.x + AvailWidth(), w->DC.CursorPos.y));
  ImGui::ItemAdd(bb, 0);
  Record(ctx, id.c_str(), "text", title,
         r.failed    ? "failed"
         : r.sending ? "sending"
                     : "waiting",
         true, false, r.error);
  if (r.asking) {
    // Deleting loses the report: asked first, as removing a ticket of the device is.
    Gap(10);
    Paragraph(ctx, ctx.t(T::outbox_delete_ask), ctx.fonts.body, theme::kDanger, 1.4f);
    Gap(10);
    const int pressed = ButtonPair(ctx, id + ".confirm", ctx.t(T::outbox_delete), id + ".keep",
                                   ctx.t(T::recent_keep));
    if (pressed == 1) ctx.intents.emit(intent::Outbox{intent::OutboxOp::cancel, r.key});
    if (pressed == 2) ctx.intents.emit(intent::Outbox{intent::OutboxOp::ask, {}});
  } else if (r.failed) {
    Gap(10);
    const int pressed = ButtonPair(ctx, id + ".edit", ctx.t(T::outbox_edit), id + ".delete",
                                   ctx.t(T::outbox_delete));
    if (pressed == 1) ctx.intents.emit(intent::Outbox{intent::OutboxOp::edit, r.key});
    if (pressed == 2) ctx.intents.emit(intent::Outbox{intent::OutboxOp::ask, r.key});
  } else if (!r.sending) {
    Gap(10);
    if (Button(ctx, (id + ".delete").c_str(), ctx.t(T::outbox_delete), ButtonKind::secondary))
      ctx.intents.emit(intent::Outbox{intent::OutboxOp::ask, r.key});
  }
  EndCard(ctx);
}

}  // namespace

void DrawHome(Ctx& ctx, const HomeView& v) {
  BeginBody(ctx, "body.home");
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImDrawList* dl = w->DrawList;

  // Banner: what this is and what it promises.
  {
    const float width = AvailWidth();
    const ImVec2 pos = w->DC.CursorPos;
    const float big = ctx.size(ctx.fonts.display);
    const float small = ctx.size(ctx.fonts.small);
    const std::string_view tag = ctx.t(T::app_tagline);
    const std::string_view promise = ctx.t(T::home_promise);
    std::vector<TextLine> tag_lines, promise_lines;
    wrap_text(ctx.fonts.small, small, tag, width - 40, tag_lines);
    wrap_text(ctx.fonts.small, small, promise, width - 40, promise_lines);
    const float lh = small + 6;
    const float height =
        20 + big + 10 + lh * static_cast<float>(tag_lines.size() + promise_lines.size()) + 14;
    const ImRect bb(pos, pos + ImVec2(width, height));
    ImGui::ItemSize(bb);
    ImGui::ItemAdd(bb, 0);
    dl->AddRectFilled(bb.Min, bb.Max, theme::kPrimary, theme::kRadius);
    const std::string_view name = ctx.t(T::app_name);
    float y = pos.y + 20;
    dl->AddText(ctx.fonts.display, big, ImVec2(pos.x + 20, y), theme::kWhite,
                Needing(ctx.fonts.display, name.data(), name.data() + name.size()),
                name.data() + name.size());
    y += big + 10;
    for (const auto& l : tag_lines) {
      dl->AddText(ctx.fonts.small, small, ImVec2(pos.x + 20, y), theme::kWhite,
                  tag.data() + l.begin, tag.data() + l.end);
      y += lh;
    }
    for (const auto& l : promise_lines) {
      dl->AddText(ctx.fonts.small, small, ImVec2(pos.x + 20, y), theme::kOnPrimarySoft,
                  promise.data() + l.begin, promise.data() + l.end);
      y += lh;
    }
  }

  // The two things a citizen comes for.
  {
    const float gap = theme::kGap;
    // Two to a row; one in 长辈版 or a narrow (zoomed) column, where two would break
    // their titles.
    const bool stacked = ctx.elderly || AvailWidth() < 300;
    const float tile_w = stacked ? AvailWidth() : std::floor((AvailWidth() - gap) * 0.5f);
    const TileText submit =
        LayOutTile(ctx, tile_w, ctx.t(T::home_submit_title), ctx.t(T::home_submit_hint));
    const TileText track =
        LayOutTile(ctx, tile_w, ctx.t(T::home_track_title), ctx.t(T::home_track_hint));
    const float tile_h = stacked ? 0 : std::max(submit.height, track.height);
    if (ActionTile(ctx, "home.submit", tile_w, tile_h, submit, TileIcon::edit))
      ctx.intents.emit(intent::Navigate{Screen::submit});
    if (!stacked) ImGui::SameLine(0, gap);
    if (ActionTile(ctx, "home.track", tile_w, tile_h, track, TileIcon::search))
      ctx.intents.emit(intent::Navigate{Screen::track});
  }

  // Reports waiting on this device for the network: first, as they are not submitted.
  if (!v.outbox.empty()) {
    Gap(4);
    SectionLabel(ctx, ctx.t(T::outbox_title));
    for (std::size_t i = 0; i < v.outbox.size(); ++i) OutboxReport(ctx, i, v.outbox[i]);
    w->DC.CursorPos.x += 4;
    Paragraph(ctx, ctx.t(T::outbox_note), ctx.fonts.small, theme::kHint, 1.4f);
  }
  // Drafts nobody touched for 30 days: delete them, or keep them another 30.
  if (!v.old_drafts.empty()) {
    BeginCard(ctx);
    Paragraph(ctx, v.old_drafts, ctx.fonts.body, theme::kText, 1.4f);
    Gap(10);
    const int pressed = ButtonPair(ctx, "home.old_drafts.delete", ctx.t(T::old_drafts_delete),
                                   "home.old_drafts.keep", ctx.t(T::old_drafts_keep));
    if (pressed) ctx.intents.emit(intent::OldDrafts{pressed == 2});
    EndCard(ctx);
  }

  // The tickets of this device, with their status: what a returning citizen looks for.
  if (!v.recent.empty()) {
    Gap(4);
    SectionLabel(ctx, ctx.t(T::home_recent));
    for (std::size_t i = 0; i < v.recent.size(); ++i) DeviceTicket(ctx, i, v.recent[i]);
    w->DC.CursorPos.x += 4;
    Paragraph(ctx, ctx.t(T::recent_note), ctx.fonts.small, theme::kHint, 1.4f);
  }

  // 长辈版, where an older citizen (or a grandchild helping) sees it first.
  BeginCard(ctx, true);
  if (Switch(ctx, "home.elderly", ctx.t(T::elderly_mode), ctx.t(T::elderly_note), v.elderly))
    ctx.intents.emit(intent::ToggleElderly{});
  EndCard(ctx);

  // Account, my matters, services.
  BeginCard(ctx, true);
  if (v.handler && ListRow(ctx, "home.queue", ctx.t(T::home_queue), v.user_name))
    ctx.intents.emit(intent::Navigate{Screen::queue});
  if (v.signed_in) {
    if (ListRow(ctx, "home.mine", ctx.t(T::home_mine), v.user_name))
      ctx.intents.emit(intent::Navigate{Screen::my_tickets});
    if (ListRow(ctx, "home.account", ctx.t(T::account_title), {}))
      ctx.intents.emit(intent::Navigate{Screen::account});
  } else if (ListRow(ctx, "home.account", ctx.t(T::home_account), {})) {
    ctx.intents.emit(intent::Navigate{Screen::account});
  }
  if (ListRow(ctx, "home.services", ctx.t(T::home_services), ctx.t(T::unit_legal), false, true))
    ctx.intents.emit(intent::Navigate{Screen::services});
  // The data cockpit for leaders; the public board for everyone.
  if (v.leader && ListRow(ctx, "home.cockpit", ctx.t(T::home_cockpit), {}))
    ctx.intents.emit(intent::Cockpit{intent::CockpitOp::open_cockpit, {}, {}});
  if (ListRow(ctx, "home.board", ctx.t(T::home_board), ctx.t(T::home_board_hint), false, false))
    ctx.intents.emit(intent::Cockpit{intent::CockpitOp::open_board, {}, {}});
  EndCard(ctx);

  // How a matter moves, in four steps.
  Gap(4);
  SectionLabel(ctx, ctx.t(T::home_steps));
  BeginCard(ctx);
  {
    const T steps[] = {T::step_submit, T::step_assign, T::step_handle, T::step_rate};
    const float width = AvailWidth();
    const float cell = width / 4.0f;
    const float small = ctx.size(ctx.fonts.small);
    const ImVec2 pos = w->DC.CursorPos;
    const float r = 14;
    const float lh = std::floor(small * 1.3f);
    std::size_t most_lines = 1;
    std::vector<TextLine> lines;
    for (T step : steps) {
      wrap_text(ctx.fonts.small, small, ctx.t(step), cell - 4, lines);
      most_lines = std::max(most_lines, lines.size());
    }
    const float height = r * 2 + 10 + lh * static_cast<float>(most_lines) - (lh - small);
    const ImRect bb(pos, pos + ImVec2(width, height));
    ImGui::ItemSize(bb);
    ImGui::ItemAdd(bb, 0);
    dl->AddLine(ImVec2(pos.x + cell * 0.5f, pos.y + r), ImVec2(pos.x + cell * 3.5f, pos.y + r),
                theme::kPrimarySoft, 2);
    for (int i = 0; i < 4; ++i) {
      const ImVec2 c(pos.x + cell * (i + 0.5f), pos.y + r);
      dl->AddCircleFilled(c, r, i == 0 ? theme::kPrimary : theme::kPrimarySoft, 32);
      const char digit[2] = {static_cast<char>('1' + i), 0};
      const float bs = ctx.size(ctx.fonts.body);
      const ImVec2 ds =
          ctx.fonts.body->CalcTextSizeA(bs, FLT_MAX, 0, Needing(ctx.fonts.body, digit));
      dl->AddText(ctx.fonts.body, bs,
                  ImVec2(std::floor(c.x - ds.x * 0.5f), std::floor(c.y - bs * 0.5f)),
                  i == 0 ? theme::kWhite : theme::kPrimary, Needing(ctx.fonts.body, digit));
      const std::string_view label = ctx.t(steps[i]);
      wrap_text(ctx.fonts.small, small, label, cell - 4, lines);
      float y = pos.y + r * 2 + 10;
      for (const auto& l : lines) {
        dl->AddText(ctx.fonts.small, small, ImVec2(std::floor(c.x - l.width * 0.5f), y),
                    theme::kText2,
                    Needing(ctx.fonts.small, label.data() + l.begin, label.data() + l.end),
                    label.data() + l.end);
        y += lh;
      }
    }
  }
  EndCard(ctx);

  Gap(8);
  // The hotline: a tap calls 12345.
  {
    ImGuiWindow* win = ImGui::GetCurrentWindow();
    const ImVec2 top = win->DC.CursorPos;
    Paragraph(ctx, ctx.t(T::home_hotline), ctx.fonts.small, theme::kPrimary, 1.4f, true);
    const ImRect bb(top, ImGui::GetItemRectMax());
    const ImGuiID gid = win->GetID("home.hotline");
    ImGui::SetCursorScreenPos(top);
    ImGui::ItemSize(bb);
    if (ImGui::ItemAdd(bb, gid)) {
      bool hovered = false, held = false;
      if (ImGui::ButtonBehavior(bb, gid, &hovered, &held))
        ctx.intents.emit(intent::OpenLink{"tel:12345"});
      if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    }
    Record(ctx, "home.hotline", "text", ctx.t(T::home_hotline));
    ctx.log.last().role = "link";
    ctx.log.last().href = "tel:12345";
  }
  EndBody(ctx);
}

}  // namespace portal::client::ui
