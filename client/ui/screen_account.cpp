// Accounts, my tickets, rating and the services directory.
#include <cmath>
#include <string>

#include "imgui_internal.h"
#include "ui/screens.hpp"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

Tone StatusTone(core::Status s) {
  using core::Status;
  switch (s) {
    case Status::submitted:
    case Status::assigned:
      return Tone::info;
    case Status::accepted:
    case Status::in_progress:
      return Tone::warning;
    case Status::resolved:
    case Status::closed:
      return Tone::success;
    case Status::returned:
    case Status::rejected:
      return Tone::danger;
    case Status::merged:
      return Tone::neutral;
  }
  return Tone::neutral;
}

namespace {

// The settings of the account screen: 长辈版 (this device), and a signed-in citizen's
// text messages about their tickets, whose switch shows what the server holds (faded
// while it is read or a change is saved); a failure says so under the card.
void Settings(Ctx& ctx, const AccountView& a) {
  const NotifySettingsView& v = a.notify;
  SectionLabel(ctx, ctx.t(T::settings));
  BeginCard(ctx, true);
  if (Switch(ctx, "account.elderly", ctx.t(T::elderly_mode), ctx.t(T::elderly_note), a.elderly))
    ctx.intents.emit(intent::ToggleElderly{});
  if (v.shown) {  // a line between the two rows, as between the rows of a list
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x + 16, b.y - 0.5f), ImVec2(b.x, b.y - 0.5f),
                                        theme::kDivider);
  }
  if (v.shown &&
      Switch(ctx, "account.notify", ctx.t(T::notify_setting), v.note, v.enabled, v.can_toggle))
    ctx.intents.emit(intent::NotifySetting{});
  EndCard(ctx);
  if (v.shown && !v.error.empty()) {
    Banner(ctx, "account.notify.error", v.error, Tone::danger);
    if (v.retry && Button(ctx, "account.notify.retry", ctx.t(T::retry), ButtonKind::secondary))
      ctx.intents.emit(intent::NotifySetting{true});
  }
}

}  // namespace

void DrawAccount(Ctx& ctx, const AccountView& v) {
  BeginBody(ctx, "body.account");
  if (v.signed_in) {
    BeginCard(ctx);
    KeyValue(ctx, "account.name", ctx.t(T::signed_in_as), v.user_name);
    EndCard(ctx);
    if (Button(ctx, "account.mine", ctx.t(T::home_mine), ButtonKind::primary))
      ctx.intents.emit(intent::Navigate{Screen::my_tickets});
    if (Button(ctx, "account.signout", ctx.t(T::signout_button), ButtonKind::secondary))
      ctx.intents.emit(intent::SignOut{});
    Settings(ctx, v);
    EndBody(ctx);
    return;
  }
  BeginCard(ctx);
  bool go = false;
  if (v.registering) {
    go |= TextField(ctx, "account.name", Field::reg_name, ctx.t(T::field_name), ctx.t(T::name_hint),
                    v.name);
    go |= TextField(ctx, "account.phone", Field::reg_phone, ctx.t(T::field_reg_phone),
                    ctx.t(T::phone_hint), v.phone, FieldKind::phone);
    go |= TextField(ctx, "account.new_password", Field::reg_password, ctx.t(T::field_password),
                    ctx.t(T::password_hint), v.reg_password, FieldKind::password);
  } else {
    go |= TextField(ctx, "account.login", Field::login, ctx.t(T::field_login), ctx.t(T::login_hint),
                    v.login, FieldKind::text);
    go |= TextField(ctx, "account.password", Field::password, ctx.t(T::field_password),
                    ctx.t(T::password_hint), v.password, FieldKind::password);
  }
  EndCard(ctx);
  if (!v.error.empty()) Banner(ctx, "account.error", v.error, Tone::danger);
  const T label = v.registering ? T::register_button : T::signin_button;
  if (Button(ctx, "account.submit", ctx.t(label), ButtonKind::primary, true, 0, v.busy) ||
      (go && !v.busy))
    ctx.intents.emit(v.registering ? Intent{intent::Register{}} : Intent{intent::SignIn{}});
  if (Button(ctx, "account.switch", ctx.t(v.registering ? T::to_signin : T::to_register),
             ButtonKind::ghost))
    ctx.intents.emit(intent::SetRegistering{!v.registering});
  Gap(4);
  Paragraph(ctx, ctx.t(T::account_note), ctx.fonts.small, theme::kHint, 1.45f);
  Settings(ctx, v);
  EndBody(ctx);
}

