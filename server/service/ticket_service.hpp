// Ticket rules that know no HTTP: submission and routing, the workflow's actions
// (from core/workflow), ratings, reading with the visibility of the reader, the
// SLA scheduler and audit verification.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "portal/core/sla.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"
#include "portal/core/workflow.hpp"
#include "server/service/idempotency.hpp"
#include "server/service/notifications.hpp"
#include "server/service/org.hpp"
#include "server/store/store.hpp"

namespace portal::server {

using NowFn = std::function<core::TimePoint()>;
NowFn system_now();

// Who is asking: anonymous (no user), or a signed-in account with its scope.
struct Actor {
  std::optional<std::int64_t> user_id;
  core::Role role = core::Role::citizen;
  std::string name;
  std::string unit_id, street_id, community_id;
  std::vector<std::string> grid_ids;
  // The hash of the session token it signed in with (empty otherwise): what ends the
  // live streams opened with that session when it is revoked.
  std::string session_key;

  bool signed_in() const { return user_id.has_value(); }
  static Actor from_user(const UserRow& u);
  static Actor system();
};

// Called after every committed change, with the ticket as stored (live updates).
using ChangeListener = std::function<void(const TicketRecord&, const std::string& action)>;

struct ListQuery {
  std::string scope = "mine";  // mine | queue | all | followed
  std::optional<core::Status> status;
  std::optional<core::Level> level;
  std::string category;
  bool overdue = false;
  std::string q;
  int page = 1, page_size = 50;
};

// What a submitter asks of the notifications (SPEC §12): the language of the messages
// and whether to have them at all.
struct SubmitOptions {
  std::string lang = "zh";
  bool notify = true;
};

// GET /tickets/nearby ("已有人反映？"): open tickets of a category near a point.
struct NearbyRequest {
  double lat = 0, lng = 0;
  std::string category;
  int radius_m = 250;
};
inline constexpr int kNearbyMaxRadius = 1000;
inline constexpr int kNearbyMaxItems = 5;
inline constexpr int kNearbyDays = 30;
inline constexpr std::size_t kNearbySummaryChars = 120;

struct TicketSummary {
  core::TicketView view;
};

struct SchedulerReport {
  int escalated = 0, flagged_overdue = 0, closed = 0, notifications = 0;
};

// Photos uploaded and not yet claimed by a ticket, at most, per account and per client
// address (an address may be shared by a household or an office: more), and how long
// an unclaimed upload is kept.
struct UploadLimits {
  std::int64_t per_account_count = 30;
  std::int64_t per_account_bytes = 50ll << 20;
  std::int64_t per_address_count = 100;
  std::int64_t per_address_bytes = 200ll << 20;
  std::chrono::seconds unclaimed_for{3600};
};

// An upload refused for a bound that frees itself in time: when to try again.
struct UploadRefusal {
  int retry_after_seconds = 0;
};

struct VerifyReport {
  std::int64_t tickets = 0, events = 0;
  std::vector<std::pair<std::string, core::ChainCheck>> failures;  // ticket number, check
};

class TicketService {
 public:
  TicketService(Store& store, std::shared_ptr<const OrgDirectory> org, NowFn now);

  void set_listener(ChangeListener l) { listener_ = std::move(l); }
  // Messages to write with each change (none without).
  void set_notifications(NotificationService* n) { notes_ = n; }
  const OrgDirectory& org() const { return *org_; }

  // With an idempotency key, a retry by the same submitter with the same ticket
  // returns the receipt of the ticket the first attempt created (exactly once, even
  // across a crash). The key belongs to the signed-in submitter, or for anonymous ones
  // to the key and the ticket together: the same key with another ticket is refused
  // (422 idempotency_key_reused), as is a retry while the first is under way here (409
  // idempotency_in_flight).
  core::Result<core::TicketReceipt> submit(
      const core::TicketDraft& draft, const Actor& actor,
      const std::optional<std::string>& idempotency_key = std::nullopt,
      const SubmitOptions& options = {});
  // Anonymous readers prove they submitted the ticket with its access code; a wrong
  // code answers exactly as an unknown number does (404).
  core::Result<core::Json> get(const std::string& number, const Actor& actor,
                               const std::optional<std::string>& access_code);
  // The same answer as JSON text, as GET /tickets/{n} sends it.
  core::Result<std::string> get_json(const std::string& number, const Actor& actor,
                                     const std::optional<std::string>& access_code);
  core::Result<core::Json> events(const std::string& number, const Actor& actor,
                                  const std::optional<std::string>& access_code);
  core::Result<core::Json> list(const ListQuery& q, const Actor& actor);
  // The same answer as JSON text, as GET /tickets sends it.
  core::Result<std::string> list_json(const ListQuery& q, const Actor& actor);
  // POST /tickets/{n}/actions: body {action, ...}.
  core::Result<core::Json> act(const std::string& number, const Actor& actor,
                               const core::Json& body);
  // POST /tickets/{n}/rating by the submitter.
  core::Result<core::Json> rate(const std::string& number, const Actor& actor,
                                const std::optional<std::string>& access_code,
                                const core::Json& body);
  core::Result<std::vector<core::Category>> categories() { return store_.categories(); }

