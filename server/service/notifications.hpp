// Notifications (SPEC §12): which messages a change causes, to whom, in which language
// and with which link. The messages are written by the store in the transaction of the
// change (TicketService hands them over); the scheduler's reminders and warnings are
// written once each; the delivery worker (notifier.hpp) posts them to the gateway.
// Also the admin list and retry, the inbound opt-out webhook and an account's settings.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/messages.hpp"
#include "portal/core/result.hpp"
#include "portal/core/workflow.hpp"
#include "server/service/org.hpp"
#include "server/store/store.hpp"

namespace portal::server {

struct NotifyConfig {
  std::string webhook;     // where messages go; empty: no messages are written at all
  std::string secret;      // signs deliveries and inbound calls; seals access codes
  std::string public_url;  // the links' base, e.g. https://rencheng.example.gov.cn
  std::chrono::seconds give_up{24 * 3600};  // retried for this long, then failed
  // Handlers are warned this long before a response limit: urgent tickets, and others.
  std::chrono::seconds warn_urgent{30 * 60}, warn_other{2 * 3600};
  // A resolved ticket still unrated this long after is reminded of once.
  std::chrono::seconds remind_after{3 * 24 * 3600};
};

// "p:" + SHA-256 of a phone number (digits only): how a phone is named in opt-outs and
// order keys, never in clear.
std::string phone_key(const std::string& phone);
// 138****5678: a phone as logs, metrics and the admin list show it.
std::string mask_phone(const std::string& phone);
// HMAC-SHA256 of `body` under `secret`, in hex.
std::string sign_body(const std::string& secret, const std::string& body);
// True when `header` is "sha256=<hex>" of sign_body(secret, body) (compared in constant time).
bool signature_valid(const std::string& secret, const std::string& body, const std::string& header);

class NotificationService {
 public:
  using Now = std::function<core::TimePoint()>;
  NotificationService(Store& store, std::shared_ptr<const OrgDirectory> org, Now now,
                      NotifyConfig config);

  bool enabled() const { return !config_.webhook.empty(); }
  const NotifyConfig& config() const { return config_; }
  // Before the first message: the links' base once the server knows its port.
  void set_public_url(std::string url) { config_.public_url = std::move(url); }
  // Told whenever messages were written, so that the delivery worker wakes.
  void set_written_hook(std::function<void()> f) { written_ = std::move(f); }
  void written() const {
    if (written_) written_();
  }

  // The settings kept with a new ticket, from its submission (lang, notify) and the
  // anonymous submitter's access code.
  std::optional<TicketNotify> settings_for_new(const std::string& lang, bool notify,
                                               const std::optional<std::string>& access_code);
  // The messages of a new ticket (not yet numbered: "{number}"): received to its
  // submitter, assigned to its handlers.
  core::Result<std::vector<NotificationRecord>> for_new_ticket(
      const TicketRecord& t, const std::optional<std::string>& access_code,
      bool tell_submitter = true);
  // The messages a change causes: resolved, reopened (submitter), assigned (a new
  // holder), overdue (the holder).
  core::Result<std::vector<NotificationRecord>> for_change(const TicketRecord& before,
                                                           const TicketRecord& after,
                                                           core::Action action);
  // A merge (before it is committed): `merged` to the duplicate's submitter (a phone
  // alone will do) and to its followers, naming the ticket it joined; the link opens that
  // ticket, which they follow from now on, or for an anonymous submitter the duplicate
  // with its access code.
  core::Result<std::vector<NotificationRecord>> for_merge(const TicketRecord& merged,
                                                          const TicketRecord& into);
  // The scheduler's part: warnings before response limits and rating reminders, each
  // written once. Returns how many messages were written.
  core::Result<int> schedule(int batch = 500);
  // Whether a message still concerns its recipient when it is due (a warning for a
  // ticket since accepted, a reminder for a ticket since rated or closed: no), and
  // whether the recipient has opted out since. Empty: send it; otherwise why not.
  core::Result<std::string> reason_to_cancel(const NotificationRecord& m);

  // GET /api/v1/notifications, POST /api/v1/notifications/{id}/retry (admin).
  core::Result<core::Json> list(const std::string& status, int page, int page_size);
  core::Result<core::Json> retry(const std::string& id);
  static core::Json admin_view(const NotificationRecord& m);
  // POST /api/v1/notifications/inbound: a reply the gateway passes back, signed as
  // deliveries are. {phone, text}: TD/退订/STOP opt out, 订阅/START opt back in.
  core::Result<core::Json> inbound(const std::string& body, const std::string& signature);
  // GET and PUT /api/v1/me/notifications.
  core::Result<core::Json> prefs(std::int64_t user_id);
  core::Result<core::Json> set_prefs(std::int64_t user_id, const core::Json& body);

  // The payload of a delivery, as API.md "Notifications" gives it.
  static std::string payload(const NotificationRecord& m);

 private:
  NotificationRecord message(core::MessageKind kind, const TicketRecord& t, const std::string& lang,
                             const std::string& phone, std::optional<std::int64_t> user_id,
                             const core::MessageFields& f);
  core::Result<std::vector<NotificationRecord>> to_submitter(core::MessageKind kind,
                                                             const TicketRecord& t,
                                                             const std::optional<std::string>& code,
                                                             const TicketRecord* into = nullptr);
  core::Result<std::vector<NotificationRecord>> to_followers(core::MessageKind kind,
                                                             const TicketRecord& t,
                                                             const TicketRecord* into = nullptr);
  core::Result<std::vector<NotificationRecord>> to_handlers(core::MessageKind kind,
                                                            const TicketRecord& t,
                                                            std::optional<core::TimePoint> due);
  std::string seal(const std::string& code) const;
  std::optional<std::string> unseal(const std::string& sealed) const;

  Store& store_;
  std::shared_ptr<const OrgDirectory> org_;
  Now now_;
  NotifyConfig config_;
  std::function<void()> written_;
};

}  // namespace portal::server
