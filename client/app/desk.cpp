// The handler's desk: the server-side filters and search, the next deadline of each row,
// the keyboard cursor; and the App's part of it (its intents and view-model).
//
// Index
//   [SECTION] Deadlines
//   [SECTION] Desk
//   [SECTION] App: intents
//   [SECTION] App: view-model
#include "app/desk.hpp"

#include <algorithm>

#include "app/app.hpp"
#include "app/format.hpp"
#include "portal/core/time.hpp"

namespace portal::client {

// [SECTION] Deadlines

std::string desk_list_url(const DeskFilters& f) {
  std::string url = "/api/v1/tickets?scope=queue&page_size=200";
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) url += std::string("&") + key + "=" + url_encode(value);
  };
  add("status", f.status);
  add("level", f.level);
  add("category", f.category);
  if (f.overdue) url += "&overdue=true";
  add("q", trim(f.q));
  return url;
}

namespace {

bool is_open(std::string_view s) {
  return s == "submitted" || s == "assigned" || s == "accepted" || s == "in_progress" ||
         s == "returned";
}

// Unix ms of an ISO time; nullopt when it is none.
std::optional<double> ms_of(const std::string& iso) {
  const auto t = core::parse_iso(iso);
  if (!t) return std::nullopt;
  return static_cast<double>(core::to_unix(*t)) * 1000.0;
}

}  // namespace

NextDeadline next_deadline(const TicketSummary& t) {
  if (!is_open(t.status)) return {};
  // A returned ticket waits to be taken up again: a response is due, as for a new one.
  const bool before_acceptance =
      t.status == "submitted" || t.status == "assigned" || t.status == "returned";
  if (before_acceptance && !t.response_due_at.empty())
    return {DeadlineKind::response, t.response_due_at};
  if (t.resolve_due_at.empty()) return {};
  return {DeadlineKind::resolve, t.resolve_due_at};
}

Urgency urgency_of(const TicketSummary& t, double now_ms) {
  const NextDeadline d = next_deadline(t);
  if (d.kind == DeadlineKind::none) return Urgency::normal;
  if (t.overdue) return Urgency::overdue;
  const auto at = ms_of(d.at);
  if (!at) return Urgency::normal;
  if (*at <= now_ms) return Urgency::overdue;
  const double soon = d.kind == DeadlineKind::response ? kSoonResponseMs : kSoonResolveMs;
  return *at - now_ms <= soon ? Urgency::soon : Urgency::normal;
}

void sort_by_urgency(std::vector<TicketSummary>& list, double now_ms) {
  struct Key {
    int rank;  // 0 overdue, 1 soon, 2 open, 3 finished
    std::string due;
  };
  std::vector<std::pair<Key, TicketSummary>> keyed;
  keyed.reserve(list.size());
  for (auto& t : list) {
    const NextDeadline d = next_deadline(t);
    const Urgency u = urgency_of(t, now_ms);
    const int rank = d.kind == DeadlineKind::none ? 3
                     : u == Urgency::overdue      ? 0
                     : u == Urgency::soon         ? 1
                                                  : 2;
    keyed.push_back({Key{rank, d.at}, std::move(t)});
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first.rank != b.first.rank) return a.first.rank < b.first.rank;
    if (a.first.rank < 3 && a.first.due != b.first.due) return a.first.due < b.first.due;
    if (a.first.rank == 3) return a.second.updated_at > b.second.updated_at;
    return false;
  });
  list.clear();
  for (auto& k : keyed) list.push_back(std::move(k.second));
}

// [SECTION] Desk

void Desk::set_status(const std::string& s) {
  filters_.status = s;
  menu.clear();
  load(now_ms_);
}
void Desk::set_category(const std::string& c) {
  filters_.category = c;
  menu.clear();
  load(now_ms_);
}
void Desk::set_level(const std::string& l) {
  filters_.level = l;
  menu.clear();
  load(now_ms_);
}
void Desk::set_overdue(bool on) {
  filters_.overdue = on;
  load(now_ms_);
}
void Desk::clear() {
  filters_ = {};
  search_.clear();
  due_at_ = 0;
  menu.clear();
  load(now_ms_);
}

void Desk::typed(const std::string& text, double now_ms) {
  now_ms_ = now_ms;
  search_ = text;
  // Sent once typing rests; the same text as was sent asks nothing.
  due_at_ = trim(text) == trim(filters_.q) ? 0 : now_ms + kSearchRestMs;
}

bool Desk::tick(double now_ms) {
  now_ms_ = now_ms;
  if (due_at_ <= 0 || now_ms < due_at_) return false;
  load(now_ms);
  return true;
}

void Desk::load(double now_ms) {
  now_ms_ = now_ms;
  due_at_ = 0;
  filters_.q = trim(search_);
  const auto t = list_.start();
  api_.tickets_at(desk_list_url(filters_),
                  [this, t, now_ms](core::Result<std::vector<TicketSummary>> r) {
                    post_([this, t, now_ms, r = std::move(r)]() mutable {
                      if (r.ok()) sort_by_urgency(r.value(), now_ms);
                      if (!list_.finish(t, std::move(r))) return;  // a newer question is out
                      move(0);
                    });
                  });
}

