#include "app/app.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app/format.hpp"
#include "portal/core/json.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"

namespace portal::client {

namespace {

constexpr std::string_view kLangKey = "portal.lang";
constexpr std::string_view kElderlyKey = "portal.elderly";
constexpr std::string_view kRecentKey = "portal.recent";
constexpr std::string_view kSessionKey = "portal.session";
constexpr std::size_t kMaxPhotos = 9;
constexpr double kToastMs = 1600;
// The statuses of the tickets of this device are fetched again when home is shown and
// they are older than this.
constexpr double kRecentFreshMs = 15000;
// The submit form's fields top to bottom, by their API paths ("location": the choice
// of a place, or of not knowing it).
constexpr const char* kFormOrder[] = {"category",     "description",   "location.address",
                                      "location",     "location.lat",  "location.lng",
                                      "contact.name", "contact.phone", "attachments"};

std::string format_coordinate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5f", v);
  return buf;
}

// Ticket numbers are shown upper case; people type them in any case and with spaces.
std::string normalize_number(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '-') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool contains_text(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
  };
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

}  // namespace

// [SECTION] Life cycle

App::App(net::Http& http, Services& services, std::string api_base)
    : api_(http, std::move(api_base)),
      services_(services),
      store_(std::make_unique<LocalDeviceStore>(services)) {}

void App::start() {
  if (services_.load(kLangKey) == "en") lang_ = Lang::en;
  elderly_ = services_.load(kElderlyKey) == "1";
  services_.set_document_language(lang_tag(lang_), tr(lang_, T::app_name));
  load_recent();
  load_categories();
  embedded_ = services_.embedded();
  load_drafts();
  // The token lives in memory and in this tab's sessionStorage only.
  auto saved = core::parse_json(services_.session_load(kSessionKey));
  if (saved.ok() && saved->is_object() && saved->contains("token") &&
      (*saved)["token"].is_string()) {
    Session s;
    s.token = (*saved)["token"].get<std::string>();
    if (saved->contains("name") && (*saved)["name"].is_string())
      s.user.name = (*saved)["name"].get<std::string>();
    if (saved->contains("role") && (*saved)["role"].is_string())
      s.user.role = (*saved)["role"].get<std::string>();
    adopt_session(std::move(s));
  }

  // The screen the address names: after a reload (the entry has a depth) the same place
  // at the same depth; a link opens its screen above home, so Back leads into the portal.
  const PageLocation at = services_.location();
  RouteRequest r = at.path.empty() ? RouteRequest{} : parse_route(at.path);
  if (!r.known) r = {};
  if (!r.code.empty()) {
    link_number_ = r.number;
    link_code_ = r.code;
  }
  const auto kept = parse_screen_name(at.screen);
  stack_ = {Screen::home};
  if (at.depth > 0 && r.screen != Screen::home) {
    r.screen = resolve_kept(kept.value_or(r.screen), r, at.path, /*reload=*/true);
    stack_.assign(static_cast<std::size_t>(at.depth) + 1, Screen::home);
    open_route(r, Hist::replace);
  } else if (r.screen != Screen::home) {
    record_history(Hist::replace);
    stack_.push_back(Screen::home);
    open_route(r, Hist::push);
  } else {
    record_history(Hist::replace);
    entered(Screen::home);
  }
  if (embedded_) host_event("ready", core::Json::object());
}

void App::post(std::function<void()> fn) {
  inbox_.push_back(std::move(fn));
  if (wake_) wake_();
}

bool App::begin_frame() {
  const bool searched = desk_.tick(services_.now_ms());
  const bool sent = sync_same_matter() || searched;
  if (inbox_.empty()) return sent;
  auto work = std::move(inbox_);
  inbox_.clear();
  for (auto& fn : work) fn();
  sync_same_matter();
  return true;
}

void App::apply(const Intents& intents) {
  for (const Intent& i : intents.list()) {
    if (apply_workbench(i) || apply_desk(i) || apply_notify(i) || apply_same_matter(i)) continue;
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, intent::Navigate>) {
            navigate(v.to);
          } else if constexpr (std::is_same_v<V, intent::GoBack>) {
            go_back();
          } else if constexpr (std::is_same_v<V, intent::GoHome>) {
            go_home();
          } else if constexpr (std::is_same_v<V, intent::ToggleLanguage>) {
            set_lang(lang_ == Lang::zh ? Lang::en : Lang::zh);
          } else if constexpr (std::is_same_v<V, intent::EditField>) {
            edit(v.field, v.value);
          } else if constexpr (std::is_same_v<V, intent::SetAnonymous>) {
            if (file_channel_ == "patrol") {  // the patrol form's box: resolved on the spot
              on_the_spot_ = v.value;
              return;
            }
            anonymous_ = v.value;
            idempotency_key_.clear();
            save_draft();
          } else if constexpr (std::is_same_v<V, intent::SetLocationUnknown>) {
            location_unknown_ = v.value;
            if (v.value) {
              // Not knowing replaces a place chosen before: no pin, no coordinates.
              placed_ = false;
              lat_.clear();
              lng_.clear();
              located_.reset();
              field_errors_.erase("location.lat");
              field_errors_.erase("location.lng");
            }
            field_errors_.erase("location");
            idempotency_key_.clear();
            save_draft();
          } else if constexpr (std::is_same_v<V, intent::ForgetTicket>) {
            if (!v.confirm)
              pending_remove_ = v.number;
            else
              forget(v.number);
          } else if constexpr (std::is_same_v<V, intent::PickCategory>) {
            category_ = v.code;
            field_errors_.erase("category");
            idempotency_key_.clear();
            save_draft();
            if (screen() == Screen::categories) go_back();
          } else if constexpr (std::is_same_v<V, intent::RetryCategories>) {
            load_categories();
          } else if constexpr (std::is_same_v<V, intent::SubmitTicket>) {
            submit_ticket();
          } else if constexpr (std::is_same_v<V, intent::LookUpTicket>) {
            look_up_ticket(track_number_, track_code_, false);
          } else if constexpr (std::is_same_v<V, intent::OpenTicket>) {
            look_up_ticket(v.number, v.code, true);
          } else if constexpr (std::is_same_v<V, intent::RefreshTicket>) {
            look_up_ticket(ticket_number_, ticket_code_, true);
          } else if constexpr (std::is_same_v<V, intent::CopyText>) {
            services_.copy_to_clipboard(v.text);
            if (v.from.empty()) {
              show_toast(T::copied);
            } else {
              copied_from_ = v.from;
              copied_until_ = services_.now_ms() + kToastMs;
            }
          } else if constexpr (std::is_same_v<V, intent::ToggleElderly>) {
            elderly_ = !elderly_;
            services_.save(kElderlyKey, elderly_ ? "1" : "0");
          } else if constexpr (std::is_same_v<V, intent::OpenLink>) {
            services_.open_link(v.url);
          } else if constexpr (std::is_same_v<V, intent::SignIn>) {
            sign_in(false);
          } else if constexpr (std::is_same_v<V, intent::Register>) {
            sign_in(true);
          } else if constexpr (std::is_same_v<V, intent::SetRegistering>) {
            registering_ = v.value;
            auth_.reset();
          } else if constexpr (std::is_same_v<V, intent::SignOut>) {
            sign_out();
          } else if constexpr (std::is_same_v<V, intent::SetResolved>) {
            rate_resolved_ = v.value ? 1 : 0;
            if (screen() == Screen::action) save_action_draft();
          } else if constexpr (std::is_same_v<V, intent::SetSatisfaction>) {
            rate_satisfaction_ = std::clamp(v.value, 1, 5);
            if (screen() == Screen::action) save_action_draft();
          } else if constexpr (std::is_same_v<V, intent::Outbox>) {
            apply_outbox(v);
          } else if constexpr (std::is_same_v<V, intent::OldDrafts>) {
            store_->drop_old(v.keep);
            // The form held one of them: it goes with them.
            if (!v.keep && report_draft_age_ >= kOldDraftDays) clear_form();
            old_drafts_ = 0;
          } else if constexpr (std::is_same_v<V, intent::SubmitRating>) {
            submit_rating();
          } else if constexpr (std::is_same_v<V, intent::PlaceLocation>) {
            place(v.lat, v.lng);
          } else if constexpr (std::is_same_v<V, intent::PickPlace>) {
            if (places_.loaded() && v.index < places_.value.size()) {
              const Place p = places_.value[v.index];
              place(p.lat, p.lng);
              // Close enough to read the names around it: a street whole, a community,
              // or the grids around a road, landmark or grid.
              focus_map(p.lat, p.lng,
                        p.kind == "street"      ? 14.5
                        : p.kind == "community" ? 15.5
                                                : 16.5);
              if (trim(address_).empty()) edit(Field::address, p.name);
              place_search_.clear();
              places_.reset();
            }
          } else if constexpr (std::is_same_v<V, intent::PickMapGrid>) {
            cockpit_.apply(intent::Cockpit{intent::CockpitOp::pick_grid, v.grid_id, {}});
          } else if constexpr (std::is_same_v<V, intent::UseMyLocation>) {
            locating_ = true;
            locate_failed_ = false;
            services_.geolocate();
          } else if constexpr (std::is_same_v<V, intent::AddPhotos>) {
            if (photos_.size() < kMaxPhotos)
              services_.pick_photos(static_cast<int>(kMaxPhotos - photos_.size()),
                                    photo_base_ + static_cast<int>(photos_.size()), session_.token);
          } else if constexpr (std::is_same_v<V, intent::RemovePhoto>) {
            if (v.index < photos_.size()) {
              // Later slots keep their numbers: mark removed rather than shift.
              photos_[v.index].state = 3;
              idempotency_key_.clear();
              save_draft();
            }
          } else if constexpr (std::is_same_v<V, intent::Cockpit>) {
            if (v.op == intent::CockpitOp::open_cockpit) {
              open_cockpit();
            } else if (v.op == intent::CockpitOp::open_board) {
              if (screen() != Screen::board) navigate(Screen::board);
              cockpit_.apply(v);
            } else {
              cockpit_.apply(v);
            }
          } else if constexpr (std::is_same_v<V, intent::RetryList>) {
            if (screen() == Screen::my_tickets) load_my_tickets();
            if (screen() == Screen::my_tickets && mine_followed_) following_.load();
            if (screen() == Screen::services) load_units();
            if (screen() == Screen::submit || screen() == Screen::cockpit) load_grids();
            if (screen() == Screen::queue) load_queue();
            if (screen() == Screen::queue && desk_.list().failed()) desk_.load(services_.now_ms());
          }
        },
        i);
  }
  sync_same_matter();
}

