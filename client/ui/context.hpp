// What draw code works with: the fonts, the language, the widget log, the intents
// it emits and the UI's own small state (editors, touch scrolling). One instance
// lives in the Host; nothing in ui/ keeps state anywhere else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/i18n.hpp"
#include "app/intents.hpp"
#include "app/views.hpp"
#include "imgui.h"
#include "ui/glyph_cache.hpp"
#include "ui/text_editor.hpp"
#include "ui/tile_cache.hpp"
#include "ui/widget_log.hpp"

namespace portal::client::ui {

// The text field being edited this frame, for the platform's hidden input element.
struct ActiveText {
  bool active = false;
  bool multiline = false;
  std::string mode = "text";  // the inputmode attribute: text | tel | decimal
  ImVec2 caret;               // CSS px, top-left of the caret
  float line_height = 0;
};

struct TouchScroll {
  bool candidate = false;  // a touch went down inside the scrolling body
  bool dragging = false;   // ... and moved far enough to scroll
  float velocity = 0;      // px/s after release, decaying
};

// The gesture in progress on a map (one at a time).
struct MapState {
  bool holding = false, panning = false;  // a press on the map; a mouse drags it
  ImVec2 last;
  ImVec2 rect_min, rect_max;  // on screen last frame, for routing the wheel
  float wheel = 0;            // wheel lines that landed on the map this frame
  float pinch = 1;            // pinch zoom factor this frame
  ImVec2 pinch_at;            // where the two fingers are (their middle)
  ImVec2 pinch_pan;           // how far the two fingers moved together this frame
};

// Where one map looks, kept between frames: the centre in Web Mercator world units and
// the zoom (the world is 256 * 2^zoom px wide).
struct MapCamera {
  bool fitted = false;
  double cx = 0, cy = 0, zoom = 0;
  std::uint64_t focus_seq = 0;  // the last MapView::focus_seq applied
};

struct Ctx {
  // [SECTION] Per frame
  Lang lang = Lang::zh;
  bool elderly = false;  // 长辈版: fewer items per row
  FontSet fonts;
  ImVec2 display;
  float dpr = 1;
  double now_ms = 0;
  Intents intents;
  WidgetLog log;
  ActiveText active_text;
  bool wants_frame = false;  // an animation runs
  float column_x = 0, column_w = 0;
  // The scrolling body's own box across the screen: all of it, or one pane of the desk.
  float body_x = 0, body_w = 0;
  // The desk: a handler's queue beside the ticket on a wide screen (Host decides).
  bool desk = false;
  // Plain character keys pressed this frame while no text field has them ("j", "?"):
  // the desk's shortcuts.
  std::vector<std::string> typed_keys;
  float top_bar = 0;              // height of the bar above the body (compact when embedded)
  float card_vpad = 0;            // padding of the card being drawn
  bool viewport_changed = false;  // resized (e.g. a soft keyboard opened): keep the caret in view
  // The height the screen needs to show all of its content without scrolling (its bar and
  // its body's laid-out content): an embedding host sizes its frame to it (autoHeight).
  float content_h = 0;
  std::string copied;  // the copy button whose text was just copied ("" none): it says so

  // [SECTION] Kept between frames
  std::unordered_map<ImGuiID, TextEditState> editors;
  ImGuiID active_editor = 0;   // the TextEditor being edited, if any
  std::string preedit;         // IME composition in progress
  std::string a11y_focus;      // the widget the page's accessibility mirror has focus on
  std::string a11y_reveal;     // ... to bring into view (once: then the user scrolls freely)
  bool touch = false;          // the last pointer was a finger
  TileCache* tiles = nullptr;  // the basemap's tiles (the platform's; none natively)
  TouchScroll scroll;
  MapState map;
  std::unordered_map<ImGuiID, MapCamera> map_cameras;
  std::uint64_t focus_seq_seen = 0;
  std::uint64_t rate_focus_seen = 0;  // the last RateView::focus_seq acted on
  std::string desk_cursor_seen;       // the desk's keyboard row last brought into view
  std::string focus_node;  // a widget whose mirror node takes the page's focus after this frame
  Screen last_screen = Screen::home;
  bool screen_changed = true;

  std::string_view t(T key) const { return tr(lang, key); }
  float size(const ImFont* f) const { return f->FontSize / dpr; }
};

}  // namespace portal::client::ui
