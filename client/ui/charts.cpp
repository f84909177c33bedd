#include "ui/charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "imgui_internal.h"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

constexpr ImU32 kPalette[] = {IM_COL32(22, 93, 205, 255), IM_COL32(35, 150, 72, 255),
                              IM_COL32(214, 110, 14, 255), IM_COL32(207, 45, 39, 255),
                              IM_COL32(120, 80, 200, 255)};

ImU32 palette(int i) {
  return kPalette[static_cast<std::size_t>(i) % (sizeof kPalette / sizeof kPalette[0])];
}

// Chart text sits on whole CSS pixels.
void Text(ImDrawList* dl, ImFont* f, float size, ImVec2 p, ImU32 c, std::string_view s) {
  DrawText(dl, f, size, ImFloor(p), c, s);
}

// A "nice" step for an axis from 0 to max with about `ticks` intervals.
double NiceStep(double max, int ticks) {
  if (max <= 0) return 1;
  const double raw = max / ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string AxisLabel(double v, bool percent) {
  char b[32];
  if (percent)
    std::snprintf(b, sizeof b, "%.0f%%", v * 100);
  else if (v >= 10000)
    std::snprintf(b, sizeof b, "%.0fk", v / 1000);
  else
    std::snprintf(b, sizeof b, "%g", v);
  return b;
}

}  // namespace

void KpiTiles(Ctx& ctx, const std::vector<KpiTile>& tiles, int per_row, float height) {
  if (tiles.empty()) return;
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float gap = theme::kGap;
  const float width = AvailWidth();
  per_row = std::max(1, per_row);
  const float tw = std::floor((width - gap * (per_row - 1)) / per_row);
  const float small = ctx.size(ctx.fonts.small);
  const ImVec2 origin = w->DC.CursorPos;
  const int rows = static_cast<int>((tiles.size() + per_row - 1) / per_row);
  ImDrawList* dl = w->DrawList;
  // A last row that is not full is spread over the whole width, not left with a hole.
  const int last_row = rows - 1;
  const int in_last = static_cast<int>(tiles.size()) - last_row * per_row;
  const float last_tw = std::floor((width - gap * (in_last - 1)) / in_last);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const KpiTile& k = tiles[i];
    const int col = static_cast<int>(i % per_row), row = static_cast<int>(i / per_row);
    const float w_tile = row == last_row ? last_tw : tw;
    const ImVec2 pos(origin.x + col * (w_tile + gap), origin.y + row * (height + gap));
    const ImRect bb(pos, pos + ImVec2(w_tile, height));
    ImGui::ItemAdd(bb, 0);
    dl->AddRectFilled(bb.Min, bb.Max, theme::kSurface, theme::kRadius);
    const float pad = 14;
    Text(dl, ctx.fonts.small, small, bb.Min + ImVec2(pad, pad), theme::kText2, k.label);
    // A figure over fewer than kFewCases is greyed, whatever its value: its n says why.
    const ImU32 vc = k.value == "—" || k.few ? theme::kHint
                     : k.fraction < 0        ? theme::kText
                     : k.fraction >= 0.9     ? theme::kSuccess
                     : k.fraction >= 0.7     ? theme::kPrimary
                                             : theme::kWarning;
    // Figures in the display font (it holds ASCII); anything else in the body font.
    bool ascii = true;
    for (unsigned char c : k.value) ascii = ascii && c < 0x80;
    ImFont* vf = ascii ? ctx.fonts.display : ctx.fonts.body;
    const float vsize = ctx.size(vf);
    const ImVec2 vpos = bb.Min + ImVec2(pad, pad + small + 8);
    Text(dl, vf, vsize, vpos, vc, k.value);
    // The n, small so that the rate stays the figure read first: beside the value on
    // its baseline when both fit, else under it when the tile is tall enough, else in
    // place of the note (the n matters more than the words of what it counts).
    const float gauge_y = bb.Max.y - pad - small - 14;
    bool n_on_note_line = false;
    if (!k.n.empty()) {
      const float vw = MeasureText(vf, vsize, k.value).x;
      const float nw = MeasureText(ctx.fonts.small, small, k.n).x;
      const float below_y = vpos.y + vsize + 2;
      if (pad + vw + 8 + nw <= bb.GetWidth() - pad)
        Text(dl, ctx.fonts.small, small, ImVec2(vpos.x + vw + 8, vpos.y + vsize - small - 2),
             theme::kText2, k.n);
      else if (below_y + small <= (k.fraction >= 0 ? gauge_y : bb.Max.y - pad - small) - 2)
        Text(dl, ctx.fonts.small, small, ImVec2(vpos.x, below_y), theme::kText2, k.n);
      else
        n_on_note_line = true;
    }
    if (k.fraction >= 0) {
      const ImVec2 a(bb.Min.x + pad, gauge_y), b(bb.Max.x - pad, gauge_y + 6);
      dl->AddRectFilled(a, b, theme::kNeutralSoft, 3);
      const float f = static_cast<float>(std::clamp(k.fraction, 0.0, 1.0));
      if (f > 0) dl->AddRectFilled(a, ImVec2(a.x + (b.x - a.x) * f, b.y), vc, 3);
    }
    if (!k.note.empty() || n_on_note_line) {
      dl->PushClipRect(bb.Min, bb.Max, true);
      Text(dl, ctx.fonts.small, small, ImVec2(bb.Min.x + pad, bb.Max.y - pad - small),
           n_on_note_line ? theme::kText2 : theme::kHint, n_on_note_line ? k.n : k.note);
      dl->PopClipRect();
    }
    Record(ctx, k.id.c_str(), "text", k.label, k.n.empty() ? k.value : k.value + " (" + k.n + ")");
  }
  w->DC.CursorPos = origin;
  ImGui::ItemSize(ImRect(origin, origin + ImVec2(width, rows * height + (rows - 1) * gap)));
}