void App::on_history(int depth, const std::string& path, const std::string& name) {
  const auto keep = static_cast<std::size_t>(std::max(depth, 0)) + 1;
  if (path.empty()) {
    // An embedding frame has no addresses: it only ever moves back.
    if (keep < stack_.size()) stack_.resize(keep);
    return;
  }
  RouteRequest r = parse_route(path);
  if (!r.known) r = {};
  const auto kept = parse_screen_name(name);
  r.screen = resolve_kept(kept.value_or(r.screen), r, path, /*reload=*/false);
  if (keep < stack_.size()) stack_.resize(keep);
  while (stack_.size() < keep) stack_.push_back(Screen::home);
  // Our own step back (the app moved first) lands where the app already is.
  const bool ticket_screen =
      r.screen == Screen::ticket || r.screen == Screen::rate || r.screen == Screen::action;
  if (screen() == r.screen && (!ticket_screen || r.number == ticket_number_)) {
    if (r.screen == Screen::home) refresh_recent();  // (only what is not fresh)
    return;
  }
  open_route(r, Hist::none);
}

Screen App::resolve_kept(Screen kept, const RouteRequest& r, const std::string& path,
                         bool reload) const {
  if (kept == r.screen || !route_fits(kept, path)) return r.screen;
  switch (kept) {
    case Screen::categories:
      return kept;
    case Screen::receipt:
      return !reload && submission_.loaded() && submission_.value.number == r.number ? kept
                                                                                     : r.screen;
    case Screen::rate:
      return !reload && ticket_number_ == r.number ? kept : r.screen;
    case Screen::action:
      return !reload && !action_.empty() && ticket_number_ == r.number ? kept : r.screen;
    case Screen::hotline_import:
      return reload ? r.screen : kept;
    case Screen::account:
      return signed_in() ? kept : r.screen;
    default:
      return r.screen;
  }
}

bool App::may_open(Screen s) const {
  switch (s) {
    case Screen::queue:
    case Screen::action:
    case Screen::hotline_import:
      return is_handler();
    case Screen::cockpit:
      return signed_in() && Cockpit::is_leader(session_.user.role);
    case Screen::my_tickets:
      return signed_in();
    default:
      return true;
  }
}

void App::open_route(const RouteRequest& request, Hist how) {
  RouteRequest r = request;
  if (r.needs_sign_in && !signed_in() && r.screen != Screen::account) {
    // Sign in first, then the screen asked for (the address stays the one asked for).
    after_sign_in_ = r;
    r.screen = Screen::account;
  } else if (!may_open(r.screen)) {
    // Signed in, but not for this: where this account lands.
    r = {};
    r.screen = landing();
  }
  std::string code;
  if (r.screen == Screen::ticket && r.rate) rate_link_ = r.number;
  if (r.screen == Screen::ticket || r.screen == Screen::rate || r.screen == Screen::action) {
    code = code_for(r.number);
    if (code.empty() && !signed_in() && r.rate) {
      // A rating link without a code is for the account that filed it: sign in, then rate.
      after_sign_in_ = r;
      after_sign_in_->needs_sign_in = false;
      r.screen = Screen::account;
    } else if (code.empty() && !signed_in()) {
      // No way to read this ticket here yet: its number in the form, the code to type.
      track_number_ = r.number;
      track_errors_.clear();
      r.screen = Screen::track;
    } else {
      // A form over a ticket only for the ticket still in memory; else its page.
      if (ticket_number_ != r.number) r.screen = Screen::ticket;
      if (ticket_number_ != r.number) ticket_.value = {};  // never show another meanwhile
      ticket_number_ = r.number;
    }
  }
  stack_.back() = r.screen;
  record_history(how);
  entered(r.screen);
  if (r.screen == Screen::cockpit) open_cockpit();
  if (r.screen == Screen::board)
    cockpit_.apply(intent::Cockpit{intent::CockpitOp::open_board, {}, {}});
  if (r.screen == Screen::ticket && (ticket_.state == LoadState::idle || ticket_.failed() ||
                                     ticket_.value.view.number != r.number))
    look_up_ticket(r.number, code, true);
}

Screen App::landing() const {
  if (!signed_in()) return Screen::home;
  if (Cockpit::is_leader(session_.user.role)) return Screen::cockpit;
  return is_handler() ? Screen::queue : Screen::my_tickets;
}

void App::record_history(Hist how) {
  if (how == Hist::none) return;
  const int depth = static_cast<int>(stack_.size()) - 1;
  const Screen s = screen();
  std::string path;
  if (s == Screen::account && after_sign_in_)
    path = route_path(after_sign_in_->screen, after_sign_in_->number,
                      after_sign_in_->needs_sign_in && after_sign_in_->screen == Screen::ticket);
  else
    path = route_path(s, s == Screen::receipt ? submission_.value.number : ticket_number_,
                      is_handler());
  if (how == Hist::push)
    services_.history_push(depth, path, screen_name(s));
  else
    services_.history_replace(depth, path, screen_name(s));
}