void Desk::move(int by) {
  const int n = static_cast<int>(list_.value.size());
  cursor_ = n == 0 ? 0 : std::clamp(cursor_ + by, 0, n - 1);
}

void Desk::set_cursor_to(const std::string& number) {
  for (std::size_t i = 0; i < list_.value.size(); ++i)
    if (list_.value[i].number == number) cursor_ = static_cast<int>(i);
}

const TicketSummary* Desk::at_cursor() const {
  if (cursor_ < 0 || static_cast<std::size_t>(cursor_) >= list_.value.size()) return nullptr;
  return &list_.value[static_cast<std::size_t>(cursor_)];
}

// [SECTION] App: intents

namespace {

// The actions a key opens on the desk's ticket, and the toast each one ends with.
struct ActionKey {
  std::string_view action, key;
  T done;
};
constexpr ActionKey kActionKeys[] = {
    {"accept", "a", T::done_accept},
    {"progress", "p", T::done_progress},
    {"contact", "c", T::done_contact},
    {"escalate", "e", T::done_escalate},
    {"whistle", "w", T::done_whistle},
    {"resolve", "d", T::done_resolve},
    {"return", "t", T::done_return},
    {"checkin", "", T::done_checkin},
    {"whistle_done", "", T::done_whistle_done},
    {"withdraw_whistle", "", T::done_withdraw},
    {"reject", "", T::done_reject},
    {"merge", "", T::done_merge},
    {"record_rating", "", T::done_rating},
    {"recategorize", "", T::recategorized_toast},
};

}  // namespace

T done_toast(std::string_view action) {
  for (const auto& k : kActionKeys)
    if (k.action == action) return k.done;
  return T::action_done;
}

std::string_view action_key(std::string_view action) {
  for (const auto& k : kActionKeys)
    if (k.action == action) return k.key;
  return {};
}

bool App::apply_desk(const Intent& i) {
  const auto* d = std::get_if<intent::Desk>(&i);
  if (!d) return false;
  using Op = intent::DeskOp;
  const double now = services_.now_ms();
  switch (d->op) {
    case Op::status:
      desk_.set_status(d->arg);
      break;
    case Op::category:
      desk_.set_category(d->arg);
      break;
    case Op::level:
      desk_.set_level(d->arg);
      break;
    case Op::overdue:
      desk_.set_overdue(d->arg == "1");
      break;
    case Op::menu:
      desk_.menu = desk_.menu == d->arg ? std::string() : d->arg;
      if (desk_.menu == "category" && !categories_.loaded() && !categories_.loading())
        load_categories();
      break;
    case Op::clear:
      desk_.clear();
      break;
    case Op::move:
      desk_.move(d->arg == "-1" ? -1 : 1);
      break;
    case Op::open_cursor:
      if (const TicketSummary* t = desk_.at_cursor()) open_on_desk(t->number);
      break;
    case Op::open:
      desk_.set_cursor_to(d->arg);
      open_on_desk(d->arg);
      break;
    case Op::help:
      desk_.help = d->arg == "1";
      break;
    case Op::action: {
      // Only what the server allows now, on the ticket shown, and not while one is sent.
      if (screen() != Screen::ticket || !ticket_.loaded() || acting_.loading()) break;
      const auto& allowed = ticket_.value.view.allowed_actions;
      if (std::find(allowed.begin(), allowed.end(), d->arg) != allowed.end()) open_action(d->arg);
      break;
    }
    case Op::load:
      desk_.load(now);
      if (!categories_.loaded() && !categories_.loading()) load_categories();
      if (!grids_.loaded() && !grids_.loading()) load_grids();
      break;
  }
  return true;
}

// A row of the desk: shown beside the queue. Another ticket replaces the one shown (its
// address too), so Back goes to the queue rather than through every ticket looked at.
void App::open_on_desk(const std::string& number) {
  if (screen() == Screen::ticket && number == ticket_number_) return;
  if (screen() == Screen::action) go_back();
  const bool replace = screen() == Screen::ticket;
  look_up_ticket(number, {}, /*open_now=*/!replace);
  if (replace) {
    record_history(Hist::replace);
    entered(Screen::ticket);
  }
}

// [SECTION] App: view-model

