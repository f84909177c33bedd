// The grid map (GridMap in widgets.hpp): Web Mercator, the basemap's tiles under the
// grids when one is configured, street and community boundaries, names placed without
// overlaps by zoom (streets, then communities, then grids), the chosen grid named, the
// report's pin and "you are here", zoom buttons, and the attribution.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "imgui_internal.h"
#include "ui/text_layout.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace portal::client::ui {

namespace {

constexpr float kTouchSlop = 10.0f;  // px a finger moves before a touch becomes a scroll
constexpr double kMaxZoom = 19;
constexpr int kMaxTileZoom = 18;
constexpr float kMinNamedWidth = 50;  // narrower regions are not named at all
constexpr ImU32 kLand = IM_COL32(233, 238, 231, 255);
constexpr ImU32 kGridLine = IM_COL32(150, 160, 150, 255);
constexpr ImU32 kCommunityLine = IM_COL32(112, 128, 112, 255);
constexpr ImU32 kStreetLine = IM_COL32(72, 84, 104, 255);
constexpr ImU32 kHalo = IM_COL32(255, 255, 255, 235);

// Text with a white halo, so that it reads over lines, fills and tiles.
void HaloText(ImDrawList* dl, const ImFont* font, float size, ImVec2 p, ImU32 col,
              std::string_view s, float px) {
  const char* b = Needing(font, s.data(), s.data() + s.size());
  const char* e = s.data() + s.size();
  for (const ImVec2 d : {ImVec2(-px, 0), ImVec2(px, 0), ImVec2(0, -px), ImVec2(0, px)})
    dl->AddText(font, size, p + d, kHalo, b, e);
  dl->AddText(font, size, p, col, b, e);
}

// Records an item drawn over the map (Record reads the last item's rectangle).
void RecordAt(Ctx& ctx, const ImRect& r, const std::string& id, const char* kind,
              std::string_view label, std::string_view value = {}) {
  ImGui::GetCurrentContext()->LastItemData.Rect = r;
  Record(ctx, id.c_str(), kind, label, value);
}

bool Overlaps(const std::vector<ImRect>& placed, const ImRect& r) {
  for (const ImRect& p : placed)
    if (p.Overlaps(r)) return true;
  return false;
}

}  // namespace

