#include "ui/widget_log.hpp"

#include <cmath>

#include "portal/core/json.hpp"

namespace portal::client::ui {

std::string WidgetLog::to_json() const {
  core::Json out = core::Json::array();
  auto round1 = [](float v) { return std::round(v * 10.0f) / 10.0f; };
  for (const auto& r : records_) {
    core::Json w = {{"id", r.id},         {"kind", r.kind},      {"label", r.label},
                    {"value", r.value},   {"x", round1(r.x)},    {"y", round1(r.y)},
                    {"w", round1(r.w)},   {"h", round1(r.h)},    {"enabled", r.enabled},
                    {"active", r.active}, {"visible", r.visible}};
    if (!r.error.empty()) w["error"] = r.error;
    if (r.checked) w["checked"] = true;
    if (r.unread) w["unread"] = true;
    if (!r.role.empty()) w["role"] = r.role;
    if (!r.href.empty()) w["href"] = r.href;
    out.push_back(std::move(w));
  }
  return out.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

}  // namespace portal::client::ui