void App::navigate(Screen to, bool replace) {
  after_sign_in_.reset();
  if (to == Screen::home) return go_home();
  if (replace) {
    stack_.back() = to;
  } else {
    stack_.push_back(to);
  }
  record_history(replace ? Hist::replace : Hist::push);
  entered(to);
}

void App::entered(Screen to) {
  if (to != Screen::home) pending_remove_.clear();
  if (to == Screen::home) refresh_recent();
  if (to == Screen::categories) category_search_.clear();
  if (to == Screen::my_tickets) {
    load_my_tickets();
    if (is_citizen()) following_.load();
  }
  if (to == Screen::queue) load_queue();
  if (to == Screen::ticket) {
    unread_.erase(std::remove(unread_.begin(), unread_.end(), ticket_number_), unread_.end());
  }
  if (to == Screen::submit && !grids_.loaded()) load_grids();
  if (to == Screen::services) {
    if (!units_.loaded()) load_units();
    if (!grids_.loaded()) load_grids();
  }
  if (to == Screen::rate) {
    rate_resolved_ = -1;
    rate_satisfaction_ = 0;
    rate_comment_.clear();
    rating_.reset();
  }
  if (to == Screen::account) auth_.reset();
  if (to == Screen::account && is_citizen()) notify_settings_.load();
}

void App::go_back() {
  if (stack_.size() <= 1) return;
  after_sign_in_.reset();
  stack_.pop_back();
  services_.history_back(1);
  if (screen() == Screen::home) entered(Screen::home);
}

void App::go_home() {
  after_sign_in_.reset();
  const int steps = static_cast<int>(stack_.size()) - 1;
  if (steps <= 0) return;
  stack_.resize(1);
  services_.history_back(steps);
  entered(Screen::home);
}

void App::set_lang(Lang lang) {
  lang_ = lang;
  services_.save(kLangKey, lang == Lang::zh ? "zh" : "en");
  services_.set_document_language(lang_tag(lang), tr(lang, T::app_name));
}

void App::edit(Field field, std::string value) {
  auto set = [&](std::string& slot, const char* path) {
    if (slot == value) return;
    slot = std::move(value);
    field_errors_.erase(path);
    idempotency_key_.clear();  // a changed draft is a new submission
    save_draft();
  };
  // Typed coordinates are a place too (no pin: the server finds their grid).
  auto coordinate = [&](std::string& slot, const char* path) {
    if (slot == value) return;
    placed_ = false;
    located_.reset();
    if (!trim(value).empty()) {
      location_unknown_ = false;
      field_errors_.erase("location");
    }
    set(slot, path);
  };
  switch (field) {
    case Field::desk_search:
      desk_.typed(value, services_.now_ms());
      return;
    case Field::topic_reply:
      return cockpit_.edit_reply(std::move(value));
    case Field::description:
      return set(description_, "description");
    case Field::address:
      return set(address_, "location.address");
    case Field::lat:
      return coordinate(lat_, "location.lat");
    case Field::lng:
      return coordinate(lng_, "location.lng");
    case Field::name:
      return set(name_, "contact.name");
    case Field::phone:
      return set(phone_, "contact.phone");
    case Field::track_number:
      track_number_ = std::move(value);
      track_errors_.erase("number");
      return;
    case Field::track_code:
      track_code_ = std::move(value);
      track_errors_.erase("code");
      return;
    case Field::category_search:
      category_search_ = std::move(value);
      return;
    case Field::place_search:
      if (place_search_ == value) return;
      place_search_ = std::move(value);
      search_places();
      return;
    case Field::login:
      login_ = std::move(value);
      return;
    case Field::password:
      password_ = std::move(value);
      return;
    case Field::reg_name:
      reg_name_ = std::move(value);
      return;
    case Field::reg_phone:
      reg_phone_ = std::move(value);
      return;
    case Field::reg_password:
      reg_password_ = std::move(value);
      return;
    case Field::rating_comment:
      rate_comment_ = std::move(value);
      return;
    case Field::action_note:
      action_note_ = std::move(value);
      if (action_error_ == "note") action_error_.clear();
      save_action_draft();
      return;
    case Field::action_into:
      action_into_ = std::move(value);
      save_action_draft();
      return;
    case Field::import_text:
      import_text_ = std::move(value);
      return;
  }
}

void App::load_categories() {
  if (categories_.loading()) return;
  const auto t = categories_.start();
  api_.categories([this, t](core::Result<std::vector<core::Category>> r) {
    post([this, t, r = std::move(r)]() mutable { categories_.finish(t, std::move(r)); });
  });
}

void App::submit_ticket() {
  if (submission_.loading()) return;
  field_errors_.clear();
  core::TicketDraft d;
  d.category = category_;
  d.description = trim(description_);
  d.location.address = trim(address_);
  d.contact.name = trim(name_);
  d.contact.phone = trim(phone_);
  d.anonymous = anonymous_;
  d.channel = embedded_ ? core::Channel::embed : core::Channel::web;
  if (is_handler() && file_channel_ == "patrol") d.channel = core::Channel::patrol;
  if (is_handler() && file_channel_ == "hotline") d.channel = core::Channel::hotline;
  for (const auto& p : photos_) {
    if (p.state == 0) {
      field_errors_.insert_or_assign("attachments",
                                     core::Error::invalid("attachments", "uploading", ""));
    } else if (p.state == 1) {
      d.attachments.push_back(p.id);
    }
  }
  if (located_.loaded() && placed_ && !located_.value.grid_id.empty())
    d.grid_id = located_.value.grid_id;
  // The place is the submitter's choice, never a default: a point (the map, their
  // position, typed coordinates), or their word that they do not know it.
  bool lat_ok = true, lng_ok = true, choose = false;
  if (location_unknown_) {
    d.location = core::Location::unknown(d.location.address);
    d.grid_id.reset();
  } else if (trim(lat_).empty() && trim(lng_).empty()) {
    choose = true;
    d.location = core::Location::unknown(d.location.address);  // validated below as such
  } else {
    lat_ok = parse_coordinate(lat_, d.location.lat);
    lng_ok = parse_coordinate(lng_, d.location.lng);
  }

  for (auto& e : core::validate(d))
    if (e.field.rfind("attachments", 0) != 0 || !field_errors_.count("attachments"))
      field_errors_.emplace(e.field.rfind("attachments", 0) == 0 ? "attachments" : e.field, e);
  if (choose)
    field_errors_.insert_or_assign("location",
                                   core::Error::invalid("location", "choose_location", ""));
  if (!lat_ok)
    field_errors_.insert_or_assign("location.lat",
                                   core::Error::invalid("location.lat", "bad_coordinate", ""));
  if (!lng_ok)
    field_errors_.insert_or_assign("location.lng",
                                   core::Error::invalid("location.lng", "bad_coordinate", ""));
  if (!field_errors_.empty()) {
    // Bring the first problem, in form order, into view.
    for (const char* f : kFormOrder)
      if (field_errors_.count(f)) {
        focus_path_ = f;
        break;
      }
    ++focus_seq_;
    return;
  }

  const bool unknown = !d.location.known();
  // Through this device's outbox where there is one: kept before it is sent, sent
  // exactly once, and queued when the network is away.
  if (store_->has_outbox()) return queue_report(std::move(d), unknown);
  if (idempotency_key_.empty()) {
    idempotency_key_ = services_.random_token();
    save_draft();  // a resend after a reload is the same submission
  }
  const auto t = submission_.start();
  const core::Json body = submit_body(d, lang_, notify_);
  api_.submit(body, idempotency_key_, [this, t, unknown](core::Result<core::TicketReceipt> r) {
    post([this, t, unknown, r = std::move(r)]() mutable {
      if (!submission_.finish(t, std::move(r))) return;
      if (submission_.failed()) {
        const core::Error& e = submission_.error;
        if (!e.field.empty()) {
          field_errors_.insert_or_assign(e.field, e);
          focus_path_ = e.field;
          ++focus_seq_;
        }
        return;
      }
      const core::TicketReceipt& receipt = submission_.value;
      submitted_unknown_ = unknown;
      // Only a submitter without an account needs the code kept.
      if (receipt.access_code) remember(receipt.number, *receipt.access_code);
      clear_form();
      if (mine_.loaded()) mine_.reset();
      host_event("ticket_created", {{"number", receipt.number}});
      if (is_handler()) {
        if (queue_.loaded()) load_queue();
        // Found and settled on patrol: accept it and resolve it at once.
        if (file_channel_ == "patrol" && on_the_spot_) resolve_on_spot(receipt.number);
        on_the_spot_ = false;
      }
      if (screen() == Screen::submit) navigate(Screen::receipt, /*replace=*/true);
    });
  });
}

