#include <algorithm>
#include <cmath>

#include "app/routes.hpp"
#include "imgui_internal.h"
#include "ui/screens.hpp"
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

}  // namespace

void DrawApp(Ctx& ctx, const App& app) {
  const ShellView shell = app.shell();
  ctx.lang = shell.lang;
  ctx.elderly = shell.elderly;
  ctx.screen_changed = shell.screen != ctx.last_screen;
  ctx.column_w = std::min(ctx.display.x, theme::kMaxColumn);
  ctx.column_x = std::floor((ctx.display.x - ctx.column_w) * 0.5f);

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

  // The cockpit and the board use a wide column on wide screens, and so does their bar.
  if (shell.screen == Screen::cockpit || shell.screen == Screen::board) {
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
      DrawTicket(ctx, app.ticket());
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
      DrawQueue(ctx, app.queue());
      break;
    case Screen::action:
      DrawAction(ctx, app.action_form());
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
  // Escape goes back (the keyboard's Back), unless a text field is being edited.
  if (shell.can_go_back && ImGui::GetActiveID() == 0 && ImGui::IsKeyPressed(ImGuiKey_Escape, false))
    ctx.intents.emit(intent::GoBack{});
  ImGui::End();
  ctx.last_screen = shell.screen;
}

}  // namespace portal::client::ui
