// The accessibility mirror of the canvas: every frame, the widgets the UI names (the
// widget log) become nodes of a hidden DOM layer over the canvas (web/portal-semantics.js),
// as Flutter's web semantics tree and egui's AccessKit do: a role, an accessible name, a
// value and states, at the widget's rectangle, in visual order. Only what changed since
// the last frame is sent. Pure: no ImGui, no browser (unit-tested natively).
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "ui/widget_log.hpp"

namespace portal::client::ui {

struct SemanticsStats {
  int nodes = 0;    // in the mirror after the last update
  int changed = 0;  // nodes sent by the last update (new or changed)
  int removed = 0;  // nodes removed by the last update
  bool reordered = false;
};

class Semantics {
 public:
  // The changes from the last frame's widgets to these, as JSON, or "" when none:
  //   {"set": [node...], "remove": [id...], "order": [id...]}
  // "order" (every id, in reading order) only when it changed. A node:
  //   {"id", "role", "name", "value"?, "x", "y", "w", "h", "disabled"?, "checked"?,
  //    "error"?, "level"?, "href"?, "multiline"?, "offscreen"?}
  // role: button | textbox | checkbox | switch | heading | text | status | link | img |
  // group. Widgets without an id get one from their role and text.
  std::string update(const std::vector<WidgetRecord>& widgets);
  const SemanticsStats& stats() const { return stats_; }
  // The role a widget gets in the mirror ("" when it has none, e.g. the screen marker).
  static std::string role_of(const WidgetRecord& w);

 private:
  std::unordered_map<std::string, std::string> last_;  // id -> the node's JSON
  std::vector<std::string> order_;
  SemanticsStats stats_;
};

}  // namespace portal::client::ui
