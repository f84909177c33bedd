// The PostgreSQL backend, for several server instances over one database: a pool of
// connections with prepared statements, the same optimistic version checks and
// hash-chained events as SQLite (a ticket's row is locked while its change is
// written), NOTIFY of every ticket change so that other instances can push it to
// their streams, and advisory locks for jobs that must run once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/store/postgres/pg.hpp"
#include "server/store/store.hpp"

namespace portal::server {

class PgStore final : public Store {
 public:
  // `url` is a postgres:// or postgresql:// URL; at most `connections` are opened.
  static core::Result<std::unique_ptr<PgStore>> open(const std::string& url, int connections = 8);
  ~PgStore() override;

  core::Result<int> migrate() override;
  int schema_version() override;
  core::Outcome ping() override;
  StoreMetrics metrics() override;

  core::Result<std::vector<core::Category>> categories() override;
  core::Result<std::optional<core::Category>> category(const std::string& code) override;
  core::Outcome upsert_categories(const std::vector<core::Category>& categories) override;

  core::Outcome upsert_org(const OrgData& org) override;
  core::Result<OrgData> load_org() override;
  core::Result<std::optional<UserRow>> find_user(std::int64_t id) override;
  core::Result<std::optional<UserRow>> find_user_by_login(const std::string& login) override;
  core::Result<std::vector<UserRow>> users(int page, int page_size) override;
  core::Result<std::int64_t> create_user(UserRow user) override;

  core::Outcome create_session(const std::string& token_hash, std::int64_t user_id,
                               core::TimePoint now, core::TimePoint expires_at) override;
  core::Result<std::optional<std::int64_t>> session_user(const std::string& token_hash,
                                                         core::TimePoint now,
                                                         std::chrono::seconds idle) override;
  core::Outcome update_user(std::int64_t id, const UserPatch& patch) override;
  core::Result<std::int64_t> count_users() override;
  core::Result<std::int64_t> create_api_key(const std::string& name, const std::string& key_hash,
                                            const std::string& prefix,
                                            std::optional<std::int64_t> created_by,
                                            core::TimePoint now) override;
  core::Result<std::vector<ApiKeyRow>> api_keys() override;
  core::Result<bool> revoke_api_key(std::int64_t id, core::TimePoint now) override;
  core::Result<std::optional<std::int64_t>> find_api_key(const std::string& key_hash) override;
  core::Outcome delete_session(const std::string& token_hash) override;

  core::Result<TicketRecord> create_ticket(
      TicketRecord ticket, std::vector<core::AuditEvent> events,
      std::vector<NotificationRecord> notifications = {}) override;
  core::Result<std::vector<TicketRecord>> create_tickets(std::vector<NewTicket> tickets) override;
  core::Result<TicketRecord> commit_change(TicketChange change) override;
  core::Result<std::optional<TicketRecord>> find_ticket(const std::string& number) override;
  core::Result<TicketPage> list_tickets(const TicketFilter& filter) override;
  core::Result<std::vector<WhistleRecord>> whistles(std::int64_t ticket_id) override;
  core::Result<std::vector<core::AuditEvent>> events(std::int64_t ticket_id) override;
  core::Result<std::vector<TicketRecord>> nearby_tickets(const NearbyQuery& q) override;
  core::Result<std::int64_t> follow(std::int64_t ticket_id, std::int64_t user_id,
                                    core::TimePoint now) override;
  core::Result<std::int64_t> unfollow(std::int64_t ticket_id, std::int64_t user_id) override;
  core::Result<bool> is_follower(std::int64_t ticket_id, std::int64_t user_id) override;
  core::Result<std::vector<Recipient>> followers_of(
      std::int64_t ticket_id, std::optional<std::int64_t> moved_from = std::nullopt) override;
  core::Result<std::vector<std::string>> due_for_escalation(core::TimePoint now,
                                                            int limit) override;
  core::Result<std::vector<std::string>> due_for_overdue_flag(core::TimePoint now,
                                                              int limit) override;
  core::Result<std::vector<std::string>> due_for_auto_close(core::TimePoint resolved_before,
                                                            int limit) override;
  core::Result<std::vector<std::pair<std::int64_t, std::string>>> ticket_ids(std::int64_t after_id,
                                                                             int limit) override;

  core::Outcome put_attachment(const AttachmentRecord& a) override;
  core::Result<std::optional<AttachmentRecord>> attachment(const std::string& id) override;
  core::Result<std::vector<AttachmentRecord>> ticket_attachments(std::int64_t ticket_id) override;
  core::Result<std::vector<std::string>> attachment_tickets(const std::string& id) override;
  core::Result<UploadUsage> unclaimed_by_uploader(std::int64_t user_id) override;
  core::Result<UploadUsage> unclaimed_by_address(const std::string& address) override;
  core::Result<std::int64_t> delete_unclaimed_attachments(core::TimePoint before) override;

