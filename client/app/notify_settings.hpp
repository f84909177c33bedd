// Text messages about a citizen's tickets (SPEC §12, API.md "Notifications"): the
// account's setting, read and written through GET and PUT /api/v1/me/notifications, and
// what a report asks for when it is submitted (the language to write in, and whether to
// text its submitter at all). No ImGui here: the account screen draws
// NotifySettingsView and hands back intent::NotifySetting.
#pragma once

#include <functional>
#include <string>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/i18n.hpp"
#include "app/views.hpp"
#include "portal/core/json.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

// The body of POST /api/v1/tickets: the draft, the language of the texts ("zh" or "en",
// the portal's language) and whether its submitter wants them.
core::Json submit_body(const core::TicketDraft& draft, Lang lang, bool notify);

// The account's setting as the server holds it. The switch shows what the server said,
// or while a change is saved the value asked for; a change that fails goes back to what
// the server holds and says so.
class NotifySettings {
 public:
  // `post` queues work for the start of the next frame (answers arrive outside frames).
  NotifySettings(Api& api, std::function<void(std::function<void()>)> post);

  void load();   // asks the server, unless a reading is under way
  void reset();  // signed out: nothing is known
  // Asks for the opposite of what the server holds, with texts in `lang` from now on;
  // nothing while the setting is unknown or a change is being saved.
  void toggle(Lang lang);

  NotifySettingsView view(Lang lang) const;

 private:
  // Takes an answer {"enabled": bool, "lang": "zh"|"en"}; false when it is not one.
  bool take(const core::Json& answer);

  Api& api_;
  std::function<void(std::function<void()>)> post_;
  Async<core::Json> read_, write_;
  bool known_ = false;    // the server answered at least once
  bool enabled_ = false;  // what it said last
  std::string lang_;      // ... and the language of the texts
  bool wanted_ = false;   // the change being saved
};

}  // namespace portal::client
