#include <cmath>
#include <string>

#include "imgui_internal.h"
#include "ui/screens.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

void DrawSubmit(Ctx& ctx, const SubmitView& v) {
  BeginBody(ctx, "body.submit");
  // Scroll to the first field with a problem, once per submit attempt.
  const bool focus_now = v.focus_seq != ctx.focus_seq_seen;
  ctx.focus_seq_seen = v.focus_seq;
  auto focus = [&](Field f) { return focus_now && !v.focus_category && v.focus_field == f; };

  // What and where.
  BeginCard(ctx);
  {
    std::string_view placeholder = ctx.t(T::category_choose);
    if (v.categories == LoadState::loading) placeholder = ctx.t(T::category_loading);
    if (v.categories == LoadState::failed) placeholder = ctx.t(T::category_failed);
    if (SelectRow(ctx, "submit.category", ctx.t(T::field_category), v.category_name, placeholder,
                  v.category_error, focus_now && v.focus_category)) {
      if (v.categories == LoadState::failed) ctx.intents.emit(intent::RetryCategories{});
      ctx.intents.emit(intent::Navigate{Screen::categories});
    }
    const std::string counter =
        std::to_string(v.description_chars) + " / " + std::to_string(v.description_max);
    TextArea(ctx, "submit.description", Field::description, ctx.t(T::field_description),
             ctx.t(T::description_hint), v.description, counter, focus(Field::description));
  }
  EndCard(ctx);

  BeginCard(ctx);
  {
    TextField(ctx, "submit.address", Field::address, ctx.t(T::field_address),
              ctx.t(T::address_hint), v.address, FieldKind::text, {}, focus(Field::address));
    // Latitude and longitude side by side; the map picker replaces them later.
    ImGuiWindow* w = ImGui::GetCurrentWindow();
    const float gap = theme::kGap;
    const float half = std::floor((AvailWidth() - gap) * 0.5f);
    const float x0 = w->DC.CursorPos.x;
    const float saved = w->ContentRegionRect.Max.x, saved_work = w->WorkRect.Max.x;
    ImGui::BeginGroup();
    w->ContentRegionRect.Max.x = w->WorkRect.Max.x = x0 + half;
    TextField(ctx, "submit.lat", Field::lat, ctx.t(T::field_lat), {}, v.lat, FieldKind::decimal, {},
              focus(Field::lat));
    ImGui::EndGroup();
    ImGui::SameLine(0, gap);
    ImGui::BeginGroup();
    w->ContentRegionRect.Max.x = w->WorkRect.Max.x = saved;
    TextField(ctx, "submit.lng", Field::lng, ctx.t(T::field_lng), {}, v.lng, FieldKind::decimal, {},
              focus(Field::lng));
    ImGui::EndGroup();
    w->ContentRegionRect.Max.x = saved;
    w->WorkRect.Max.x = saved_work;
    Paragraph(ctx, ctx.t(T::coords_note), ctx.fonts.small, theme::kHint, 1.4f);
  }
  EndCard(ctx);

  // Who reports.
  BeginCard(ctx);
  {
    TextField(ctx, "submit.name", Field::name, ctx.t(T::field_name), ctx.t(T::name_hint), v.name,
              FieldKind::text, {}, focus(Field::name));
    TextField(ctx, "submit.phone", Field::phone, ctx.t(T::field_phone), ctx.t(T::phone_hint),
              v.phone, FieldKind::phone, ctx.t(T::phone_note), focus(Field::phone));
    if (Checkbox(ctx, "submit.anonymous", ctx.t(T::anonymous), v.anonymous))
      ctx.intents.emit(intent::SetAnonymous{!v.anonymous});
  }
  EndCard(ctx);

  if (!v.banner.empty()) Banner(ctx, "submit.banner", v.banner, Tone::danger);
  if (Button(ctx, "submit.button", v.submitting ? ctx.t(T::submitting) : ctx.t(T::submit_button),
             ButtonKind::primary, true, 0, v.submitting))
    ctx.intents.emit(intent::SubmitTicket{});
  EndBody(ctx);
}

void DrawCategories(Ctx& ctx, const CategoriesView& v) {
  BeginBody(ctx, "body.categories");
  TextField(ctx, "categories.search", Field::category_search, {}, ctx.t(T::search_hint), v.search);
  if (v.state == LoadState::loading && v.groups.empty()) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    Spinner(ctx, ImVec2(p.x + AvailWidth() * 0.5f, p.y + 40), 14, theme::kPrimary);
    ImGui::Dummy(ImVec2(1, 80));
  } else if (v.state == LoadState::failed) {
    Banner(ctx, "categories.error", v.error, Tone::danger);
    if (Button(ctx, "categories.retry", ctx.t(T::retry), ButtonKind::secondary))
      ctx.intents.emit(intent::RetryCategories{});
  } else if (v.groups.empty()) {
    Gap(12);
    Paragraph(ctx, ctx.t(T::no_match), ctx.fonts.body, theme::kHint, 1.5f, true);
  }
  for (const CategoryGroup& g : v.groups) {
    SectionLabel(ctx, g.name);
    BeginCard(ctx, true);
    for (std::size_t i = 0; i < g.items.size(); ++i) {
      const CategoryItem& item = g.items[i];
      const std::string id = "category." + item.code;
      if (ListRow(ctx, id.c_str(), item.name, {}, item.code == v.selected, i + 1 < g.items.size()))
        ctx.intents.emit(intent::PickCategory{item.code});
    }
    EndCard(ctx);
  }
  EndBody(ctx);
}

}  // namespace portal::client::ui
