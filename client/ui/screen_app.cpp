#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/routes.hpp"
#include "imgui_internal.h"
#include "ui/glyph_cache.hpp"
#include "ui/screens.hpp"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

T TitleOf(Screen s) {
  switch (s) {
    case Screen::home:
      return T::home_bar_title;
    case Screen::submit:
      return T::submit_title;
    case Screen::categories:
      return T::categories_title;
    case Screen::receipt:
      return T::receipt_title;
    case Screen::track:
      return T::track_title;
    case Screen::ticket:
      return T::ticket_title;
    case Screen::account:
      return T::account_title;
    case Screen::my_tickets:
      return T::mine_title;
    case Screen::rate:
      return T::rate_title;
    case Screen::services:
      return T::services_title;
    case Screen::queue:
      return T::queue_title;
    case Screen::action:
      return T::ticket_actions;
    case Screen::hotline_import:
      return T::import_title;
    case Screen::cockpit:
      return T::cockpit_title;
    case Screen::board:
      return T::board_title;
  }
  return T::app_name;
}

// A strip under the bar while the browser is offline: it takes its place above the
// body (nothing is drawn over), and the accessibility mirror announces it (a status).
// Returns its height.
float OfflineBanner(Ctx& ctx, float top) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const std::string_view text = ctx.t(T::offline_banner);
  ImFont* font = ctx.fonts.small;
  const float size = ctx.size(font);
  const float lh = std::floor(size * 1.4f);
  const float icon = 20, pad = 8;
  const float x0 = ctx.column_x + theme::kPad, x1 = ctx.column_x + ctx.column_w - theme::kPad;
  const float text_x = x0 + icon + 8;
  std::vector<TextLine> lines;
  wrap_text(font, size, text, std::max(x1 - text_x, 40.0f), lines);
  const float text_h = lh * static_cast<float>(lines.size()) - (lh - size);
  const float h = std::floor(std::max(text_h, icon) + 2 * pad);
  dl->AddRectFilled(ImVec2(0, top), ImVec2(ctx.display.x, top + h), theme::kWarningSoft);
  dl->AddLine(ImVec2(0, top + h - 0.5f), ImVec2(ctx.display.x, top + h - 0.5f), theme::kBorder);
  // No signal: three arcs and a dot, struck through.
  const ImVec2 c(x0 + icon * 0.5f, top + std::floor(h * 0.5f) + 5);
  for (int i = 1; i <= 3; ++i) {
    dl->PathArcTo(c, 4.0f * i, -IM_PI * 0.75f, -IM_PI * 0.25f, 12);
    dl->PathStroke(theme::kWarning, 0, 1.6f);
  }
  dl->AddCircleFilled(c, 1.8f, theme::kWarning, 12);
  dl->AddLine(ImVec2(c.x - 8, c.y - 12), ImVec2(c.x + 8, c.y + 2), theme::kWarning, 1.6f);
  const float ty = top + std::floor((h - text_h) * 0.5f);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const char* b = text.data() + lines[i].begin;
    const char* e = text.data() + lines[i].end;
    dl->AddText(font, size, ImVec2(text_x, ty + static_cast<float>(i) * lh), theme::kWarning,
                Needing(font, b, e), e);
  }
  WidgetRecord r;
  r.id = "offline";
  r.kind = "text";
  r.role = "status";
  r.label = r.value = std::string(text);
  r.x = 0;
  r.y = top;
  r.w = ctx.display.x;
  r.h = h;
  ctx.log.add(std::move(r));
  return h;
}

}  // namespace

void DrawApp(Ctx& ctx, const App& app) {
  const ShellView shell = app.shell();
  ctx.lang = shell.lang;
  ctx.elderly = shell.elderly;
  ctx.screen_changed = shell.screen != ctx.last_screen;
  ctx.copied = shell.copied;
  ctx.column_w = std::min(ctx.display.x, theme::kMaxColumn);
  ctx.column_x = std::floor((ctx.display.x - ctx.column_w) * 0.5f);
  ctx.body_x = 0;
  ctx.body_w = ctx.display.x;

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ctx.display);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("portal", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();

  WidgetRecord screen;
  screen.id = "screen";
  screen.kind = "screen";
  screen.value = std::string(screen_name(shell.screen));
  screen.w = ctx.display.x;
  screen.h = ctx.display.y;
  ctx.log.add(std::move(screen));

  // The cockpit, the board and the desk use a wide column on wide screens, and so does
  // their bar.
  if (shell.screen == Screen::cockpit || shell.screen == Screen::board || ctx.desk) {
    ctx.column_w = std::min(ctx.display.x, 1760.0f);
    ctx.column_x = std::floor((ctx.display.x - ctx.column_w) * 0.5f);
  }
  if (shell.embedded) {
    ctx.top_bar = shell.can_go_back ? theme::kCompactBar : 0.0f;
    CompactBar(ctx, shell, ctx.t(shell.title != T::count_ ? shell.title : TitleOf(shell.screen)));
  } else {
    ctx.top_bar = theme::kTopBar;
    TopBar(ctx, shell, ctx.t(shell.title != T::count_ ? shell.title : TitleOf(shell.screen)));
  }
  if (shell.offline) ctx.top_bar += OfflineBanner(ctx, ctx.top_bar);
  // The desk draws the queue, the ticket and the action form side by side itself.
  const bool escape_taken = ctx.desk && DrawDesk(ctx, app);
  switch (shell.screen) {
    case Screen::home:
      DrawHome(ctx, app.home());
      break;
    case Screen::submit:
      DrawSubmit(ctx, app.submit());
      break;
    case Screen::categories:
      DrawCategories(ctx, app.categories());
      break;
    case Screen::receipt:
      DrawReceipt(ctx, app.receipt());
      break;
    case Screen::track:
      DrawTrack(ctx, app.track());
      break;
    case Screen::ticket:
      if (!ctx.desk) DrawTicket(ctx, app.ticket());
      break;
    case Screen::account:
      DrawAccount(ctx, app.account());
      break;
    case Screen::my_tickets:
      DrawMyTickets(ctx, app.my_tickets());
      break;
    case Screen::rate:
      DrawRate(ctx, app.rate());
      break;
    case Screen::services:
      DrawServices(ctx, app.services_directory());
      break;
    case Screen::queue:
      if (!ctx.desk) DrawQueue(ctx, app.queue());
      break;
    case Screen::action:
      if (!ctx.desk) DrawAction(ctx, app.action_form());
      break;
    case Screen::hotline_import:
      DrawImport(ctx, app.import_view());
      break;
    case Screen::cockpit:
      DrawCockpit(ctx, app.cockpit());
      break;
    case Screen::board:
      DrawBoard(ctx, app.board());
      break;
  }
  Toast(ctx, shell.toast);
  // Escape goes back (the keyboard's Back), unless a text field is being edited or the
  // desk closed something with it.
  if (shell.can_go_back && !escape_taken && ImGui::GetActiveID() == 0 &&
      ImGui::IsKeyPressed(ImGuiKey_Escape, false))
    ctx.intents.emit(intent::GoBack{});
  ImGui::End();
  ctx.last_screen = shell.screen;
}

}  // namespace portal::client::ui