void GridMap(Ctx& ctx, const char* id, const MapView& v, float height) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  ImGuiIO& io = ImGui::GetIO();
  MapState& m = ctx.map;
  const ImGuiID gid = w->GetID(id);
  const std::string sid(id);
  const ImVec2 pos = w->DC.CursorPos;
  const ImRect bb(pos, pos + ImVec2(AvailWidth(), height));
  ImGui::ItemSize(bb);
  const bool shown = ImGui::ItemAdd(bb, gid);
  const ImRect map_item = bb;
  const ImVec2 size = bb.GetSize(), mid = bb.GetCenter();
  MapCamera& cam = ctx.map_cameras[gid];
  const MapData* data = v.data.get();
  const bool ready = v.state == LoadState::loaded && data && !data->grids.empty();

  // [SECTION] The view: fitted to the district once, then where the person moved it
  double fit_zoom = cam.zoom;
  if (ready) {
    const double dw = std::max(data->hi.x - data->lo.x, 1e-9);
    const double dh = std::max(data->hi.y - data->lo.y, 1e-9);
    fit_zoom = std::log2(std::min(size.x / dw, size.y / dh) * 0.95 / 256);
    if (!cam.fitted) {
      cam.cx = (data->lo.x + data->hi.x) / 2;
      cam.cy = (data->lo.y + data->hi.y) / 2;
      cam.zoom = fit_zoom;
      cam.fitted = true;
    }
    if (v.focus_seq != cam.focus_seq) {  // a place was picked, the device located
      cam.focus_seq = v.focus_seq;
      const MercPoint p = to_mercator(v.focus_lat, v.focus_lng);
      cam.cx = p.x;
      cam.cy = p.y;
      cam.zoom = std::clamp(std::max(cam.zoom, v.focus_zoom), fit_zoom, kMaxZoom);
    }
  }
  const double min_zoom = fit_zoom - 1;
  double world = 256.0 * std::exp2(cam.zoom);
  auto to_screen = [&](MercPoint p) {
    return ImVec2(static_cast<float>(mid.x + (p.x - cam.cx) * world),
                  static_cast<float>(mid.y + (p.y - cam.cy) * world));
  };
  auto to_world = [&](ImVec2 s) {
    return MercPoint{cam.cx + (s.x - mid.x) / world, cam.cy + (s.y - mid.y) / world};
  };
  auto zoom_by = [&](double dz, ImVec2 at) {
    const MercPoint p = to_world(at);
    cam.zoom = std::clamp(cam.zoom + dz, min_zoom, kMaxZoom);
    world = 256.0 * std::exp2(cam.zoom);
    cam.cx = p.x - (at.x - mid.x) / world;
    cam.cy = p.y - (at.y - mid.y) / world;
  };

  // [SECTION] Controls over the map: zoom buttons (before the map's own gestures, so
  // that they take the press)
  const float bs = 44, inset = 8;
  const ImRect zoom_in(ImVec2(bb.Max.x - inset - bs, bb.Min.y + inset),
                       ImVec2(bb.Max.x - inset, bb.Min.y + inset + bs));
  const ImRect zoom_out(ImVec2(zoom_in.Min.x, zoom_in.Max.y),
                        ImVec2(zoom_in.Max.x, zoom_in.Max.y + bs));
  bool zoom_in_held = false, zoom_out_held = false;
  if (shown && ready) {
    bool hovered = false;
    const ImGuiID in_id = w->GetID((sid + ".zoom_in").c_str());
    const ImGuiID out_id = w->GetID((sid + ".zoom_out").c_str());
    ImGui::ItemAdd(zoom_in, in_id);
    if (ImGui::ButtonBehavior(zoom_in, in_id, &hovered, &zoom_in_held)) zoom_by(1, mid);
    ImGui::ItemAdd(zoom_out, out_id);
    if (ImGui::ButtonBehavior(zoom_out, out_id, &hovered, &zoom_out_held)) zoom_by(-1, mid);
  }
  const bool on_controls = zoom_in.Contains(io.MousePos) || zoom_out.Contains(io.MousePos);

  // [SECTION] Gestures: a mouse drags to pan and its wheel zooms; two fingers move and
  // zoom; one finger scrolls the page; a tap places the pin or picks a grid
  m.rect_min = bb.Min;
  m.rect_max = bb.Max;
  bool held = false;
  if (shown && ready) {
    bool hovered = false;
    ImGui::ButtonBehavior(bb, gid, &hovered, &held, ImGuiButtonFlags_PressedOnClick);
    if (io.MouseClicked[0] && bb.Contains(io.MousePos) && !on_controls) {
      m.holding = true;
      m.panning = false;
      m.last = io.MousePos;
    }
    if (m.holding && io.MouseDown[0]) {
      const ImVec2 d = io.MousePos - io.MouseClickedPos[0];
      const bool moved = d.x * d.x + d.y * d.y > (ctx.touch ? kTouchSlop * kTouchSlop : 8 * 8);
      if (ctx.touch && moved) m.holding = false;
      if (!ctx.touch && !m.panning && moved) m.panning = true;
      if (m.panning) {
        cam.cx -= (io.MousePos.x - m.last.x) / world;
        cam.cy -= (io.MousePos.y - m.last.y) / world;
      }
      m.last = io.MousePos;
    }
    if (m.holding && io.MouseReleased[0]) {
      if (!m.panning && bb.Contains(io.MousePos) && !on_controls) {
        const MercPoint p = to_world(io.MousePos);
        if (v.tap == MapTap::place) {
          double lat = 0, lng = 0;
          from_mercator(p, lat, lng);
          ctx.intents.emit(intent::PlaceLocation{lat, lng});
        } else if (const int g = data->grid_at(p); g >= 0 && v.tap == MapTap::pick_grid) {
          ctx.intents.emit(intent::PickMapGrid{data->grids[static_cast<std::size_t>(g)].id});
        }
      }
      m.holding = m.panning = false;
    }
    if (m.wheel != 0) zoom_by(std::log2(1.25) * m.wheel, io.MousePos);
    if ((m.pinch != 1 || m.pinch_pan.x != 0 || m.pinch_pan.y != 0) && bb.Contains(m.pinch_at)) {
      m.holding = m.panning = false;
      cam.cx -= m.pinch_pan.x / world;
      cam.cy -= m.pinch_pan.y / world;
      zoom_by(std::log2(std::max(m.pinch, 0.01f)), m.pinch_at);
    }
    // Keep some of the district in view.
    cam.cx = std::clamp(cam.cx, data->lo.x - 0.25 * (data->hi.x - data->lo.x),
                        data->hi.x + 0.25 * (data->hi.x - data->lo.x));
    cam.cy = std::clamp(cam.cy, data->lo.y - 0.25 * (data->hi.y - data->lo.y),
                        data->hi.y + 0.25 * (data->hi.y - data->lo.y));
  }

  // [SECTION] Drawing
  ImDrawList* dl = w->DrawList;
  dl->PushClipRect(bb.Min, bb.Max, true);
  // Square corners: grids, lines and tiles are clipped to a rectangle, and would show
  // past rounded ones.
  dl->AddRectFilled(bb.Min, bb.Max, kLand);
  const float small = ctx.size(ctx.fonts.small);
  const float px = 1.0f / std::max(ctx.dpr, 1.0f);  // one device pixel
  const MercPoint view_lo = to_world(bb.Min), view_hi = to_world(bb.Max);
  auto in_view = [&](MercPoint lo, MercPoint hi) {
    return hi.x >= view_lo.x && lo.x <= view_hi.x && hi.y >= view_lo.y && lo.y <= view_hi.y;
  };

  // The basemap's tiles: those covering the view at the zoom nearest the map's; a tile
  // still loading shows its nearest loaded parent, scaled.
  const bool basemap = ready && ctx.tiles && !data->basemap.tile_template.empty();
  if (basemap) {
    ctx.tiles->set_basemap(data->basemap, ctx.dpr >= 1.5f);
    const int z = std::clamp(static_cast<int>(std::floor(cam.zoom + 0.5)), 0, kMaxTileZoom);
    const int n = 1 << z;
    const int x0 = std::max(0, static_cast<int>(std::floor(view_lo.x * n)));
    const int x1 = std::min(n - 1, static_cast<int>(std::ceil(view_hi.x * n)) - 1);
    const int y0 = std::max(0, static_cast<int>(std::floor(view_lo.y * n)));
    const int y1 = std::min(n - 1, static_cast<int>(std::ceil(view_hi.y * n)) - 1);
    for (int ty = y0; ty <= y1; ++ty)
      for (int tx = x0; tx <= x1; ++tx) {
        const ImVec2 a = to_screen({static_cast<double>(tx) / n, static_cast<double>(ty) / n});
        const ImVec2 b =
            to_screen({static_cast<double>(tx + 1) / n, static_cast<double>(ty + 1) / n});
        std::uint32_t tex = ctx.tiles->want({z, tx, ty});
        ImVec2 uv0(0, 0), uv1(1, 1);
        for (int k = 1; !tex && k <= 4 && z - k >= 0; ++k) {
          tex = ctx.tiles->peek({z - k, tx >> k, ty >> k});
          if (tex) {
            const float f = 1.0f / static_cast<float>(1 << k);
            uv0 = ImVec2(static_cast<float>(tx & ((1 << k) - 1)) * f,
                         static_cast<float>(ty & ((1 << k) - 1)) * f);
            uv1 = uv0 + ImVec2(f, f);
          }
        }
        if (tex)
          dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(tex)), a, b, uv0,
                       uv1);
      }
  }

  std::vector<ImVec2> pts;
  if (ready) {
    const double grid_px = data->grid_width * world;
    const bool grid_lines = grid_px >= 10;
    const bool heat = v.fills && v.fills->size() == data->grids.size();
    const ImU32 plain = basemap ? IM_COL32(255, 255, 255, 40) : IM_COL32(255, 255, 255, 150);
    // Grids tile the district edge to edge: their fills need no anti-aliased fringe (which
    // would double the vertices of 1,571 polygons and draw seams between neighbours).
    const ImDrawListFlags flags = dl->Flags;
    dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
    for (std::size_t i = 0; i < data->grids.size(); ++i) {
      const MapData::Grid& g = data->grids[i];
      if (!in_view(g.lo, g.hi) || static_cast<int>(i) == v.selected) continue;
      pts.clear();
      for (const MercPoint& p : g.ring) pts.push_back(to_screen(p));
      const int n = static_cast<int>(pts.size());
      ImU32 fill = heat ? static_cast<ImU32>((*v.fills)[i]) : plain;
      if (heat && basemap) fill = (fill & 0x00ffffffu) | (200u << 24);
      dl->AddConvexPolyFilled(pts.data(), n, fill);
      if (grid_lines)
        dl->AddPolyline(pts.data(), n, heat ? IM_COL32(255, 255, 255, 160) : kGridLine,
                        ImDrawFlags_Closed, heat ? 0.6f : 1.0f);
    }
    dl->Flags = flags;
    // Boundaries: communities once they are big enough to matter, streets always.
    if (data->community_width * world >= 24)
      for (const auto& s : data->community_lines)
        if (in_view({std::min(s.a.x, s.b.x), std::min(s.a.y, s.b.y)},
                    {std::max(s.a.x, s.b.x), std::max(s.a.y, s.b.y)}))
          dl->AddLine(to_screen(s.a), to_screen(s.b), kCommunityLine, 1.5f);
    for (const auto& s : data->street_lines)
      if (in_view({std::min(s.a.x, s.b.x), std::min(s.a.y, s.b.y)},
                  {std::max(s.a.x, s.b.x), std::max(s.a.y, s.b.y)}))
        dl->AddLine(to_screen(s.a), to_screen(s.b), kStreetLine, 2.5f);
    // The chosen grid on top.
    if (v.selected >= 0 && static_cast<std::size_t>(v.selected) < data->grids.size()) {
      const MapData::Grid& g = data->grids[static_cast<std::size_t>(v.selected)];
      pts.clear();
      for (const MercPoint& p : g.ring) pts.push_back(to_screen(p));
      const int n = static_cast<int>(pts.size());
      dl->AddConvexPolyFilled(
          pts.data(), n,
          heat ? static_cast<ImU32>((*v.fills)[static_cast<std::size_t>(v.selected)])
               : IM_COL32(22, 93, 205, 70));
      dl->AddPolyline(pts.data(), n, theme::kPrimary, ImDrawFlags_Closed, 3.0f);
    }
  }

  // Markers: you are here (a blue dot), the report's pin (red).
  std::vector<ImRect> placed;  // what names must not cover
  placed.push_back(zoom_in);
  placed.push_back(zoom_out);
  ImRect here_rect, pin_rect;  // for tests: where the markers are
  if (ready && v.has_here) {
    const ImVec2 p = to_screen(to_mercator(v.here_lat, v.here_lng));
    dl->AddCircleFilled(p, 14, IM_COL32(22, 93, 205, 45), 24);
    dl->AddCircleFilled(p, 7.5f, theme::kWhite, 16);
    dl->AddCircleFilled(p, 5.5f, theme::kPrimary, 16);
    here_rect = ImRect(p - ImVec2(8, 8), p + ImVec2(8, 8));
  }
  ImVec2 pin(0, 0);
  if (ready && v.has_pin) {
    pin = to_screen(to_mercator(v.pin_lat, v.pin_lng));
    const ImVec2 p = pin;
    dl->AddCircleFilled(ImVec2(p.x, p.y + 1), 5, IM_COL32(0, 0, 0, 50), 16);
    dl->AddTriangleFilled(ImVec2(p.x - 7, p.y - 16), ImVec2(p.x + 7, p.y - 16), p, theme::kDanger);
    dl->AddCircleFilled(ImVec2(p.x, p.y - 18), 9, theme::kDanger, 24);
    dl->AddCircleFilled(ImVec2(p.x, p.y - 18), 3.5f, theme::kWhite, 12);
    placed.emplace_back(ImVec2(p.x - 10, p.y - 28), ImVec2(p.x + 10, p.y + 2));
    pin_rect = placed.back();
  }

  // The attribution of the basemap, bottom right.
  ImRect attribution;
  if (basemap && !data->basemap.attribution.empty()) {
    const float fs = small * 0.85f;
    const std::string& text = data->basemap.attribution;
    ImVec2 ts = MeasureText(ctx.fonts.small, fs, text);
    ts.x = std::min(ts.x, size.x - 12);
    attribution = ImRect(ImVec2(bb.Max.x - ts.x - 8, bb.Max.y - ts.y - 4), bb.Max);
    dl->AddRectFilled(attribution.Min, attribution.Max, IM_COL32(255, 255, 255, 210));
    dl->PushClipRect(attribution.Min, attribution.Max, true);
    DrawText(dl, ctx.fonts.small, fs, attribution.Min + ImVec2(4, 2), theme::kText2, text);
    dl->PopClipRect();
    placed.push_back(attribution);
  }

  // [SECTION] Names: the chosen grid first, then the level the zoom shows, biggest first,
  // each only where it fits its region and covers no other name
  int label_no = 0;
  auto record_label = [&](const ImRect& r, const std::string& text, const char* level) {
    RecordAt(ctx, r, sid + ".label." + std::to_string(label_no++), "maplabel", text, level);
  };
  if (ready && v.selected >= 0 && static_cast<std::size_t>(v.selected) < data->grids.size() &&
      !v.selected_name.empty()) {
    const MapData::Grid& g = data->grids[static_cast<std::size_t>(v.selected)];
    const ImVec2 ts = MeasureText(ctx.fonts.small, small, v.selected_name);
    ImVec2 at = v.has_pin ? ImVec2(pin.x, pin.y - 30 - ts.y * 0.5f) : to_screen(g.label);
    ImRect r(at - ImVec2(ts.x * 0.5f + 8, ts.y * 0.5f + 4),
             at + ImVec2(ts.x * 0.5f + 8, ts.y * 0.5f + 4));
    // Inside the map, clear of the zoom buttons.
    const ImVec2 shift(
        std::max(0.0f, bb.Min.x + 4 - r.Min.x) - std::max(0.0f, r.Max.x - (zoom_in.Min.x - 4)),
        std::max(0.0f, bb.Min.y + 4 - r.Min.y) - std::max(0.0f, r.Max.y - (bb.Max.y - 4)));
    r.Translate(shift);
    if (r.Overlaps(bb)) {
      dl->AddRectFilled(r.Min, r.Max, theme::kPrimary, 6);
      DrawText(dl, ctx.fonts.small, small, ImFloor(r.Min + ImVec2(8, 4)), theme::kWhite,
               v.selected_name);
      placed.push_back(r);
      record_label(r, v.selected_name, "selected");
    }
  }
  if (ready) {
    // Each region is named at the finest level that can carry names where it is: a
    // street while its communities are too small for theirs, a community while its grids
    // are, a grid once it is wide enough. Streets first, then communities, then grids,
    // biggest first; a name shows only where it fits its region and covers no other.
    enum Level { kStreet, kCommunity, kGrid };
    struct Candidate {
      const std::string* name;
      MercPoint lo, hi, label;
      int level;
      double area;
      const ImFont* font;
      float size;
      ImVec2 ts;
    };
    const float title = ctx.size(ctx.fonts.title) * 0.9f;
    // Whether a name fits a region w x h on screen: the font and size it takes.
    auto fit = [&](const std::string& name, int level, float w, float h, Candidate& c) {
      if (name.empty() || w < kMinNamedWidth) return false;
      c.font = level == kStreet ? ctx.fonts.title : ctx.fonts.small;
      c.size = level == kStreet ? title : small;
      c.ts = MeasureText(c.font, c.size, name);
      const float slack = level == kStreet ? 1.1f : 1.0f;
      if (level == kStreet && c.ts.x + 4 > w * slack) {  // the small face, then
        c.font = ctx.fonts.small;
        c.size = small;
        c.ts = MeasureText(c.font, c.size, name);
      }
      return c.ts.x + 4 <= w * slack && c.ts.y + 2 <= h;
    };
    // Per community and street: how many of its parts in view are named (fit) and in all.
    std::vector<int> comm_parts(data->communities.size(), 0),
        comm_named(data->communities.size(), 0);
    std::vector<int> street_parts(data->streets.size(), 0), street_named(data->streets.size(), 0);
    std::vector<Candidate> cands;
    for (std::size_t i = 0; i < data->grids.size(); ++i) {
      const MapData::Grid& g = data->grids[i];
      if (!in_view(g.lo, g.hi)) continue;
      const ImVec2 a = to_screen(g.lo), b = to_screen(g.hi);
      Candidate c{&g.name, g.lo, g.hi, g.label, kGrid, (g.hi.x - g.lo.x) * (g.hi.y - g.lo.y)};
      const bool fits = fit(g.name, kGrid, b.x - a.x, b.y - a.y, c);
      if (g.community >= 0) {
        ++comm_parts[static_cast<std::size_t>(g.community)];
        comm_named[static_cast<std::size_t>(g.community)] += fits;
      }
      if (fits && static_cast<int>(i) != v.selected) cands.push_back(c);
    }
    // A community is named while most of its grids in view cannot be.
    std::vector<char> comm_seen(data->communities.size(), 0);
    for (std::size_t i = 0; i < data->grids.size(); ++i) {
      const MapData::Grid& g = data->grids[i];
      if (g.community < 0 || comm_seen[static_cast<std::size_t>(g.community)]) continue;
      const auto k = static_cast<std::size_t>(g.community);
      comm_seen[k] = 1;
      const MapData::Region& r = data->communities[k];
      if (!in_view(r.lo, r.hi)) continue;
      const ImVec2 a = to_screen(r.lo), b = to_screen(r.hi);
      Candidate c{&r.name, r.lo, r.hi, r.label, kCommunity, r.area};
      const bool fits = fit(r.name, kCommunity, b.x - a.x, b.y - a.y, c);
      if (g.street >= 0) {
        ++street_parts[static_cast<std::size_t>(g.street)];
        street_named[static_cast<std::size_t>(g.street)] += fits;
      }
      if (fits && comm_named[k] * 2 < comm_parts[k]) cands.push_back(c);
    }
    // A street is named while most of its communities in view cannot be.
    for (std::size_t k = 0; k < data->streets.size(); ++k) {
      const MapData::Region& r = data->streets[k];
      if (!in_view(r.lo, r.hi) || street_named[k] * 2 >= std::max(street_parts[k], 1)) continue;
      const ImVec2 a = to_screen(r.lo), b = to_screen(r.hi);
      Candidate c{&r.name, r.lo, r.hi, r.label, kStreet, r.area};
      if (fit(r.name, kStreet, b.x - a.x, b.y - a.y, c)) cands.push_back(c);
    }
    std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
      return a.level != b.level ? a.level < b.level : a.area > b.area;
    });
    static const char* const kLevelNames[] = {"street", "community", "grid"};
    const ImRect inner(bb.Min + ImVec2(3, 3), bb.Max - ImVec2(3, 3));
    for (const Candidate& c : cands) {
      const ImVec2 a = to_screen(c.lo), b = to_screen(c.hi);
      const ImVec2 ts = c.ts;
      // At the region's name point, kept inside what is in view of the region; when
      // another name is there, a line or two above or below.
      const ImRect vis(ImMax(a, inner.Min), ImMin(b, inner.Max));
      if (vis.GetWidth() < ts.x || vis.GetHeight() < ts.y) continue;
      ImVec2 at = to_screen(c.label);
      if (!vis.Contains(at)) at = vis.GetCenter();
      bool found = false;
      ImRect r, padded;
      for (const float dy : {0.0f, -1.6f, 1.6f, -3.2f, 3.2f}) {
        ImVec2 lo(std::floor(at.x - ts.x * 0.5f), std::floor(at.y + dy * ts.y - ts.y * 0.5f));
        lo.x = std::clamp(lo.x, vis.Min.x, vis.Max.x - ts.x);
        lo.y = std::clamp(lo.y, vis.Min.y, vis.Max.y - ts.y);
        r = ImRect(lo, lo + ts);
        padded = r;
        padded.Expand(2);
        if (!Overlaps(placed, padded)) {
          found = true;
          break;
        }
      }
      if (!found) continue;
      placed.push_back(padded);
      const ImU32 col = c.level == kStreet      ? IM_COL32(40, 48, 62, 255)
                        : c.level == kCommunity ? IM_COL32(48, 66, 48, 255)
                                                : theme::kText2;
      HaloText(dl, c.font, c.size, r.Min, col, *c.name, std::max(px * 1.5f, 0.75f));
      record_label(r, *c.name, kLevelNames[c.level]);
      if (label_no > 60) break;
    }
  }

  // Zoom buttons.
  if (ready) {
    for (int k = 0; k < 2; ++k) {
      const ImRect& r = k == 0 ? zoom_in : zoom_out;
      const bool down = k == 0 ? zoom_in_held : zoom_out_held;
      dl->AddRectFilled(r.Min, r.Max, down ? theme::kPressed : theme::kWhite, 6,
                        k == 0 ? ImDrawFlags_RoundCornersTop : ImDrawFlags_RoundCornersBottom);
      const ImVec2 c = r.GetCenter();
      dl->AddLine(c - ImVec2(8, 0), c + ImVec2(8, 0), theme::kText, 2.0f);
      if (k == 0) dl->AddLine(c - ImVec2(0, 8), c + ImVec2(0, 8), theme::kText, 2.0f);
    }
    dl->AddRect(zoom_in.Min, zoom_out.Max, theme::kBorder, 6);
    dl->AddLine(ImVec2(zoom_in.Min.x + 6, zoom_in.Max.y), ImVec2(zoom_in.Max.x - 6, zoom_in.Max.y),
                theme::kDivider);
  }

  if (v.state != LoadState::loaded) {
    const std::string_view text =
        ctx.t(v.state == LoadState::failed ? T::map_failed : T::map_loading);
    const ImVec2 ts = MeasureText(ctx.fonts.small, small, text);
    DrawText(dl, ctx.fonts.small, small, bb.GetCenter() - ts * 0.5f, theme::kText2, text);
    if (v.state == LoadState::failed && shown) {
      bool h2 = false, hd2 = false;
      if (ImGui::ButtonBehavior(bb, gid, &h2, &hd2)) ctx.intents.emit(intent::RetryList{});
    }
  }
  dl->PopClipRect();
  dl->AddRect(bb.Min, bb.Max, theme::kBorder);

  // For tests: where the map looks: lng, lat of its centre, px per degree of longitude
  // and of latitude there, and the Web Mercator zoom (the world is 256 * 2^zoom px).
  double clng = 0, clat = 0;
  from_mercator({cam.cx, cam.cy}, clat, clng);
  const double sx = world / 360, sy = sx / std::max(std::cos(clat * 3.14159265358979 / 180), 0.1);
  char value[128];
  std::snprintf(value, sizeof value, "%.6f,%.6f,%.3f,%.3f,%.4f", clng, clat, sx, sy, cam.zoom);
  ImGui::GetCurrentContext()->LastItemData.Rect = map_item;
  Record(ctx, id, "map", ctx.t(v.tap == MapTap::pick_grid ? T::heat_map_title : T::map_title),
         value, v.state == LoadState::loaded, held);
  if (ready) {
    RecordAt(ctx, zoom_in, sid + ".zoom_in", "button", ctx.t(T::map_zoom_in));
    RecordAt(ctx, zoom_out, sid + ".zoom_out", "button", ctx.t(T::map_zoom_out));
    // The markers (not read out: the place chosen is named under the map).
    if (here_rect.GetWidth() > 0) RecordAt(ctx, here_rect, sid + ".here", "marker", "here");
    if (pin_rect.GetWidth() > 0) RecordAt(ctx, pin_rect, sid + ".pin", "marker", "pin");
    if (attribution.GetWidth() > 0)
      RecordAt(ctx, attribution, sid + ".attribution", "text", data->basemap.attribution);
  }
  if (m.holding || m.panning) ctx.wants_frame = ctx.wants_frame || io.MouseDown[0];
}

}  // namespace portal::client::ui
