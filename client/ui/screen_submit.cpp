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

// "可能是：" and up to three categories as chips, wrapping; a tap picks that category.
void SuggestionChips(Ctx& ctx, const std::vector<CategoryItem>& chips) {
  if (chips.empty()) return;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const std::string_view lead = ctx.t(T::suggest_lead);
  ImFont* font = ctx.fonts.small;
  const float size = ctx.size(font);
  const float h = std::max(size + 18, 36.0f), gap = 8;
  const float x0 = w->DC.CursorPos.x, right = x0 + AvailWidth();
  // The lead on the first row, vertically centred with the chips.
  const ImVec2 lead_size = MeasureText(font, size, lead);
  ImVec2 p = w->DC.CursorPos;
  DrawText(w->DrawList, font, size, ImVec2(p.x, p.y + std::floor((h - size) * 0.5f)), theme::kText2,
           lead);
  {
    std::string all;
    for (const auto& c : chips) all += (all.empty() ? "" : " · ") + c.name;
    ImGui::ItemAdd(ImRect(p, ImVec2(p.x + lead_size.x, p.y + h)), 0);
    Record(ctx, "submit.suggest", "text", lead, all);
  }
  float x = p.x + lead_size.x + 4, y = p.y;
  for (std::size_t i = 0; i < chips.size(); ++i) {
    const CategoryItem& c = chips[i];
    const float cw = std::min(MeasureText(font, size, c.name).x + 28, right - x0);
    if (x + cw > right && x > x0) {
      x = x0;
      y += h + gap;
    }
    const std::string id = "submit.suggest." + std::to_string(i);
    const ImGuiID gid = w->GetID(id.c_str());
    const ImRect bb(ImVec2(x, y), ImVec2(x + cw, y + h));
    bool held = false;
    if (ImGui::ItemAdd(bb, gid)) {
      bool hovered = false;
      if (ImGui::ButtonBehavior(bb, gid, &hovered, &held))
        ctx.intents.emit(intent::PickCategory{c.code});
      w->DrawList->AddRectFilled(bb.Min, bb.Max, held ? theme::kPressed : theme::kPrimarySoft,
                                 h * 0.5f);
      w->DrawList->AddRect(bb.Min, bb.Max, theme::kPrimary, h * 0.5f, 0, 1.0f);
      w->DrawList->PushClipRect(bb.Min, bb.Max, true);
      DrawText(w->DrawList, font, size, ImVec2(bb.Min.x + 14, y + std::floor((h - size) * 0.5f)),
               theme::kPrimary, c.name);
      w->DrawList->PopClipRect();
    }
    // Records the chip's own rectangle (ItemAdd set it): a button that picks a category.
    ImGui::GetCurrentContext()->LastItemData.Rect = bb;
    Record(ctx, id.c_str(), "button", c.name, c.code, true, held);
    x += cw + gap;
  }
  ImGui::SetCursorScreenPos(ImVec2(x0, p.y));
  ImGui::ItemSize(ImRect(ImVec2(x0, p.y), ImVec2(right, y + h)));
}