DeskView App::desk() const {
  DeskView v;
  const auto& list = desk_.list();
  v.state = list.state;
  if (list.failed()) v.error = std::string(error_message(lang_, list.error));
  const QueueView q = queue();
  v.user_name = q.user_name;
  v.role_name = q.role_name;
  v.can_file = q.can_file;
  v.can_patrol = q.can_patrol;
  v.unread = unread_.size();
  const DeskFilters& f = desk_.filters();
  v.search = {desk_.search_text(), {}};
  v.status = f.status;
  v.category = f.category;
  v.level = f.level;
  v.overdue = f.overdue;
  v.filtered = f.any() || !desk_.search_text().empty();
  v.status_label =
      f.status.empty()
          ? std::string(tr(lang_, T::desk_any_open))
          : std::string(
                status_name(lang_, core::parse_status(f.status).value_or(core::Status::submitted)));
  v.category_label =
      f.category.empty() ? std::string(tr(lang_, T::desk_any)) : category_name(f.category);
  v.level_label =
      f.level.empty()
          ? std::string(tr(lang_, T::desk_any))
          : std::string(level_name(lang_, core::parse_level(f.level).value_or(core::Level::grid)));
  v.menu = desk_.menu;
  if (v.menu == "status") {
    v.choices.push_back({"", std::string(tr(lang_, T::desk_any_open))});
    for (core::Status s : {core::Status::submitted, core::Status::assigned, core::Status::accepted,
                           core::Status::in_progress, core::Status::returned,
                           core::Status::resolved, core::Status::closed})
      v.choices.push_back({std::string(core::to_string(s)), std::string(status_name(lang_, s))});
  } else if (v.menu == "level") {
    v.choices.push_back({"", std::string(tr(lang_, T::desk_any))});
    for (core::Level l :
         {core::Level::grid, core::Level::community, core::Level::street, core::Level::district})
      v.choices.push_back({std::string(core::to_string(l)), std::string(level_name(lang_, l))});
  } else if (v.menu == "category") {
    v.choices.push_back({"", std::string(tr(lang_, T::desk_any))});
    for (const auto& c : categories_.value)
      v.choices.push_back({c.code, lang_ == Lang::en && !c.name_en.empty() ? c.name_en : c.name});
  }
  v.help = desk_.help;
  const std::pair<const char*, T> keys[] = {{"j / ↓   k / ↑", T::desk_key_move},
                                            {"Enter", T::desk_key_open},
                                            {"a", T::btn_accept},
                                            {"p", T::btn_progress},
                                            {"c", T::btn_contact},
                                            {"e", T::btn_escalate},
                                            {"w", T::btn_whistle},
                                            {"d", T::btn_resolve},
                                            {"t", T::btn_return},
                                            {"/", T::desk_key_search},
                                            {"r", T::desk_key_refresh},
                                            {"Esc", T::desk_key_close},
                                            {"?", T::desk_key_help}};
  for (const auto& [k, what] : keys) v.shortcuts.push_back({k, std::string(tr(lang_, what))});

  const bool shown = screen() == Screen::ticket || screen() == Screen::action;
  v.open_number = shown ? ticket_number_ : std::string();
  const double now = services_.now_ms();
  v.rows.reserve(list.value.size());
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const TicketSummary& t = list.value[i];
    DeskRow row;
    row.number = t.number;
    row.category = category_name(t.category);
    row.excerpt = t.description;
    row.status = core::parse_status(t.status).value_or(core::Status::submitted);
    row.status_name = std::string(status_name(lang_, row.status));
    if (auto l = core::parse_level(t.level)) row.level_name = std::string(level_name(lang_, *l));
    if (map_data_) {
      // The grid by name: the list carries no address.
      if (const int g = map_data_->find(t.grid_id); g >= 0)
        row.place = map_data_->grids[static_cast<std::size_t>(g)].name;
    }
    if (t.followers > 0)
      row.followers = std::to_string(t.followers) + std::string(tr(lang_, T::followers_suffix));
    const NextDeadline d = next_deadline(t);
    if (d.kind != DeadlineKind::none) {
      std::string when = format_local_time(d.at);
      if (when.size() > 5 && when[4] == '-') when = when.substr(5);  // the year goes without saying
      row.deadline = std::string(tr(lang_, d.kind == DeadlineKind::response ? T::desk_respond_by
                                                                            : T::desk_resolve_by)) +
                     " " + when;
    }
    row.urgency = static_cast<int>(urgency_of(t, now));
    row.unread = std::find(unread_.begin(), unread_.end(), t.number) != unread_.end();
    row.open = t.number == v.open_number;
    row.cursor = static_cast<int>(i) == desk_.cursor();
    v.rows.push_back(std::move(row));
  }
  v.count = std::to_string(list.value.size()) + " " + std::string(tr(lang_, T::desk_count));
  return v;
}

}  // namespace portal::client

namespace portal::client {

// A handler's ticket with a point: the map centred on it, close enough to read the grids
// around, its own grid chosen. Each ticket moves the map once (its focus_seq).
void App::fill_desk_map(TicketPage& p) const {
  const core::TicketView& t = ticket_.value.view;
  if (!is_handler() || t.number.empty() || !t.location.known()) return;
  p.has_map = true;
  MapView& m = p.map;
  m.state = grids_.state;
  m.data = map_data_;
  m.tap = MapTap::view;
  m.has_pin = true;
  m.pin_lat = m.focus_lat = t.location.lat;
  m.pin_lng = m.focus_lng = t.location.lng;
  m.focus_zoom = 16;
  m.focus_seq = std::hash<std::string>{}(t.number) | 1;
  if (t.grid) {
    m.selected_name = t.grid->name;
    if (map_data_) m.selected = map_data_->find(t.grid->id);
  }
}

}  // namespace portal::client
