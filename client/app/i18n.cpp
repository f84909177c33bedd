#include "app/i18n.hpp"

#include <utility>

namespace portal::client {

namespace {

struct Entry {
  std::string_view zh, en;
};

constexpr Entry kCatalogue[] = {
#define PORTAL_TEXT(key, zh, en) {zh, en},
#include "app/catalogue.inc"
#undef PORTAL_TEXT
};
static_assert(sizeof(kCatalogue) / sizeof(kCatalogue[0]) == static_cast<std::size_t>(T::count_));

}  // namespace

std::string_view tr(Lang lang, T key) {
  const Entry& e = kCatalogue[static_cast<int>(key)];
  const std::string_view text = lang == Lang::zh ? e.zh : e.en;
  return text;
}

std::string_view lang_tag(Lang lang) {
  return lang == Lang::zh ? "zh-CN" : "en";
}

std::string_view status_name(Lang lang, core::Status s) {
  using core::Status;
  switch (s) {
    case Status::submitted:
      return tr(lang, T::status_submitted);
    case Status::assigned:
      return tr(lang, T::status_assigned);
    case Status::accepted:
      return tr(lang, T::status_accepted);
    case Status::in_progress:
      return tr(lang, T::status_in_progress);
    case Status::resolved:
      return tr(lang, T::status_resolved);
    case Status::closed:
      return tr(lang, T::status_closed);
    case Status::returned:
      return tr(lang, T::status_returned);
    case Status::rejected:
      return tr(lang, T::status_rejected);
    case Status::merged:
      return tr(lang, T::status_merged);
  }
  return {};
}

std::string_view level_name(Lang lang, core::Level l) {
  using core::Level;
  switch (l) {
    case Level::grid:
      return tr(lang, T::level_grid);
    case Level::community:
      return tr(lang, T::level_community);
    case Level::street:
      return tr(lang, T::level_street);
    case Level::district:
      return tr(lang, T::level_district);
  }
  return {};
}

std::string_view group_name(Lang lang, std::string_view group) {
  if (lang == Lang::zh) return group;
  for (T key : {T::group_safety, T::group_utilities, T::group_environment, T::group_cityscape,
                T::group_urban, T::group_disputes})
    if (tr(Lang::zh, key) == group) return tr(Lang::en, key);
  return group;
}

std::string_view error_message(Lang lang, const core::Error& e) {
  const std::string_view c = e.code;
  if (c == "required") return tr(lang, T::err_required);
  if (c == "too_short") return tr(lang, T::err_too_short);
  if (c == "too_long" || c == "too_many") return tr(lang, T::err_too_long);
  if (c == "invalid_utf8" || c == "control_characters") return tr(lang, T::err_invalid_text);
  if (c == "invalid_phone") return tr(lang, T::err_invalid_phone);
  if (c == "out_of_area" || c == "outside_district") return tr(lang, T::err_out_of_area);
  if (c == "unknown_category") return tr(lang, T::err_unknown_category);
  if (c == "invalid_number") return tr(lang, T::err_invalid_number);
  if (c == "not_found" || c == "forbidden" || c == "unauthorized")
    return tr(lang, T::err_not_found);
  if (c == "network") return tr(lang, T::err_network);
  if (c == "outbox_full") return tr(lang, T::outbox_full);
  if (c == "rate_limited" || e.status == 429) return tr(lang, T::err_rate_limited);
  if (e.status >= 500 || e.status == 0) return tr(lang, T::err_server);
  if (e.status == 404) return tr(lang, T::err_not_found);
  return tr(lang, T::err_rejected);
}

std::string_view action_name(Lang lang, std::string_view a) {
  static constexpr std::pair<std::string_view, T> kNames[] = {
      {"submit", T::act_submit},
      {"assign", T::act_assign},
      {"accept", T::act_accept},
      {"contact", T::act_contact},
      {"progress", T::act_progress},
      {"escalate", T::act_escalate},
      {"auto_escalate", T::act_escalate},
      {"whistle", T::act_whistle},
      {"checkin", T::act_checkin},
      {"whistle_done", T::act_whistle_done},
      {"resolve", T::act_resolve},
      {"return", T::act_return},
      {"reject", T::act_reject},
      {"merge", T::act_merge},
      {"recategorize", T::act_recategorize},
      {"follow", T::act_follow},
      {"rate", T::act_rate},
      {"record_rating", T::act_rate},
      {"reopen", T::act_reopen},
      {"close", T::act_close},
      {"auto_close", T::act_close},
  };
  for (const auto& [name, key] : kNames)
    if (name == a) return tr(lang, key);
  return tr(lang, T::act_auto);
}

std::string_view role_name(Lang lang, std::string_view role) {
  static constexpr std::pair<std::string_view, T> kNames[] = {
      {"citizen", T::role_citizen},
      {"anonymous", T::role_citizen},
      {"system", T::role_system},
      {"grid_worker", T::role_grid_worker},
      {"community_staff", T::role_community},
      {"street_staff", T::role_street},
      {"district_staff", T::role_district},
      {"unit_staff", T::role_unit},
      {"hotline_agent", T::role_hotline},
  };
  for (const auto& [name, key] : kNames)
    if (name == role) return tr(lang, key);
  return tr(lang, T::role_staff);
}

std::string_view whistle_state_name(Lang lang, std::string_view s) {
  if (s == "checked_in") return tr(lang, T::whistle_checked_in);
  if (s == "done") return tr(lang, T::whistle_done);
  if (s == "withdrawn") return tr(lang, T::whistle_withdrawn);
  return tr(lang, T::whistle_summoned);
}

std::string_view satisfaction_name(Lang lang, int s) {
  switch (s) {
    case 5:
      return tr(lang, T::sat_5);
    case 4:
      return tr(lang, T::sat_4);
    case 3:
      return tr(lang, T::sat_3);
    case 2:
      return tr(lang, T::sat_2);
    default:
      return tr(lang, T::sat_1);
  }
}

}  // namespace portal::client
