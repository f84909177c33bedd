#include "app/notify_settings.hpp"

#include <utility>

namespace portal::client {

namespace {

constexpr const char* kPath = "/api/v1/me/notifications";

const char* wire_lang(Lang lang) {
  return lang == Lang::en ? "en" : "zh";
}

}  // namespace

core::Json submit_body(const core::TicketDraft& draft, Lang lang, bool notify) {
  core::Json body = draft;
  body["lang"] = wire_lang(lang);
  body["notify"] = notify;
  return body;
}

NotifySettings::NotifySettings(Api& api, std::function<void(std::function<void()>)> post)
    : api_(api), post_(std::move(post)) {}

bool NotifySettings::take(const core::Json& answer) {
  if (!answer.is_object()) return false;
  const auto enabled = answer.find("enabled");
  if (enabled == answer.end() || !enabled->is_boolean()) return false;
  enabled_ = enabled->get<bool>();
  const auto lang = answer.find("lang");
  lang_ = lang != answer.end() && lang->is_string() ? lang->get<std::string>() : std::string();
  known_ = true;
  return true;
}

void NotifySettings::load() {
  if (read_.loading()) return;
  const auto t = read_.start();
  api_.get_json(kPath, [this, t](core::Result<core::Json> r) {
    post_([this, t, r = std::move(r)]() mutable {
      if (!read_.finish(t, std::move(r)) || !read_.loaded()) return;
      if (!take(read_.value))
        read_.finish(t, core::Error{"bad_answer", "not a notification setting", {}, 502});
    });
  });
}

void NotifySettings::reset() {
  read_.reset();
  write_.reset();
  known_ = false;
  enabled_ = false;
  lang_.clear();
}

void NotifySettings::toggle(Lang lang) {
  if (!known_ || write_.loading()) return;
  wanted_ = !enabled_;
  const auto t = write_.start();
  api_.put_json(
      kPath, {{"enabled", wanted_}, {"lang", wire_lang(lang)}},
      [this, t](core::Result<core::Json> r) {
        post_([this, t, r = std::move(r)]() mutable {
          if (!write_.finish(t, std::move(r)) || !write_.loaded()) return;
          if (!take(write_.value))
            write_.finish(t, core::Error{"bad_answer", "not a notification setting", {}, 502});
        });
      });
}

NotifySettingsView NotifySettings::view(Lang lang) const {
  NotifySettingsView v;
  v.shown = true;
  v.enabled = write_.loading() ? wanted_ : enabled_;
  v.can_toggle = known_ && !write_.loading();
  if (!known_) {
    v.note = std::string(tr(lang, read_.failed() ? T::notify_setting_note : T::notify_reading));
    if (read_.failed()) {
      v.error = std::string(tr(lang, T::notify_read_failed)) + " · " +
                std::string(error_message(lang, read_.error));
      v.retry = true;
    }
    return v;
  }
  v.note = std::string(tr(lang, T::notify_setting_note));
  if (write_.loading()) {
    v.note += " · " + std::string(tr(lang, T::notify_saving));
  } else if (enabled_ && !lang_.empty()) {
    v.note += " · " + std::string(tr(lang, lang_ == "en" ? T::notify_in_en : T::notify_in_zh));
  }
  if (write_.failed())
    v.error = std::string(tr(lang, T::notify_save_failed)) + " · " +
              std::string(error_message(lang, write_.error));
  return v;
}

}  // namespace portal::client
