// The handler workbench: the queue, the actions of a ticket and their forms, the
// hotline agent's batch import.
#include <cmath>
#include <string>

#include "imgui_internal.h"
#include "ui/screens.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

// The filter tabs of the queue: three equal buttons, the chosen one filled.
void FilterTabs(Ctx& ctx, const QueueView& v) {
  struct Tab {
    const char* id;
    T label;
    QueueFilter filter;
    std::size_t count;
  };
  const Tab tabs[] = {{"queue.filter.open", T::queue_open, QueueFilter::open, v.open},
                      {"queue.filter.overdue", T::queue_overdue, QueueFilter::overdue, v.overdue},
                      {"queue.filter.all", T::queue_all, QueueFilter::all, v.all}};
  const float gap = 8;
  const float w = std::floor((AvailWidth() - gap * 2) / 3);
  for (int i = 0; i < 3; ++i) {
    if (i > 0) ImGui::SameLine(0, gap);
    const std::string label =
        std::string(ctx.t(tabs[i].label)) + " " + std::to_string(tabs[i].count);
    if (Button(ctx, tabs[i].id, label,
               v.filter == tabs[i].filter ? ButtonKind::primary : ButtonKind::secondary, true, w))
      ctx.intents.emit(intent::SetQueueFilter{tabs[i].filter});
  }
}

}  // namespace

void DrawQueue(Ctx& ctx, const QueueView& v) {
  BeginBody(ctx, "body.queue");
  BeginCard(ctx);
  KeyValue(ctx, "queue.user", v.role_name, v.user_name);
  if (v.unread > 0) {
    Chip(ctx, "queue.unread", std::to_string(v.unread) + " " + std::string(ctx.t(T::queue_unread)),
         Tone::danger);
  }
  EndCard(ctx);
  if (v.can_patrol && Button(ctx, "queue.patrol", ctx.t(T::queue_patrol), ButtonKind::secondary))
    ctx.intents.emit(intent::FileForCaller{true});
  if (v.can_file) {
    if (Button(ctx, "queue.file", ctx.t(T::queue_file_call), ButtonKind::secondary))
      ctx.intents.emit(intent::FileForCaller{false});
    if (Button(ctx, "queue.import", ctx.t(T::queue_import), ButtonKind::secondary))
      ctx.intents.emit(intent::Navigate{Screen::hotline_import});
  }
  FilterTabs(ctx, v);
  const std::size_t n = v.rows ? v.rows->size() : 0;
  if (v.state == LoadState::failed) {
    Banner(ctx, "queue.error", v.error, Tone::danger);
    if (Button(ctx, "queue.retry", ctx.t(T::retry), ButtonKind::secondary))
      ctx.intents.emit(intent::RetryList{});
  } else if (n == 0 && v.state != LoadState::loaded) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 40), 14, theme::kPrimary);
    ImGui::Dummy(ImVec2(1, 80));
  } else if (n == 0) {
    Gap(24);
    Paragraph(ctx, ctx.t(T::queue_empty), ctx.fonts.body, theme::kHint, 1.5f, true);
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(n), TicketCardHeight(ctx) + ImGui::GetStyle().ItemSpacing.y);
  while (clipper.Step())
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const TicketRow& row = (*v.rows)[static_cast<std::size_t>(i)];
      const std::string id = "queue." + row.number;
      if (TicketCard(ctx, id.c_str(), row)) ctx.intents.emit(intent::OpenTicket{row.number, {}});
    }
  clipper.End();
  EndBody(ctx);
}

// The buttons of the actions a handler may take now (drawn on the ticket page).
void DrawTicketActions(Ctx& ctx, const TicketPage& v) {
  if (v.actions.empty()) return;
  SectionLabel(ctx, ctx.t(T::ticket_actions));
  const float gap = theme::kGap;
  const float half = std::floor((AvailWidth() - gap) * 0.5f);
  for (std::size_t i = 0; i < v.actions.size(); ++i) {
    const auto& a = v.actions[i];
    const std::string id = "act." + a.action;
    // The first action fills the row; the others go two by two.
    const bool first = i == 0;
    if (!first && (i % 2) == 0) ImGui::SameLine(0, gap);
    if (Button(ctx, id.c_str(), a.label, first ? ButtonKind::primary : ButtonKind::secondary,
               !v.busy, first ? 0 : half, v.busy && first))
      ctx.intents.emit(intent::OpenAction{a.action});
  }
}

