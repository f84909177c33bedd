// The data cockpit and the public board. Wide screens get a wide column (the rates in
// one row, tall charts); phones get the same content stacked, tiles two to a row.
#include <algorithm>
#include <cmath>
#include <string>

#include "imgui_internal.h"
#include "ui/charts.hpp"
#include "ui/screens.hpp"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

constexpr float kWideColumn = 1760;

void WideColumn(Ctx& ctx) {
  ctx.column_w = std::min(ctx.display.x, kWideColumn);
  ctx.column_x = std::floor((ctx.display.x - ctx.column_w) * 0.5f);
}
bool Wide(const Ctx& ctx) {
  return ctx.column_w >= 900;
}

void Op(Ctx& ctx, intent::CockpitOp op, std::string arg = {}, std::string arg2 = {}) {
  ctx.intents.emit(intent::Cockpit{op, std::move(arg), std::move(arg2)});
}

void Overview(Ctx& ctx, const CockpitView& v) {
  const bool wide = Wide(ctx);
  SectionLabel(ctx, ctx.t(T::period_30_days));
  KpiTiles(ctx, v.kpis, wide ? static_cast<int>(v.kpis.size()) : 2, wide ? 150 : 122);
  Gap(theme::kGap);
  KpiTiles(ctx, v.counts, wide ? 4 : 2, 90);
  Gap(theme::kGap * 2);
  if (auto k = Choices(ctx, "cockpit.interval", v.intervals); !k.empty())
    Op(ctx, intent::CockpitOp::interval, k);
  Gap(theme::kGap);
  SideBySide(
      ctx, wide, 0.5f, [&] { Chart(ctx, v.volume, wide ? 260 : 180); },
      [&] { Chart(ctx, v.rates, wide ? 260 : 180); });
  Gap(theme::kGap * 2);
  if (auto k = Choices(ctx, "cockpit.dim", v.dims); !k.empty()) Op(ctx, intent::CockpitOp::dim, k);
  Gap(6);
  if (auto k = Choices(ctx, "cockpit.metric", v.metrics); !k.empty())
    Op(ctx, intent::CockpitOp::metric, k);
  Gap(theme::kGap);
  Table(ctx, v.ranking, 20);
}

void HeatLegend(Ctx& ctx, const CockpitView& v) {
  // White → amber → red by tickets per grid, on a square-root scale: the mark half-way
  // along the bar is a quarter of the densest grid's count.
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float small = ctx.size(ctx.fonts.small);
  ImDrawList* dl = w->DrawList;
  const std::string_view label = ctx.t(T::heat_legend);
  auto text = [&](ImVec2 at, std::string_view s) {
    DrawText(dl, ctx.fonts.small, small, at, theme::kText2, s);
  };
  auto width = [&](std::string_view s) { return MeasureText(ctx.fonts.small, small, s).x; };
  const ImVec2 p = w->DC.CursorPos;
  text(p, label);
  const float gx = p.x + width(label) + 12;
  const float gw = std::max(120.0f, std::min(220.0f, AvailWidth() - (gx - p.x) - 8));
  const float y0 = p.y + 2, y1 = p.y + small;
  dl->AddRectFilledMultiColor(ImVec2(gx, y0), ImVec2(gx + gw * 0.5f, y1),
                              IM_COL32(250, 250, 245, 255), IM_COL32(250, 180, 60, 255),
                              IM_COL32(250, 180, 60, 255), IM_COL32(250, 250, 245, 255));
  dl->AddRectFilledMultiColor(ImVec2(gx + gw * 0.5f, y0), ImVec2(gx + gw, y1),
                              IM_COL32(250, 180, 60, 255), IM_COL32(190, 30, 40, 255),
                              IM_COL32(190, 30, 40, 255), IM_COL32(250, 180, 60, 255));
  dl->AddRect(ImVec2(gx, y0), ImVec2(gx + gw, y1), theme::kBorder);
  // Ticks and their counts under the bar.
  const float ty = y1 + 2;
  const std::string* marks[3] = {&v.heat_legend_low, &v.heat_legend_mid, &v.heat_legend_high};
  for (int i = 0; i < 3; ++i) {
    const float x = gx + gw * 0.5f * static_cast<float>(i);
    dl->AddLine(ImVec2(x, y1), ImVec2(x, y1 + 4), theme::kText2);
    const float tw = width(*marks[i]);
    text(ImVec2(std::floor(i == 0 ? x : i == 2 ? x - tw : x - tw * 0.5f), ty + 4), *marks[i]);
  }
  const ImRect all(p, ImVec2(gx + gw, ty + 4 + small));
  ImGui::ItemSize(all);
  ImGui::ItemAdd(all, 0);
  const std::string value =
      std::string(v.heat_legend_low) + " · " + v.heat_legend_mid + " · " + v.heat_legend_high;
  Record(ctx, "cockpit.heat_legend", "text", label, value);
  Paragraph(ctx, ctx.t(T::heat_legend_note), ctx.fonts.small, theme::kHint, 1.4f);
}