void App::look_up_ticket(const std::string& raw_number, const std::string& raw_code,
                         bool open_now) {
  const std::string number = normalize_number(raw_number);
  const std::string code = trim(raw_code);
  track_errors_.clear();
  if (number.empty())
    track_errors_["number"] = core::Error::invalid("number", "required", "");
  else if (!core::is_ticket_number(number))
    track_errors_["number"] = core::Error::invalid("number", "invalid_number", "");
  if (code.empty() && !signed_in())
    track_errors_["code"] = core::Error::invalid("code", "required", "");
  if (!track_errors_.empty()) return;

  if (ticket_number_ != number) ticket_.value = {};  // never show another ticket meanwhile
  ticket_number_ = number;
  ticket_code_ = code;
  open_on_answer_ = !open_now;
  const auto t = ticket_.start();
  if (open_now && screen() != Screen::ticket) navigate(Screen::ticket);
  load_events();
  open_stream();
  api_.ticket(number, code, [this, t, number, code](core::Result<TicketDetail> r) {
    post([this, t, number, code, r = std::move(r)]() mutable {
      if (!ticket_.finish(t, std::move(r))) return;
      if (ticket_.loaded() && !code.empty()) {
        // The code opened it: kept on this device, so its address opens it again (a
        // reload, a link without the code), and the list at home shows it.
        remember(number, code);
        auto& row = recent_tickets_[number];
        row.ticket.finish(row.ticket.start(), ticket_.value);
        row.at = services_.now_ms();
      }
      if (ticket_.loaded()) follow_rate_link(number);
      if (ticket_.loaded()) suggest_for_ticket();
      // Whether the citizen follows it (取消附议) comes from the followed list.
      if (ticket_.loaded() && is_citizen() && following_.list().state == LoadState::idle)
        following_.load();
      if (ticket_.loaded() && open_on_answer_ && screen() == Screen::track)
        navigate(Screen::ticket);
      open_on_answer_ = false;
    });
  });
}

void App::show_toast(T text) {
  toast_ = text;
  toast_until_ = services_.now_ms() + kToastMs;
}

void App::remember(const std::string& number, const std::string& code) {
  if (number == link_number_) link_number_.clear(), link_code_.clear();
  auto it = std::find_if(recent_.begin(), recent_.end(),
                         [&](const Recent& r) { return r.number == number; });
  if (it != recent_.end() && it->code == code) return;
  if (it != recent_.end()) recent_.erase(it);
  recent_.insert(recent_.begin(), Recent{number, code});
  if (recent_.size() > kMaxRecent) {
    for (auto i = recent_.begin() + kMaxRecent; i != recent_.end(); ++i)
      recent_tickets_.erase(i->number);
    recent_.resize(kMaxRecent);
  }
  save_recent();
}

void App::forget(const std::string& number) {
  recent_.erase(std::remove_if(recent_.begin(), recent_.end(),
                               [&](const Recent& r) { return r.number == number; }),
                recent_.end());
  recent_tickets_.erase(number);
  if (pending_remove_ == number) pending_remove_.clear();
  save_recent();
  show_toast(T::recent_removed);
}

void App::save_recent() {
  core::Json list = core::Json::array();
  for (const auto& r : recent_) list.push_back({{"number", r.number}, {"code", r.code}});
  services_.save(kRecentKey, list.dump());
}

void App::load_recent() {
  recent_.clear();
  auto json = core::parse_json(services_.load(kRecentKey));
  if (!json.ok() || !json->is_array()) return;
  for (const auto& item : *json) {
    if (!item.is_object()) continue;
    auto number = item.find("number"), code = item.find("code");
    if (number == item.end() || code == item.end() || !number->is_string() || !code->is_string())
      continue;
    recent_.push_back({number->get<std::string>(), code->get<std::string>()});
    if (recent_.size() >= kMaxRecent) break;
  }
}

std::string App::code_for(const std::string& number) const {
  for (const auto& r : recent_)
    if (r.number == number) return r.code;
  if (number == link_number_) return link_code_;
  return {};
}

void App::refresh_recent() {
  const double now = services_.now_ms();
  for (const auto& r : recent_) {
    auto& row = recent_tickets_[r.number];
    if (row.ticket.loading() ||
        (row.ticket.state != LoadState::idle && now - row.at < kRecentFreshMs))
      continue;
    row.at = now;
    const auto t = row.ticket.start();
    const std::string number = r.number;
    api_.ticket(number, r.code, [this, t, number](core::Result<TicketDetail> answer) {
      post([this, t, number, answer = std::move(answer)]() mutable {
        auto it = recent_tickets_.find(number);
        if (it == recent_tickets_.end()) return;  // removed meanwhile
        it->second.ticket.finish(t, std::move(answer));
      });
    });
  }
}

// [SECTION] View-models

double App::wake_at_ms() const {
  // The earliest of the toast going away, a copy button's 已复制 going away, a
  // suggestion's text having rested and the desk's search having rested.
  const double now = services_.now_ms();
  double at = 0;
  for (const double t : {toast_until_, copied_until_})
    if (t > now && (at == 0 || t < at)) at = t;
  for (const double due : {suggest_.due_at(), desk_.due_at()})
    if (due > 0 && (at == 0 || due < at)) at = due;
  return at;
}

ShellView App::shell() const {
  ShellView v;
  v.screen = screen();
  v.lang = lang_;
  v.elderly = elderly_;
  v.can_go_back = stack_.size() > 1;
  v.embedded = embedded_;
  v.offline = !online_;
  v.desk = is_handler() &&
           (screen() == Screen::queue || screen() == Screen::ticket || screen() == Screen::action);
  if (screen() == Screen::submit && is_handler() && !file_channel_.empty())
    v.title = file_channel_ == "patrol" ? T::queue_patrol : T::queue_file_call;
  if (screen() == Screen::action) v.title = action_title();
  if (toast_until_ > 0 && services_.now_ms() < toast_until_)
    v.toast = std::string(tr(lang_, toast_));
  if (copied_until_ > 0 && services_.now_ms() < copied_until_) v.copied = copied_from_;
  return v;
}