void DrawAction(Ctx& ctx, const ActionFormView& v) {
  BeginBody(ctx, "body.action");
  BeginCard(ctx);
  KeyValue(ctx, "action.number", ctx.t(T::receipt_number), v.number);
  EndCard(ctx);

  if (v.pick_units || v.pick_whistle || v.pick_category) {
    SectionLabel(ctx, ctx.t(v.pick_units      ? T::pick_units
                            : v.pick_category ? T::pick_category
                                              : T::pick_whistle));
    BeginCard(ctx, true);
    if (v.picks.empty()) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 30), 12, theme::kPrimary);
      ImGui::Dummy(ImVec2(1, 60));
    }
    for (std::size_t i = 0; i < v.picks.size(); ++i) {
      const PickRow& p = v.picks[i];
      const std::string id = "action.pick." + std::to_string(i);
      if (ListRow(ctx, id.c_str(), p.name, p.detail, p.checked, i + 1 < v.picks.size(), true))
        ctx.intents.emit(intent::TogglePick{p.id});
    }
    EndCard(ctx);
  }

  if (v.merge) {
    BeginCard(ctx);
    TextField(ctx, "action.into", Field::action_into, ctx.t(T::field_into), ctx.t(T::number_hint),
              v.into, FieldKind::ticket_number);
    EndCard(ctx);
  }

  if (v.rating) RatingChoices(ctx, "action", v.resolved, v.satisfaction);

  if (!v.note_label.empty()) {
    BeginCard(ctx);
    TextArea(ctx, "action.note", Field::action_note, v.note_label, v.note_hint, v.note, {});
    EndCard(ctx);
  }

  if (v.photos) {
    SectionLabel(ctx, ctx.t(T::resolve_photos));
    BeginCard(ctx);
    for (std::size_t i = 0; i < v.photo_slots.size(); ++i) {
      const PhotoSlotView& p = v.photo_slots[i];
      const std::string id = "action.photo." + std::to_string(i);
      const std::string state =
          p.state == 1   ? std::to_string(p.width) + "×" + std::to_string(p.height)
          : p.state == 2 ? std::string(ctx.t(T::photo_failed))
                         : std::to_string(static_cast<int>(p.progress * 100)) + "%";
      KeyValue(ctx, id.c_str(), ctx.t(T::ticket_photos), state);
    }
    if (Button(ctx, "action.add_photos", ctx.t(T::add_photos), ButtonKind::ghost))
      ctx.intents.emit(intent::AddPhotos{});
    EndCard(ctx);
  }

  if (!v.error.empty()) Banner(ctx, "action.error", v.error, Tone::danger);
  if (Button(ctx, "action.submit", v.busy ? ctx.t(T::action_sending) : ctx.t(T::action_submit),
             ButtonKind::primary, true, 0, v.busy))
    ctx.intents.emit(intent::SubmitAction{});
  EndBody(ctx);
}

void DrawImport(Ctx& ctx, const ImportView& v) {
  BeginBody(ctx, "body.import");
  BeginCard(ctx);
  TextArea(ctx, "import.text", Field::import_text, ctx.t(T::import_label), ctx.t(T::import_hint),
           v.text, {});
  EndCard(ctx);
  if (!v.error.empty()) Banner(ctx, "import.error", v.error, Tone::danger);
  if (Button(ctx, "import.button", v.busy ? ctx.t(T::action_sending) : ctx.t(T::import_button),
             ButtonKind::primary, true, 0, v.busy))
    ctx.intents.emit(intent::SubmitImport{});
  if (v.done) {
    BeginCard(ctx);
    KeyValue(ctx, "import.created", ctx.t(T::import_created), std::to_string(v.created));
    if (v.errors.empty())
      Paragraph(ctx, ctx.t(T::import_no_errors), ctx.fonts.small, theme::kSuccess, 1.45f);
    for (std::size_t i = 0; i < v.errors.size(); ++i) {
      const std::string id = "import.row." + std::to_string(i);
      const std::string key = std::string(ctx.t(T::import_row)) + " " + v.errors[i].row + " " +
                              std::string(ctx.t(T::import_row_suffix));
      KeyValue(ctx, id.c_str(), key, v.errors[i].error, theme::kDanger);
    }
    EndCard(ctx);
  }
  EndBody(ctx);
}

}  // namespace portal::client::ui