// A point that rests on fewer than kFewCases: a hollow ring over the line.
static void FewMark(ImDrawList* dl, ImVec2 c, ImU32 color) {
  dl->AddCircleFilled(c, 4.5f, theme::kSurface);
  dl->AddCircle(c, 4.5f, color, 0, 1.8f);
}

void Chart(Ctx& ctx, const ChartView& v, float height) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  BeginCard(ctx);
  const float small = ctx.size(ctx.fonts.small);
  Paragraph(ctx, v.title, ctx.fonts.body, theme::kText);
  bool any_few = false;
  for (const auto& s : v.series)
    for (std::size_t i = 0; i < s.few.size() && i < s.values.size(); ++i)
      any_few = any_few || (s.few[i] && !std::isnan(s.values[i]));
  // Legend.
  {
    ImDrawList* dl = w->DrawList;
    ImVec2 p = w->DC.CursorPos;
    const float x0 = p.x, right = p.x + AvailWidth();
    for (const auto& s : v.series) {
      const float tw = MeasureText(ctx.fonts.small, small, s.name).x;
      if (p.x + tw + 28 > right && p.x > x0) {
        p.x = x0;
        p.y += small + 8;
      }
      dl->AddRectFilled(ImVec2(p.x, p.y + small * 0.3f), ImVec2(p.x + 12, p.y + small * 0.3f + 8),
                        palette(s.color), 2);
      Text(dl, ctx.fonts.small, small, ImVec2(p.x + 16, p.y), theme::kText2, s.name);
      p.x += tw + 30;
    }
    // A hollow point rests on fewer than 10 cases: said once, when there is one.
    if (any_few) {
      const std::string_view t = ctx.t(T::few_cases);
      const float tw = MeasureText(ctx.fonts.small, small, t).x;
      if (p.x + tw + 28 > right && p.x > x0) {
        p.x = x0;
        p.y += small + 8;
      }
      FewMark(dl, ImVec2(p.x + 6, p.y + small * 0.5f + 1), theme::kText2);
      Text(dl, ctx.fonts.small, small, ImVec2(p.x + 16, p.y), theme::kText2, t);
    }
    ImGui::Dummy(ImVec2(1, p.y - w->DC.CursorPos.y + small + 4));
  }
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(AvailWidth(), height));
  ImGui::ItemSize(bb);
  ImGui::ItemAdd(bb, 0);
  ImDrawList* dl = w->DrawList;
  double max = 0;
  std::size_t n = 0;
  for (const auto& s : v.series) {
    n = std::max(n, s.values.size());
    for (double x : s.values)
      if (!std::isnan(x)) max = std::max(max, x);
  }
  if (v.percent) max = 1;
  const double step = v.percent ? 0.25 : NiceStep(max, 4);
  const double top = v.percent ? 1 : std::max(step, std::ceil(max / step) * step);
  float axis_w = 0;
  for (double y = 0; y <= top + 1e-9; y += step)
    axis_w = std::max(axis_w, MeasureText(ctx.fonts.small, small, AxisLabel(y, v.percent)).x);
  const ImRect plot(ImVec2(bb.Min.x + axis_w + 8, bb.Min.y + small * 0.5f),
                    ImVec2(bb.Max.x - 4, bb.Max.y - small - 8));
  auto ypos = [&](double y) { return plot.Max.y - static_cast<float>(y / top) * plot.GetHeight(); };
  for (double y = 0; y <= top + 1e-9; y += step) {
    const float py = std::floor(ypos(y)) + 0.5f;
    dl->AddLine(ImVec2(plot.Min.x, py), ImVec2(plot.Max.x, py),
                y == 0 ? theme::kBorder : theme::kDivider, 1);
    const std::string l = AxisLabel(y, v.percent);
    const float tw = MeasureText(ctx.fonts.small, small, l).x;
    Text(dl, ctx.fonts.small, small, ImVec2(plot.Min.x - 6 - tw, py - small * 0.5f), theme::kHint,
         l);
  }
  if (n == 0) {
    const std::string_view t = ctx.t(T::no_data);
    const ImVec2 ts = MeasureText(ctx.fonts.small, small, t);
    Text(dl, ctx.fonts.small, small, plot.GetCenter() - ts * 0.5f, theme::kHint, t);
  } else {
    const float slot = plot.GetWidth() / static_cast<float>(n);
    auto xpos = [&](std::size_t i) { return plot.Min.x + slot * (static_cast<float>(i) + 0.5f); };
    // X labels, thinned so that they never overlap.
    float label_w = 0;
    for (const auto& l : v.x_labels)
      label_w = std::max(label_w, MeasureText(ctx.fonts.small, small, l).x);
    const std::size_t every =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((label_w + 10) / slot)));
    for (std::size_t i = 0; i < v.x_labels.size() && i < n; ++i) {
      if ((n - 1 - i) % every != 0) continue;  // keep the latest period labelled
      const float tw = MeasureText(ctx.fonts.small, small, v.x_labels[i]).x;
      Text(dl, ctx.fonts.small, small, ImVec2(xpos(i) - tw * 0.5f, plot.Max.y + 4), theme::kText2,
           v.x_labels[i]);
    }
    if (v.bars) {
      const std::size_t k = v.series.size();
      const float bw =
          std::max(1.0f, slot * 0.8f / static_cast<float>(std::max<std::size_t>(k, 1)));
      for (std::size_t si = 0; si < k; ++si)
        for (std::size_t i = 0; i < v.series[si].values.size(); ++i) {
          const double y = v.series[si].values[i];
          if (std::isnan(y) || y <= 0) continue;
          const float x = xpos(i) - slot * 0.4f + bw * static_cast<float>(si);
          dl->AddRectFilled(ImVec2(x, ypos(y)), ImVec2(x + bw - (bw > 3 ? 1 : 0), plot.Max.y),
                            palette(v.series[si].color), bw > 6 ? 2.0f : 0.0f,
                            ImDrawFlags_RoundCornersTop);
        }
    } else {
      for (const auto& s : v.series) {
        std::vector<ImVec2> pts;
        auto flush = [&] {
          if (pts.size() > 1)
            dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), palette(s.color), 0, 2.0f);
          if (pts.size() == 1) dl->AddCircleFilled(pts[0], 3, palette(s.color));
          pts.clear();
        };
        for (std::size_t i = 0; i < s.values.size(); ++i) {
          if (std::isnan(s.values[i])) {
            flush();
            continue;
          }
          pts.emplace_back(xpos(i), ypos(s.values[i]));
        }
        flush();
      }
      for (const auto& s : v.series)
        for (std::size_t i = 0; i < s.few.size() && i < s.values.size(); ++i)
          if (s.few[i] && !std::isnan(s.values[i]))
            FewMark(dl, ImVec2(xpos(i), ypos(s.values[i])), palette(s.color));
    }
    // Hover: the period's values.
    const ImVec2 m = ImGui::GetIO().MousePos;
    if (!ctx.touch && plot.Contains(m)) {
      const auto i = static_cast<std::size_t>(
          std::clamp((m.x - plot.Min.x) / slot, 0.0f, static_cast<float>(n - 1)));
      dl->AddLine(ImVec2(xpos(i), plot.Min.y), ImVec2(xpos(i), plot.Max.y), theme::kBorder, 1);
      std::string tip = i < v.x_labels.size() ? v.x_labels[i] : "";
      for (const auto& s : v.series)
        if (i < s.values.size()) {
          const double y = s.values[i];
          tip += "\n" + s.name + ": " +
                 (std::isnan(y) ? std::string("—")
                  : v.percent   ? AxisLabel(y, true)
                                : std::to_string(static_cast<long long>(y)));
          if (i < s.few.size() && s.few[i] && !std::isnan(y))
            tip += " (" + std::string(ctx.t(T::few_cases)) + ")";
        }
      ImGui::BeginTooltip();
      ImGui::PushFont(ctx.fonts.small);
      ImGui::TextUnformatted(Needing(ctx.fonts.small, tip.c_str()));
      ImGui::PopFont();
      ImGui::EndTooltip();
    }
  }
  // For screen readers: how many periods, and the lines of the legend.
  std::string summary = std::to_string(n);
  for (std::size_t i = 0; i < v.series.size(); ++i)
    summary += (i == 0 ? " · " : ", ") + v.series[i].name;
  if (any_few) summary += " · " + std::string(ctx.t(T::few_cases));
  Record(ctx, v.id.c_str(), "chart", v.title, summary);
  EndCard(ctx);
}