// "已有人反映？": open reports of this category near this place, each with "me too"; for an
// anonymous citizen the choice of signing in or sending anyway; after following, a link
// to it and the offer to discard this draft. Never in the way of sending.
void NearbyPanel(Ctx& ctx, const NearbyView& v) {
  if (!v.shown) return;
  BeginCard(ctx);
  Paragraph(ctx, ctx.t(T::nearby_title), ctx.fonts.title, theme::kText, 1.3f);
  Record(ctx, "nearby.title", "text", ctx.t(T::nearby_title));
  if (!v.rows.empty()) Paragraph(ctx, ctx.t(T::nearby_lead), ctx.fonts.small, theme::kText2, 1.45f);
  for (std::size_t i = 0; i < v.rows.size(); ++i) {
    const NearbyRow& r = v.rows[i];
    const std::string base = "nearby." + std::to_string(i);
    if (i > 0) {
      ImGuiWindow* w = ImGui::GetCurrentWindow();
      const float y = w->DC.CursorPos.y - 2;
      w->DrawList->AddLine(ImVec2(w->DC.CursorPos.x, y),
                           ImVec2(w->DC.CursorPos.x + AvailWidth(), y), theme::kDivider);
      Gap(4);
    }
    const std::string summary =
        clamp_lines(ctx.fonts.body, ctx.size(ctx.fonts.body), r.summary, AvailWidth(), 2);
    Paragraph(ctx, summary, ctx.fonts.body, theme::kText, 1.45f);
    Record(ctx, base.c_str(), "text", r.summary);  // whole, for screen readers
    std::string meta = r.status_name + "  ·  " + r.distance;
    if (!r.followers.empty()) meta += "  ·  " + r.followers;
    Paragraph(ctx, meta, ctx.fonts.small, theme::kText2, 1.4f);
    Record(ctx, (base + ".meta").c_str(), "text", meta);
    const std::string follow = base + ".follow";
    if (r.followed) {
      Chip(ctx, follow.c_str(), ctx.t(T::nearby_followed), Tone::success);
    } else if (!v.can_follow) {
      // Staff filing for a caller: they can tell the caller it is reported already.
    } else if (const std::string_view label =
                   r.busy ? ctx.t(T::nearby_following) : ctx.t(T::nearby_follow);
               // As wide as its words (compact), never wider than the card.
               Button(ctx, follow.c_str(), label, ButtonKind::secondary, true,
                      std::min(AvailWidth(),
                               std::floor(MeasureText(ctx.fonts.body, ctx.size(ctx.fonts.body) + 1,
                                                      ctx.t(T::nearby_follow))
                                              .x +
                                          56)),
                      r.busy)) {
      ctx.intents.emit(intent::Nearby{intent::NearbyOp::follow, r.number});
    }
  }
  if (!v.ask_sign_in.empty()) {
    Banner(ctx, "nearby.ask", ctx.t(T::nearby_ask_sign_in), Tone::info);
    const float gap = theme::kGap;
    const float half = std::floor((AvailWidth() - gap) * 0.5f);
    if (Button(ctx, "nearby.sign_in", ctx.t(T::nearby_sign_in), ButtonKind::primary, true, half))
      ctx.intents.emit(intent::Nearby{intent::NearbyOp::sign_in, v.ask_sign_in});
    ImGui::SameLine(0, gap);
    if (Button(ctx, "nearby.send_anyway", ctx.t(T::nearby_send_anyway), ButtonKind::secondary, true,
               half))
      ctx.intents.emit(intent::SubmitTicket{});
    if (Button(ctx, "nearby.dismiss", ctx.t(T::nearby_cancel), ButtonKind::ghost))
      ctx.intents.emit(intent::Nearby{intent::NearbyOp::dismiss, {}});
  }
  if (!v.followed_number.empty()) {
    Banner(ctx, "nearby.done", v.followed_note, Tone::success);
    if (Button(ctx, "nearby.open", ctx.t(T::nearby_open), ButtonKind::ghost))
      ctx.intents.emit(intent::OpenTicket{v.followed_number, {}});
    if (v.offer_discard) {
      Paragraph(ctx, ctx.t(T::nearby_discard_ask), ctx.fonts.small, theme::kText2, 1.45f);
      const float gap = theme::kGap;
      const float half = std::floor((AvailWidth() - gap) * 0.5f);
      if (Button(ctx, "nearby.discard", ctx.t(T::nearby_discard), ButtonKind::secondary, true,
                 half))
        ctx.intents.emit(intent::Nearby{intent::NearbyOp::discard_draft, {}});
      ImGui::SameLine(0, gap);
      if (Button(ctx, "nearby.keep", ctx.t(T::nearby_keep), ButtonKind::secondary, true, half))
        ctx.intents.emit(intent::Nearby{intent::NearbyOp::keep_draft, {}});
    }
  }
  if (!v.error.empty()) {
    Paragraph(ctx, v.error, ctx.fonts.small, v.retry ? theme::kText2 : theme::kDanger, 1.45f);
    Record(ctx, "nearby.error", "text", ctx.t(T::nearby_title), v.error);
    if (v.retry && Button(ctx, "nearby.retry", ctx.t(T::retry), ButtonKind::ghost))
      ctx.intents.emit(intent::Nearby{intent::NearbyOp::retry, {}});
  }
  EndCard(ctx);
}

}  // namespace

