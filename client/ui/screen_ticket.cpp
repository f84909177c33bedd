#include <algorithm>
#include <cmath>
#include <string>

#include "imgui_internal.h"
#include "ui/screens.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

// A label with a copy button on its right, and the value big underneath. Once copied the
// button says so itself (已复制 with a tick) for a moment, where the eye already is: a toast
// would lie over what comes below, such as the receipt's 请保存 warning.
void CopyableValue(Ctx& ctx, const char* id, const char* copy_id, std::string_view label,
                   std::string_view value) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float small = ctx.size(ctx.fonts.small);
  const ImVec2 row = w->DC.CursorPos;
  const bool done = ctx.copied == copy_id;
  const std::string_view copy = ctx.t(done ? T::copied : T::copy);
  const float bw = 84;
  w->DrawList->AddText(ctx.fonts.small, small,
                       ImVec2(row.x, row.y + (theme::kButtonHeight - small) * 0.5f), theme::kText2,
                       Needing(ctx.fonts.small, label.data(), label.data() + label.size()),
                       label.data() + label.size());
  ImGui::SetCursorScreenPos(ImVec2(row.x + AvailWidth() - bw, row.y));
  if (Button(ctx, copy_id, copy, ButtonKind::ghost, true, bw, false,
             done ? ButtonIcon::done : ButtonIcon::copy))
    ctx.intents.emit(intent::CopyText{std::string(value), copy_id});
  if (done) {
    // Screen readers hear it too: a status over the button.
    WidgetRecord r = ctx.log.last();
    r.id = "copied";
    r.kind = "text";
    r.role = "status";
    r.label = r.value = std::string(ctx.t(T::copied));
    r.name.clear();
    r.active = false;
    ctx.log.add(std::move(r));
  }
  w->DC.CursorPos.y -= ImGui::GetStyle().ItemSpacing.y - 2;
  w->DC.CursorPos.x = row.x;
  float big = ctx.size(ctx.fonts.display);
  const ImVec2 p = w->DC.CursorPos;
  ImVec2 ts = ctx.fonts.display->CalcTextSizeA(
      big, FLT_MAX, 0, Needing(ctx.fonts.display, value.data(), value.data() + value.size()),
      value.data() + value.size());
  // An 18-character number in a narrow column (a 360 px phone): smaller, never cut off.
  if (ts.x > AvailWidth() && ts.x > 0) {
    big = std::floor(big * AvailWidth() / ts.x);
    ts = ctx.fonts.display->CalcTextSizeA(
        big, FLT_MAX, 0, Needing(ctx.fonts.display, value.data(), value.data() + value.size()),
        value.data() + value.size());
  }
  const ImRect bb(p, ImVec2(p.x + std::max(ts.x, 1.0f), p.y + big));
  ImGui::ItemSize(bb);
  ImGui::ItemAdd(bb, 0);
  w->DrawList->AddText(ctx.fonts.display, big, p, theme::kText,
                       Needing(ctx.fonts.display, value.data(), value.data() + value.size()),
                       value.data() + value.size());
  Record(ctx, id, "text", label, value);
  ctx.log.last().selectable = true;  // long-press or drag selects it through the mirror
}

}  // namespace

void DrawReceipt(Ctx& ctx, const ReceiptView& v) {
  BeginBody(ctx, "body.receipt");
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  BeginCard(ctx);
  {
    const ImVec2 p = w->DC.CursorPos;
    IconCheckCircle(w->DrawList, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 28), 28, theme::kSuccess,
                    theme::kWhite);
    ImGui::Dummy(ImVec2(1, 56));
    Paragraph(ctx, ctx.t(T::receipt_title), ctx.fonts.title, theme::kText, 1.4f, true);
    // Where it went: the grid's worker, or (no place given) the hotline centre.
    const std::string_view lead = v.note.empty() ? ctx.t(T::receipt_lead) : v.note;
    Paragraph(ctx, lead, ctx.fonts.body, theme::kText2, 1.5f, true);
    Record(ctx, "receipt.lead", "text", ctx.t(T::receipt_title), lead);
  }
  EndCard(ctx);

  BeginCard(ctx);
  CopyableValue(ctx, "receipt.number", "receipt.copy_number", ctx.t(T::receipt_number), v.number);
  // Only a report without an account gets an access code.
  if (!v.code.empty()) {
    w->DrawList->AddLine(ImVec2(w->DC.CursorPos.x, w->DC.CursorPos.y - 4),
                         ImVec2(w->DC.CursorPos.x + AvailWidth(), w->DC.CursorPos.y - 4),
                         theme::kDivider);
    Gap(4);
    CopyableValue(ctx, "receipt.code", "receipt.copy_code", ctx.t(T::receipt_code), v.code);
  }
  EndCard(ctx);

  if (!v.code.empty()) Banner(ctx, "receipt.keep", ctx.t(T::receipt_keep), Tone::warning);

  BeginCard(ctx);
  KeyValue(ctx, "receipt.respond_by", ctx.t(T::respond_by), v.respond_by);
  KeyValue(ctx, "receipt.resolve_by", ctx.t(T::resolve_by), v.resolve_by);
  EndCard(ctx);

  if (Button(ctx, "receipt.view", ctx.t(T::view_progress), ButtonKind::primary))
    ctx.intents.emit(intent::OpenTicket{v.number, v.code});
  if (Button(ctx, "receipt.home", ctx.t(T::back_home), ButtonKind::secondary))
    ctx.intents.emit(intent::GoHome{});
  EndBody(ctx);
}

