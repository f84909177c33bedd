// The cockpit's widgets, drawn with the window's ImDrawList: KPI tiles with a gauge,
// line and column charts with axes, gridlines and a legend, tables with inline bars
// and a CSV button, and a row of choices. Each is recorded in the widget log.
#pragma once

#include <functional>
#include <vector>

#include "app/cockpit.hpp"
#include "ui/context.hpp"

namespace portal::client::ui {

// Tiles side by side, `per_row` of them (wrapping; the tiles of a last row that is not
// full share its whole width); each records "<id>" with its value and its n.
void KpiTiles(Ctx& ctx, const std::vector<KpiTile>& tiles, int per_row, float height);
// A chart with its title, y axis (counts or %), x labels thinned to fit, and a legend.
void Chart(Ctx& ctx, const ChartView& v, float height);
// A row of chips; returns the key of the one tapped ("" none).
std::string Choices(Ctx& ctx, const char* id, const std::vector<Choice>& choices);
// A table in a card: title, CSV export button, header, rows (max_rows; 0 all).
void Table(Ctx& ctx, const TableView& t, std::size_t max_rows = 0);
// Two parts side by side on wide screens (the left one taking `left_share` of the
// width), one above the other on narrow ones.
void SideBySide(Ctx& ctx, bool wide, float left_share, const std::function<void()>& left,
                const std::function<void()>& right);

}  // namespace portal::client::ui
