// The Store interface: the only way services reach persistent data. Backends live
// in sqlite/ (default) and postgres/ (several server instances over one database). Every write that
// changes a ticket appends its events in the same transaction, sealed into the ticket's hash chain.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "portal/core/audit.hpp"
#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"
#include "portal/core/workflow.hpp"

namespace portal::server {

// [SECTION] Organisation rows
struct StreetRow {
  std::string id, name;
  bool town = false;
  std::string area;  // GeoJSON geometry text
};
struct CommunityRow {
  std::string id, street_id, name;
  bool village = false;
  std::string area;
};
struct GridRow {
  std::string id, community_id, street_id, name, kind;
  std::string polygon;  // GeoJSON geometry text
  double min_lng = 0, min_lat = 0, max_lng = 0, max_lat = 0;
  int households = 0, residents = 0;
};
struct UnitRow {
  std::string id, kind, subkind, name, name_en, contact, contact_person, address;
  std::string street_id, community_id, grid_id;
  std::optional<double> lat, lng;
};
struct UserRow {
  std::int64_t id = 0;
  std::string username, phone, name;
  core::Role role = core::Role::citizen;
  std::string title, password_hash, unit_id, street_id, community_id;
  std::vector<std::string> grid_ids;
  bool disabled = false;
  core::TimePoint created_at{};
};
struct CalendarDay {
  std::string day;   // YYYY-MM-DD
  std::string kind;  // holiday | workday
};
struct OrgData {
  std::vector<StreetRow> streets;
  std::vector<CommunityRow> communities;
  std::vector<GridRow> grids;
  std::vector<UnitRow> units;
  std::vector<UserRow> users;
  std::vector<CalendarDay> calendar;
  // Filled by load_org: each grid's full-time worker (grid id, user id, name).
  struct GridWorker {
    std::string grid_id;
    std::int64_t user_id = 0;
    std::string name;
  };
  std::vector<GridWorker> grid_workers;
};

// [SECTION] Notifications (SPEC §12): the outbox of messages to citizens and handlers,
// written in the transaction of the change that causes them and delivered to the SMS
// gateway's webhook by server/service/notifier.hpp.
struct NotificationRecord {
  std::string id;    // 32 hex digits, random: what the gateway de-duplicates by
  std::string kind;  // received | resolved | reopened | rating_reminder | assigned |
                     // response_due_soon | overdue
  std::string lang = "zh";
  std::string phone;                    // the recipient's phone (citizens), may be empty
  std::optional<std::int64_t> user_id;  // the recipient's account, if any
  std::string ticket;                   // the ticket's number
  // On a new ticket "{number}" in text, link and order_key stands for its number.
  std::string text, link;
  // Messages of one key (recipient and ticket) are delivered in the order written.
  std::string order_key;
  // When not empty, a message of the same key is written once (scheduled messages).
  std::string dedupe_key;
  std::string status = "pending";  // pending | delivered | failed | cancelled
  int attempts = 0;
  core::TimePoint created_at{}, next_at{}, give_up_at{};
  std::optional<core::TimePoint> delivered_at;
  std::string last_error;
  std::int64_t seq = 0;  // the order of writing, filled by the store
};

// What became of one delivery attempt.
struct NotificationOutcome {
  std::string status;  // delivered | pending (retry at next_at) | failed | cancelled
  core::TimePoint at{};
  core::TimePoint next_at{};  // pending: when to try again
  std::string error;          // what went wrong (no phone numbers)
};

struct NotificationPage {
  std::vector<NotificationRecord> items;
  std::int64_t total = 0;
};

struct NotificationCounts {
  std::int64_t pending = 0, delivered = 0, failed = 0, cancelled = 0;
};

// A ticket's notification settings, kept beside it from its creation.
struct TicketNotify {
  std::string lang = "zh";
  bool enabled = true;
  std::string sealed_code;  // an anonymous submitter's access code, sealed (or empty)
};

// An account's notification settings.
struct NotifyPrefs {
  std::string lang = "zh";
  bool enabled = true;
};

// A handler who hears of a ticket: its account and phone.
struct Recipient {
  std::int64_t user_id = 0;
  std::string phone, name;
};

// [SECTION] Tickets
struct TicketRecord {
  std::int64_t id = 0;
  std::string number;
  core::TicketDraft draft;
  core::Status status = core::Status::submitted;
  core::Level level = core::Level::grid;
  std::optional<std::string> community_id, street_id;
  std::string assignee_kind;  // "user" | "unit" | "" (nobody yet)
  std::string assignee_id;
  std::optional<std::int64_t> submitter_id;
  std::string access_code_hash;  // hex SHA-256; empty when the submitter has an account
  core::TimePoint created_at{}, updated_at{}, response_due_at{}, resolve_due_at{};
  std::optional<core::TimePoint> assigned_at, responded_at, resolved_at, closed_at, rated_at;
  std::optional<std::string> reply, merged_into, external_id;
  int reopen_count = 0;
  bool overdue = false;
  std::optional<bool> rating_resolved;
  std::optional<int> rating_satisfaction;
  std::optional<std::string> rating_comment;
  int version = 0;  // optimistic concurrency: bumped by every change
  std::int64_t event_count = 0;
  std::string last_hash;
  // Idempotent creation: a hash naming the request (its Idempotency-Key in its
  // submitter's scope). create_ticket stores it with the ticket, in the same
  // transaction; when a ticket already has it, create_ticket inserts nothing and
  // returns that ticket with `replayed` set.
  std::string idempotency_key;
  std::string sealed_access_code;  // an anonymous submitter's code, sealed with the key
  // The fingerprint of the creating request, which a replay must match (empty on rows
  // keyed before it was kept: those match no replay).
  std::string idempotency_fingerprint;
  bool replayed = false;
  // Written with a new ticket (not read back with it: see Store::ticket_notify).
  std::optional<TicketNotify> notify;
  // How many citizens follow the ticket (附议), counted on read; never written.
  std::int64_t followers = 0;
};

struct WhistleRecord {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  std::string unit_id;
  std::string unit_name;  // filled on read
  core::WhistleState status = core::WhistleState::summoned;
  std::string note;
  std::optional<std::int64_t> summoned_by;
  core::TimePoint summoned_at{};
  std::optional<core::TimePoint> checked_in_at, done_at;
};

// One atomic change of a ticket: the new row (its version must still be the stored
// one), whistles to add or update, attachments to link, and the events to append.
struct TicketChange {
  TicketRecord ticket;
  std::vector<WhistleRecord> new_whistles;
  std::vector<WhistleRecord> updated_whistles;
  std::vector<std::pair<std::string, std::string>> attachments;  // (id, role)
  std::vector<core::AuditEvent> events;           // seq, prev_hash and hash are filled by the store
  std::vector<NotificationRecord> notifications;  // written with the change
  // A merge: the ticket's followers, and `submitter` when given, come to follow
  // `into_id` instead (each row remembering this ticket as moved_from), except the
  // account `into_submitter`, who submitted that ticket and follows it already.
  struct MoveFollowers {
    std::int64_t into_id = 0;
    std::optional<std::int64_t> submitter, into_submitter;
  };
  std::optional<MoveFollowers> move_followers;
};

// A ticket to insert with its first events (and, for history, its whistles).
struct NewTicket {
  TicketRecord ticket;
  std::vector<core::AuditEvent> events;
  std::vector<WhistleRecord> whistles;
  std::vector<NotificationRecord> notifications;  // "{number}" filled in
};

// The list's open_only term, in both dialects. Migration 0021's partial indexes (the
// queues) carry it word for word as their WHERE: the planner uses them only then.
inline constexpr const char* kOpenStatusTerm =
    "status IN ('submitted','assigned','accepted','in_progress','returned')";

struct TicketFilter {
  // Scope: empty strings mean "any".
  std::optional<std::int64_t> submitter_id;
  std::vector<std::string> grid_ids;
  std::string community_id, street_id;
  std::string unit_id;                      // assigned to, or whistled
  std::optional<std::int64_t> followed_by;  // followed by this account
  std::optional<core::Status> status;
  std::optional<core::Level> level;
  std::string category;
  bool overdue_only = false;
  bool open_only = false;
  std::string q;  // number prefix or text in the description
  int page = 1, page_size = 50;
};

struct TicketPage {
  std::vector<TicketRecord> items;
  std::int64_t total = 0;
};

// GET /tickets/nearby: open tickets of a category created at or after `since` whose
// point lies in the box [min_lat, max_lat] × [min_lng, max_lng] (tickets without a
// known place are never in it), nearest to (lat, lng) first, at most `limit`.
struct NearbyQuery {
  std::string category;
  double lat = 0, lng = 0;
  double min_lat = 0, max_lat = 0, min_lng = 0, max_lng = 0;
  core::TimePoint since{};
  int limit = 5;
};

// An uploaded photo. `id` is random (128 bits, hex) and known only to the uploader until
// a ticket claims the photo; older photos keep their content hash as id. A photo is
// claimed once, by one ticket (TicketChange::attachments, or a new ticket's
// draft.attachments); unclaimed ones are deleted after an hour.
struct AttachmentRecord {
  std::string id, mime;
  int width = 0, height = 0;
  std::int64_t bytes = 0;
  std::string data;
  std::optional<std::int64_t> uploader;  // the account that uploaded it; none: anonymous
  core::TimePoint created_at{};
  std::string sha256;         // hex SHA-256 of data
  std::string uploader_addr;  // the client address of the upload; cleared when claimed
  std::optional<core::TimePoint> claimed_at;
};

// 409 "attachment_already_used" (field "attachments"): a photo named for a ticket is
// claimed by a ticket already (or was deleted as unclaimed meanwhile).
core::Error attachment_already_used();

// Unclaimed uploads of one account or one address: how many, how many bytes, and when
// the oldest of them was uploaded.
struct UploadUsage {
  std::int64_t count = 0, bytes = 0;
  std::optional<core::TimePoint> oldest;
};

// [SECTION] Idempotency keys of every POST but ticket creation (which keeps its key in
// the ticket's row): see server/service/idempotency.hpp.
struct IdempotencyRecord {
  std::string key_hash;     // SHA-256 of the caller's scope and the key
  std::string fingerprint;  // of the request
  bool done = false;        // false: its request is still in flight
  int status = 0;           // the answer, once done
  std::string response;
  core::TimePoint created_at{};
};

// [SECTION] Topics (每月一题)
struct TopicRecord {
  std::int64_t id = 0;
  std::string title, category;
  std::optional<std::string> street_id;  // empty: the whole district
  std::string month;                     // YYYY-MM
  std::string note;
  std::string status = "open";  // open | resolved
  std::int64_t created_by = 0;
  core::TimePoint created_at{};
  std::optional<std::string> reply;
  std::optional<std::int64_t> resolved_by;
  std::optional<core::TimePoint> resolved_at;
  // Filled on read: the linked tickets, and how many of them are still open.
  std::int64_t ticket_count = 0, open_count = 0;
};

struct TopicFilter {
  std::optional<std::string> street_id;  // only this street's topics (and no district-wide ones)
  std::string month;                     // YYYY-MM, empty: any
  std::string status;                    // open | resolved, empty: any
};

// [SECTION] The gazetteer: named roads and landmarks (see migration 0015)
struct PlaceRow {
  std::int64_t id = 0;
  std::string name;
  std::string kind;  // road | landmark
  double lat = 0, lng = 0;
  std::string street_id;  // the street containing the point; empty: none
};

// How many places the gazetteer holds and the highest id: the pair changes whenever the
// gazetteer does (ids are never reused).
struct PlacesStamp {
  std::int64_t count = 0, max_id = 0;
  bool operator==(const PlacesStamp&) const = default;
};

// A stored model of the category suggestion; version is its id (higher is newer).
struct SuggestModelRow {
  std::int64_t version = 0;
  core::TimePoint created_at{};
  std::int64_t examples = 0;
  std::string metrics;  // JSON
  std::string model;    // core::textclass::Model::serialize()
};
// What the suggestion learns from: a ticket's (final) category and its description.
struct TrainingExample {
  std::string category, description;
};

// Progress of a long write: rows done of total.
using RowProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// What a store tells GET /metrics about itself.
struct StoreMetrics {
  // Bytes on disk: SQLite's file and its WAL; PostgreSQL's pg_database_size.
  std::optional<std::int64_t> database_bytes;
  // The group-commit writer (SQLite): batches committed, the jobs in them, jobs waiting,
  // and how many batches had at most each size (sizes ascending, not cumulative).
  struct Writer {
    std::int64_t batches = 0, jobs = 0, queued = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> batch_sizes;
  };
  std::optional<Writer> writer;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies every migration not yet applied; returns how many ran.
  virtual core::Result<int> migrate() = 0;
  virtual int schema_version() = 0;
  virtual core::Outcome ping() = 0;