namespace {

void Text(ImDrawList* dl, ImFont* font, float size, ImVec2 p, ImU32 col, std::string_view t) {
  DrawText(dl, font, size, ImFloor(p), col, t);
}

}  // namespace

// One ticket of the list: category and status chip, excerpt, when and who.
bool TicketCard(Ctx& ctx, const char* id, const TicketRow& r) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImGuiID gid = w->GetID(id);
  const float body = ctx.size(ctx.fonts.body), small = ctx.size(ctx.fonts.small);
  const float width = AvailWidth();
  const float h = 14 + body + 8 + small * 2 + 6 + 14;
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(width, h));
  ImGui::ItemSize(bb);
  if (!ImGui::ItemAdd(bb, gid)) {
    Record(ctx, id, "button", r.title, r.status_name);
    return false;
  }
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);
  ImDrawList* dl = w->DrawList;
  dl->AddRectFilled(bb.Min, bb.Max, held ? theme::kPressed : theme::kSurface, theme::kRadius);
  // The status chip on the right.
  const ImVec2 cs(MeasureText(ctx.fonts.small, small, r.status_name).x + 16, small + 8);
  const Tone tone = r.overdue ? Tone::danger : StatusTone(r.status);
  const ImU32 chip_bg = tone == Tone::success   ? theme::kSuccessSoft
                        : tone == Tone::warning ? theme::kWarningSoft
                        : tone == Tone::danger  ? theme::kDangerSoft
                        : tone == Tone::info    ? theme::kPrimarySoft
                                                : theme::kNeutralSoft;
  const ImU32 chip_fg = tone == Tone::success   ? theme::kSuccess
                        : tone == Tone::warning ? theme::kWarning
                        : tone == Tone::danger  ? theme::kDanger
                        : tone == Tone::info    ? theme::kPrimary
                                                : theme::kText2;
  const ImVec2 cp(bb.Max.x - 14 - cs.x, pos.y + 12);
  dl->AddRectFilled(cp, cp + cs, chip_bg, cs.y * 0.5f);
  Text(dl, ctx.fonts.small, small, ImVec2(cp.x + 8, cp.y + 4), chip_fg, r.status_name);
  float y = pos.y + 14;
  dl->PushClipRect(ImVec2(pos.x, pos.y), ImVec2(cp.x - 8, bb.Max.y), true);
  Text(dl, ctx.fonts.body, body, ImVec2(pos.x + 14, y), theme::kText, r.title);
  dl->PopClipRect();
  y += body + 8;
  Text(dl, ctx.fonts.small, small, ImVec2(pos.x + 14, y), theme::kText2,
       clamp_lines(ctx.fonts.small, small, r.excerpt, width - 28, 1));
  y += small + 6;
  // The time at the right, always whole; followers and number before it, cut with "…"
  // on a narrow phone.
  const float when_w = MeasureText(ctx.fonts.small, small, r.updated).x;
  Text(dl, ctx.fonts.small, small, ImVec2(bb.Max.x - 14 - when_w, y), theme::kHint, r.updated);
  std::string meta = r.number;
  if (!r.followers.empty()) meta = r.followers + "  ·  " + meta;
  const float room = width - 28 - when_w - 12;
  Text(dl, ctx.fonts.small, small, ImVec2(pos.x + 14, y), theme::kHint,
       clamp_lines(ctx.fonts.small, small, meta, room, 1));
  // Overdue: a red edge on the left; unread: a dot before the title.
  if (r.overdue)
    dl->AddRectFilled(bb.Min, ImVec2(bb.Min.x + 4, bb.Max.y), theme::kDanger, theme::kRadius,
                      ImDrawFlags_RoundCornersLeft);
  if (r.unread) dl->AddCircleFilled(ImVec2(pos.x + 7, pos.y + 14 + body * 0.5f), 4, theme::kDanger);
  Record(ctx, id, "button", r.title,
         r.followers.empty() ? r.status_name : r.status_name + " · " + r.followers, true, held);
  if (r.unread) ctx.log.last().unread = true;
  return pressed;
}

