#include "app/app.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "app/format.hpp"
#include "portal/core/json.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"

namespace portal::client {

namespace {

constexpr std::string_view kLangKey = "portal.lang";
constexpr std::string_view kRecentKey = "portal.recent";
constexpr double kToastMs = 1600;
// The submit form's fields top to bottom, by their API paths.
constexpr const char* kFormOrder[] = {"category",      "description",  "location.address",
                                      "location.lat",  "location.lng", "contact.name",
                                      "contact.phone", "attachments"};

std::string format_coordinate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5f", v);
  return buf;
}

// Strict decimal number: digits with at most one dot and an optional sign.
bool parse_coordinate(const std::string& text, double& out) {
  const std::string s = trim(text);
  if (s.empty() || s.size() > 24) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
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
      lat_(format_coordinate(kDefaultLat)),
      lng_(format_coordinate(kDefaultLng)) {
  for_each_catalogue_string([&](std::string_view s) { see_text(s); });
}

void App::start() {
  if (services_.load(kLangKey) == "en") lang_ = Lang::en;
  services_.set_document_language(lang_tag(lang_), tr(lang_, T::app_name));
  services_.history_replace(0);
  load_recent();
  load_categories();
}

void App::post(std::function<void()> fn) {
  inbox_.push_back(std::move(fn));
  if (wake_) wake_();
}

bool App::begin_frame() {
  if (inbox_.empty()) return false;
  auto work = std::move(inbox_);
  inbox_.clear();
  for (auto& fn : work) fn();
  return true;
}

void App::apply(const Intents& intents) {
  for (const Intent& i : intents.list()) {
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
            anonymous_ = v.value;
            idempotency_key_.clear();
          } else if constexpr (std::is_same_v<V, intent::PickCategory>) {
            category_ = v.code;
            field_errors_.erase("category");
            idempotency_key_.clear();
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
            show_toast(T::copied);
          }
        },
        i);
  }
}

void App::on_history(int depth) {
  // Only ever moves back: forward entries point at screens whose state is gone.
  const auto keep = static_cast<std::size_t>(std::max(depth, 0)) + 1;
  if (keep < stack_.size()) stack_.resize(keep);
}

void App::navigate(Screen to, bool replace) {
  if (to == Screen::home) return go_home();
  if (replace) {
    stack_.back() = to;
    services_.history_replace(static_cast<int>(stack_.size()) - 1);
  } else {
    stack_.push_back(to);
    services_.history_push(static_cast<int>(stack_.size()) - 1);
  }
  if (to == Screen::categories) category_search_.clear();
}

void App::go_back() {
  if (stack_.size() <= 1) return;
  stack_.pop_back();
  services_.history_back(1);
}

void App::go_home() {
  const int steps = static_cast<int>(stack_.size()) - 1;
  if (steps <= 0) return;
  stack_.resize(1);
  services_.history_back(steps);
}

void App::set_lang(Lang lang) {
  lang_ = lang;
  services_.save(kLangKey, lang == Lang::zh ? "zh" : "en");
  services_.set_document_language(lang_tag(lang), tr(lang, T::app_name));
  // Category names in the other language may hold characters not drawn yet.
  for (const auto& c : categories_.value) see_text(lang == Lang::zh ? c.name : c.name_en);
}

void App::edit(Field field, std::string value) {
  see_text(value);
  auto set = [&](std::string& slot, const char* path) {
    if (slot == value) return;
    slot = std::move(value);
    field_errors_.erase(path);
    idempotency_key_.clear();  // a changed draft is a new submission
  };
  switch (field) {
    case Field::description:
      return set(description_, "description");
    case Field::address:
      return set(address_, "location.address");
    case Field::lat:
      return set(lat_, "location.lat");
    case Field::lng:
      return set(lng_, "location.lng");
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
  }
}