void DrawSubmit(Ctx& ctx, const SubmitView& v) {
  BeginBody(ctx, "body.submit");
  // Scroll to the first field with a problem, once per submit attempt.
  const bool focus_now = v.focus_seq != ctx.focus_seq_seen;
  ctx.focus_seq_seen = v.focus_seq;
  auto focus = [&](Field f) {
    return focus_now && !v.focus_category && !v.focus_location && v.focus_field == f;
  };

  // What and where.
  BeginCard(ctx);
  {
    // What the description suggests, above the picker: only a tap picks one.
    SuggestionChips(ctx, v.suggestions);
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

  // Where: a place (the map, the browser's position, coordinates) or the submitter's
  // word that they do not know it; never a default.
  BeginCard(ctx);
  {
    TextField(ctx, "submit.address", Field::address, ctx.t(T::field_address),
              ctx.t(T::address_hint), v.address, FieldKind::text, {}, focus(Field::address));
    const std::string_view place_label = ctx.t(T::field_place);
    // The choice as it stands ("" before one is made), or what is missing.
    const std::string& state = v.place;
    Paragraph(ctx, place_label, ctx.fonts.small,
              v.location_error.empty() ? theme::kText2 : theme::kDanger);
    Record(ctx, "submit.location", "text", place_label,
           v.location_unknown ? ctx.t(T::location_unknown) : std::string_view(state), true, false,
           v.location_error);
    if (focus_now && v.focus_location) ImGui::SetScrollHereY(0.3f);
    Paragraph(ctx, ctx.t(T::place_how), ctx.fonts.small, theme::kHint, 1.4f);
    // Search the district's places: a pick places the point (and names the address).
    TextField(ctx, "submit.place_search", Field::place_search, ctx.t(T::place_search),
              ctx.t(T::place_search_hint), v.place_search);
    if (!v.place_results.empty()) {
      for (std::size_t i = 0; i < v.place_results.size(); ++i) {
        const std::string id = "submit.place_result." + std::to_string(i);
        if (ListRow(ctx, id.c_str(), v.place_results[i].name, v.place_results[i].detail, false,
                    i + 1 < v.place_results.size()))
          ctx.intents.emit(intent::PickPlace{i});
      }
    } else if (v.places == LoadState::loaded && !v.place_search.value.empty()) {
      Paragraph(ctx, ctx.t(T::place_none), ctx.fonts.small, theme::kHint, 1.4f);
    }
    GridMap(ctx, "submit.map", v.map, std::floor(std::min(AvailWidth() * 0.8f, 320.0f)));
    Paragraph(ctx, ctx.t(T::map_hint), ctx.fonts.small, theme::kHint, 1.4f);
    if (Button(ctx, "submit.locate", v.locating ? ctx.t(T::locating) : ctx.t(T::use_location),
               ButtonKind::ghost, true, 0, v.locating))
      ctx.intents.emit(intent::UseMyLocation{});
    if (!v.locate_error.empty()) Banner(ctx, "submit.locate_error", v.locate_error, Tone::warning);
    if (Checkbox(ctx, "submit.location_unknown", ctx.t(T::location_unknown), v.location_unknown))
      ctx.intents.emit(intent::SetLocationUnknown{!v.location_unknown});
    // Under the choices, as a field's error: what is missing; else the choice made.
    if (!v.location_error.empty()) {
      Paragraph(ctx, v.location_error, ctx.fonts.small, theme::kDanger, 1.4f);
    } else if (!state.empty()) {
      if (v.location_unknown) {
        Paragraph(ctx, state, ctx.fonts.small, theme::kText2, 1.4f);
        Record(ctx, "submit.place", "text", ctx.t(T::location_unknown), state);
      } else {
        KeyValue(ctx, "submit.place", ctx.t(T::place_grid), state);
      }
    }
    if (!v.nearest.empty()) KeyValue(ctx, "submit.nearest", ctx.t(T::nearest_mediation), v.nearest);
    if (!v.location_unknown) {
      // Latitude and longitude side by side: what the map and the position fill in.
      ImGuiWindow* w = ImGui::GetCurrentWindow();
      const float gap = theme::kGap;
      const float half = std::floor((AvailWidth() - gap) * 0.5f);
      const float x0 = w->DC.CursorPos.x;
      const float saved = w->ContentRegionRect.Max.x, saved_work = w->WorkRect.Max.x;
      ImGui::BeginGroup();
      w->ContentRegionRect.Max.x = w->WorkRect.Max.x = x0 + half;
      TextField(ctx, "submit.lat", Field::lat, ctx.t(T::field_lat), {}, v.lat, FieldKind::decimal,
                {}, focus(Field::lat));
      ImGui::EndGroup();
      ImGui::SameLine(0, gap);
      ImGui::BeginGroup();
      w->ContentRegionRect.Max.x = w->WorkRect.Max.x = saved;
      TextField(ctx, "submit.lng", Field::lng, ctx.t(T::field_lng), {}, v.lng, FieldKind::decimal,
                {}, focus(Field::lng));
      ImGui::EndGroup();
      w->ContentRegionRect.Max.x = saved;
      w->WorkRect.Max.x = saved_work;
      Paragraph(ctx, ctx.t(T::coords_note), ctx.fonts.small, theme::kHint, 1.4f);
    }
  }
  EndCard(ctx);

  // Photos: tiles with their upload progress, and a tile that adds more.
  BeginCard(ctx);
  {
    SectionLabel(ctx, ctx.t(T::field_photos), false);
    ImGuiWindow* w = ImGui::GetCurrentWindow();
    // Four photos to a row, three in 长辈版 or a narrow (zoomed) column.
    const int per_row = ctx.elderly || AvailWidth() < 260 ? 3 : 4;
    const float gap = 8, tile = std::floor((AvailWidth() - gap * (per_row - 1)) / per_row);
    const float x0 = w->DC.CursorPos.x;
    std::size_t n = 0;
    for (std::size_t i = 0; i < v.photos.size(); ++i, ++n) {
      if (n % per_row) ImGui::SameLine(0, gap);
      const PhotoSlotView& p = v.photos[i];
      const ImVec2 pos = w->DC.CursorPos;
      const ImRect bb(pos, pos + ImVec2(tile, tile));
      ImGui::ItemSize(bb);
      ImGui::ItemAdd(bb, 0);
      ImDrawList* dl = w->DrawList;
      dl->AddRectFilled(bb.Min, bb.Max, p.state == 2 ? theme::kDangerSoft : theme::kPrimarySoft,
                        theme::kFieldRadius);
      std::string label = p.state == 1   ? std::to_string(p.width) + "×" + std::to_string(p.height)
                          : p.state == 2 ? std::string(ctx.t(T::photo_failed))
                          : p.state == 4 ? std::string(ctx.t(T::photo_kept))
                                         : std::to_string(static_cast<int>(p.progress * 100)) + "%";
      const float small = ctx.size(ctx.fonts.small);
      const ImVec2 ts = ctx.fonts.small->CalcTextSizeA(small, FLT_MAX, 0,
                                                       Needing(ctx.fonts.small, label.c_str()));
      dl->AddText(ctx.fonts.small, small, bb.GetCenter() - ts * 0.5f,
                  p.state == 2 ? theme::kDanger : theme::kPrimary,
                  Needing(ctx.fonts.small, label.c_str()));
      if (p.state == 0)
        dl->AddRectFilled(ImVec2(bb.Min.x + 6, bb.Max.y - 10),
                          ImVec2(bb.Min.x + 6 + (tile - 12) * p.progress, bb.Max.y - 6),
                          theme::kPrimary, 2);
      if (p.state == 1)
        IconCheckCircle(dl, ImVec2(bb.Max.x - 12, bb.Min.y + 12), 8, theme::kSuccess,
                        theme::kWhite);
      const std::string id = "submit.photo." + std::to_string(i);
      Record(ctx, id.c_str(), "image", ctx.t(T::ticket_photos),
             p.state == 1   ? "done"
             : p.state == 2 ? "failed"
             : p.state == 4 ? "kept"
                            : "uploading");
    }
    if (v.photos.size() < v.photos_max) {
      if (n % per_row) ImGui::SameLine(0, gap);
      const ImVec2 pos = w->DC.CursorPos;
      const ImGuiID gid = w->GetID("submit.add_photos");
      const ImRect bb(pos, pos + ImVec2(tile, tile));
      ImGui::ItemSize(bb);
      const std::string_view add = ctx.t(T::add_photos);
      bool held = false;
      if (ImGui::ItemAdd(bb, gid)) {
        bool hovered = false;
        if (ImGui::ButtonBehavior(bb, gid, &hovered, &held)) ctx.intents.emit(intent::AddPhotos{});
        ImDrawList* dl = w->DrawList;
        dl->AddRectFilled(bb.Min, bb.Max, held ? theme::kPressed : theme::kSurface,
                          theme::kFieldRadius);
        dl->AddRect(bb.Min, bb.Max, theme::kBorder, theme::kFieldRadius, 0, 1.0f);
        const ImVec2 c = bb.GetCenter() - ImVec2(0, 8);
        dl->AddLine(ImVec2(c.x - 10, c.y), ImVec2(c.x + 10, c.y), theme::kHint, 2);
        dl->AddLine(ImVec2(c.x, c.y - 10), ImVec2(c.x, c.y + 10), theme::kHint, 2);
        const float small = ctx.size(ctx.fonts.small);
        const ImVec2 ts = ctx.fonts.small->CalcTextSizeA(
            small, FLT_MAX, 0, Needing(ctx.fonts.small, add.data(), add.data() + add.size()),
            add.data() + add.size());
        dl->AddText(ctx.fonts.small, small, ImVec2(c.x - ts.x * 0.5f, c.y + 16), theme::kText2,
                    Needing(ctx.fonts.small, add.data(), add.data() + add.size()),
                    add.data() + add.size());
      }
      // Listed also when scrolled out of view, so tests can find and scroll to it.
      Record(ctx, "submit.add_photos", "button", add, {}, true, held);
    }
    w->DC.CursorPos.x = x0;
    if (!v.photos_error.empty()) Banner(ctx, "submit.photos_error", v.photos_error, Tone::warning);
  }
  EndCard(ctx);

  // Who reports.
  BeginCard(ctx);
  {
    TextField(ctx, "submit.name", Field::name, ctx.t(T::field_name), ctx.t(T::name_hint), v.name,
              FieldKind::text, {}, focus(Field::name));
    TextField(ctx, "submit.phone", Field::phone, ctx.t(T::field_phone), ctx.t(T::phone_hint),
              v.phone, FieldKind::phone, ctx.t(T::phone_note), focus(Field::phone));
    if (Checkbox(ctx, "submit.notify", ctx.t(T::notify_submit), v.notify))
      ctx.intents.emit(intent::SetNotify{!v.notify});
    if (v.patrol) {
      if (Checkbox(ctx, "submit.on_the_spot", ctx.t(T::patrol_on_spot), v.on_the_spot))
        ctx.intents.emit(intent::SetAnonymous{!v.on_the_spot});
    } else if (Checkbox(ctx, "submit.anonymous", ctx.t(T::anonymous), v.anonymous)) {
      ctx.intents.emit(intent::SetAnonymous{!v.anonymous});
    }
  }
  EndCard(ctx);

  NearbyPanel(ctx, v.nearby);
  if (!v.banner.empty()) Banner(ctx, "submit.banner", v.banner, Tone::danger);
  if (Button(ctx, "submit.button",
             v.submitting ? ctx.t(T::submitting)
             : v.offline  ? ctx.t(T::submit_offline)
                          : ctx.t(T::submit_button),
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