  // Catalogue and organisation.
  virtual core::Result<std::vector<core::Category>> categories() = 0;
  virtual core::Result<std::optional<core::Category>> category(const std::string& code) = 0;
  virtual core::Outcome upsert_categories(const std::vector<core::Category>& categories) = 0;
  virtual core::Outcome upsert_org(const OrgData& org) = 0;
  virtual core::Result<OrgData> load_org() = 0;  // streets, communities, grids, units, calendar
  virtual core::Result<std::optional<UserRow>> find_user(std::int64_t id) = 0;
  virtual core::Result<std::optional<UserRow>> find_user_by_login(const std::string& login) = 0;
  virtual core::Result<std::vector<UserRow>> users(int page, int page_size) = 0;
  virtual core::Result<std::int64_t> create_user(UserRow user) = 0;

  // Changes the given fields of an account; a new password or disabling it ends all
  // of the account's sessions.
  struct UserPatch {
    std::optional<std::string> name, password_hash, title;
    std::optional<bool> disabled;
  };
  virtual core::Outcome update_user(std::int64_t id, const UserPatch& patch) = 0;
  virtual core::Result<std::int64_t> count_users() = 0;

  // API keys (Open311 clients): only hashes are stored.
  struct ApiKeyRow {
    std::int64_t id = 0;
    std::string name, prefix;
    core::TimePoint created_at{};
    std::optional<core::TimePoint> revoked_at;
  };
  virtual core::Result<std::int64_t> create_api_key(const std::string& name,
                                                    const std::string& key_hash,
                                                    const std::string& prefix,
                                                    std::optional<std::int64_t> created_by,
                                                    core::TimePoint now) = 0;
  virtual core::Result<std::vector<ApiKeyRow>> api_keys() = 0;
  // false when no such key (or already revoked).
  virtual core::Result<bool> revoke_api_key(std::int64_t id, core::TimePoint now) = 0;
  // The id of a live key with this hash.
  virtual core::Result<std::optional<std::int64_t>> find_api_key(const std::string& key_hash) = 0;