void DrawTrack(Ctx& ctx, const TrackView& v) {
  BeginBody(ctx, "body.track");
  BeginCard(ctx);
  // Enter in either field looks the ticket up, as the button does.
  bool go = TextField(ctx, "track.number", Field::track_number, ctx.t(T::field_number),
                      ctx.t(T::number_hint), v.number, FieldKind::ticket_number);
  go |= TextField(ctx, "track.code", Field::track_code, ctx.t(T::field_code), ctx.t(T::code_hint),
                  v.code, FieldKind::access_code);
  EndCard(ctx);
  if (!v.error.empty())
    Banner(ctx, "track.error", v.error, Tone::danger);
  else
    Paragraph(ctx, ctx.t(T::track_note), ctx.fonts.small, theme::kHint, 1.45f);
  if (Button(ctx, "track.button", v.loading ? ctx.t(T::tracking) : ctx.t(T::track_button),
             ButtonKind::primary, true, 0, v.loading) ||
      (go && !v.loading))
    ctx.intents.emit(intent::LookUpTicket{});
  EndBody(ctx);
}

namespace {

// [SECTION] The ticket page's parts: one after another on a phone, in two columns on the
// desk (the map and the timeline on the right, seen together).

void TicketHeader(Ctx& ctx, const TicketPage& v) {
  BeginCard(ctx);
  {
    // The number can be copied here too, as on the receipt.
    CopyableValue(ctx, "ticket.number", "ticket.copy_number", ctx.t(T::receipt_number), v.number);
    Chip(ctx, "ticket.status", v.status_name, StatusTone(v.status));
    ImGui::SameLine(0, 8);
    Chip(ctx, "ticket.level", v.level_name, Tone::neutral);
    if (v.overdue) {
      ImGui::SameLine(0, 8);
      Chip(ctx, "ticket.overdue", ctx.t(T::ticket_overdue), Tone::danger);
    }
    if (v.live) {
      ImGui::SameLine(0, 8);
      Chip(ctx, "ticket.live", ctx.t(T::live_on), Tone::success);
    }
  }
  EndCard(ctx);
}

// Handlers: the category the text suggests, when it is not the ticket's, and the
// correction (an action with its reason, recorded in the chain).
void TicketSuggestion(Ctx& ctx, const TicketPage& v) {
  if (v.suggested_category.empty()) return;
  Banner(ctx, "ticket.suggested", std::string(ctx.t(T::suggested_category)) + v.suggested_category,
         Tone::warning);
  if (v.can_recategorize && Button(ctx, "ticket.recategorize", ctx.t(T::btn_recategorize),
                                   ButtonKind::secondary, !v.busy))
    ctx.intents.emit(intent::OpenAction{"recategorize"});
}

void TicketFacts(Ctx& ctx, const TicketPage& v) {
  BeginCard(ctx);
  KeyValue(ctx, "ticket.category", ctx.t(T::ticket_category), v.category);
  if (!v.followers.empty())
    KeyValue(ctx, "ticket.followers", ctx.t(T::ticket_followers), v.followers);
  if (!v.area.empty()) KeyValue(ctx, "ticket.area", ctx.t(T::ticket_area), v.area);
  if (!v.handler.empty()) KeyValue(ctx, "ticket.handler", ctx.t(T::ticket_handler), v.handler);
  // A handler sees the citizen's number in full: a tap calls.
  if (!v.contact.empty())
    KeyValue(ctx, "ticket.contact", ctx.t(T::ticket_contact), v.contact, 0, v.contact_tel);
  KeyValue(ctx, "ticket.created", ctx.t(T::ticket_created), v.created);
  if (!v.updated.empty() && v.updated != v.created)
    KeyValue(ctx, "ticket.updated", ctx.t(T::ticket_updated), v.updated);
  KeyValue(ctx, "ticket.respond_by", ctx.t(T::respond_by), v.respond_by);
  KeyValue(ctx, "ticket.resolve_by", ctx.t(T::resolve_by), v.resolve_by,
           v.overdue ? theme::kDanger : 0);
  if (v.reopen_count > 0)
    KeyValue(ctx, "ticket.reopened", ctx.t(T::ticket_reopened), std::to_string(v.reopen_count));
  EndCard(ctx);
}

void TicketText(Ctx& ctx, const TicketPage& v) {
  BeginCard(ctx);
  SectionLabel(ctx, ctx.t(T::ticket_description), false);
  Paragraph(ctx, v.description, ctx.fonts.body, theme::kText, 1.55f);
  Record(ctx, "ticket.description", "text", ctx.t(T::ticket_description), v.description);
  if (!v.address.empty()) {
    Gap(4);
    SectionLabel(ctx, ctx.t(T::ticket_location), false);
    Paragraph(ctx, v.address, ctx.fonts.body, theme::kText, 1.5f);
    Record(ctx, "ticket.address", "text", ctx.t(T::ticket_location), v.address);
  }
  EndCard(ctx);

  BeginCard(ctx);
  SectionLabel(ctx, ctx.t(T::ticket_reply), false);
  if (v.reply.empty())
    Paragraph(ctx, ctx.t(T::ticket_no_reply), ctx.fonts.body, theme::kHint, 1.5f);
  else
    Paragraph(ctx, v.reply, ctx.fonts.body, theme::kText, 1.55f);
  Record(ctx, "ticket.reply", "text", ctx.t(T::ticket_reply), v.reply);
  if (v.photos > 0)
    KeyValue(ctx, "ticket.photos", ctx.t(T::ticket_photos),
             std::to_string(v.photos) + " " + std::string(ctx.t(T::photos_count)));
  EndCard(ctx);

  if (!v.rating.empty()) {
    BeginCard(ctx);
    KeyValue(ctx, "ticket.rating", ctx.t(T::ticket_rating), v.rating);
    EndCard(ctx);
  }
  if (v.can_rate && Button(ctx, "ticket.rate", ctx.t(T::rate_button), ButtonKind::primary))
    ctx.intents.emit(intent::Navigate{Screen::rate});
  // A citizen following this ticket (附议) may stop.
  if (v.can_unfollow &&
      Button(ctx, "ticket.unfollow", v.unfollow_busy ? ctx.t(T::unfollowing) : ctx.t(T::unfollow),
             ButtonKind::secondary, true, 0, v.unfollow_busy))
    ctx.intents.emit(intent::Unfollow{v.number});
  if (!v.unfollow_error.empty())
    Banner(ctx, "ticket.unfollow_error", v.unfollow_error, Tone::danger);
}

void TicketWhistles(Ctx& ctx, const TicketPage& v) {
  if (v.whistles.empty()) return;
  SectionLabel(ctx, ctx.t(T::ticket_whistles));
  BeginCard(ctx);
  for (std::size_t i = 0; i < v.whistles.size(); ++i) {
    const std::string id = "ticket.whistle." + std::to_string(i);
    KeyValue(ctx, id.c_str(), v.whistles[i].unit, v.whistles[i].state + "  " + v.whistles[i].when);
  }
  EndCard(ctx);
}

void TicketTimeline(Ctx& ctx, const TicketPage& v) {
  if (v.timeline.empty()) return;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  SectionLabel(ctx, ctx.t(T::ticket_timeline));
  BeginCard(ctx);
  const float small = ctx.size(ctx.fonts.small);
  for (std::size_t i = 0; i < v.timeline.size(); ++i) {
    const TicketPage::Step& s = v.timeline[i];
    // A dot and a line on the left; what, who and when on the right.
    const ImVec2 top = w->DC.CursorPos;
    const float x0 = top.x, indent = 22;
    w->DC.CursorPos.x = x0 + indent;
    const float saved = w->WorkRect.Max.x;
    ImGui::BeginGroup();
    Paragraph(ctx, s.title, ctx.fonts.body, i == 0 ? theme::kText : theme::kText2, 1.4f);
    Paragraph(ctx, s.who + "  " + s.when, ctx.fonts.small, theme::kHint, 1.35f);
    if (!s.note.empty()) Paragraph(ctx, s.note, ctx.fonts.small, theme::kText2, 1.45f);
    ImGui::EndGroup();
    w->WorkRect.Max.x = saved;
    const float bottom = w->DC.CursorPos.y;
    const ImU32 dot = i == 0 ? theme::kPrimary : theme::kBorder;
    if (i + 1 < v.timeline.size())
      w->DrawList->AddLine(ImVec2(x0 + 6, top.y + 12), ImVec2(x0 + 6, bottom + 4), theme::kDivider,
                           2);
    w->DrawList->AddCircleFilled(ImVec2(x0 + 6, top.y + small * 0.5f + 4), 5, dot, 16);
    w->DC.CursorPos.x = x0;
    const std::string id = "ticket.event." + std::to_string(i);
    Record(ctx, id.c_str(), "text", s.title, s.who + " " + s.when + " " + s.note);
  }
  EndCard(ctx);
}

void TicketRefresh(Ctx& ctx, const TicketPage& v) {
  if (v.state == LoadState::failed) Banner(ctx, "ticket.error", v.error, Tone::danger);
  if (Button(ctx, "ticket.refresh",
             v.state == LoadState::loading ? ctx.t(T::loading) : ctx.t(T::refresh),
             ButtonKind::secondary, true, 0, v.state == LoadState::loading))
    ctx.intents.emit(intent::RefreshTicket{});
}

// The desk: the ticket's place on a small map, its grid chosen and named under it.
void TicketMap(Ctx& ctx, const TicketPage& v) {
  if (!v.has_map) return;
  SectionLabel(ctx, ctx.t(T::desk_map));
  BeginCard(ctx, true);
  GridMap(ctx, "ticket.map", v.map, std::floor(std::clamp(AvailWidth() * 0.62f, 200.0f, 320.0f)));
  EndCard(ctx);
  if (!v.map.selected_name.empty()) {
    Paragraph(ctx, v.map.selected_name, ctx.fonts.small, theme::kText2, 1.4f);
    Record(ctx, "ticket.map.grid", "text", ctx.t(T::desk_map), v.map.selected_name);
  }
}

// Runs `draw` in a column from x to x + width of the body, starting at y; returns the
// bottom it reached.
template <class F>
float InColumn(float x, float y, float width, F&& draw) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float saved_work = w->WorkRect.Max.x, saved_content = w->ContentRegionRect.Max.x;
  w->WorkRect.Max.x = w->ContentRegionRect.Max.x = x + width;
  ImGui::SetCursorScreenPos(ImVec2(x, y));
  ImGui::BeginGroup();
  draw();
  ImGui::EndGroup();
  w->WorkRect.Max.x = saved_work;
  w->ContentRegionRect.Max.x = saved_content;
  return ImGui::GetItemRectMax().y;
}

}  // namespace

