// The UI language and the catalogue of every string the client shows by itself.
#pragma once

#include <string_view>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

enum class Lang { zh, en };

enum class T {
#define PORTAL_TEXT(key, zh, en) key,
#include "app/catalogue.inc"
#undef PORTAL_TEXT
  count_
};

std::string_view tr(Lang lang, T key);
std::string_view lang_tag(Lang lang);  // "zh-CN" | "en"
std::string_view status_name(Lang lang, core::Status s);
std::string_view level_name(Lang lang, core::Level l);
// Names of events, roles, whistle states and the five-step satisfaction scale.
std::string_view action_name(Lang lang, std::string_view action);
std::string_view role_name(Lang lang, std::string_view role);
std::string_view whistle_state_name(Lang lang, std::string_view state);
std::string_view satisfaction_name(Lang lang, int satisfaction);
// A category group in the UI language (groups come from the server in Chinese).
std::string_view group_name(Lang lang, std::string_view group);
// A user-facing message for an error from validation or the API.
std::string_view error_message(Lang lang, const core::Error& e);

}  // namespace portal::client