// The grid tapped on the heat map: its name, place and figures.
void HeatPick(Ctx& ctx, const CockpitView& v) {
  const auto& f = v.heat_pick;
  if (!f.shown) {
    Paragraph(ctx, ctx.t(T::heat_pick_hint), ctx.fonts.small, theme::kHint, 1.4f);
    return;
  }
  BeginCard(ctx);
  Paragraph(ctx, f.name, ctx.fonts.title, theme::kText, 1.3f);
  Record(ctx, "cockpit.heat_grid", "text", f.name, f.place);
  if (!f.place.empty()) Paragraph(ctx, f.place, ctx.fonts.small, theme::kText2, 1.4f);
  Gap(8);
  if (f.state == LoadState::loading) {
    Paragraph(ctx, ctx.t(T::loading), ctx.fonts.small, theme::kHint, 1.4f);
  } else if (!f.error.empty()) {
    Banner(ctx, "cockpit.heat_grid.error", f.error, Tone::danger);
  } else {
    KpiTiles(ctx, f.kpis, 2, 96);
  }
  EndCard(ctx);
}

void HeatMap(Ctx& ctx, const CockpitView& v) {
  const bool wide = Wide(ctx);
  SideBySide(
      ctx, wide, 0.66f,
      [&] {
        SectionLabel(ctx, ctx.t(T::heat_title));
        GridMap(ctx, "cockpit.heatmap", v.heat, wide ? 700 : 360);
        Gap(8);
        HeatLegend(ctx, v);
        if (!wide) {
          Gap(8);
          HeatPick(ctx, v);
        }
      },
      [&] {
        if (wide) {
          HeatPick(ctx, v);
          Gap(12);
        }
        Table(ctx, v.heat_top);
      });
}

void Suggestions(Ctx& ctx, const CockpitView& v) {
  Table(ctx, v.suggestions, 10);
  if (v.can_manage_topics && v.suggestions.state == LoadState::loaded) {
    Gap(8);
    for (std::size_t i = 0; i < v.suggestions.rows.size() && i < 5; ++i) {
      const auto& r = v.suggestions.rows[i];
      const std::string id = "topics.create." + std::to_string(i);
      const std::string label = std::string(ctx.t(T::open_topic)) + " · " + r[1] + " " + r[0];
      if (Button(ctx, id.c_str(), label, ButtonKind::secondary, true,
                 Wide(ctx) ? std::min(AvailWidth(), 520.0f) : 0, false))
        Op(ctx, intent::CockpitOp::create_topic, std::to_string(i));
      Gap(6);
    }
  }
}