HomeView App::home() const {
  HomeView v;
  v.elderly = elderly_;
  v.outbox = outbox_rows();
  v.old_drafts = old_drafts_text();
  for (const auto& r : recent_) {
    RecentItem item;
    item.number = r.number;
    item.code = r.code;
    item.asking = pending_remove_ == r.number;
    if (auto it = recent_tickets_.find(r.number); it != recent_tickets_.end()) {
      const Async<TicketDetail>& a = it->second.ticket;
      item.state = a.state;
      // A refresh keeps showing what was fetched before.
      if (!a.value.view.number.empty()) {
        item.category = category_name(a.value.view.category);
        item.status = a.value.view.status;
        item.status_name = std::string(status_name(lang_, item.status));
        if (a.loading()) item.state = LoadState::loaded;
      }
      if (a.failed())
        item.error = a.error.status == 404 ? std::string(tr(lang_, T::recent_not_found))
                                           : std::string(error_message(lang_, a.error));
    }
    v.recent.push_back(std::move(item));
  }
  v.signed_in = signed_in();
  v.user_name = session_.user.name;
  v.handler = is_handler();
  v.leader = Cockpit::is_leader(session_.user.role);
  return v;
}

std::string App::category_name(const std::string& code) const {
  for (const auto& c : categories_.value)
    if (c.code == code) return lang_ == Lang::en && !c.name_en.empty() ? c.name_en : c.name;
  return code;
}

std::string App::field_error(const std::string& field) const {
  auto it = field_errors_.find(field);
  if (it == field_errors_.end()) return {};
  if (it->second.code == "bad_coordinate") return std::string(tr(lang_, T::err_bad_coordinate));
  if (field == "location") return std::string(tr(lang_, T::err_choose_location));
  if (field == "category") return std::string(tr(lang_, T::err_unknown_category));
  return std::string(error_message(lang_, it->second));
}

void App::search_places() {
  const std::string q = trim(place_search_);
  if (q.empty()) {
    places_.reset();
    return;
  }
  const auto t = places_.start();
  api_.places(q, [this, t](core::Result<std::vector<Place>> r) {
    post([this, t, r = std::move(r)]() mutable { places_.finish(t, std::move(r)); });
  });
}

SubmitView App::submit() const {
  SubmitView v;
  v.suggestions = suggestion_chips();
  v.nearby = nearby_view();
  v.place_search = {place_search_, {}};
  v.places = places_.state;
  if (places_.loaded())
    for (const Place& p : places_.value) {
      std::string detail;
      for (const std::string* part : {&p.street, &p.community})
        if (!part->empty() && *part != p.name) detail += (detail.empty() ? "" : " · ") + *part;
      v.place_results.push_back({p.name, detail});
    }
  v.category_code = category_;
  v.category_name = category_.empty() ? std::string() : category_name(category_);
  v.category_error = field_error("category");
  v.categories = categories_.state;
  v.description = {description_, field_error("description")};
  v.address = {address_, field_error("location.address")};
  v.lat = {lat_, field_error("location.lat")};
  v.lng = {lng_, field_error("location.lng")};
  v.name = {name_, field_error("contact.name")};
  v.phone = {phone_, field_error("contact.phone")};
  v.description_chars = core::utf8_length(description_).value_or(0);
  v.description_max = core::limits::kDescriptionMaxChars;
  v.anonymous = anonymous_;
  v.notify = notify_;
  v.patrol = is_handler() && file_channel_ == "patrol";
  v.on_the_spot = on_the_spot_;
  v.submitting = submission_.loading();
  v.offline = !online_ && store_->has_outbox();
  if (submission_.failed() && submission_.error.field.empty())
    v.banner = std::string(error_message(lang_, submission_.error));
  else if (!field_errors_.empty())
    v.banner = std::string(tr(lang_, T::err_fix_fields));
  v.map = map_view();
  v.location_unknown = location_unknown_;
  v.location_error = field_error("location");
  if (location_unknown_) {
    v.place = std::string(tr(lang_, T::place_unknown_note));
  } else if (placed_ && located_.loaded()) {
    const Located& l = located_.value;
    v.place = l.street + " · " + l.community + " · " + l.grid_name;
  } else if (placed_ && located_.failed()) {
    v.place = std::string(tr(lang_, T::place_outside));
  } else if (!placed_ && !trim(lat_).empty() && !trim(lng_).empty()) {
    v.place = std::string(tr(lang_, T::place_typed));  // the server finds their grid
  }
  if (const Unit* u = nearest_mediation())
    v.nearest = (lang_ == Lang::en && !u->name_en.empty() ? u->name_en : u->name) +
                (u->contact.empty() ? "" : "  " + u->contact);
  v.locating = locating_;
  if (locate_failed_) v.locate_error = std::string(tr(lang_, T::locate_failed));
  for (const auto& p : photos_) {
    if (p.state == 3) continue;
    v.photos.push_back({p.state, static_cast<float>(p.progress), p.width, p.height});
    v.photos_busy = v.photos_busy || p.state == 0;
  }
  v.photos_max = kMaxPhotos;
  if (auto it = field_errors_.find("attachments"); it != field_errors_.end())
    v.photos_error = it->second.code == "uploading" ? std::string(tr(lang_, T::photos_wait))
                                                    : std::string(error_message(lang_, it->second));
  v.focus_seq = focus_seq_;
  v.focus_category = focus_path_ == "category";
  v.focus_location = focus_path_ == "location";
  if (focus_path_ == "location.address")
    v.focus_field = Field::address;
  else if (focus_path_ == "location.lat")
    v.focus_field = Field::lat;
  else if (focus_path_ == "location.lng")
    v.focus_field = Field::lng;
  else if (focus_path_ == "contact.name")
    v.focus_field = Field::name;
  else if (focus_path_ == "contact.phone")
    v.focus_field = Field::phone;
  else
    v.focus_field = Field::description;
  return v;
}

CategoriesView App::categories() const {
  CategoriesView v;
  v.search.value = category_search_;
  v.state = categories_.state;
  if (categories_.failed()) v.error = std::string(error_message(lang_, categories_.error));
  v.selected = category_;
  const std::string needle = trim(category_search_);
  for (const auto& c : categories_.value) {
    const std::string& name = lang_ == Lang::en && !c.name_en.empty() ? c.name_en : c.name;
    if (!contains_text(name, needle) && !contains_text(c.name, needle) &&
        !contains_text(c.name_en, needle) && !contains_text(c.group, needle) &&
        !contains_text(c.code, needle))
      continue;
    const std::string group(group_name(lang_, c.group));
    auto g = std::find_if(v.groups.begin(), v.groups.end(),
                          [&](const CategoryGroup& x) { return x.name == group; });
    if (g == v.groups.end()) g = v.groups.insert(v.groups.end(), CategoryGroup{group, {}});
    g->items.push_back({c.code, name});
  }
  return v;
}

ReceiptView App::receipt() const {
  ReceiptView v;
  const auto& r = submission_.value;
  v.number = r.number;
  v.code = r.access_code.value_or("");
  v.respond_by = format_local_time(r.response_due_at);
  v.resolve_by = format_local_time(r.resolve_due_at);
  if (submitted_unknown_) v.note = std::string(tr(lang_, T::receipt_unknown_place));
  return v;
}

TrackView App::track() const {
  TrackView v;
  auto err = [&](const char* f) {
    auto it = track_errors_.find(f);
    return it == track_errors_.end() ? std::string()
                                     : std::string(error_message(lang_, it->second));
  };
  v.number = {track_number_, err("number")};
  v.code = {track_code_, err("code")};
  v.loading = ticket_.loading();
  if (ticket_.failed() && screen() == Screen::track)
    v.error = std::string(error_message(lang_, ticket_.error));
  return v;
}

