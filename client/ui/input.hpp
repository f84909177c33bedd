// Browser input as plain data: the platform layer builds these from DOM events,
// the host feeds them to Dear ImGui one discrete step per frame.
#pragma once

#include <string>

namespace portal::client::ui {

enum Mods : int { kModShift = 1, kModCtrl = 2, kModAlt = 4, kModMeta = 8 };

struct InputEvent {
  enum class Kind {
    pointer_move,
    pointer_down,
    pointer_up,
    pointer_leave,  // the pointer left the canvas, or a touch ended
    wheel,
    key,          // a key press (the browser repeats it while held)
    text,         // committed text from the hidden input field (typing, IME, paste)
    composition,  // IME text being composed, not committed yet ("" when done)
    focus,        // the page gained (down=true) or lost focus
    pinch,        // two fingers: zoom by scale around (x, y), after moving by (dx, dy)
  };
  Kind kind = Kind::pointer_move;
  float x = 0, y = 0;    // CSS px in the canvas
  float dx = 0, dy = 0;  // wheel, in lines (+y scrolls the page down); pinch, in CSS px
  float scale = 1;       // pinch: the change of the distance between the fingers
  int button = 0;
  bool touch = false;
  bool down = false;
  int mods = 0;
  std::string key;   // DOM KeyboardEvent.key for key events
  std::string text;  // text and composition events
};

}  // namespace portal::client::ui
