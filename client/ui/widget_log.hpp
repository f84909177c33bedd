// Named widgets of the last frame, with their rectangles in CSS pixels and state:
// what browser tests read (window.portal.widgets()) and what the accessibility mirror
// is built from (ui/semantics.hpp).
#pragma once

#include <string>
#include <vector>

namespace portal::client::ui {

struct WidgetRecord {
  std::string id;     // stable, e.g. "submit.description"
  std::string kind;   // button | input | textarea | select | checkbox | text | toggle
  std::string label;  // what a person reads on or next to it
  std::string value;  // text of inputs and value labels
  float x = 0, y = 0, w = 0, h = 0;
  bool enabled = true;
  bool active = false;   // being pressed or edited
  bool visible = true;   // inside the visible part of its scrolling area
  std::string error;     // the error shown at the field, if any
  bool checked = false;  // a chosen row of a list
  bool unread = false;   // a ticket changed since its reader last opened it
  // For the accessibility mirror, when the kind alone does not say it: "heading" (with
  // level), "status" (a message to announce), "link" (with href, e.g. tel:12345).
  std::string role;
  std::string name;  // the accessible name, when it is not the label (e.g. "EN" says little)
  int level = 0;
  std::string href;
  bool selectable = false;  // text a person may select and copy (a ticket number, a code)
};

class WidgetLog {
 public:
  void clear() { records_.clear(); }
  WidgetRecord& add(WidgetRecord r) {
    records_.push_back(std::move(r));
    return records_.back();
  }
  const std::vector<WidgetRecord>& records() const { return records_; }
  WidgetRecord& last() { return records_.back(); }
  void pop_back() { records_.pop_back(); }
  // Multiplies every rectangle by k (layout units to CSS px).
  void scale(float k) {
    if (k == 1.0f) return;
    for (auto& r : records_) {
      r.x *= k;
      r.y *= k;
      r.w *= k;
      r.h *= k;
    }
  }
  std::string to_json() const;

 private:
  std::vector<WidgetRecord> records_;
};

}  // namespace portal::client::ui