TicketPage App::ticket() const {
  TicketPage p;
  p.state = ticket_.state;
  if (ticket_.failed()) p.error = std::string(error_message(lang_, ticket_.error));
  const core::TicketView& t = ticket_.value.view;
  p.number = t.number.empty() ? ticket_number_ : t.number;
  if (t.number.empty()) return p;
  p.status = t.status;
  p.status_name = std::string(status_name(lang_, t.status));
  p.level_name = std::string(level_name(lang_, t.level));
  p.category = category_name(t.category);
  p.description = t.description;
  p.address = t.location.address;
  std::string area;
  for (const auto* ref : {&t.street, &t.community, &t.grid})
    if (*ref && !(*ref)->name.empty()) area += (area.empty() ? "" : " · ") + (*ref)->name;
  p.area = area;
  if (!t.location.known()) p.area = std::string(tr(lang_, T::ticket_place_unknown));
  if (t.assignee) p.handler = t.assignee->name;
  p.contact = t.contact.name + (t.contact.phone.empty() ? "" : "  " + t.contact.phone);
  p.contact_tel = tel_uri(t.contact.phone);
  p.created = format_local_time(t.created_at);
  p.updated = format_local_time(t.updated_at);
  p.respond_by = format_local_time(t.response_due_at);
  p.resolve_by = format_local_time(t.resolve_due_at);
  if (t.reply) p.reply = *t.reply;
  p.overdue = t.overdue;
  p.reopen_count = t.reopen_count;
  for (auto it = events_.value.rbegin(); it != events_.value.rend(); ++it) {
    TicketPage::Step step;
    step.when = format_local_time(it->at);
    step.title = std::string(action_name(lang_, it->action));
    if (auto st = core::parse_status(it->to_status)) {
      step.status = *st;
      if (it->to_status != it->from_status)
        step.title += " → " + std::string(status_name(lang_, *st));
    }
    step.who =
        it->actor_name.empty() ? std::string(role_name(lang_, it->actor_role)) : it->actor_name;
    step.note = it->note;
    p.timeline.push_back(std::move(step));
  }
  for (const auto& w : ticket_.value.whistles) {
    const std::string& when = !w.done_at.empty()         ? w.done_at
                              : !w.checked_in_at.empty() ? w.checked_in_at
                                                         : w.summoned_at;
    p.whistles.push_back(
        {w.unit_name, std::string(whistle_state_name(lang_, w.status)), format_local_time(when)});
  }
  p.photos = ticket_.value.photos.size();
  if (const auto& r = ticket_.value.rating) {
    p.rating = std::string(tr(lang_, r->resolved ? T::rate_resolved_yes : T::rate_resolved_no)) +
               " · " + std::string(satisfaction_name(lang_, r->satisfaction));
    if (!r->comment.empty()) p.rating += " · " + r->comment;
  }
  // Only the submitter rates here; handlers record a phone rating as an action.
  p.can_rate = may_rate();
  p.live = stream_open_;
  p.actions = action_buttons();
  p.busy = acting_.loading();
  fill_same_matter(p);
  fill_desk_map(p);
  return p;
}

// [SECTION] Accounts

void App::sign_in(bool registering) {
  if (auth_.loading()) return;
  const auto t = auth_.start();
  auto done = [this, t](core::Result<Session> r) {
    post([this, t, r = std::move(r)]() mutable {
      if (!auth_.finish(t, std::move(r)) || !auth_.loaded()) return;
      adopt_session(auth_.value);
      password_.clear();
      reg_password_.clear();
      // Signed in to follow a ticket from the report form: back to the form, as it was.
      if (return_to_form_ && screen() == Screen::account && stack_.size() > 1 &&
          stack_[stack_.size() - 2] == Screen::submit) {
        return_to_form_ = false;
        after_sign_in_.reset();
        go_back();
        return;
      }
      return_to_form_ = false;
      // An address that asked for an account: now its screen.
      if (after_sign_in_ && screen() == Screen::account) {
        const RouteRequest next = *after_sign_in_;
        after_sign_in_.reset();
        open_route(next, Hist::replace);
        return;
      }
      // Leaders land in the data cockpit, other staff on their workbench, citizens on
      // the list of their tickets (the account screen is replaced: no history step back
      // and forth).
      if (Cockpit::is_leader(session_.user.role)) {
        if (screen() == Screen::account) navigate(Screen::cockpit, /*replace=*/true);
        open_cockpit();
      } else if (screen() == Screen::account) {
        navigate(is_handler() ? Screen::queue : Screen::my_tickets, /*replace=*/true);
      }
    });
  };
  if (registering)
    api_.register_account(trim(reg_phone_), reg_password_, trim(reg_name_), std::move(done));
  else
    api_.login(trim(login_), password_, std::move(done));
}

void App::adopt_session(Session s) {
  session_ = std::move(s);
  api_.set_token(session_.token);
  save_session();
  mine_.reset();
  // A stored token may have expired: ask who it belongs to, and forget it when refused.
  api_.me([this](core::Result<User> r) {
    post([this, r = std::move(r)]() mutable {
      if (r.ok()) {
        session_.user = r.value();
        save_session();
        if (is_handler() && queue_.state == LoadState::idle) load_queue();
      } else if (r.error().status == 401) {
        session_ = {};
        api_.set_token({});
        services_.session_save(kSessionKey, "");
        // A screen of the account that is gone: sign in again, then back to it.
        if (!may_open(screen()) || (screen() == Screen::ticket && ticket_code_.empty())) {
          RouteRequest again =
              parse_route(route_path(screen(), ticket_number_, screen() != Screen::my_tickets));
          again.needs_sign_in = true;
          stack_.back() = Screen::account;
          after_sign_in_ = again;
          auth_.reset();
        }
      }
    });
  });
  stream_open_ = false;
  stream_for_.clear();
  open_stream();
}

void App::save_session() {
  services_.session_save(
      kSessionKey,
      core::Json{
          {"token", session_.token}, {"name", session_.user.name}, {"role", session_.user.role}}
          .dump(-1, ' ', false, core::Json::error_handler_t::replace));
}

void App::sign_out() {
  api_.logout();
  session_ = {};
  api_.set_token({});
  services_.session_save(kSessionKey, "");
  mine_.reset();
  mine_.value.clear();
  queue_.reset();
  queue_.value.clear();
  unread_.clear();
  file_channel_.clear();
  cockpit_.reset();
  notify_settings_.reset();
  following_.reset();
  nearby_.ask_sign_in({});
  mine_followed_ = false;
  services_.stream("");
  stream_open_ = false;
  stream_for_.clear();
  show_toast(T::signed_out);
  go_home();
}

void App::load_my_tickets() {
  if (!signed_in() || mine_.loading()) return;
  const auto t = mine_.start();
  api_.my_tickets([this, t](core::Result<std::vector<TicketSummary>> r) {
    post([this, t, r = std::move(r)]() mutable { mine_.finish(t, std::move(r)); });
  });
}

// [SECTION] Ticket: events, rating, live updates

void App::load_events() {
  const auto t = events_.start();
  if (events_.value.size() && ticket_.value.view.number != ticket_number_) events_.value.clear();
  api_.events(ticket_number_, ticket_code_, [this, t](core::Result<std::vector<TicketEvent>> r) {
    post([this, t, r = std::move(r)]() mutable { events_.finish(t, std::move(r)); });
  });
}