float TicketCardHeight(const Ctx& ctx) {
  return 14 + ctx.size(ctx.fonts.body) + 8 + ctx.size(ctx.fonts.small) * 2 + 6 + 14;
}

void DrawMyTickets(Ctx& ctx, const MyTicketsView& v) {
  BeginBody(ctx, "body.mine");
  if (v.tabs) {
    // Two lists: the reports filed, and those followed (附议).
    const float gap = 8;
    const float half = std::floor((AvailWidth() - gap) * 0.5f);
    if (Button(ctx, "mine.tab.mine", ctx.t(T::mine_tab_mine),
               v.followed ? ButtonKind::secondary : ButtonKind::primary, true, half))
      ctx.intents.emit(intent::SetMineTab{false});
    ctx.log.last().checked = !v.followed;
    ImGui::SameLine(0, gap);
    if (Button(ctx, "mine.tab.followed", ctx.t(T::mine_tab_followed),
               v.followed ? ButtonKind::primary : ButtonKind::secondary, true, half))
      ctx.intents.emit(intent::SetMineTab{true});
    ctx.log.last().checked = v.followed;
  }
  const std::size_t n = v.rows ? v.rows->size() : 0;
  if (v.state == LoadState::failed) {
    Banner(ctx, "mine.error", v.error, Tone::danger);
    if (Button(ctx, "mine.retry", ctx.t(T::retry), ButtonKind::secondary))
      ctx.intents.emit(intent::RetryList{});
  } else if (n == 0 && v.state != LoadState::loaded) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 40), 14, theme::kPrimary);
    ImGui::Dummy(ImVec2(1, 80));
  } else if (n == 0) {
    Gap(24);
    Paragraph(ctx, ctx.t(v.followed ? T::followed_empty : T::mine_empty), ctx.fonts.body,
              theme::kHint, 1.5f, true);
  }
  // Only the rows in view are drawn (and recorded); the others only take their height.
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(n), TicketCardHeight(ctx) + ImGui::GetStyle().ItemSpacing.y);
  while (clipper.Step())
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const TicketRow& row = (*v.rows)[static_cast<std::size_t>(i)];
      const std::string id = "mine." + row.number;
      if (TicketCard(ctx, id.c_str(), row)) ctx.intents.emit(intent::OpenTicket{row.number, {}});
    }
  clipper.End();
  if (Button(ctx, "mine.new", ctx.t(T::home_submit_title), ButtonKind::primary))
    ctx.intents.emit(intent::Navigate{Screen::submit});
  EndBody(ctx);
}

void RatingChoices(Ctx& ctx, const char* prefix, int resolved, int satisfaction) {
  const std::string p = prefix;
  BeginCard(ctx);
  SectionLabel(ctx, ctx.t(T::rate_resolved_q), false);
  const float gap = theme::kGap;
  const float half = std::floor((AvailWidth() - gap) * 0.5f);
  if (Button(ctx, (p + ".resolved_yes").c_str(), ctx.t(T::rate_resolved_yes),
             resolved == 1 ? ButtonKind::primary : ButtonKind::secondary, true, half))
    ctx.intents.emit(intent::SetResolved{true});
  ctx.log.last().checked = resolved == 1;  // chosen: said to screen readers, not by colour only
  ImGui::SameLine(0, gap);
  if (Button(ctx, (p + ".resolved_no").c_str(), ctx.t(T::rate_resolved_no),
             resolved == 0 ? ButtonKind::primary : ButtonKind::secondary, true, half))
    ctx.intents.emit(intent::SetResolved{false});
  ctx.log.last().checked = resolved == 0;
  EndCard(ctx);
  SectionLabel(ctx, ctx.t(T::rate_satisfaction_q));
  BeginCard(ctx, true);
  const T names[] = {T::sat_5, T::sat_4, T::sat_3, T::sat_2, T::sat_1};
  for (int i = 0; i < 5; ++i) {
    const int score = 5 - i;
    const std::string id = p + ".s" + std::to_string(score);
    if (RadioRow(ctx, id.c_str(), ctx.t(names[i]), satisfaction == score, i < 4))
      ctx.intents.emit(intent::SetSatisfaction{score});
  }
  EndCard(ctx);
}

