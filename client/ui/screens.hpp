// The screens of the citizen portal. Each draws one view-model and emits intents.
#pragma once

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

}  // namespace portal::client::ui
