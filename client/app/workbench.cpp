// The handler workbench: the queue of the signed-in handler's scope, the actions the
// server allows on a ticket with their forms, and the hotline agent's batch import.
//
// Index
//   [SECTION] Intents
//   [SECTION] Queue
//   [SECTION] Actions
//   [SECTION] Hotline import
//   [SECTION] View-models
#include <algorithm>
#include <cstdio>

#include "app/app.hpp"
#include "app/format.hpp"
#include "portal/core/validation.hpp"

namespace portal::client {

namespace {

// Actions with a button on the ticket page, in the order a handler meets them.
constexpr std::pair<std::string_view, T> kActionButtons[] = {
    {"accept", T::btn_accept},
    {"contact", T::btn_contact},
    {"progress", T::btn_progress},
    {"checkin", T::btn_checkin},
    {"whistle_done", T::btn_whistle_done},
    {"resolve", T::btn_resolve},
    {"whistle", T::btn_whistle},
    {"escalate", T::btn_escalate},
    {"withdraw_whistle", T::btn_withdraw_whistle},
    {"merge", T::btn_merge},
    {"recategorize", T::btn_recategorize},
    {"return", T::btn_return},
    {"reject", T::btn_reject},
    {"record_rating", T::btn_record_rating},
};

T label_of(std::string_view action) {
  for (const auto& [a, t] : kActionButtons)
    if (a == action) return t;
  return T::action_submit;
}

// Which text an action takes, and whether it must be given.
struct NoteSpec {
  const char* key = nullptr;  // JSON field; nullptr: none
  T label = T::field_note, hint = T::note_hint;
  bool required = false;
};
NoteSpec note_of(std::string_view a) {
  if (a == "contact" || a == "progress")
    return {"note", T::field_note, T::note_hint, a == "progress"};
  if (a == "whistle" || a == "whistle_done") return {"note", T::field_note, T::note_hint, false};
  if (a == "escalate" || a == "return" || a == "reject")
    return {"reason", T::field_reason, T::reason_hint, true};
  if (a == "resolve") return {"reply", T::field_reply, T::resolve_reply_hint, true};
  if (a == "record_rating") return {"comment", T::field_comment, T::note_hint, false};
  if (a == "recategorize") return {"reason", T::field_reason, T::recategorize_hint, true};
  return {};
}

bool is_open_status(std::string_view s) {
  return s == "submitted" || s == "assigned" || s == "accepted" || s == "in_progress" ||
         s == "returned";
}

}  // namespace

bool App::is_handler() const {
  const std::string& r = session_.user.role;
  return signed_in() && !r.empty() && r != "citizen";
}

// [SECTION] Intents

// The workbench's intents; false for the others.
bool App::apply_workbench(const Intent& i) {
  if (const auto* f = std::get_if<intent::SetQueueFilter>(&i)) {
    queue_filter_ = f->value;
  } else if (const auto* a = std::get_if<intent::OpenAction>(&i)) {
    open_action(a->action);
  } else if (const auto* p = std::get_if<intent::TogglePick>(&i)) {
    toggle_pick(p->id);
  } else if (std::holds_alternative<intent::SubmitAction>(i)) {
    submit_action();
  } else if (const auto* c = std::get_if<intent::FileForCaller>(&i)) {
    file_channel_ = c->patrol ? "patrol" : "hotline";
    on_the_spot_ = false;
    navigate(c->patrol ? Screen::submit : Screen::submit);
  } else if (std::holds_alternative<intent::SubmitImport>(i)) {
    submit_import();
  } else {
    return false;
  }
  return true;
}

// [SECTION] Queue

void App::load_queue() {
  if (!is_handler() || queue_.loading()) return;
  const auto t = queue_.start();
  api_.queue([this, t](core::Result<std::vector<TicketSummary>> r) {
    post([this, t, r = std::move(r)]() mutable {
      if (r.ok()) {
        // Most urgent first: overdue, then the nearest deadline; finished ones last.
        std::stable_sort(r.value().begin(), r.value().end(),
                         [](const TicketSummary& a, const TicketSummary& b) {
                           const bool ao = is_open_status(a.status), bo = is_open_status(b.status);
                           if (ao != bo) return ao;
                           if (a.overdue != b.overdue) return a.overdue;
                           if (ao && a.resolve_due_at != b.resolve_due_at)
                             return a.resolve_due_at < b.resolve_due_at;
                           return a.updated_at > b.updated_at;
                         });
      }
      queue_.finish(t, std::move(r));
    });
  });
}

// A live change of a ticket in the handler's scope.
void App::on_queue_change(const std::string& number) {
  const bool shown =
      (screen() == Screen::ticket || screen() == Screen::action) && number == ticket_number_;
  if (!shown && std::find(unread_.begin(), unread_.end(), number) == unread_.end())
    unread_.push_back(number);
  if (queue_.loaded() || screen() == Screen::queue) load_queue();
  if (desk_.list().state != LoadState::idle) desk_.load(services_.now_ms());
}

// [SECTION] Actions

void App::open_action(const std::string& action) {
  if (acting_.loading()) return;
  action_ = action;
  action_note_.clear();
  action_into_.clear();
  action_picks_.clear();
  action_error_.clear();
  acting_.reset();
  rate_resolved_ = -1;
  rate_satisfaction_ = 0;
  if (action == "accept") return submit_action();  // nothing to fill in
  if (action == "whistle" && !units_.loaded()) load_units();
  // A correction starts at what the text suggests, when it suggests another category.
  if (action == "recategorize") {
    if (const std::string code = suggested_code(); !code.empty()) action_picks_ = {code};
  }
  // A single whistle to act on is chosen already.
  if (action == "checkin" || action == "whistle_done" || action == "withdraw_whistle") {
    std::vector<std::string> ids;
    for (const auto& w : ticket_.value.whistles) {
      const bool mine = session_.user.unit_id.empty() || w.unit_id == session_.user.unit_id;
      const bool fits = action == "checkin"        ? w.status == "summoned"
                        : action == "whistle_done" ? w.status == "checked_in"
                                                   : w.status != "done" && w.status != "withdrawn";
      if (mine && fits) ids.push_back(w.id);
    }
    if (ids.size() == 1) action_picks_ = ids;
  }
  navigate(Screen::action);
  load_action_draft();  // what was typed into this form before, on this device
}

void App::toggle_pick(const std::string& id) {
  action_error_.clear();
  if (action_ != "whistle") {
    action_picks_ = {id};
    save_action_draft();
    return;
  }
  auto it = std::find(action_picks_.begin(), action_picks_.end(), id);
  if (it == action_picks_.end())
    action_picks_.push_back(id);
  else
    action_picks_.erase(it);
  save_action_draft();
}

void App::submit_action() {
  if (acting_.loading() || ticket_number_.empty()) return;
  action_error_.clear();
  core::Json body = {{"action", action_}};
  const NoteSpec note = note_of(action_);
  const std::string text = trim(action_note_);
  if (note.key) {
    if (note.required && text.empty()) {
      action_error_ = "note";
      return;
    }
    if (!text.empty()) body[note.key] = text;
  }
  if (action_ == "whistle") {
    if (action_picks_.empty()) {
      action_error_ = "units";
      return;
    }
    body["unit_ids"] = action_picks_;
  }
  if (action_ == "checkin" || action_ == "whistle_done" || action_ == "withdraw_whistle") {
    if (action_picks_.empty()) {
      action_error_ = "whistle";
      return;
    }
    body["whistle_id"] = action_picks_.front();
  }
  if (action_ == "merge") body["into"] = trim(action_into_);
  if (action_ == "recategorize") {
    if (action_picks_.empty()) {
      action_error_ = "category";
      return;
    }
    body["category"] = action_picks_.front();
  }
  if (action_ == "record_rating") {
    if (rate_resolved_ < 0 || rate_satisfaction_ < 1) {
      action_error_ = "rating";
      return;
    }
    body["resolved"] = rate_resolved_ == 1;
    body["satisfaction"] = rate_satisfaction_;
  }
  if (action_ == "resolve") {
    std::vector<std::string> ids;
    for (const auto& p : photos_)
      if (p.state == 1) ids.push_back(p.id);
    if (!ids.empty()) body["attachments"] = ids;
  }
  const auto t = acting_.start();
  const std::string number = ticket_number_;
  api_.act(number, body, [this, t, number](core::Result<TicketDetail> r) {
    post([this, t, number, r = std::move(r)]() mutable {
      if (!acting_.finish(t, std::move(r)) || !acting_.loaded()) return;
      if (number == ticket_number_) ticket_.value = acting_.value;
      store_->save(action_draft_name(number, action_), {}, {});  // done: no draft left
      if (action_ == "resolve") {
        photo_base_ += static_cast<int>(photos_.size()) + 100;
        photos_.clear();
      }
      // The toast names what was done: 已受理, 已退回 ...
      show_toast(done_toast(action_));
      if (screen() == Screen::action) go_back();
      load_events();
      if (queue_.loaded()) load_queue();
      if (desk_.list().state != LoadState::idle) desk_.load(services_.now_ms());
    });
  });
}

// [SECTION] Hotline import

void App::submit_import() {
  if (import_.loading()) return;
  const std::string text = trim(import_text_);
  if (text.empty()) return;
  const bool csv = text.front() != '[' && text.front() != '{';
  const auto t = import_.start();
  api_.hotline_import(text, csv, [this, t](core::Result<core::Json> r) {
    post([this, t, r = std::move(r)]() mutable {
      import_.finish(t, std::move(r));
      if (import_.loaded()) {
        if (queue_.loaded()) load_queue();
      }
    });
  });
}

// [SECTION] View-models

T App::action_title() const {
  return label_of(action_);
}

std::vector<TicketPage::ActionButton> App::action_buttons() const {
  std::vector<TicketPage::ActionButton> out;
  if (!is_handler()) return out;
  const auto& allowed = ticket_.value.view.allowed_actions;
  for (const auto& [a, label] : kActionButtons)
    if (std::find(allowed.begin(), allowed.end(), a) != allowed.end())
      out.push_back({std::string(a), std::string(tr(lang_, label))});
  return out;
}

QueueView App::queue() const {
  QueueView v;
  v.state = queue_.state;
  if (queue_.failed()) v.error = std::string(error_message(lang_, queue_.error));
  v.user_name = session_.user.name;
  const std::string& role = session_.user.role;
  const T role_t = role == "grid_worker"       ? T::role_grid_worker
                   : role == "community_staff" ? T::role_community
                   : role == "street_staff"    ? T::role_street
                   : role == "district_staff"  ? T::role_district
                   : role == "unit_staff"      ? T::role_unit
                   : role == "hotline_agent"   ? T::role_hotline
                                               : T::role_staff;
  v.role_name = std::string(tr(lang_, role_t));
  v.can_file = role == "hotline_agent";
  v.can_patrol = role == "grid_worker";
  v.filter = queue_filter_;
  for (const auto& t : queue_.value) {
    ++v.all;
    if (std::find(unread_.begin(), unread_.end(), t.number) != unread_.end()) ++v.unread;
    if (is_open_status(t.status)) ++v.open;
    if (t.overdue) ++v.overdue;
  }
  const std::size_t key = static_cast<std::size_t>(queue_filter_) * 4 +
                          (lang_ == Lang::en ? 1 : 0) + unread_.size() * 16;
  const std::uint64_t answer = queue_.ticket * 4 + static_cast<std::uint64_t>(queue_.state);
  if (!queue_rows_ || queue_rows_ticket_ != answer || queue_rows_key_ != key) {
    auto rows = std::make_shared<std::vector<TicketRow>>();
    for (const auto& t : queue_.value) {
      if (queue_filter_ == QueueFilter::open && !is_open_status(t.status)) continue;
      if (queue_filter_ == QueueFilter::overdue && !t.overdue) continue;
      TicketRow row;
      row.number = t.number;
      row.title = category_name(t.category);
      row.excerpt = t.description;
      row.status = core::parse_status(t.status).value_or(core::Status::submitted);
      row.status_name = std::string(status_name(lang_, row.status));
      if (auto l = core::parse_level(t.level))
        row.status_name += " · " + std::string(level_name(lang_, *l));
      row.updated =
          std::string(tr(lang_, T::queue_due)) + " " + format_local_time(t.resolve_due_at);
      row.handler = t.handler;
      row.overdue = t.overdue;
      if (t.followers > 0)
        row.followers = std::to_string(t.followers) + std::string(tr(lang_, T::followers_suffix));
      row.unread = std::find(unread_.begin(), unread_.end(), t.number) != unread_.end();
      rows->push_back(std::move(row));
    }
    queue_rows_ = std::move(rows);
    queue_rows_ticket_ = answer;
    queue_rows_key_ = key;
  }
  v.rows = queue_rows_;
  return v;
}

ActionFormView App::action_form() const {
  ActionFormView v;
  v.action = action_;
  v.title = std::string(tr(lang_, label_of(action_)));
  v.number = ticket_number_;
  const NoteSpec note = note_of(action_);
  if (note.key) {
    v.note_label = std::string(tr(lang_, note.label));
    v.note_hint = std::string(tr(lang_, note.hint));
    v.note_required = note.required;
  }
  v.note = {action_note_,
            action_error_ == "note" ? std::string(tr(lang_, T::err_note_required)) : std::string()};
  auto picked = [&](const std::string& id) {
    return std::find(action_picks_.begin(), action_picks_.end(), id) != action_picks_.end();
  };
  if (action_ == "whistle") {
    v.pick_units = true;
    for (const auto& u : units_.value) {
      if (u.kind != "department" && u.kind != "utility") continue;
      v.picks.push_back({u.id, lang_ == Lang::en && !u.name_en.empty() ? u.name_en : u.name,
                         u.contact, picked(u.id)});
    }
  }
  if (action_ == "checkin" || action_ == "whistle_done" || action_ == "withdraw_whistle") {
    v.pick_whistle = true;
    for (const auto& w : ticket_.value.whistles) {
      if (!session_.user.unit_id.empty() && w.unit_id != session_.user.unit_id) continue;
      if (w.status == "done" || w.status == "withdrawn") continue;
      v.picks.push_back(
          {w.id, w.unit_name, std::string(whistle_state_name(lang_, w.status)), picked(w.id)});
    }
  }
  if (action_ == "recategorize") {
    // What the text suggests first, then every other category; never the current one.
    v.pick_category = true;
    const std::string& current = ticket_.value.view.category;
    const std::string suggested = suggested_code();
    if (!suggested.empty())
      v.picks.push_back({suggested, category_name(suggested),
                         std::string(tr(lang_, T::suggested_mark)), picked(suggested)});
    for (const auto& c : categories_.value) {
      if (c.code == current || c.code == suggested) continue;
      v.picks.push_back({c.code, lang_ == Lang::en && !c.name_en.empty() ? c.name_en : c.name,
                         std::string(group_name(lang_, c.group)), picked(c.code)});
    }
  }
  v.merge = action_ == "merge";
  v.into = {action_into_, {}};
  v.rating = action_ == "record_rating";
  v.resolved = rate_resolved_;
  v.satisfaction = rate_satisfaction_;
  v.photos = action_ == "resolve";
  if (v.photos)
    for (const auto& p : photos_)
      if (p.state != 3)
        v.photo_slots.push_back({p.state, static_cast<float>(p.progress), p.width, p.height});
  v.busy = acting_.loading();
  if (action_error_ == "units")
    v.error = std::string(tr(lang_, T::err_pick_unit));
  else if (action_error_ == "whistle")
    v.error = std::string(tr(lang_, T::err_pick_whistle));
  else if (action_error_ == "category")
    v.error = std::string(tr(lang_, T::err_pick_category));
  else if (action_error_ == "rating")
    v.error = std::string(tr(lang_, T::rate_choose));
  else if (acting_.failed())
    v.error = std::string(error_message(lang_, acting_.error));
  return v;
}

ImportView App::import_view() const {
  ImportView v;
  v.text = {import_text_, {}};
  v.busy = import_.loading();
  v.done = import_.loaded();
  if (import_.failed()) v.error = std::string(error_message(lang_, import_.error));
  if (import_.loaded()) {
    const auto c = import_.value.find("created");
    if (c != import_.value.end()) {
      if (c->is_number()) v.created = c->get<int>();
      if (c->is_array()) v.created = static_cast<int>(c->size());
    }
    const auto rows = import_.value.find("errors");
    if (rows != import_.value.end() && rows->is_array())
      for (const auto& x : *rows) {
        if (!x.is_object()) continue;
        ImportRowResult r;
        if (x.contains("row"))
          r.row = x["row"].is_string() ? x["row"].get<std::string>() : x["row"].dump();
        if (x.contains("error") && x["error"].is_object()) {
          // The field the sender wrote, and what is wrong with it.
          const core::Json& e = x["error"];
          core::Error err;
          if (e.contains("code") && e["code"].is_string()) err.code = e["code"].get<std::string>();
          if (e.contains("field") && e["field"].is_string())
            err.field = e["field"].get<std::string>();
          if (e.contains("message") && e["message"].is_string())
            err.message = e["message"].get<std::string>();
          err.status = 422;
          r.error =
              (err.field.empty() ? "" : err.field + ": ") +
              (lang_ == Lang::en && !err.message.empty() ? err.message
                                                         : std::string(error_message(lang_, err)));
        }
        v.errors.push_back(std::move(r));
      }
  }
  return v;
}

}  // namespace portal::client