void DrawTicket(Ctx& ctx, const TicketPage& v) {
  BeginBody(ctx, "body.ticket");
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  if (v.status_name.empty()) {
    // Nothing to show yet: loading, or it failed before anything arrived.
    if (v.state == LoadState::failed) {
      Banner(ctx, "ticket.error", v.error, Tone::danger);
      if (Button(ctx, "ticket.refresh", ctx.t(T::retry), ButtonKind::secondary))
        ctx.intents.emit(intent::RefreshTicket{});
    } else {
      const ImVec2 p = w->DC.CursorPos;
      Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 60), 16, theme::kPrimary);
      ImGui::Dummy(ImVec2(1, 96));
      Paragraph(ctx, ctx.t(T::loading), ctx.fonts.body, theme::kHint, 1.5f, true);
    }
    EndBody(ctx);
    return;
  }

  if (ctx.desk && AvailWidth() >= 560) {
    // The desk: the header across, then what to do and the facts on the left, where it
    // is and what happened on the right.
    TicketHeader(ctx, v);
    const float gap = 16, x = w->DC.CursorPos.x, y = w->DC.CursorPos.y;
    const float left = std::floor((AvailWidth() - gap) * 0.5f);
    const float right = AvailWidth() - gap - left;
    const float bl = InColumn(x, y, left, [&] {
      TicketSuggestion(ctx, v);
      DrawTicketActions(ctx, v);
      TicketFacts(ctx, v);
      TicketText(ctx, v);
    });
    const float br = InColumn(x + left + gap, y, right, [&] {
      TicketMap(ctx, v);
      TicketWhistles(ctx, v);
      TicketTimeline(ctx, v);
    });
    ImGui::SetCursorScreenPos(ImVec2(x, std::max(bl, br) + ImGui::GetStyle().ItemSpacing.y));
    TicketRefresh(ctx, v);
    EndBody(ctx);
    return;
  }

  TicketHeader(ctx, v);
  TicketSuggestion(ctx, v);
  DrawTicketActions(ctx, v);
  TicketFacts(ctx, v);
  TicketText(ctx, v);
  TicketWhistles(ctx, v);
  TicketTimeline(ctx, v);
  TicketRefresh(ctx, v);
  EndBody(ctx);
}

}  // namespace portal::client::ui