void App::submit_rating() {
  if (rating_.loading()) return;
  if (rate_resolved_ < 0 || rate_satisfaction_ < 1) {
    rating_.state = LoadState::failed;
    rating_.error = core::Error::invalid("satisfaction", "choose", "");
    return;
  }
  const auto t = rating_.start();
  const std::string number = ticket_number_;
  api_.rate(number, ticket_code_, rate_resolved_ == 1, rate_satisfaction_, trim(rate_comment_),
            [this, t, number](core::Result<TicketDetail> r) {
              post([this, t, number, r = std::move(r)]() mutable {
                if (!rating_.finish(t, std::move(r)) || !rating_.loaded()) return;
                ticket_.value = rating_.value;
                host_event("ticket_rated", {{"number", number},
                                            {"status", core::to_string(rating_.value.view.status)},
                                            {"satisfaction", rate_satisfaction_}});
                show_toast(T::rated_toast);
                if (screen() == Screen::rate) go_back();
                load_events();
                if (mine_.loaded()) load_my_tickets();
              });
            });
}

void App::open_stream() {
  // Signed in: one stream for every ticket of the account. Anonymous: the ticket shown.
  const std::string want = signed_in() ? "token" : ticket_number_;
  if (want.empty() || (stream_for_ == want)) return;
  stream_for_ = want;
  stream_open_ = false;
  if (!signed_in()) {
    if (ticket_code_.empty()) return;
    services_.stream("/api/v1/stream?number=" + ticket_number_ + "&code=" + ticket_code_);
    return;
  }
  api_.stream_ticket([this, want](core::Result<std::string> r) {
    post([this, want, r = std::move(r)]() mutable {
      if (stream_for_ != want) return;
      if (!r.ok()) {
        stream_for_.clear();  // not available (yet): try again with the next ticket opened
        return;
      }
      services_.stream("/api/v1/stream?ticket=" + r.value());
    });
  });
}

void App::on_stream_event(const std::string& data) {
  post([this, data] {
    if (data.empty()) {
      stream_open_ = true;
      return;
    }
    if (data == "closed") {
      stream_open_ = false;
      return;
    }
    auto json = core::parse_json(data);
    if (!json.ok() || !json->is_object()) return;
    const auto n = json->find("number");
    if (n == json->end() || !n->is_string()) return;
    const std::string number = n->get<std::string>();
    if (number == ticket_number_ && screen() == Screen::ticket) {
      look_up_ticket(ticket_number_, ticket_code_, true);
    } else if (number == ticket_number_) {
      ticket_.reset();
    }
    if (signed_in() && (mine_.loaded() || screen() == Screen::my_tickets)) load_my_tickets();
    if (following_.follows(number)) following_.load();
    if (is_handler()) on_queue_change(number);
  });
}

void App::host_event(const std::string& type, core::Json data) {
  if (!embedded_) return;
  data["type"] = type;
  services_.post_to_host(data.dump(-1, ' ', false, core::Json::error_handler_t::replace));
}

void App::on_host_message(const std::string& text) {
  post([this, text] {
    auto json = core::parse_json(text);
    if (!json.ok() || !json->is_object()) return;
    auto type = json->find("type");
    auto token = json->find("token");
    if (type == json->end() || !type->is_string()) return;
    if (*type == "token" && token != json->end() && token->is_string()) {
      if (token->get<std::string>().empty()) {
        if (signed_in()) sign_out();
      } else if (token->get<std::string>() != session_.token) {
        Session s;
        s.token = token->get<std::string>();
        adopt_session(std::move(s));
      }
    } else if (*type == "lang") {
      auto l = json->find("lang");
      if (l != json->end() && l->is_string()) set_lang(*l == "en" ? Lang::en : Lang::zh);
    }
  });
}

// [SECTION] Location: map, geolocation, nearest venue

void App::load_grids() {
  if (!org_names_.loaded() && !org_names_.loading()) {
    const auto t = org_names_.start();
    api_.org_names([this, t](core::Result<OrgNames> r) {
      post([this, t, r = std::move(r)]() mutable {
        org_names_.finish(t, std::move(r));
        if (org_names_.loaded()) build_map_data();
      });
    });
  }
  if (grids_.loading()) return;
  const auto t = grids_.start();
  api_.grids([this, t](core::Result<GridsAnswer> r) {
    post([this, t, r = std::move(r)]() mutable {
      grids_.finish(t, std::move(r));
      if (grids_.loaded()) build_map_data();
    });
  });
}

void App::build_map_data() {
  if (!grids_.loaded()) return;
  static const OrgNames kNone;
  map_data_ = build_map(grids_.value.grids, org_names_.loaded() ? org_names_.value : kNone,
                        grids_.value.basemap);
}

void App::focus_map(double lat, double lng, double zoom) {
  ++map_focus_seq_;
  focus_lat_ = lat;
  focus_lng_ = lng;
  focus_zoom_ = zoom;
}

void App::place(double lat, double lng) {
  placed_ = true;
  locating_ = false;
  location_unknown_ = false;
  lat_ = format_coordinate(lat);
  lng_ = format_coordinate(lng);
  field_errors_.erase("location");
  field_errors_.erase("location.lat");
  field_errors_.erase("location.lng");
  idempotency_key_.clear();
  save_draft();
  if (!units_.loaded()) load_units();
  const auto t = located_.start();
  api_.locate(lat, lng, [this, t](core::Result<Located> r) {
    post([this, t, r = std::move(r)]() mutable { located_.finish(t, std::move(r)); });
  });
}

void App::on_geolocation(bool ok, double lat, double lng) {
  post([this, ok, lat, lng] {
    locating_ = false;
    locate_failed_ = !ok;
    if (!ok) return;
    has_here_ = true;
    here_lat_ = lat;
    here_lng_ = lng;
    place(lat, lng);
    focus_map(lat, lng, 15.5);
  });
}

MapView App::map_view() const {
  MapView v;
  v.state = grids_.state;
  v.data = map_data_;
  if (map_data_ && placed_ && located_.loaded()) {
    v.selected = map_data_->find(located_.value.grid_id);
    v.selected_name = located_.value.grid_name;
  }
  double lat = 0, lng = 0;
  if (placed_ && parse_coordinate(lat_, lat) && parse_coordinate(lng_, lng)) {
    v.has_pin = true;
    v.pin_lat = lat;
    v.pin_lng = lng;
  }
  v.has_here = has_here_;
  v.here_lat = here_lat_;
  v.here_lng = here_lng_;
  v.focus_seq = map_focus_seq_;
  v.focus_lat = focus_lat_;
  v.focus_lng = focus_lng_;
  v.focus_zoom = focus_zoom_;
  return v;
}

void App::load_units() {
  if (units_.loading()) return;
  const auto t = units_.start();
  api_.units([this, t](core::Result<std::vector<Unit>> r) {
    post([this, t, r = std::move(r)]() mutable { units_.finish(t, std::move(r)); });
  });
}

namespace {
// Distance in km on a small patch of the earth (equirectangular).
double distance_km(double lat1, double lng1, double lat2, double lng2) {
  const double k = 3.14159265358979 / 180;
  const double x = (lng2 - lng1) * k * std::cos((lat1 + lat2) * 0.5 * k);
  const double y = (lat2 - lat1) * k;
  return std::sqrt(x * x + y * y) * 6371.0;
}
}  // namespace

const Unit* App::nearest_mediation() const {
  double lat = 0, lng = 0;
  if (!placed_ || !parse_coordinate(lat_, lat) || !parse_coordinate(lng_, lng)) return nullptr;
  const Unit* best = nullptr;
  double best_d = 0;
  for (const auto& u : units_.value) {
    if (u.kind != "mediation" || !u.location) continue;
    const double d = distance_km(lat, lng, u.location->first, u.location->second);
    if (!best || d < best_d) {
      best = &u;
      best_d = d;
    }
  }
  return best;
}

// [SECTION] Photos

