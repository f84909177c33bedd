#include "ui/semantics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>

#include "portal/core/audit.hpp"

namespace portal::client::ui {

std::string Semantics::role_of(const WidgetRecord& w) {
  if (!w.role.empty()) return w.role;
  const std::string& k = w.kind;
  if (k == "button" || k == "select") return "button";
  if (k == "input" || k == "textarea") return "textbox";
  if (k == "checkbox") return "checkbox";
  if (k == "radio") return "radio";
  if (k == "toggle") return "button";
  if (k == "text") return "text";
  if (k == "image" || k == "chart" || k == "map") return "img";
  if (k == "table") return "group";
  return {};  // "screen": not a node
}

namespace {

void AppendEscaped(std::string& out, std::string_view s) {
  core::append_json_string(out, s);
}

void AppendNumber(std::string& out, float v) {
  char buf[32];
  const long tenths = std::lround(v * 10.0f);
  const long whole = tenths / 10, frac = std::labs(tenths % 10);
  const int n = frac ? std::snprintf(buf, sizeof buf, "%s%ld.%ld",
                                     tenths < 0 && whole == 0 ? "-" : "", whole, frac)
                     : std::snprintf(buf, sizeof buf, "%ld", whole);
  out.append(buf, static_cast<std::size_t>(n));
}

void Field(std::string& out, const char* key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  AppendEscaped(out, value);
}

}  // namespace

std::string Semantics::update(const std::vector<WidgetRecord>& widgets) {
  std::unordered_map<std::string, std::string> now;
  std::vector<std::string> order;
  std::unordered_map<std::string, int> seen;  // auto ids: how often a text came already
  now.reserve(widgets.size());
  order.reserve(widgets.size());
  std::string set;
  int changed = 0;
  std::string node;
  for (const WidgetRecord& w : widgets) {
    const std::string role = role_of(w);
    if (role.empty()) continue;
    std::string name = w.name.empty() ? w.label : w.name;
    // A key and its value read as one ("联系人：李*").
    if (role == "text" && !w.value.empty() && w.value != w.label) name += "：" + w.value;
    std::string id = w.id;
    if (id.empty()) {
      const std::size_t h = std::hash<std::string>{}(name);
      id = role + "." + std::to_string(h % 1000000007u);
      const int n = seen[id]++;
      if (n > 0) id += "." + std::to_string(n);
    } else if (now.count(id)) {
      continue;  // an id drawn twice: the first one stands
    }
    node.clear();
    node += "{\"id\":";
    AppendEscaped(node, id);
    Field(node, "role", role);
    Field(node, "name", name);
    // Out of view (scrolled away): no geometry, so that scrolling a long list changes only
    // the nodes that come into view or leave it.
    if (w.visible) {
      node += ",\"x\":";
      AppendNumber(node, w.x);
      node += ",\"y\":";
      AppendNumber(node, w.y);
      node += ",\"w\":";
      AppendNumber(node, w.w);
      node += ",\"h\":";
      AppendNumber(node, w.h);
    } else {
      node += ",\"offscreen\":true";
    }
    if (role == "textbox" || w.kind == "select") Field(node, "value", w.value);
    if (!w.enabled) node += ",\"disabled\":true";
    if (w.kind == "checkbox" || w.kind == "radio")
      node += w.checked ? ",\"checked\":true" : ",\"checked\":false";
    if (w.kind == "button" && w.checked) node += ",\"checked\":true";
    if (!w.error.empty()) Field(node, "error", w.error);
    if (w.level > 0) node += ",\"level\":" + std::to_string(w.level);
    if (!w.href.empty()) Field(node, "href", w.href);
    if (w.selectable) {
      Field(node, "text", w.value);
      node += ",\"selectable\":true";
    }
    if (w.kind == "textarea") node += ",\"multiline\":true";
    if (role == "textbox" && w.active) node += ",\"active\":true";
    if (w.kind == "select") node += ",\"popup\":true";
    node += '}';
    auto it = last_.find(id);
    if (it == last_.end() || it->second != node) {
      set += set.empty() ? "" : ",";
      set += node;
      ++changed;
    }
    order.push_back(id);
    now.emplace(std::move(id), node);
  }
  std::string remove;
  int removed = 0;
  for (const auto& entry : last_)
    if (!now.count(entry.first)) {
      remove += remove.empty() ? "" : ",";
      AppendEscaped(remove, entry.first);
      ++removed;
    }
  const bool reordered = order != order_;
  stats_.nodes = static_cast<int>(order.size());
  stats_.changed = changed;
  stats_.removed = removed;
  stats_.reordered = reordered;
  last_ = std::move(now);
  if (changed == 0 && removed == 0 && !reordered) return {};
  std::string out = "{\"set\":[" + set + "],\"remove\":[" + remove + "]";
  if (reordered) {
    out += ",\"order\":[";
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i) out += ',';
      AppendEscaped(out, order[i]);
    }
    out += ']';
  }
  out += '}';
  order_ = std::move(order);
  return out;
}

}  // namespace portal::client::ui