void App::load_categories() {
  if (categories_.loading()) return;
  const auto t = categories_.start();
  api_.categories([this, t](core::Result<std::vector<core::Category>> r) {
    post([this, t, r = std::move(r)]() mutable {
      if (r.ok())
        for (const auto& c : r.value()) {
          see_text(c.name);
          see_text(c.name_en);
          see_text(c.group);
        }
      categories_.finish(t, std::move(r));
    });
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
  d.channel = core::Channel::web;
  bool lat_ok = parse_coordinate(lat_, d.location.lat);
  bool lng_ok = parse_coordinate(lng_, d.location.lng);

  for (auto& e : core::validate(d)) field_errors_.emplace(e.field, e);
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

  if (idempotency_key_.empty()) idempotency_key_ = services_.random_token();
  const auto t = submission_.start();
  api_.submit(d, idempotency_key_, [this, t](core::Result<core::TicketReceipt> r) {
    post([this, t, r = std::move(r)]() mutable {
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
      remember(receipt);
      // A new report starts clean; who reports stays filled in.
      category_.clear();
      description_.clear();
      address_.clear();
      anonymous_ = false;
      idempotency_key_.clear();
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
  if (code.empty()) track_errors_["code"] = core::Error::invalid("code", "required", "");
  if (!track_errors_.empty()) return;

  if (ticket_number_ != number) ticket_.value = {};  // never show another ticket meanwhile
  ticket_number_ = number;
  ticket_code_ = code;
  open_on_answer_ = !open_now;
  const auto t = ticket_.start();
  if (open_now && screen() != Screen::ticket) navigate(Screen::ticket);
  api_.ticket(number, code, [this, t](core::Result<core::TicketView> r) {
    post([this, t, r = std::move(r)]() mutable {
      if (r.ok()) {
        see_text(r.value().description);
        see_text(r.value().location.address);
        see_text(r.value().contact.name);
        if (r.value().reply) see_text(*r.value().reply);
        for (const auto* ref : {&r.value().grid, &r.value().community, &r.value().street})
          if (*ref) see_text((*ref)->name);
        if (r.value().assignee) see_text(r.value().assignee->name);
      }
      if (!ticket_.finish(t, std::move(r))) return;
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

void App::remember(const core::TicketReceipt& receipt) {
  if (!receipt.access_code) return;  // only anonymous submitters need the code kept
  recent_.erase(std::remove_if(recent_.begin(), recent_.end(),
                               [&](const Recent& r) { return r.number == receipt.number; }),
                recent_.end());
  recent_.insert(recent_.begin(), Recent{receipt.number, *receipt.access_code});
  if (recent_.size() > kMaxRecent) recent_.resize(kMaxRecent);
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

// [SECTION] View-models

double App::wake_at_ms() const {
  return toast_until_;
}

ShellView App::shell() const {
  ShellView v;
  v.screen = screen();
  v.lang = lang_;
  v.can_go_back = stack_.size() > 1;
  if (toast_until_ > 0 && services_.now_ms() < toast_until_)
    v.toast = std::string(tr(lang_, toast_));
  return v;
}

HomeView App::home() const {
  HomeView v;
  for (const auto& r : recent_) v.recent.push_back({r.number, r.code});
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
  if (field == "category") return std::string(tr(lang_, T::err_unknown_category));
  return std::string(error_message(lang_, it->second));
}

SubmitView App::submit() const {
  SubmitView v;
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
  v.submitting = submission_.loading();
  if (submission_.failed() && submission_.error.field.empty())
    v.banner = std::string(error_message(lang_, submission_.error));
  else if (!field_errors_.empty())
    v.banner = std::string(tr(lang_, T::err_fix_fields));
  v.focus_seq = focus_seq_;
  v.focus_category = focus_path_ == "category";
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
  const core::TicketView& t = ticket_.value;
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
  if (t.assignee) p.handler = t.assignee->name;
  p.contact = t.contact.name + (t.contact.phone.empty() ? "" : "  " + t.contact.phone);
  p.created = format_local_time(t.created_at);
  p.updated = format_local_time(t.updated_at);
  p.respond_by = format_local_time(t.response_due_at);
  p.resolve_by = format_local_time(t.resolve_due_at);
  if (t.reply) p.reply = *t.reply;
  p.overdue = t.overdue;
  p.reopen_count = t.reopen_count;
  return p;
}

}  // namespace portal::client