void DrawRate(Ctx& ctx, const RateView& v) {
  BeginBody(ctx, "body.rate");
  if (v.focus_seq != ctx.rate_focus_seen) {
    // Opened by a link: the keyboard and screen readers start at the first choice.
    ctx.rate_focus_seen = v.focus_seq;
    ctx.focus_node = "rate.resolved_yes";
    ctx.a11y_reveal = ctx.focus_node;
  }
  // What is rated (a form opened from a text message has no page above it to say so).
  BeginCard(ctx);
  KeyValue(ctx, "rate.ticket", v.category.empty() ? ctx.t(T::receipt_number) : v.category,
           v.number);
  if (!v.reply.empty()) {
    Paragraph(ctx, ctx.t(T::ticket_reply), ctx.fonts.small, theme::kText2, 1.4f);
    Paragraph(ctx, v.reply, ctx.fonts.body, theme::kText, 1.5f);
    Record(ctx, "rate.reply", "text", ctx.t(T::ticket_reply), v.reply);
  }
  EndCard(ctx);
  RatingChoices(ctx, "rate", v.resolved, v.satisfaction);
  BeginCard(ctx);
  TextArea(ctx, "rate.comment", Field::rating_comment, ctx.t(T::field_comment),
           ctx.t(T::comment_hint), v.comment, {});
  EndCard(ctx);
  Paragraph(ctx, ctx.t(T::rate_note), ctx.fonts.small, theme::kHint, 1.45f);
  if (!v.error.empty()) Banner(ctx, "rate.error", v.error, Tone::danger);
  if (Button(ctx, "rate.submit", ctx.t(T::rate_submit), ButtonKind::primary, true, 0, v.busy))
    ctx.intents.emit(intent::SubmitRating{});
  EndBody(ctx);
}

void DrawServices(Ctx& ctx, const ServicesView& v) {
  BeginBody(ctx, "body.services");
  SectionLabel(ctx, ctx.t(T::nearest_mediation));
  BeginCard(ctx);
  if (v.has_nearest) {
    Paragraph(ctx, v.nearest.name, ctx.fonts.body, theme::kText, 1.4f);
    Record(ctx, "services.nearest", "text", ctx.t(T::nearest_mediation), v.nearest.name);
    if (!v.place.empty()) KeyValue(ctx, "services.place", ctx.t(T::services_nearest_for), v.place);
    KeyValue(ctx, "services.distance", ctx.t(T::km), v.nearest.distance);
    if (!v.nearest.contact.empty())
      KeyValue(ctx, "services.contact", ctx.t(T::ticket_contact), v.nearest.contact, 0,
               v.nearest.tel);
    if (!v.nearest.address.empty())
      KeyValue(ctx, "services.address", ctx.t(T::ticket_location), v.nearest.address);
  } else {
    Paragraph(ctx, ctx.t(T::services_no_place), ctx.fonts.small, theme::kHint, 1.45f);
  }
  EndCard(ctx);
  if (v.state == LoadState::failed) {
    Banner(ctx, "services.error", v.error, Tone::danger);
    if (Button(ctx, "services.retry", ctx.t(T::retry), ButtonKind::secondary))
      ctx.intents.emit(intent::RetryList{});
  }
  int n = 0;
  for (const auto& g : v.groups) {
    SectionLabel(ctx, g.name);
    BeginCard(ctx, true);
    for (std::size_t i = 0; i < g.units.size(); ++i) {
      const UnitRow& u = g.units[i];
      const std::string id = "services.unit." + std::to_string(n++);
      std::string sub = u.contact;
      if (!u.address.empty()) sub += (sub.empty() ? "" : "  ·  ") + u.address;
      // A unit with a telephone number: a tap calls it; otherwise it copies the contact.
      const std::string& tel = u.tel;
      if (ListRow(ctx, id.c_str(), u.name, sub, false, i + 1 < g.units.size()) &&
          !u.contact.empty()) {
        if (tel.empty())
          ctx.intents.emit(intent::CopyText{u.contact, {}});
        else
          ctx.intents.emit(intent::OpenLink{tel});
      }
      if (!tel.empty()) {
        ctx.log.last().role = "link";
        ctx.log.last().href = tel;
      }
    }
    EndCard(ctx);
  }
  EndBody(ctx);
}

}  // namespace portal::client::ui