  // Sessions: only hashes of tokens are stored.
  virtual core::Outcome create_session(const std::string& token_hash, std::int64_t user_id,
                                       core::TimePoint now, core::TimePoint expires_at) = 0;
  // The user of a live session: not past its absolute expiry, used within `idle`.
  // Refreshes the session's last use.
  virtual core::Result<std::optional<std::int64_t>> session_user(const std::string& token_hash,
                                                                 core::TimePoint now,
                                                                 std::chrono::seconds idle) = 0;
  virtual core::Outcome delete_session(const std::string& token_hash) = 0;
  // session_user and find_user in one: the user of a live session, with its grids.
  // Every authenticated request asks this; a backend may answer it in one round trip.
  virtual core::Result<std::optional<UserRow>> session_user_row(const std::string& token_hash,
                                                                core::TimePoint now,
                                                                std::chrono::seconds idle);

  // Tickets.
  // Inserts the ticket, giving it the next number of its local day, and appends its
  // first events; fills id, number, version and the chain head.
  // Its notifications are written with it, "{number}" in their text and link replaced by
  // the ticket's number; a replay (see TicketRecord::idempotency_key) writes none.
  virtual core::Result<TicketRecord> create_ticket(
      TicketRecord ticket, std::vector<core::AuditEvent> events,
      std::vector<NotificationRecord> notifications = {}) = 0;
  // Several tickets at once, all or nothing (hotline import, demo history).
  virtual core::Result<std::vector<TicketRecord>> create_tickets(
      std::vector<NewTicket> tickets) = 0;
  // Applies a change; 409 "conflict" when the ticket changed since it was read.
  virtual core::Result<TicketRecord> commit_change(TicketChange change) = 0;
  virtual core::Result<std::optional<TicketRecord>> find_ticket(const std::string& number) = 0;
  // A ticket with its whistles and attachments (without data), as one ticket page shows
  // them; a backend may read them in one snapshot.
  struct TicketBundle {
    TicketRecord ticket;
    std::vector<WhistleRecord> whistles;
    std::vector<AttachmentRecord> attachments;
  };
  virtual core::Result<std::optional<TicketBundle>> find_ticket_bundle(const std::string& number);
  virtual core::Result<TicketPage> list_tickets(const TicketFilter& filter) = 0;
  virtual core::Result<std::vector<WhistleRecord>> whistles(std::int64_t ticket_id) = 0;
  virtual core::Result<std::vector<core::AuditEvent>> events(std::int64_t ticket_id) = 0;
  // Candidates for GET /tickets/nearby (the caller measures the true distance).
  virtual core::Result<std::vector<TicketRecord>> nearby_tickets(const NearbyQuery& q) = 0;

