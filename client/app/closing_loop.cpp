// Closing the loop (SPEC §4 "Closing the loop", §12): what the citizen chooses about
// text messages (the report form's "text me progress", the account's setting), and the
// link of a "resolved" text, /t/{number}#c={code}&rate or /t/{number}#rate, which opens
// the ticket with its rating form on top, the first choice focused.
#include <algorithm>

#include "app/app.hpp"

namespace portal::client {

bool App::is_citizen() const {
  return signed_in() && session_.user.role == "citizen";
}

// The intents of this part; false for the others.
bool App::apply_notify(const Intent& i) {
  if (const auto* n = std::get_if<intent::SetNotify>(&i)) {
    notify_ = n->value;
    idempotency_key_.clear();  // another body: another submission
    save_draft();
    return true;
  }
  if (const auto* s = std::get_if<intent::NotifySetting>(&i)) {
    if (!is_citizen()) return true;
    if (s->retry)
      notify_settings_.load();
    else
      notify_settings_.toggle(lang_);
    return true;
  }
  return false;
}

bool App::may_rate() const {
  // Only the submitter rates here; handlers record a phone rating as an action.
  const core::TicketView& t = ticket_.value.view;
  if (is_handler() || t.number.empty()) return false;
  return std::find(t.allowed_actions.begin(), t.allowed_actions.end(), "rate") !=
             t.allowed_actions.end() ||
         (t.status == core::Status::resolved && !ticket_.value.rating);
}

void App::follow_rate_link(const std::string& number) {
  if (rate_link_ != number) return;
  rate_link_.clear();  // once: a refresh of the page later does not open the form again
  // Only over the ticket's own page (the citizen may have moved on meanwhile), and only
  // for a resolved ticket this viewer may rate; else the page stays as it is.
  if (screen() != Screen::ticket || ticket_number_ != number) return;
  if (ticket_.value.view.status != core::Status::resolved || !may_rate()) return;
  navigate(Screen::rate);
  ++rate_focus_seq_;
}

}  // namespace portal::client
