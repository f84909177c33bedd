// The same matter, reported once (SPEC §5, §6): the report form's "已有人反映？" panel of
// nearby open tickets and following one of them (app/nearby.hpp, app/follow.hpp), the
// categories its text suggests (app/suggest.hpp), the followed tickets in my tickets
// with a way to stop following, and for handlers the suggested category of a ticket
// with the action that corrects it.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app.hpp"
#include "app/format.hpp"

namespace portal::client {

namespace {

// Handlers are shown a suggestion only when the model is this sure of it.
constexpr double kRecategorizeScore = 0.6;

std::string followers_text(Lang lang, int n) {
  if (n <= 0) return {};
  return std::to_string(n) + std::string(tr(lang, T::followers_suffix));
}

// "约120米", "about 1.2 km": rounded as a person would say it.
std::string distance_text(Lang lang, double m) {
  char buf[32];
  if (m < 1000) {
    const int r = m < 100 ? static_cast<int>(std::lround(m / 5) * 5)
                          : static_cast<int>(std::lround(m / 10) * 10);
    std::snprintf(buf, sizeof buf, "%d", std::max(r, 5));
    return std::string(tr(lang, T::nearby_about)) + buf + std::string(tr(lang, T::nearby_metres));
  }
  std::snprintf(buf, sizeof buf, "%.1f", m / 1000);
  return std::string(tr(lang, T::nearby_about)) + buf + std::string(tr(lang, T::nearby_km));
}

}  // namespace

// [SECTION] Intents

bool App::apply_same_matter(const Intent& i) {
  if (const auto* n = std::get_if<intent::Nearby>(&i)) {
    switch (n->op) {
      case intent::NearbyOp::follow:
        if (!signed_in()) {
          nearby_.ask_sign_in(n->number);  // never followed without an account
        } else if (is_citizen()) {
          const std::string number = n->number;
          following_.change(number, true, [this, number](int followers) {
            nearby_.set_followers(number, followers);
            nearby_.followed(number);
            show_toast(T::followed_toast);
          });
        }
        break;
      case intent::NearbyOp::sign_in:
        // The draft stays (in memory and on this device); signing in comes back here.
        nearby_.ask_sign_in({});
        return_to_form_ = true;
        navigate(Screen::account);
        break;
      case intent::NearbyOp::dismiss:
        nearby_.ask_sign_in({});
        break;
      case intent::NearbyOp::discard_draft:
        nearby_.answer_offer();
        clear_form();
        nearby_.reset();
        suggest_.reset();
        show_toast(T::draft_discarded);
        // Where the followed ticket is now listed.
        mine_followed_ = true;
        if (screen() == Screen::submit) navigate(Screen::my_tickets, /*replace=*/true);
        break;
      case intent::NearbyOp::keep_draft:
        nearby_.answer_offer();
        break;
      case intent::NearbyOp::retry:
        nearby_.retry();
        break;
    }
    return true;
  }
  if (const auto* u = std::get_if<intent::Unfollow>(&i)) {
    if (!is_citizen()) return true;
    following_.change(u->number, false, [this, number = u->number](int followers) {
      if (ticket_.value.view.number == number) {
        if (followers >= 0) ticket_.value.followers = followers;
        ticket_.value.following = false;
      }
      show_toast(T::unfollowed_toast);
    });
    return true;
  }
  if (const auto* m = std::get_if<intent::SetMineTab>(&i)) {
    mine_followed_ = m->followed;
    if (mine_followed_)
      following_.load();
    else
      load_my_tickets();
    return true;
  }
  return false;
}

// [SECTION] Keeping up with the form

std::optional<std::pair<double, double>> App::form_point() const {
  double lat = 0, lng = 0;
  if (location_unknown_ || !parse_coordinate(lat_, lat) || !parse_coordinate(lng_, lng))
    return std::nullopt;
  return std::make_pair(lat, lng);
}

bool App::sync_same_matter() {
  const bool on_form = screen() == Screen::submit || screen() == Screen::categories;
  if (!on_form) return false;
  const auto at = form_point();
  nearby_.update(category_, at);
  suggest_.typed(description_, services_.now_ms());
  return suggest_.tick(services_.now_ms(), at);
}

void App::suggest_for_ticket() {
  if (!is_handler()) return;
  const core::TicketView& t = ticket_.value.view;
  if (t.description.empty()) return;
  std::optional<std::pair<double, double>> at;
  if (t.location.known()) at = std::make_pair(t.location.lat, t.location.lng);
  ticket_suggest_.ask_now(t.description, at);
}

// [SECTION] View-models

std::vector<CategoryItem> App::suggestion_chips() const {
  std::vector<CategoryItem> out;
  for (const auto& s : suggest_.chips(category_)) {
    // The portal's own name in the language shown; the server's when it is unknown here.
    std::string name = category_name(s.code);
    if (name == s.code && !s.name.empty()) name = s.name;
    out.push_back({s.code, std::move(name)});
  }
  return out;
}

NearbyView App::nearby_view() const {
  NearbyView v;
  v.can_follow = !signed_in() || is_citizen();
  const auto& a = nearby_.answer();
  if (a.failed()) {
    v.shown = true;
    v.error = std::string(tr(lang_, T::nearby_failed));
    v.retry = true;
  }
  for (const auto& t : a.value) {
    NearbyRow row;
    row.number = t.number;
    row.summary = t.summary;
    row.status = core::parse_status(t.status).value_or(core::Status::submitted);
    row.status_name = std::string(status_name(lang_, row.status));
    row.distance = distance_text(lang_, t.distance_m);
    row.followers = followers_text(lang_, t.followers);
    row.followed = following_.follows(t.number);
    row.busy = following_.changing().loading() && following_.changing_number() == t.number;
    v.rows.push_back(std::move(row));
  }
  v.shown = v.shown || !v.rows.empty();
  const auto& c = following_.changing();
  if (c.failed() && following_.changing_on())
    v.error = std::string(tr(lang_, T::nearby_follow_failed)) + " · " +
              std::string(error_message(lang_, c.error));
  v.ask_sign_in = nearby_.asking_sign_in();
  if (!nearby_.followed_number().empty()) {
    v.shown = true;
    v.followed_number = nearby_.followed_number();
    v.followed_note = std::string(tr(lang_, T::nearby_done));
    v.offer_discard = nearby_.offers_discard();
  }
  return v;
}

void App::fill_same_matter(TicketPage& p) const {
  const TicketDetail& d = ticket_.value;
  p.followers = followers_text(lang_, d.followers);
  // What the ticket says (the server tells a citizen reader), else the followed list.
  if (is_citizen() && d.following.value_or(following_.follows(d.view.number))) {
    p.can_unfollow = true;
    p.unfollow_busy = following_.changing().loading();
  }
  const auto& c = following_.changing();
  if (is_citizen() && c.failed() && !following_.changing_on() &&
      following_.changing_number() == d.view.number)
    p.unfollow_error = std::string(error_message(lang_, c.error));
  if (!is_handler()) return;
  p.can_recategorize = std::find(d.view.allowed_actions.begin(), d.view.allowed_actions.end(),
                                 "recategorize") != d.view.allowed_actions.end();
  // Only an answer for this ticket's own text, sure enough, and not what it already is.
  const auto& s = ticket_suggest_;
  if (s.state().loaded() && s.sent() == trim(d.view.description) && !s.answer().empty()) {
    const Suggestion& top = s.answer().front();
    if (top.code != d.view.category && top.score >= kRecategorizeScore) {
      const std::string name = category_name(top.code);
      p.suggested_category = name == top.code && !top.name.empty() ? top.name : name;
    }
  }
}

std::string App::suggested_code() const {
  const auto& s = ticket_suggest_;
  if (!s.state().loaded() || s.answer().empty()) return {};
  const Suggestion& top = s.answer().front();
  if (top.code == ticket_.value.view.category || top.score < kRecategorizeScore) return {};
  return top.code;
}

}  // namespace portal::client
