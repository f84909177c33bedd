// The app on a bad network: the forms' drafts on this device, and reports sent through
// its outbox (app/drafts.hpp, app/outbox.hpp). A report is written to the outbox before
// it is first sent; the store sends it (exactly once, whatever the retries, tabs and
// reloads) and reports back. A report the network did not carry is "waiting to send"
// (待发送), listed at home, never called submitted; once sent its receipt is shown.
//
// Index
//   [SECTION] Drafts
//   [SECTION] The outbox
//   [SECTION] View-models

#include <algorithm>
#include <cstdio>

#include "app/app.hpp"
#include "app/format.hpp"

namespace portal::client {

// [SECTION] Drafts

FormDraft App::form_draft() const {
  FormDraft d;
  d.category = category_;
  d.description = description_;
  d.address = address_;
  d.name = name_;
  d.phone = phone_;
  d.lat = lat_;
  d.lng = lng_;
  d.location_unknown = location_unknown_;
  d.anonymous = anonymous_;
  d.notify = notify_;
  d.idempotency_key = idempotency_key_;
  // Photos still uploading are not kept yet; failed and removed ones never.
  for (const auto& p : photos_)
    if ((p.state == 1 || p.state == 4) && (!p.uid.empty() || !p.id.empty()))
      d.photos.push_back({p.uid, p.state == 1 ? p.id : std::string(), p.width, p.height});
  return d;
}

void App::save_draft() {
  const FormDraft d = form_draft();
  std::vector<std::string> uids;
  for (const auto& p : d.photos)
    if (!p.uid.empty()) uids.push_back(p.uid);
  store_->save(kReportDraft, d.empty() ? std::string() : draft_to_json(d), uids);
  report_draft_age_ = 0;
}

void App::restore_draft(const FormDraft& d) {
  category_ = d.category;
  description_ = d.description;
  address_ = d.address;
  name_ = d.name;
  phone_ = d.phone;
  anonymous_ = d.anonymous;
  notify_ = d.notify;
  idempotency_key_ = d.idempotency_key;
  location_unknown_ = d.location_unknown;
  lat_ = location_unknown_ ? std::string() : d.lat;
  lng_ = location_unknown_ ? std::string() : d.lng;
  photo_base_ += static_cast<int>(photos_.size()) + 100;
  photos_.clear();
  for (const auto& p : d.photos) {
    PhotoSlot slot;
    slot.state = p.id.empty() ? 4 : 1;
    slot.progress = 1;
    slot.id = p.id;
    slot.uid = p.uid;
    slot.width = p.width;
    slot.height = p.height;
    photos_.push_back(std::move(slot));
  }
  double lat = 0, lng = 0;
  if (parse_coordinate(lat_, lat) && parse_coordinate(lng_, lng)) {
    // The pin and its grid again.
    placed_ = true;
    const auto t = located_.start();
    api_.locate(lat, lng, [this, t](core::Result<Located> r) {
      post([this, t, r = std::move(r)]() mutable { located_.finish(t, std::move(r)); });
    });
  }
}

void App::clear_form() {
  // A new report starts clean, its place too; who reports stays filled in (in memory).
  category_.clear();
  description_.clear();
  address_.clear();
  anonymous_ = false;
  idempotency_key_.clear();
  lat_.clear();
  lng_.clear();
  placed_ = false;
  location_unknown_ = false;
  located_.reset();
  photo_base_ += static_cast<int>(photos_.size()) + 100;
  photos_.clear();
  store_->save(kReportDraft, {}, {});
  report_draft_age_ = 0;
  suggest_.reset();
}

void App::load_drafts() {
  store_->load(kReportDraft, [this](std::string json, double age_days) {
    post([this, json = std::move(json), age_days] {
      auto d = draft_from_json(json);
      // Typing that began before the draft arrived wins.
      if (!d || !form_draft().empty()) return;
      restore_draft(*d);
      report_draft_age_ = age_days;
    });
  });
  store_->old([this](int count, double bytes) {
    post([this, count, bytes] {
      old_drafts_ = count;
      old_draft_bytes_ = bytes;
    });
  });
}

void App::save_action_draft() {
  if (action_.empty() || ticket_number_.empty() || action_ == "accept") return;
  ActionDraft d;
  d.note = action_note_;
  d.into = action_into_;
  d.picks = action_picks_;
  if (action_ == "record_rating") {
    d.resolved = rate_resolved_;
    d.satisfaction = rate_satisfaction_;
  }
  store_->save(action_draft_name(ticket_number_, action_),
               d.empty() ? std::string() : action_draft_to_json(d), {});
}

void App::load_action_draft() {
  if (action_.empty() || ticket_number_.empty() || action_ == "accept") return;
  const std::string number = ticket_number_, action = action_;
  store_->load(action_draft_name(number, action), [this, number, action](std::string json, double) {
    post([this, number, action, json = std::move(json)] {
      auto d = action_draft_from_json(json);
      // Only into the same form, still untouched.
      if (!d || number != ticket_number_ || action != action_ || screen() != Screen::action ||
          !action_note_.empty() || !action_into_.empty())
        return;
      action_note_ = d->note;
      action_into_ = d->into;
      if (!d->picks.empty()) action_picks_ = d->picks;
      if (action == "record_rating") {
        rate_resolved_ = d->resolved;
        rate_satisfaction_ = d->satisfaction;
      }
    });
  });
}

// [SECTION] The outbox

void App::queue_report(core::TicketDraft d, bool unknown) {
  if (idempotency_key_.empty()) idempotency_key_ = services_.random_token();
  save_draft();  // the key with the form: a resend after a reload is the same submission
  const FormDraft form = form_draft();
  d.attachments.clear();  // the store adds the photos' ids as it uploads them
  const core::Json body = submit_body(d, lang_, notify_);
  const std::string after =
      is_handler() && file_channel_ == "patrol" && on_the_spot_ ? "resolve_on_spot" : "";
  const std::string key = idempotency_key_;
  sending_key_ = key;
  submitted_unknown_ = unknown;
  const auto t = submission_.start();
  store_->outbox_add(
      outbox_item_json(key, body, form, session_.token, outbox_label(d.description), after),
      [this, t, key](bool kept, bool sending) {
        post([this, t, key, kept, sending] {
          if (t != submission_.ticket || sending_key_ != key) return;
          if (!kept) {
            sending_key_.clear();
            submission_.finish(
                t, core::Error{"outbox_full", std::string(tr(lang_, T::outbox_full)), {}, 0});
            return;
          }
          // Without network it waits; with network the store sends it now.
          if (!sending) report_queued();
        });
      });
}

void App::on_outbox(const std::string& json) {
  post([this, json] {
    const bool one = !json.empty() && json.front() == '{';
    std::vector<OutboxItem> items = parse_outbox(one ? "[" + json + "]" : json);
    if (one) {
      if (items.empty()) return;
      auto at = std::find_if(outbox_.begin(), outbox_.end(),
                             [&](const OutboxItem& x) { return x.key == items.front().key; });
      if (at != outbox_.end())
        *at = items.front();
      else
        outbox_.push_back(items.front());
    } else {
      outbox_ = std::move(items);
    }
    for (const OutboxItem& item : outbox_) outbox_item_changed(item);
    // Sent reports are shown as receipts, not as waiting.
    std::erase_if(outbox_, [](const OutboxItem& x) { return x.state == OutboxState::sent; });
  });
}

void App::outbox_item_changed(const OutboxItem& item) {
  if (item.state == OutboxState::sent) return report_sent(item);
  if (item.key != sending_key_) return;
  if (item.state == OutboxState::failed) {
    // Refused while the form is still shown: the error at its field, as a direct send.
    sending_key_.clear();
    store_->outbox_drop(item.key);
    // It created nothing: sent again after a change, it is a new submission.
    idempotency_key_.clear();
    save_draft();
    submission_.finish(submission_.ticket, item.error);
    show_at_field(item.error);
  } else if (item.state == OutboxState::waiting && item.attempts > 0) {
    report_queued();  // the network did not carry it: it waits
  }
}

void App::report_queued() {
  sending_key_.clear();
  submission_.reset();
  clear_form();  // the outbox holds the report (and its photos) now
  on_the_spot_ = false;
  if (screen() == Screen::submit) go_home();
  show_toast(T::queued_toast);
}

void App::report_sent(const OutboxItem& item) {
  if (std::find(outbox_done_.begin(), outbox_done_.end(), item.key) != outbox_done_.end()) return;
  outbox_done_.push_back(item.key);
  store_->outbox_drop(item.key);
  const core::TicketReceipt& receipt = *item.receipt;
  // Only a submitter without an account needs the code kept.
  if (receipt.access_code) remember(receipt.number, *receipt.access_code);
  if (mine_.loaded()) mine_.reset();
  host_event("ticket_created", {{"number", receipt.number}});
  if (item.after == "resolve_on_spot") resolve_on_spot(receipt.number);
  if (is_handler() && queue_.loaded()) load_queue();
  const bool mine_now = item.key == sending_key_;
  if (idempotency_key_ == item.key) clear_form();
  const auto t = submission_.start();
  submission_.finish(t, receipt);
  if (mine_now) {
    sending_key_.clear();
    on_the_spot_ = false;
    if (screen() == Screen::submit) navigate(Screen::receipt, /*replace=*/true);
    return;
  }
  // Queued earlier (this visit or before): its receipt where nothing else is going on.
  submitted_unknown_ = item.draft.location_unknown;
  if (screen() == Screen::home)
    navigate(Screen::receipt);
  else
    show_toast(T::queued_sent);
}

void App::resolve_on_spot(const std::string& number) {
  // Found and settled on patrol: accept it and resolve it at once.
  const std::string reply = std::string(tr(lang_, T::patrol_on_spot_reply));
  api_.act(number, {{"action", "accept"}}, [this, number, reply](auto) {
    api_.act(number, {{"action", "resolve"}, {"reply", reply}}, [this](auto) {
      post([this] {
        if (queue_.loaded()) load_queue();
      });
    });
  });
}

void App::apply_outbox(const intent::Outbox& op) {
  if (op.op == intent::OutboxOp::ask) {
    outbox_asking_ = op.key;
    return;
  }
  outbox_asking_.clear();
  auto at = std::find_if(outbox_.begin(), outbox_.end(),
                         [&](const OutboxItem& x) { return x.key == op.key; });
  if (at == outbox_.end() || at->state == OutboxState::sending) return;
  const OutboxItem item = *at;
  outbox_.erase(at);
  store_->outbox_drop(item.key);
  if (op.op != intent::OutboxOp::edit) return;
  // Back into the form, as a new submission, with the server's reason at its field.
  field_errors_.clear();
  restore_draft(item.draft);
  idempotency_key_.clear();
  if (!show_at_field(item.error)) submission_.finish(submission_.start(), item.error);
  save_draft();
  navigate(Screen::submit);
}

bool App::show_at_field(const core::Error& e) {
  if (e.field.empty()) return false;
  // Every photo's refusal shows at the photos.
  field_errors_.insert_or_assign(e.field.rfind("attachments", 0) == 0 ? "attachments" : e.field, e);
  focus_path_ = e.field;
  ++focus_seq_;
  return true;
}

void App::on_online(bool online) {
  online_ = online;
}

// [SECTION] View-models

std::vector<OutboxRow> App::outbox_rows() const {
  std::vector<OutboxRow> out;
  for (const auto& item : outbox_) {
    if (item.state == OutboxState::sent) continue;
    OutboxRow r;
    r.key = item.key;
    r.label = item.label;
    r.category = item.category.empty() ? std::string() : category_name(item.category);
    r.sending = item.state == OutboxState::sending;
    r.failed = item.state == OutboxState::failed;
    r.asking = !r.sending && item.key == outbox_asking_;
    r.status = std::string(tr(lang_, r.failed                       ? T::outbox_failed
                                     : r.sending                    ? T::outbox_sending
                                     : online_ && item.attempts > 0 ? T::outbox_retrying
                                                                    : T::outbox_waiting));
    if (r.failed)
      r.error = item.error.status == 401 ? std::string(tr(lang_, T::outbox_signed_out))
                                         : std::string(error_message(lang_, item.error));
    out.push_back(std::move(r));
  }
  return out;
}

std::string App::old_drafts_text() const {
  if (old_drafts_ <= 0) return {};
  std::string text(tr(lang_, T::old_drafts_note));
  char size[32];
  if (old_draft_bytes_ >= 1e6)
    std::snprintf(size, sizeof size, "%.1f MB", old_draft_bytes_ / 1e6);
  else
    std::snprintf(size, sizeof size, "%d KB", static_cast<int>(old_draft_bytes_ / 1e3) + 1);
  auto put = [&](std::string_view slot, const std::string& value) {
    if (auto at = text.find(slot); at != std::string::npos) text.replace(at, slot.size(), value);
  };
  put("{n}", std::to_string(old_drafts_));
  put("{size}", size);
  return text;
}

}  // namespace portal::client
