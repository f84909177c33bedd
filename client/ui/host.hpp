// Runs Dear ImGui for the platform layer: applies queued input one discrete step
// per frame, keeps the glyph texture in step with the text shown, draws the app
// and renders with WebGL2. The platform layer never includes imgui.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "ui/glyph_cache.hpp"
#include "ui/input.hpp"
#include "ui/semantics.hpp"
#include "ui/tile_cache.hpp"

namespace portal::client::ui {

struct FrameOutput {
  bool want_text_input = false;  // a text field is being edited: focus the hidden input
  bool multiline = false;
  std::string input_mode = "text";
  float caret_x = 0, caret_y = 0, caret_h = 0;  // CSS px
  bool has_clipboard = false;                   // Dear ImGui copied text (Ctrl+C in a field)
  std::string clipboard;
  bool more_frames = false;        // input still queued, an animation runs, or state changed
  const char* cursor = "default";  // CSS cursor for the canvas
  bool complete = true;            // every character shown was drawn (none on its way)
  bool glyphs_added = false;       // glyphs were rasterised for this frame
  double ui_ms = 0;                // building the UI: view-models, widgets, draw lists
  std::string semantics;           // changes of the accessibility mirror ("" when none)
  std::string focus;               // a widget whose mirror node should take the focus ("" none)
  double semantics_ms = 0;         // building them
  float content_h = 0;             // CSS px the screen's content needs (ui::Ctx::content_h)
};

class Host {
 public:
  Host();
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Needs a current WebGL2 context. Glyphs come from `glyphs` (outlives the host).
  bool init(GlyphSource* glyphs);
  // The basemap's tiles (outlives the host; none: the map draws without a basemap).
  void set_tiles(TileCache* tiles);
  void set_viewport(float css_width, float css_height, float device_pixel_ratio);
  void queue(InputEvent e);
  bool has_queued_input() const;
  FrameOutput frame(App& app, double now_ms);

  // The accessibility mirror: its node for widget `id` got focus (Tab, a screen reader;
  // "" when it left the mirror), or was activated (click, Enter, Space): the widget is
  // brought into view and clicked.
  void semantic_focus(const std::string& id);
  void semantic_activate(const std::string& id);
  const SemanticsStats& semantics_stats() const;

  // The selection of the field being edited (for the browser's copy/cut events).
  std::string selected_text() const;
  std::string widgets_json() const;
  const GlyphStats& glyph_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portal::client::ui