  // Followers (附议). follow and unfollow change nothing when there is nothing to change
  // and answer the ticket's follower count afterwards.
  virtual core::Result<std::int64_t> follow(std::int64_t ticket_id, std::int64_t user_id,
                                            core::TimePoint now) = 0;
  virtual core::Result<std::int64_t> unfollow(std::int64_t ticket_id, std::int64_t user_id) = 0;
  virtual core::Result<bool> is_follower(std::int64_t ticket_id, std::int64_t user_id) = 0;
  // The live accounts following a ticket, with their phones; with `moved_from`, only
  // those who came to it from that merged ticket.
  virtual core::Result<std::vector<Recipient>> followers_of(
      std::int64_t ticket_id, std::optional<std::int64_t> moved_from = std::nullopt) = 0;
  // Open tickets not yet responded to whose response deadline has passed, and
  // resolved tickets resolved before the cut-off: the scheduler's work.
  virtual core::Result<std::vector<std::string>> due_for_escalation(core::TimePoint now,
                                                                    int limit) = 0;
  virtual core::Result<std::vector<std::string>> due_for_overdue_flag(core::TimePoint now,
                                                                      int limit) = 0;
  virtual core::Result<std::vector<std::string>> due_for_auto_close(core::TimePoint resolved_before,
                                                                    int limit) = 0;
  // Every ticket's id and number, in id order, for audit verification.
  virtual core::Result<std::vector<std::pair<std::int64_t, std::string>>> ticket_ids(
      std::int64_t after_id, int limit) = 0;

