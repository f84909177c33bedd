// The accessibility mirror's diff (client/ui/semantics): roles, names, states, and only
// what changed from one frame to the next.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portal/core/json.hpp"
#include "ui/semantics.hpp"

namespace portal::client::ui {
namespace {

WidgetRecord widget(std::string id, std::string kind, std::string label, std::string value = {}) {
  WidgetRecord w;
  w.id = std::move(id);
  w.kind = std::move(kind);
  w.label = std::move(label);
  w.value = std::move(value);
  w.x = 16;
  w.y = 100;
  w.w = 328;
  w.h = 48;
  w.visible = true;
  return w;
}

core::Json parse(const std::string& s) {
  return core::Json::parse(s);
}

const core::Json* node(const core::Json& diff, const std::string& id) {
  for (const auto& n : diff["set"])
    if (n["id"] == id) return &n;
  return nullptr;
}

TEST(ClientSemantics, RolesNamesValuesAndStates) {
  WidgetRecord field = widget("submit.description", "textarea", "问题描述", "路灯不亮");
  field.error = "此项必填";
  WidgetRecord send = widget("submit.button", "button", "提交");
  send.enabled = false;
  WidgetRecord agree = widget("submit.anonymous", "checkbox", "匿名", "");
  agree.checked = true;
  WidgetRecord title = widget("nav.title", "text", "反映问题", "反映问题");
  title.role = "heading";
  title.level = 1;
  WidgetRecord phone = widget("unit.0.phone", "text", "12345", "12345");
  phone.role = "link";
  phone.href = "tel:12345";
  WidgetRecord screen = widget("screen", "screen", "", "submit");
  Semantics s;
  const core::Json d = parse(
      s.update({screen, title, field, agree, send, widget("", "text", "联系人", "李*"), phone}));
  EXPECT_EQ(node(d, "screen"), nullptr) << "the screen marker is no node";
  const core::Json& f = *node(d, "submit.description");
  EXPECT_EQ(f["role"], "textbox");
  EXPECT_EQ(f["name"], "问题描述");
  EXPECT_EQ(f["value"], "路灯不亮");
  EXPECT_EQ(f["error"], "此项必填");
  EXPECT_EQ(f["multiline"], true);
  EXPECT_EQ((*node(d, "submit.button"))["disabled"], true);
  EXPECT_EQ((*node(d, "submit.anonymous"))["role"], "checkbox");
  EXPECT_EQ((*node(d, "submit.anonymous"))["checked"], true);
  EXPECT_EQ((*node(d, "nav.title"))["role"], "heading");
  EXPECT_EQ((*node(d, "nav.title"))["level"], 1);
  EXPECT_EQ((*node(d, "unit.0.phone"))["href"], "tel:12345");
  // A key and its value read as one text; it gets an id of its own.
  bool found = false;
  for (const auto& n : d["set"])
    if (n["name"] == "联系人：李*")
      found = n["role"] == "text" && !n["id"].get<std::string>().empty();
  EXPECT_TRUE(found);
  // Reading order: the order the UI draws.
  const std::vector<std::string> order = d["order"];
  ASSERT_EQ(order.size(), 6u);
  EXPECT_EQ(order[0], "nav.title");
  EXPECT_EQ(order[1], "submit.description");
  EXPECT_EQ(order[5], "unit.0.phone");
  EXPECT_EQ(s.stats().nodes, 6);
}

TEST(ClientSemantics, ASingleChoiceIsRadiosWithOneChecked) {
  WidgetRecord five = widget("rate.s5", "radio", "非常满意");
  WidgetRecord four = widget("rate.s4", "radio", "满意");
  four.checked = true;
  Semantics s;
  const core::Json d = parse(s.update({five, four}));
  ASSERT_NE(node(d, "rate.s5"), nullptr);
  EXPECT_EQ((*node(d, "rate.s5"))["role"], "radio");
  EXPECT_EQ((*node(d, "rate.s5"))["checked"], false) << "said unchecked, not left out";
  EXPECT_EQ((*node(d, "rate.s4"))["role"], "radio");
  EXPECT_EQ((*node(d, "rate.s4"))["checked"], true);
}

TEST(ClientSemantics, OnlyWhatChangedIsSent) {
  Semantics s;
  std::vector<WidgetRecord> frame;
  for (int i = 0; i < 1000; ++i)
    frame.push_back(widget("row." + std::to_string(i), "button", "第" + std::to_string(i) + "件"));
  EXPECT_FALSE(s.update(frame).empty());
  EXPECT_EQ(s.stats().changed, 1000);
  // The same frame again: nothing to send.
  EXPECT_EQ(s.update(frame), "");
  EXPECT_EQ(s.stats().changed, 0);
  // One row's label changes and one row goes: one node set, one removed, a new order.
  frame[7].label = "第七件";
  frame.pop_back();
  const core::Json d = parse(s.update(frame));
  ASSERT_EQ(d["set"].size(), 1u);
  EXPECT_EQ(d["set"][0]["id"], "row.7");
  EXPECT_EQ(d["remove"], core::Json::array({"row.999"}));
  EXPECT_EQ(d["order"].size(), 999u);
  // A scroll moves the rows: those in view are sent again with their place, those
  // out of view have none and are not sent; the order stays and is not sent.
  for (std::size_t i = 0; i < frame.size(); ++i) {
    frame[i].y -= 40;
    frame[i].visible = i < 10;
  }
  const core::Json first = parse(s.update(frame));  // 989 rows left the view
  EXPECT_EQ(first["set"].size(), 999u);
  for (auto& w : frame) w.y -= 40;
  const core::Json moved = parse(s.update(frame));
  EXPECT_EQ(moved["set"].size(), 10u);
  EXPECT_FALSE(moved.contains("order"));
  EXPECT_FALSE(moved["set"][0].contains("offscreen"));
}

TEST(ClientSemantics, TextsWithoutIdsKeepStableIds) {
  Semantics s;
  const core::Json a =
      parse(s.update({widget("", "text", "同一句话"), widget("", "text", "同一句话")}));
  ASSERT_EQ(a["set"].size(), 2u);
  EXPECT_NE(a["set"][0]["id"], a["set"][1]["id"]);
  // Drawn again the same: the same ids, nothing sent.
  EXPECT_EQ(s.update({widget("", "text", "同一句话"), widget("", "text", "同一句话")}), "");
}

}  // namespace
}  // namespace portal::client::ui