  // GET /tickets/nearby: at most five open tickets of the category created in the last
  // 30 days within the radius, nearest first, each with a short summary (phone numbers
  // masked) and no names, contact or coordinates. 422 unknown_category (field category).
  core::Result<std::string> nearby_json(const NearbyRequest& r);
  // POST and DELETE /tickets/{n}/follow by a signed-in citizen: {followers}. Following
  // twice or unfollowing a ticket not followed changes nothing. 401 without an account,
  // 403 for staff, 404 for an unknown number, 409 (follow only) when the ticket is no
  // longer open or the caller submitted it.
  core::Result<core::Json> follow(const std::string& number, const Actor& actor);
  core::Result<core::Json> unfollow(const std::string& number, const Actor& actor);

  // Photos: checked by content (decoded), stripped of metadata, stored under a fresh
  // random id with the uploader (account, or none) and the client address. 429
  // "too_many_unclaimed_uploads" past UploadLimits (then `refusal` says when to retry).
  core::Result<core::Json> upload_attachment(std::string_view bytes, std::string_view content_type,
                                             const Actor& actor, const std::string& address,
                                             UploadRefusal* refusal = nullptr);
  // A claimed photo is visible exactly as the ticket that claimed it; an unclaimed one
  // to its uploader only (an anonymous upload: to whoever holds its id, which only the
  // uploader was given).
  core::Result<AttachmentRecord> read_attachment(const std::string& id, const Actor& actor,
                                                 const std::optional<std::string>& access_code);
  // Deletes uploads that no ticket claimed within UploadLimits::unclaimed_for.
  core::Result<std::int64_t> purge_unclaimed_attachments();
  void set_upload_limits(const UploadLimits& l) { upload_limits_ = l; }
  // Hotline work orders, JSON or CSV: all rows are created, or none.
  // The answer is {created, numbers, errors: [{row, error}]}, with status 201, or 422
  // when any row is bad (then nothing was created).
  struct ImportOutcome {
    int status = 201;
    core::Json body;
  };
  core::Result<ImportOutcome> import_hotline(std::string_view body, std::string_view content_type,
                                             const Actor& actor);

  // Escalates unanswered tickets, flags overdue ones, closes unrated resolved ones.
  // Then writes the notifications that are due (warnings, reminders).
  core::Result<SchedulerReport> run_scheduler(int batch = 500);
  core::Result<VerifyReport> verify_audit();

  // Routes a ticket to the holder at a level (its grid's worker, its community,
  // street, or the district centre), falling up where nobody is there.
  void route_to_level(TicketRecord& t, core::Level level) const;
  core::SlaPolicy policy_for(const std::string& category);

  // Builds the record of a new ticket (routing, deadlines, first events) without
  // storing it: used by submit, the hotline import and the demo history.
  core::Result<std::pair<TicketRecord, std::vector<core::AuditEvent>>> prepare(
      const core::TicketDraft& draft, const Actor& actor, core::TimePoint at,
      std::optional<std::string>* access_code);

  // 打包式化解 (SPEC §7): a district user resolves one ticket of a 每月一题 topic with
  // the topic's reply, whichever level holds it. The ticket's chain records a resolve
  // by that user with the topic's id in its data. 409 "action_not_allowed" when the
  // ticket is no longer open, 409 "whistles_open" while a unit is still summoned.
  core::Result<TicketRecord> resolve_in_package(const std::string& number, const Actor& actor,
                                                const std::string& reply, std::int64_t topic_id);

 private:
  struct Loaded;
  core::Result<Loaded> load(const std::string& number, const Actor& actor,
                            const std::optional<std::string>& access_code);
  core::TicketFacts facts_of(const Loaded& l, const Actor& actor) const;
  std::string view_of(const Loaded& l, const Actor& actor);
  core::Result<TicketRecord> apply_action(Loaded& l, const Actor& actor, core::Action action,
                                          const core::Json& body, core::TimePoint now);
  void write_summary(core::JsonWriter& w, const TicketRecord& t) const;
  // 422 invalid_merge_target unless `into` is a ticket not yet merged that the actor
  // may act on (in its scope).
  core::Result<TicketRecord> valid_merge_target(const std::string& into, const Actor& actor);
  core::Result<TicketRecord> followable(const std::string& number, const Actor& actor);
  // Photos named for a ticket (field "attachments"): each an upload of `actor` (or an
  // anonymous one, whose id is its capability), unclaimed, not expired, named once.
  // With `claimed_ok` a claimed one passes: the store refuses it when the write is not
  // the replay of the idempotent submission that claimed it.
  std::optional<core::Error> check_claimable(const std::vector<std::string>& ids,
                                             const Actor& actor, bool claimed_ok = false);

  Store& store_;
  std::shared_ptr<const OrgDirectory> org_;
  NowFn now_;
  ChangeListener listener_;
  NotificationService* notes_ = nullptr;
  core::SlaConfig sla_;
  InFlightKeys submitting_;  // creations with a key under way in this process
  UploadLimits upload_limits_;
};

// 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
std::string new_access_code();
std::string sha256_hex(std::string_view data);

}  // namespace portal::server