  // Attachments. A ticket claims its photos in the transaction that creates or changes
  // it (create_ticket: ticket.draft.attachments as "report"; commit_change: its
  // attachments): each must exist and be unclaimed then, or the whole write is refused
  // with 409 "attachment_already_used" (field "attachments") and nothing is kept.
  // Whose photo it is, is the service's to check before.
  virtual core::Outcome put_attachment(const AttachmentRecord& a) = 0;
  virtual core::Result<std::optional<AttachmentRecord>> attachment(const std::string& id) = 0;
  virtual core::Result<std::vector<AttachmentRecord>> ticket_attachments(
      std::int64_t ticket_id) = 0;  // without data
  // The numbers of the tickets an attachment belongs to (one at most since 0012).
  virtual core::Result<std::vector<std::string>> attachment_tickets(const std::string& id) = 0;
  // Unclaimed uploads of an account, and of a client address.
  virtual core::Result<UploadUsage> unclaimed_by_uploader(std::int64_t user_id) = 0;
  virtual core::Result<UploadUsage> unclaimed_by_address(const std::string& address) = 0;
  // Deletes the unclaimed uploads made before `before`; returns how many.
  virtual core::Result<std::int64_t> delete_unclaimed_attachments(core::TimePoint before) = 0;

  // Topics (每月一题). create_topic fills id; topics() lists newest first.
  virtual core::Result<TopicRecord> create_topic(TopicRecord topic) = 0;
  virtual core::Result<std::optional<TopicRecord>> find_topic(std::int64_t id) = 0;
  virtual core::Result<std::vector<TopicRecord>> topics(const TopicFilter& filter) = 0;
  // Links tickets (by id) to a topic; links that exist already are kept as they are.
  // Returns how many were new.
  virtual core::Result<int> link_topic_tickets(std::int64_t topic_id,
                                               const std::vector<std::int64_t>& ticket_ids,
                                               std::int64_t by, core::TimePoint now) = 0;
  // The numbers of a topic's tickets, in the order they were linked.
  virtual core::Result<std::vector<std::string>> topic_ticket_numbers(std::int64_t topic_id) = 0;
  // Marks an open topic resolved; false when it was not open (or does not exist).
  virtual core::Result<bool> resolve_topic(std::int64_t topic_id, const std::string& reply,
                                           std::int64_t by, core::TimePoint now) = 0;