std::string Choices(Ctx& ctx, const char* id, const std::vector<Choice>& choices) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  std::string picked;
  const float small = ctx.size(ctx.fonts.small);
  const float x0 = w->DC.CursorPos.x, right = x0 + AvailWidth();
  ImVec2 p = w->DC.CursorPos;
  const float h = 34;
  for (const auto& c : choices) {
    const float tw = MeasureText(ctx.fonts.small, small, c.label).x + 28;
    if (p.x + tw > right && p.x > x0) {
      p.x = x0;
      p.y += h + 8;
    }
    const std::string wid = std::string(id) + "." + c.key;
    const ImGuiID gid = w->GetID(wid.c_str());
    const ImRect bb(p, p + ImVec2(tw, h));
    w->DC.CursorPos = p;
    ImGui::ItemSize(bb);
    ImGui::ItemAdd(bb, gid);
    bool hovered = false, held = false;
    if (ImGui::ButtonBehavior(bb, gid, &hovered, &held) && !c.selected) picked = c.key;
    if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    ImDrawList* dl = w->DrawList;
    dl->AddRectFilled(bb.Min, bb.Max,
                      c.selected ? theme::kPrimary
                      : held     ? theme::kPressed
                                 : theme::kSurface,
                      h * 0.5f);
    if (!c.selected) dl->AddRect(bb.Min, bb.Max, theme::kBorder, h * 0.5f);
    Text(dl, ctx.fonts.small, small, ImVec2(bb.Min.x + 14, bb.Min.y + (h - small) * 0.5f - 1),
         c.selected ? theme::kWhite : theme::kText, c.label);
    Record(ctx, wid.c_str(), "toggle", c.label, c.selected ? "on" : "off", true, c.selected);
    p.x += tw + 8;
  }
  w->DC.CursorPos = ImVec2(x0, p.y + h);
  w->DC.CursorPosPrevLine = ImVec2(x0, p.y);
  w->DC.PrevLineSize = ImVec2(0, h);
  ImGui::Dummy(ImVec2(1, 2));
  return picked;
}