  core::Result<TopicRecord> create_topic(TopicRecord topic) override;
  core::Result<std::optional<TopicRecord>> find_topic(std::int64_t id) override;
  core::Result<std::vector<TopicRecord>> topics(const TopicFilter& filter) override;
  core::Result<int> link_topic_tickets(std::int64_t topic_id,
                                       const std::vector<std::int64_t>& ticket_ids, std::int64_t by,
                                       core::TimePoint now) override;
  core::Result<std::vector<std::string>> topic_ticket_numbers(std::int64_t topic_id) override;
  core::Result<bool> resolve_topic(std::int64_t topic_id, const std::string& reply, std::int64_t by,
                                   core::TimePoint now) override;
  core::Result<std::optional<IdempotencyRecord>> claim_idempotency_key(
      const IdempotencyRecord& r, core::TimePoint abandoned_before) override;
  core::Outcome finish_idempotency_key(const std::string& key_hash, int status,
                                       const std::string& response) override;
  core::Outcome release_idempotency_key(const std::string& key_hash) override;
  core::Result<std::int64_t> purge_idempotency_keys(core::TimePoint before, int limit) override;

  core::Result<std::optional<TicketNotify>> ticket_notify(std::int64_t ticket_id) override;
  core::Result<int> enqueue_notifications(std::vector<NotificationRecord> messages) override;
  core::Result<std::vector<NotificationRecord>> claim_notifications(core::TimePoint now,
                                                                    core::TimePoint lease_until,
                                                                    int limit) override;
  core::Outcome finish_notification(const std::string& id,
                                    const NotificationOutcome& outcome) override;
  core::Result<NotificationPage> list_notifications(const std::string& status, int page,
                                                    int page_size) override;
  core::Result<std::optional<NotificationRecord>> find_notification(const std::string& id) override;
  core::Result<std::optional<NotificationRecord>> retry_notification(
      const std::string& id, core::TimePoint now, core::TimePoint give_up_at) override;
  core::Result<NotificationCounts> notification_counts() override;
  core::Result<std::int64_t> purge_notifications(core::TimePoint before, int limit) override;
  core::Result<std::optional<core::TimePoint>> next_notification_at() override;
  core::Outcome set_opt_out(const std::string& key, bool out, core::TimePoint now,
                            const std::string& source) override;
  core::Result<bool> opted_out(const std::vector<std::string>& keys) override;
  core::Result<NotifyPrefs> notify_prefs(std::int64_t user_id) override;
  core::Outcome set_notify_prefs(std::int64_t user_id, const NotifyPrefs& prefs) override;
  core::Result<std::vector<Recipient>> handlers_of(const std::string& assignee_kind,
                                                   const std::string& assignee_id) override;
  core::Result<std::vector<std::string>> due_for_response_warning(core::TimePoint now,
                                                                  std::chrono::seconds within,
                                                                  int limit) override;
  core::Result<std::vector<std::string>> due_for_rating_reminder(core::TimePoint resolved_before,
                                                                 int limit) override;

  core::Result<std::vector<PlaceRow>> places() override;
  core::Result<std::int64_t> write_places(const std::vector<PlaceRow>& rows, bool replace,
                                          const RowProgress& progress) override;
  core::Result<PlacesStamp> places_stamp() override;

  core::Result<std::int64_t> save_suggest_model(const SuggestModelRow& row) override;
  core::Result<std::optional<SuggestModelRow>> latest_suggest_model() override;
  core::Result<std::int64_t> suggest_model_version() override;
  core::Result<std::vector<TrainingExample>> training_examples(std::int64_t limit) override;

  core::Outcome watch_changes(ChangeFn fn) override;
  core::Result<std::unique_ptr<JobLock>> try_lock_job(const std::string& job) override;

 private:
  PgStore(std::string url, int connections);
  core::Error db_error(pg::Conn& c, const char* what);
  // Claims photos for a ticket inside the caller's transaction (see Store::put_attachment).
  core::Outcome claim_attachments(pg::Conn& c, std::int64_t ticket_id,
                                  const std::vector<std::pair<std::string, std::string>>& photos,
                                  core::TimePoint at);
  core::Result<UploadUsage> unclaimed_where(const char* column, const pg::Params& key);
  // Inserts a ticket with its events, settings and messages (none of them on a replay).
  // After migrating: indexes the text of tickets older than the search index.
  core::Outcome backfill_search(pg::Conn& c);
  core::Result<TicketRecord> insert_ticket(pg::Conn& c, TicketRecord t,
                                           std::vector<core::AuditEvent>& events,
                                           std::vector<NotificationRecord>& notifications);
  // Writes messages inside the caller's transaction, which holds their order keys
  // (lock_order_keys), skipping those whose dedupe_key is taken; returns how many were
  // written, or nullopt on a database error.
  std::optional<int> insert_notifications(pg::Conn& c,
                                          const std::vector<NotificationRecord>& messages);
  bool append_events(pg::Conn& c, std::int64_t ticket_id, const std::string& number,
                     std::int64_t& count, std::string& last_hash,
                     std::vector<core::AuditEvent>& events);
  bool notify(pg::Conn& c, const std::string& number, const std::string& action);
  core::Result<std::vector<std::string>> numbers_where(const char* sql, std::int64_t t, int limit);
  void watch_loop(ChangeFn fn);

  std::string url_;
  std::string instance_;  // tells this store's own notifications from others'
  pg::Pool pool_;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
  std::mutex listening_mu_;
  std::condition_variable listening_cv_;
  bool listening_ = false;  // the watcher's LISTEN is in place
};

}  // namespace portal::server