  // Idempotency keys. claim_idempotency_key stores `r` as in flight unless its key is
  // held, or takes the key over from a request with the same fingerprint that has been
  // in flight since before `abandoned_before`: then it answers nothing, and the key is
  // the caller's. Otherwise it answers the record that holds the key.
  virtual core::Result<std::optional<IdempotencyRecord>> claim_idempotency_key(
      const IdempotencyRecord& r, core::TimePoint abandoned_before) = 0;
  // The answer of a claimed key; it is kept to answer retries.
  virtual core::Outcome finish_idempotency_key(const std::string& key_hash, int status,
                                               const std::string& response) = 0;
  // Gives up a key still in flight.
  virtual core::Outcome release_idempotency_key(const std::string& key_hash) = 0;
  // Forgets keys from before `before`, at most `limit` of them and `limit` of tickets'
  // creation keys; returns how many it forgot.
  virtual core::Result<std::int64_t> purge_idempotency_keys(core::TimePoint before, int limit) = 0;

  // Notifications (SPEC §12). Beside create_ticket and commit_change, which write the
  // messages their change causes:
  // A ticket's settings as written with it; nullopt for tickets from before them.
  virtual core::Result<std::optional<TicketNotify>> ticket_notify(std::int64_t ticket_id) = 0;
  // Writes messages outside a ticket change (the scheduler's reminders and warnings);
  // one whose dedupe_key was written before is skipped. Returns how many were written.
  virtual core::Result<int> enqueue_notifications(std::vector<NotificationRecord> messages) = 0;
  // Takes up to `limit` pending messages due at `now` for delivery by this instance
  // until `lease_until` (no other instance takes them meanwhile): the oldest first, and
  // of each order_key only the oldest pending one.
  virtual core::Result<std::vector<NotificationRecord>> claim_notifications(
      core::TimePoint now, core::TimePoint lease_until, int limit) = 0;
  // Records an attempt: counts it and sets status, next_at, delivered_at, last_error,
  // and ends the lease.
  virtual core::Outcome finish_notification(const std::string& id,
                                            const NotificationOutcome& outcome) = 0;
  // A page of messages, newest first; status empty: any.
  virtual core::Result<NotificationPage> list_notifications(const std::string& status, int page,
                                                            int page_size) = 0;
  virtual core::Result<std::optional<NotificationRecord>> find_notification(
      const std::string& id) = 0;
  // Makes a failed (or pending, or cancelled) message due now again, to be given up at
  // `give_up_at`; nullopt when no such message, the message as it is when delivered.
  virtual core::Result<std::optional<NotificationRecord>> retry_notification(
      const std::string& id, core::TimePoint now, core::TimePoint give_up_at) = 0;
  virtual core::Result<NotificationCounts> notification_counts() = 0;
  // Forgets delivered and cancelled messages written before `before`, at most `limit`;
  // returns how many (failed ones stay for the operator).
  virtual core::Result<std::int64_t> purge_notifications(core::TimePoint before, int limit) = 0;
  // The earliest next_at of the pending messages (the delivery worker sleeps until then).
  virtual core::Result<std::optional<core::TimePoint>> next_notification_at() = 0;
  // Opt-outs by key ("p:" + SHA-256 of a phone, "u:" + an account id): `out` false
  // opts back in.
  virtual core::Outcome set_opt_out(const std::string& key, bool out, core::TimePoint now,
                                    const std::string& source) = 0;
  // True when any of the keys has opted out.
  virtual core::Result<bool> opted_out(const std::vector<std::string>& keys) = 0;
  virtual core::Result<NotifyPrefs> notify_prefs(std::int64_t user_id) = 0;
  virtual core::Outcome set_notify_prefs(std::int64_t user_id, const NotifyPrefs& prefs) = 0;
  // The live accounts holding a ticket at its assignee: kind "user" (that account),
  // "org" (a community's or street's staff, or the district's for "district") or "unit"
  // (the unit's staff).
  virtual core::Result<std::vector<Recipient>> handlers_of(const std::string& assignee_kind,
                                                           const std::string& assignee_id) = 0;
  // The numbers of open tickets not yet responded to whose response deadline falls in
  // (now, now + within], and of resolved tickets not rated, resolved at or before
  // `resolved_before`, at most `limit`: those without a message of the dedupe_key
  // "response_due_soon:NUMBER:DEADLINE" (response_due_at in Unix seconds) or
  // "rating_reminder:NUMBER:RESOLVED" (resolved_at) yet.
  virtual core::Result<std::vector<std::string>> due_for_response_warning(
      core::TimePoint now, std::chrono::seconds within, int limit) = 0;
  virtual core::Result<std::vector<std::string>> due_for_rating_reminder(
      core::TimePoint resolved_before, int limit) = 0;