void App::on_photo(int slot, int state, double progress, const std::string& id, int width,
                   int height, const std::string& uid) {
  post([this, slot, state, progress, id, width, height, uid] {
    const int index = slot - photo_base_;
    if (index < 0 || index >= static_cast<int>(kMaxPhotos)) return;
    if (index >= static_cast<int>(photos_.size()))
      photos_.resize(static_cast<std::size_t>(index) + 1);
    PhotoSlot& p = photos_[static_cast<std::size_t>(index)];
    if (p.state == 3) return;  // removed meanwhile
    p.state = state;
    p.progress = progress;
    if (!id.empty()) p.id = id;
    if (!uid.empty()) p.uid = uid;
    if (width > 0) {
      p.width = width;
      p.height = height;
    }
    idempotency_key_.clear();
    if (state == 1 || state == 4) {
      bool uploading = false;
      for (const auto& x : photos_) uploading = uploading || x.state == 0;
      if (!uploading) field_errors_.erase("attachments");
    }
    // The photo is part of the draft from now on (its bytes are on this device).
    if (screen() == Screen::submit && state != 0) save_draft();
  });
}

// [SECTION] More view-models

AccountView App::account() const {
  AccountView v;
  if (signed_in() && is_citizen()) v.notify = notify_settings_.view(lang_);
  v.elderly = elderly_;
  v.signed_in = signed_in();
  v.user_name = session_.user.name;
  v.registering = registering_;
  v.busy = auth_.loading();
  if (auth_.failed()) {
    const core::Error& e = auth_.error;
    if (e.status == 401)
      v.error = std::string(tr(lang_, T::err_bad_login));
    else if (e.status == 409)
      v.error = std::string(tr(lang_, T::err_taken));
    else if (e.code.find("password") != std::string::npos || e.field == "password")
      v.error = std::string(tr(lang_, T::err_weak_password));
    else
      v.error = std::string(error_message(lang_, e));
  }
  v.login = {login_, {}};
  v.password = {password_, {}};
  v.name = {reg_name_, {}};
  v.phone = {reg_phone_, {}};
  v.reg_password = {reg_password_, {}};
  return v;
}

MyTicketsView App::my_tickets() const {
  MyTicketsView v;
  v.tabs = is_citizen();
  v.followed = v.tabs && mine_followed_;
  // The tickets filed, or (a citizen's second tab) those followed.
  const Async<std::vector<TicketSummary>>& list = v.followed ? following_.list() : mine_;
  v.state = list.state;
  if (list.failed()) v.error = std::string(error_message(lang_, list.error));
  // An answer keeps its request's ticket: the state tells a loaded list from a loading one.
  const std::uint64_t key =
      (list.ticket * 4 + static_cast<std::uint64_t>(list.state)) * 2 + (v.followed ? 1 : 0);
  if (!mine_rows_ || mine_rows_ticket_ != key || mine_rows_lang_ != lang_) {
    auto rows = std::make_shared<std::vector<TicketRow>>();
    rows->reserve(list.value.size());
    for (const auto& t : list.value) {
      TicketRow row;
      row.number = t.number;
      row.title = category_name(t.category);
      row.excerpt = t.description;
      row.status = core::parse_status(t.status).value_or(core::Status::submitted);
      row.status_name = std::string(status_name(lang_, row.status));
      row.updated = format_local_time(t.updated_at);
      row.handler = t.handler;
      row.overdue = t.overdue;
      if (t.followers > 0)
        row.followers = std::to_string(t.followers) + std::string(tr(lang_, T::followers_suffix));
      rows->push_back(std::move(row));
    }
    mine_rows_ = std::move(rows);
    mine_rows_ticket_ = key;
    mine_rows_lang_ = lang_;
  }
  v.rows = mine_rows_;
  return v;
}

void App::bench_fill_my_tickets(int rows) {
  static constexpr const char* kStatuses[] = {"assigned", "accepted", "in_progress", "resolved",
                                              "closed"};
  static constexpr const char* kTexts[] = {
      "小区门口路灯不亮已经一周，晚上出行不便。", "夜间施工噪音扰民，持续到凌晨。",
      "楼道堆放杂物，存在消防隐患。", "道路井盖破损，车辆经过有危险。"};
  std::vector<TicketSummary> list;
  list.reserve(static_cast<std::size_t>(std::max(rows, 0)));
  for (int i = 0; i < rows; ++i) {
    TicketSummary t;
    char number[32];
    std::snprintf(number, sizeof number, "RC20261125%08d", i + 1);
    t.number = number;
    t.status = kStatuses[i % 5];
    t.level = "grid";
    t.category =
        categories_.value.empty()
            ? "env.noise"
            : categories_.value[static_cast<std::size_t>(i) % categories_.value.size()].code;
    t.description = kTexts[i % 4];
    t.created_at = t.updated_at = "2026-11-25T02:30:00Z";
    t.overdue = i % 17 == 0;
    list.push_back(std::move(t));
  }
  const auto t = mine_.start();
  mine_.finish(t, std::move(list));
  if (screen() != Screen::my_tickets) {
    stack_.push_back(Screen::my_tickets);
    record_history(Hist::push);
  }
}

RateView App::rate() const {
  RateView v;
  v.number = ticket_number_;
  if (ticket_.value.view.number == ticket_number_) {
    v.category = category_name(ticket_.value.view.category);
    v.reply = ticket_.value.view.reply.value_or("");
  }
  v.resolved = rate_resolved_;
  v.satisfaction = rate_satisfaction_;
  v.comment = {rate_comment_, {}};
  v.busy = rating_.loading();
  v.focus_seq = rate_focus_seq_;
  if (rating_.failed())
    v.error = rating_.error.code == "choose" ? std::string(tr(lang_, T::rate_choose))
                                             : std::string(error_message(lang_, rating_.error));
  return v;
}

ServicesView App::services_directory() const {
  ServicesView v;
  v.state = units_.state;
  if (units_.failed()) v.error = std::string(error_message(lang_, units_.error));
  auto row_of = [&](const Unit& u) {
    UnitRow r;
    r.name = lang_ == Lang::en && !u.name_en.empty() ? u.name_en : u.name;
    r.kind = u.kind;
    r.contact = u.contact;
    r.tel = tel_uri(u.contact);
    r.address = u.address;
    return r;
  };
  if (const Unit* u = nearest_mediation()) {
    v.has_nearest = true;
    v.nearest = row_of(*u);
    double lat = 0, lng = 0;
    parse_coordinate(lat_, lat);
    parse_coordinate(lng_, lng);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ",
                  distance_km(lat, lng, u->location->first, u->location->second));
    v.nearest.distance = buf + std::string(tr(lang_, T::km));
    if (located_.loaded()) v.place = located_.value.community + " · " + located_.value.grid_name;
  }
  const std::pair<const char*, T> kinds[] = {{"mediation", T::unit_mediation},
                                             {"legal", T::unit_legal},
                                             {"department", T::unit_department},
                                             {"utility", T::unit_utility}};
  for (const auto& [kind, title] : kinds) {
    ServicesView::Group g;
    g.name = std::string(tr(lang_, title));
    for (const auto& u : units_.value)
      if (u.kind == kind) g.units.push_back(row_of(u));
    if (!g.units.empty()) v.groups.push_back(std::move(g));
  }
  return v;
}

// [SECTION] Cockpit and public board

void App::open_cockpit() {
  if (!signed_in() || !Cockpit::is_leader(session_.user.role)) return;
  if (screen() != Screen::cockpit) navigate(Screen::cockpit);
  cockpit_.set_user(session_.user.name, session_.user.role);
  if (!grids_.loaded() && !grids_.loading()) load_grids();
  cockpit_.open();
}

CockpitView App::cockpit() const {
  return cockpit_.view(lang_, grids_.state, map_data_);
}

BoardView App::board() const {
  return cockpit_.board(lang_);
}

}  // namespace portal::client