void Tracking(Ctx& ctx, const CockpitView& v) {
  SectionLabel(ctx, ctx.t(T::topics_title));
  BeginCard(ctx, true);
  if (v.topics.empty()) {
    ImGui::Indent(theme::kPad);
    Gap(theme::kPad);
    Paragraph(ctx, v.topics_state == LoadState::loaded ? ctx.t(T::topics_none) : ctx.t(T::loading),
              ctx.fonts.small, theme::kHint);
    Gap(theme::kPad);
    ImGui::Unindent(theme::kPad);
  }
  for (std::size_t i = 0; i < v.topics.size(); ++i) {
    const TopicRow& t = v.topics[i];
    const std::string id = "topics.item." + std::to_string(i);
    const std::string sub = t.area + " · " + t.month + " · " + t.status + " · " + t.progress;
    if (ListRow(ctx, id.c_str(), t.title, sub, t.selected, i + 1 < v.topics.size()))
      Op(ctx, intent::CockpitOp::select_topic, std::to_string(t.id));
  }
  EndCard(ctx);
  if (!v.notice.empty()) {
    Gap(theme::kGap);
    Banner(ctx, "topic.notice", v.notice, Tone::success);
  }
  if (!v.action_error.empty()) {
    Gap(theme::kGap);
    Banner(ctx, "topic.error", v.action_error, Tone::danger);
  }
  if (!v.has_topic) return;
  Gap(theme::kGap * 2);
  const TopicRow& t = v.topic;
  SectionLabel(ctx, t.title);
  BeginCard(ctx);
  KeyValue(ctx, "topic.area", ctx.t(T::col_street), t.area);
  KeyValue(ctx, "topic.category", ctx.t(T::col_category), t.category);
  KeyValue(ctx, "topic.status", ctx.t(T::col_status), t.status,
           t.resolved ? theme::kSuccess : theme::kWarning);
  KeyValue(ctx, "topic.progress", ctx.t(T::topic_progress), t.progress);
  if (!v.topic_reply_text.empty())
    KeyValue(ctx, "topic.reply_text", ctx.t(T::reply_label), v.topic_reply_text);
  EndCard(ctx);
  Gap(theme::kGap);
  Table(ctx, v.topic_tickets, 50);
  if (v.can_manage_topics && !t.resolved) {
    Gap(theme::kGap);
    const std::string link =
        std::string(ctx.t(T::link_candidates)) + " (" + std::to_string(v.candidates) + ")";
    if (Button(ctx, "topic.link", link, ButtonKind::secondary, v.candidates > 0, 0, v.linking))
      Op(ctx, intent::CockpitOp::link_candidates);
    Gap(theme::kGap);
    BeginCard(ctx);
    TextArea(ctx, "topic.reply", Field::topic_reply, ctx.t(T::reply_label), ctx.t(T::reply_hint),
             v.reply, {});
    Gap(8);
    if (Button(ctx, "topic.resolve", ctx.t(T::resolve_topic), ButtonKind::primary,
               !v.reply.value.empty() && !v.topic_tickets.rows.empty(), 0, v.resolving))
      Op(ctx, intent::CockpitOp::resolve_topic);
    EndCard(ctx);
  }
}

void Topics(Ctx& ctx, const CockpitView& v) {
  SideBySide(
      ctx, Wide(ctx), 0.45f, [&] { Suggestions(ctx, v); }, [&] { Tracking(ctx, v); });
}

}  // namespace

void DrawCockpit(Ctx& ctx, const CockpitView& v) {
  WideColumn(ctx);
  BeginBody(ctx, "cockpit");
  {
    ImGuiWindow* w = ImGui::GetCurrentWindow();
    const std::string line = v.scope + (v.who.empty() ? "" : " · " + v.who);
    Paragraph(ctx, line, ctx.fonts.body, theme::kText);
    Record(ctx, "cockpit.scope", "text", line, v.scope);
    (void)w;
  }
  Gap(8);
  if (auto k = Choices(ctx, "cockpit.tab", v.tabs); !k.empty()) Op(ctx, intent::CockpitOp::tab, k);
  Gap(theme::kGap);
  if (v.state == LoadState::failed) {
    Banner(ctx, "cockpit.error", v.error, Tone::danger);
    Gap(theme::kGap);
    if (Button(ctx, "cockpit.retry", ctx.t(T::retry), ButtonKind::secondary))
      Op(ctx, intent::CockpitOp::refresh);
  } else {
    switch (v.tab) {
      case CockpitTab::overview:
        Overview(ctx, v);
        break;
      case CockpitTab::map:
        HeatMap(ctx, v);
        break;
      case CockpitTab::topics:
        Topics(ctx, v);
        break;
    }
  }
  EndBody(ctx);
}

void DrawBoard(Ctx& ctx, const BoardView& v) {
  WideColumn(ctx);
  BeginBody(ctx, "board");
  const bool wide = Wide(ctx);
  Paragraph(ctx, ctx.t(T::board_intro), ctx.fonts.small, theme::kText2);
  if (!v.period.empty() && v.state == LoadState::loaded) {
    Paragraph(ctx, v.period + "   " + v.threshold_note, ctx.fonts.small, theme::kHint);
  }
  Gap(theme::kGap);
  if (v.state == LoadState::failed) {
    Banner(ctx, "board.error", v.error, Tone::danger);
    Gap(theme::kGap);
    if (Button(ctx, "board.retry", ctx.t(T::retry), ButtonKind::secondary))
      Op(ctx, intent::CockpitOp::open_board);
    EndBody(ctx);
    return;
  }
  KpiTiles(ctx, v.kpis, wide ? static_cast<int>(v.kpis.size()) : 2, wide ? 150 : 122);
  Gap(theme::kGap * 2);
  SideBySide(
      ctx, wide, 0.5f, [&] { Table(ctx, v.streets); }, [&] { Table(ctx, v.ratings, 20); });
  EndBody(ctx);
}

}  // namespace portal::client::ui