  // The gazetteer, in id order.
  virtual core::Result<std::vector<PlaceRow>> places() = 0;
  // Writes places in one transaction, all or none: with `replace` the gazetteer becomes
  // exactly `rows`, otherwise they are added, each replacing the place of its name and
  // kind if there is one. Returns how many were written; `progress` (may be empty) is
  // told along the way.
  virtual core::Result<std::int64_t> write_places(const std::vector<PlaceRow>& rows, bool replace,
                                                  const RowProgress& progress) = 0;
  virtual core::Result<PlacesStamp> places_stamp() = 0;

  // The category suggestion's models. save returns the new model's version; older
  // models beyond the last few are deleted with it.
  virtual core::Result<std::int64_t> save_suggest_model(const SuggestModelRow& row) = 0;
  virtual core::Result<std::optional<SuggestModelRow>> latest_suggest_model() = 0;
  // The latest model's version, 0 when there is none: cheap, for servers that poll.
  virtual core::Result<std::int64_t> suggest_model_version() = 0;
  // Tickets whose category is known to be right, newest first, at most `limit`: those
  // resolved or closed, and those a handler recategorised (an event 'recategorize'),
  // never rejected or merged ones.
  virtual core::Result<std::vector<TrainingExample>> training_examples(std::int64_t limit) = 0;

  // A number that changes whenever this store commits a change, for caches of answers
  // derived from the data; none where other processes write the same database too.
  virtual std::optional<std::uint64_t> data_version() { return std::nullopt; }

  // Figures for GET /metrics; cheap enough to call on every scrape.
  virtual StoreMetrics metrics() { return {}; }

  // [SECTION] Several instances over one database
  // Calls `fn(number, action)` for each ticket change other server instances commit,
  // from a thread of the store's own, until the store closes. Backends that only one
  // process opens at a time have nothing to watch and never call it.
  using ChangeFn = std::function<void(const std::string& number, const std::string& action)>;
  virtual core::Outcome watch_changes(ChangeFn fn) {
    (void)fn;
    return core::Unit{};
  }
  // A lock that at most one instance holds at a time, for jobs that must run once
  // (the SLA scheduler): nullptr when another instance holds it; released when the
  // returned object goes away. With one process there is nobody to exclude.
  class JobLock {
   public:
    virtual ~JobLock() = default;
  };
  virtual core::Result<std::unique_ptr<JobLock>> try_lock_job(const std::string& job) {
    (void)job;
    return std::make_unique<JobLock>();
  }
};

// Opens the store named by `db`: a file path (SQLite) or a postgres:// (postgresql://)
// URL, which libpq reads as given (host, port, user, dbname, sslmode, ...).
core::Result<std::unique_ptr<Store>> open_store(const std::string& db);

// Backup and restore of either backend, safe while servers write. SQLite: the online
// backup API into a new file; PostgreSQL: pg_dump and pg_restore, custom format.
// `progress(done, total)` is called as pages (SQLite) or steps (PostgreSQL) complete.
using BackupProgress = std::function<void(std::int64_t done, std::int64_t total)>;
core::Outcome backup_database(const std::string& db, const std::string& to,
                              const BackupProgress& progress);
// Replaces the contents of `db` (a new or existing SQLite file, or an existing empty
// or old PostgreSQL database) with the backup in `from`.
core::Outcome restore_database(const std::string& from, const std::string& db,
                               const BackupProgress& progress);

}  // namespace portal::server