void Table(Ctx& ctx, const TableView& t, std::size_t max_rows) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  BeginCard(ctx);
  const float small = ctx.size(ctx.fonts.small), body = ctx.size(ctx.fonts.body);
  // Title on the left, the export button on the right.
  const ImVec2 top = w->DC.CursorPos;
  const float width = AvailWidth();
  const std::string_view export_label = ctx.t(T::export_csv);
  const float bw = MeasureText(ctx.fonts.small, small, export_label).x + 28;
  // A title too long to share its line with the button puts the button below it.
  const float title_w = MeasureText(ctx.fonts.body, body, t.title).x;
  const bool stacked = !t.csv_path.empty() && title_w + bw + 12 > width;
  const float title_h = stacked ? 32.0f + 40.0f : std::max(body + 6, 32.0f);
  w->DrawList->AddText(ctx.fonts.body, body, ImVec2(top.x, top.y + (32 - body) * 0.5f),
                       theme::kText,
                       Needing(ctx.fonts.body, t.title.data(), t.title.data() + t.title.size()),
                       t.title.data() + t.title.size());
  if (!t.csv_path.empty()) {
    w->DC.CursorPos = ImVec2(top.x + width - bw, top.y + (stacked ? 36.0f : 0.0f));
    const std::string id = t.id + ".csv";
    const ImGuiID gid = w->GetID(id.c_str());
    const ImRect bb(w->DC.CursorPos, w->DC.CursorPos + ImVec2(bw, 32));
    ImGui::ItemSize(bb);
    ImGui::ItemAdd(bb, gid);
    bool hovered = false, held = false;
    const bool enabled = t.state == LoadState::loaded;
    if (enabled && ImGui::ButtonBehavior(bb, gid, &hovered, &held))
      ctx.intents.emit(intent::Cockpit{intent::CockpitOp::export_csv, t.csv_path, t.csv_name});
    if (hovered && !ctx.touch) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    w->DrawList->AddRect(bb.Min, bb.Max, enabled ? theme::kPrimary : theme::kBorder, 16);
    if (held) w->DrawList->AddRectFilled(bb.Min, bb.Max, theme::kPrimarySoft, 16);
    Text(w->DrawList, ctx.fonts.small, small, bb.Min + ImVec2(14, (32 - small) * 0.5f - 1),
         enabled ? theme::kPrimary : theme::kHint, export_label);
    Record(ctx, id.c_str(), "button", export_label, {}, enabled);
  }
  w->DC.CursorPos = ImVec2(top.x, top.y);
  ImGui::Dummy(ImVec2(1, title_h));
  if (t.state == LoadState::loading || t.state == LoadState::idle) {
    Paragraph(ctx, ctx.t(T::loading), ctx.fonts.small, theme::kHint);
  } else if (t.state == LoadState::failed) {
    Paragraph(ctx, t.error, ctx.fonts.small, theme::kDanger);
  } else if (t.rows.empty()) {
    Paragraph(ctx, ctx.t(T::no_data), ctx.fonts.small, theme::kHint);
  } else {
    // Column widths: the natural width of each column, the name column takes the rest.
    const std::size_t cols = t.header.size();
    std::vector<float> cw(cols, 0);
    const std::size_t shown = max_rows ? std::min(max_rows, t.rows.size()) : t.rows.size();
    for (std::size_t c = 0; c < cols; ++c) {
      cw[c] = MeasureText(ctx.fonts.small, small, t.header[c]).x;
      for (std::size_t r = 0; r < shown; ++r)
        if (c < t.rows[r].size()) {
          cw[c] = std::max(cw[c], MeasureText(ctx.fonts.small, small, t.rows[r][c]).x);
        }
      cw[c] += 16;
    }
    const int bar_col =
        t.bar.empty() ? -1 : (t.bar_column >= 0 ? t.bar_column : static_cast<int>(cols) - 1);
    // Inline bars are shorter on phones.
    const float bar_w = width < 520 ? 44.0f : 80.0f;
    if (bar_col >= 0 && bar_col < static_cast<int>(cols)) cw[bar_col] += bar_w + 10;
    float total = 0;
    for (float x : cw) total += x;
    // Spare width is shared by all columns; when short, the widest text column (usually
    // the name) gives up width and clips.
    if (total <= width) {
      for (float& x : cw) x += (width - total) / static_cast<float>(cols);
    } else {
      // Never the bar column: its figure must stay readable.
      std::size_t flex = bar_col == 0 ? 1 : 0;
      for (std::size_t c = 0; c < cols; ++c)
        if (static_cast<int>(c) != bar_col && cw[c] > cw[flex]) flex = c;
      cw[flex] = std::max(60.0f, cw[flex] + (width - total));
    }
    const float row_h = small + 14;
    ImDrawList* dl = w->DrawList;
    ImVec2 p = w->DC.CursorPos;
    float x = p.x;
    for (std::size_t c = 0; c < cols; ++c) {
      dl->PushClipRect(ImVec2(x, p.y), ImVec2(x + cw[c] - 6, p.y + row_h), true);
      Text(dl, ctx.fonts.small, small, ImVec2(x, p.y + 7), theme::kText2, t.header[c]);
      dl->PopClipRect();
      x += cw[c];
    }
    p.y += row_h;
    dl->AddLine(ImVec2(p.x, p.y), ImVec2(p.x + width, p.y), theme::kBorder);
    for (std::size_t r = 0; r < shown; ++r) {
      x = p.x;
      if (r % 2 == 1)
        dl->AddRectFilled(ImVec2(p.x, p.y), ImVec2(p.x + width, p.y + row_h),
                          IM_COL32(248, 249, 251, 255));
      for (std::size_t c = 0; c < cols && c < t.rows[r].size(); ++c) {
        float tx = x;
        if (static_cast<int>(c) == bar_col && r < t.bar.size()) {
          const float bwid = bar_w;
          const float f = static_cast<float>(std::clamp(t.bar[r], 0.0, 1.0));
          dl->AddRectFilled(ImVec2(x, p.y + row_h * 0.5f - 4),
                            ImVec2(x + bwid, p.y + row_h * 0.5f + 4), theme::kNeutralSoft, 3);
          if (f > 0)
            dl->AddRectFilled(ImVec2(x, p.y + row_h * 0.5f - 4),
                              ImVec2(x + std::max(bwid * f, 6.0f), p.y + row_h * 0.5f + 4),
                              theme::kPrimary, 3);
          tx = x + bwid + 8;
        }
        dl->PushClipRect(ImVec2(x, p.y), ImVec2(x + cw[c] - 6, p.y + row_h), true);
        const bool few = r < t.few.size() && t.few[r];
        Text(dl, ctx.fonts.small, small, ImVec2(tx, p.y + 7), few ? theme::kHint : theme::kText,
             t.rows[r][c]);
        dl->PopClipRect();
        x += cw[c];
      }
      p.y += row_h;
    }
    const ImRect bb(w->DC.CursorPos, ImVec2(w->DC.CursorPos.x + width, p.y));
    ImGui::ItemSize(bb);
    ImGui::ItemAdd(bb, 0);
    // For tests: the first row's cells, and the row count.
    std::string value = std::to_string(t.rows.size());
    for (const auto& cell : t.rows[0]) value += "|" + cell;
    Record(ctx, t.id.c_str(), "table", t.title, value);
  }
  EndCard(ctx);
}

void SideBySide(Ctx& ctx, bool wide, float left_share, const std::function<void()>& left,
                const std::function<void()>& right) {
  (void)ctx;
  if (!wide) {
    left();
    Gap(theme::kGap);
    right();
    return;
  }
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImVec2 top = w->DC.CursorPos;
  const float full = AvailWidth(), gap = theme::kGap * 1.5f;
  const float lw = std::floor((full - gap) * left_share);
  const float work_max = w->WorkRect.Max.x, content_max = w->ContentRegionRect.Max.x;
  w->WorkRect.Max.x = w->ContentRegionRect.Max.x = top.x + lw;
  left();
  const float left_bottom = w->DC.CursorPos.y;
  w->WorkRect.Max.x = work_max;
  w->ContentRegionRect.Max.x = content_max;
  const float shift = lw + gap;
  w->DC.Indent.x += shift;
  w->DC.CursorPos = ImVec2(top.x + shift, top.y);
  w->DC.CursorPosPrevLine = w->DC.CursorPos;
  right();
  const float right_bottom = w->DC.CursorPos.y;
  w->DC.Indent.x -= shift;
  w->DC.CursorPos = ImVec2(top.x, std::max(left_bottom, right_bottom));
}

}  // namespace portal::client::ui
