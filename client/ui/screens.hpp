// The screens of the citizen portal. Each draws one view-model and emits intents.
#pragma once

#include <vector>

#include "app/app.hpp"
#include "ui/context.hpp"

namespace portal::client::ui {

// The whole UI for one frame: top bar, the current screen, notices.
void DrawApp(Ctx& ctx, const App& app);

void DrawHome(Ctx& ctx, const HomeView& v);
void DrawSubmit(Ctx& ctx, const SubmitView& v);
void DrawCategories(Ctx& ctx, const CategoriesView& v);
void DrawReceipt(Ctx& ctx, const ReceiptView& v);
void DrawTrack(Ctx& ctx, const TrackView& v);
void DrawTicket(Ctx& ctx, const TicketPage& v);
void DrawAccount(Ctx& ctx, const AccountView& v);
void DrawMyTickets(Ctx& ctx, const MyTicketsView& v);
void DrawRate(Ctx& ctx, const RateView& v);
void DrawServices(Ctx& ctx, const ServicesView& v);
void DrawCockpit(Ctx& ctx, const CockpitView& v);
void DrawBoard(Ctx& ctx, const BoardView& v);

// The handler workbench (screen_workbench.cpp).
void DrawQueue(Ctx& ctx, const QueueView& v);
void DrawTicketActions(Ctx& ctx, const TicketPage& v);
void DrawAction(Ctx& ctx, const ActionFormView& v);
void DrawImport(Ctx& ctx, const ImportView& v);

// The desk (screen_desk.cpp): a handler's queue with its filters beside the ticket or the
// action form, on a wide screen. True when it took this frame's Escape (closing the help
// or a filter's choices).
bool DrawDesk(Ctx& ctx, const App& app);

// The rating choices (resolved yes/no, then the five-step scale), shared by the citizen's
// rating and a phone rating recorded by staff. `prefix` names the widgets ("rate", ...).
void RatingChoices(Ctx& ctx, const char* prefix, int resolved, int satisfaction);

// One ticket of a list (my tickets, a handler's queue) and its height.
bool TicketCard(Ctx& ctx, const char* id, const TicketRow& r);
float TicketCardHeight(const Ctx& ctx);

}  // namespace portal::client::ui
