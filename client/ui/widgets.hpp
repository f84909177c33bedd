// The portal's widgets, drawn with Dear ImGui for touch: full-width fields with
// their label above and their error below, big buttons, cards, rows. Every named
// widget is recorded in the widget log with its rectangle and state.
#pragma once

#include <string_view>

#include "ui/context.hpp"

namespace portal::client::ui {

enum class ButtonKind { primary, secondary, ghost };
enum class FieldKind { text, phone, decimal, ticket_number, access_code, password };
enum class Tone { info, success, warning, danger, neutral };
enum class ButtonIcon { none, copy, done };
// The chip colour of a ticket status.
Tone StatusTone(core::Status s);

// [SECTION] Layout
// The scrolling body below the top bar: a centered column on wide screens.
void BeginBody(Ctx& ctx, const char* id);
void EndBody(Ctx& ctx);
// A white rounded card; `flush` cards hold edge-to-edge list rows.
void BeginCard(Ctx& ctx, bool flush = false);
void EndCard(Ctx& ctx);
void Gap(float px);
float AvailWidth();

// [SECTION] Text
// Wrapped text (Chinese-aware line breaking). Returns its height.
float Paragraph(Ctx& ctx, std::string_view text, ImFont* font, ImU32 color,
                float line_height = 1.5f, bool centered = false);
// A small grey heading; `inset` lines it up with a card that follows (outside cards).
void SectionLabel(Ctx& ctx, std::string_view text, bool inset = true);
void Chip(Ctx& ctx, const char* id, std::string_view text, Tone tone);
void Banner(Ctx& ctx, const char* id, std::string_view text, Tone tone);
void Spinner(Ctx& ctx, ImVec2 center, float radius, ImU32 color);
// A label on the left and a wrapped value on the right. With href (a tel: number) the
// value is a link: tapping it calls.
void KeyValue(Ctx& ctx, const char* id, std::string_view key, std::string_view value,
              ImU32 value_color = 0, std::string_view href = {});

// [SECTION] Controls (true when activated this frame)
bool Button(Ctx& ctx, const char* id, std::string_view label, ButtonKind kind, bool enabled = true,
            float width = 0, bool busy = false, ButtonIcon icon = ButtonIcon::none);
// True when Enter was pressed in the field.
bool TextField(Ctx& ctx, const char* id, Field field, std::string_view label, std::string_view hint,
               const FieldView& v, FieldKind kind = FieldKind::text, std::string_view note = {},
               bool focus = false);
void TextArea(Ctx& ctx, const char* id, Field field, std::string_view label, std::string_view hint,
              const FieldView& v, std::string_view counter, bool focus = false);
bool SelectRow(Ctx& ctx, const char* id, std::string_view label, std::string_view value,
               std::string_view placeholder, std::string_view error, bool focus = false);
bool Checkbox(Ctx& ctx, const char* id, std::string_view label, bool value);
// An on/off setting as a full-width row: label, a note under it, a switch on the right.
// Disabled (a setting not known yet, or being saved): drawn faded, taps do nothing.
bool Switch(Ctx& ctx, const char* id, std::string_view label, std::string_view note, bool value,
            bool enabled = true);
// A tappable list row: title, optional subtitle, chevron. `checked` draws a tick instead;
// `choice` rows (one of several options) draw a box, ticked when checked.
bool ListRow(Ctx& ctx, const char* id, std::string_view title, std::string_view subtitle,
             bool checked = false, bool divider = true, bool choice = false);
// One option of a single choice (a radio button) as a full-width row: a ring on the left,
// filled with a dot when chosen, and the option's name. Said to screen readers as a radio.
bool RadioRow(Ctx& ctx, const char* id, std::string_view title, bool checked, bool divider = true);

// The grid map (map_widget.cpp): a mouse drags to pan and its wheel zooms; on a touch
// screen one finger scrolls the page and two move and zoom the map; + and - buttons zoom;
// a tap or click places the report (PlaceLocation) or picks a grid (PickMapGrid), as the
// view says. Names of streets, communities or grids by zoom, without overlaps; the
// basemap's tiles under the grids when ctx.tiles has one.
void GridMap(Ctx& ctx, const char* id, const MapView& v, float height);

// [SECTION] Chrome
void TopBar(Ctx& ctx, const ShellView& shell, std::string_view title);
// The embedded layout's bar: a slim back row on inner screens, nothing on the first.
void CompactBar(Ctx& ctx, const ShellView& shell, std::string_view title);
void Toast(Ctx& ctx, std::string_view text);

// [SECTION] Icons, drawn with the draw list
void IconCheckCircle(ImDrawList* dl, ImVec2 center, float r, ImU32 bg, ImU32 fg);
void IconChevron(ImDrawList* dl, ImVec2 center, float size, ImU32 color, bool left);
void IconSearch(ImDrawList* dl, ImVec2 center, float size, ImU32 color);
void IconEdit(ImDrawList* dl, ImVec2 center, float size, ImU32 color);
void IconCopy(ImDrawList* dl, ImVec2 center, float size, ImU32 color);

// Records the last item under `id` in the widget log.
void Record(Ctx& ctx, const char* id, const char* kind, std::string_view label,
            std::string_view value = {}, bool enabled = true, bool active = false,
            std::string_view error = {});

}  // namespace portal::client::ui
