// The SQLite backend: one file in WAL mode with synchronous=FULL, so a ticket is on
// disk before it is acknowledged.
//
// Writes are group-committed: callers queue their write as a job and one writer
// thread runs every job waiting at that moment in one transaction, each inside its
// own savepoint (a failing job rolls back alone), then commits once, with one fsync
// for the whole batch. A caller gets its answer only after its batch is committed.
// Reads run on a small pool of connections of their own, beside the writer (WAL), and
// see every write that has been answered. The writer's connection writes its WAL
// through wal_vfs.hpp: one write per commit, before the same fsync.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/store/sqlite/sqlite.hpp"
#include "server/store/store.hpp"

namespace portal::server {

class SqliteStore final : public Store {
 public:
  // `readers`: connections for reads (each request holds one while it reads; a few per
  // core, since a thread may be descheduled while it holds one).
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::string& path, int readers = 12);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  core::Result<int> migrate() override;
  int schema_version() override;
  core::Outcome ping() override;

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
  core::Result<std::optional<UserRow>> session_user_row(const std::string& token_hash,
                                                        core::TimePoint now,
                                                        std::chrono::seconds idle) override;

  core::Result<TicketRecord> create_ticket(
      TicketRecord ticket, std::vector<core::AuditEvent> events,
      std::vector<NotificationRecord> notifications = {}) override;
  core::Result<std::vector<TicketRecord>> create_tickets(std::vector<NewTicket> tickets) override;
  core::Result<TicketRecord> commit_change(TicketChange change) override;
  core::Result<std::optional<TicketRecord>> find_ticket(const std::string& number) override;
  core::Result<std::optional<TicketBundle>> find_ticket_bundle(const std::string& number) override;
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

  // Topics (每月一题).
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

  // This process is the database's only writer: every committed batch counts.
  std::optional<std::uint64_t> data_version() override { return version_.load(); }
  StoreMetrics metrics() override;

  // Statistics of the writer, for tests and benchmarks.
  struct WriterStats {
    std::int64_t batches = 0, jobs = 0, largest_batch = 0;
    std::int64_t queued = 0, running = 0;  // now: waiting, and in the batch under way
    std::int64_t checkpoints = 0;          // run by the checkpointer
    std::int64_t folds = 0;                // WAL tails copied by the writer
    std::int64_t wal_restarts = 0;         // times the WAL started over from its head
    std::int64_t reruns = 0;               // batches run again, each job guarded
    // Batches by size: batch_sizes[i] counts those of at most kBatchBounds[i] jobs
    // (and more than the bound before).
    static constexpr std::array<std::int64_t, 11> kBatchBounds = {1,  2,   4,   8,   16,  32,
                                                                  64, 128, 256, 512, 1024};
    std::array<std::int64_t, 11> batch_sizes{};
  };
  WriterStats writer_stats();

  struct Conn;  // a connection with its cached statements

  // The ticket list's text search reads the texts of the filtered tickets instead of
  // the index when there are at most this many (tests lower it to try both ways).
  void set_search_scan_limit(int n) { search_scan_limit_ = n; }

 private:
  // How a write runs: in a batch (one savepoint of the batch's transaction), in a batch
  // and only adding tickets (see flush_daily()), or alone, managing its own transaction.
  enum class WriteKind { batched, creates, alone };
  // Whether a batched job may run twice: then a batch of such jobs first runs without a
  // savepoint per job, and again with one only if a job fails (see run_batch()).
  enum class Rerun : bool { no, yes };
  struct Job {
    std::function<bool(Conn&)> run;  // true when the job's work should be kept
    WriteKind kind = WriteKind::batched;
    Rerun rerun = Rerun::no;
    bool committed = false;
    // Set when the job's batch is over; under `mu`, so that only this caller wakes.
    std::mutex mu;
    std::condition_variable done_cv;
    bool done = false;
    Job* next[2] = {nullptr, nullptr};  // the callers this one answers in turn
  };
  static constexpr int kWriterNice = -10;
  // Under load (the last batch had kGatherFrom jobs or more) the writer waits up to
  // kGatherWait for kGatherJobs jobs before it begins a batch. Fewer, larger batches
  // share one fsync and rewrite each index's pages once for more tickets: under wrk's
  // 64 connections, 14% less CPU per create and 7-9% more creates a second.
  static constexpr std::size_t kGatherFrom = 4, kGatherJobs = 32;
  static constexpr std::chrono::microseconds kGatherWait{500};

  SqliteStore() = default;
  static core::Error fail(Conn& c, const char* what);
  // Runs `f` on a read connection.
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Conn&>()));
  // Runs `f` on a read connection inside one read transaction: one snapshot.
  template <class F>
  auto read_snapshot(F&& f) -> decltype(f(std::declval<Conn&>()));
  // Reads on a connection the caller holds.
  core::Result<std::optional<TicketRecord>> find_ticket_in(Conn& cx, const std::string& number);
  core::Result<std::vector<WhistleRecord>> whistles_in(Conn& cx, std::int64_t ticket_id);
  core::Result<std::vector<AttachmentRecord>> ticket_attachments_in(Conn& cx,
                                                                    std::int64_t ticket_id);
  core::Result<std::optional<UserRow>> find_user_in(Conn& cx, std::int64_t id);
  core::Result<std::optional<std::int64_t>> live_session_in(Conn& cx, const std::string& token_hash,
                                                            std::int64_t t,
                                                            std::chrono::seconds idle,
                                                            std::int64_t& seen,
                                                            std::int64_t& expires);
  core::Outcome refresh_session(const std::string& token_hash, std::int64_t t, std::int64_t seen);
  // Queues `f` for the writer and waits until its batch is committed.
  template <class F>
  auto write(F&& f, WriteKind kind = WriteKind::batched, Rerun rerun = Rerun::no)
      -> decltype(f(std::declval<Conn&>()));
  void submit(Job& job);
  static void finish(Job& job);
  void writer_loop();
  void run_batch(std::vector<Job*>& batch);
  // Runs a job on the writer's connection: false when it failed or threw.
  bool run_job(Job& j);
  // One transaction over the batch; with `guarded`, each job in a savepoint of its own.
  enum class BatchEnd { committed, failed, rerun };
  BatchEnd try_batch(std::vector<Job*>& batch, bool guarded);

  // Inside a transaction: insert one ticket with its events.
  // Claims photos for a ticket inside the caller's write (see Store::put_attachment).
  core::Outcome claim_attachments(Conn& cx, std::int64_t ticket_id,
                                  const std::vector<std::pair<std::string, std::string>>& photos,
                                  core::TimePoint at);
  template <class Key>
  core::Result<UploadUsage> unclaimed_where(const char* column, const Key& key);
  int search_scan_limit_ = 5000;
  // A text search with no other filter, through the index alone.
  core::Result<TicketPage> search_everything(Conn& cx, const std::string& match,
                                             const TicketFilter& f);
  // After migrating: indexes the text of tickets older than the search index.
  core::Outcome backfill_search(Conn& cx);
  core::Result<TicketRecord> insert_ticket(Conn& cx, TicketRecord t,
                                           std::vector<core::AuditEvent>& events,
                                           const std::vector<NotificationRecord>& notifications);
  // Inside a write: the messages, "{number}" in their text and link replaced by `number`
  // when it is given. Returns how many were written (a dedupe_key written before: none).
  core::Result<int> insert_notifications(Conn& cx, const std::vector<NotificationRecord>& messages,
                                         const std::string& number = {});
  static void seal_events(const std::string& number, std::int64_t& count, std::string& last_hash,
                          std::vector<core::AuditEvent>& events);
  bool insert_events(Conn& cx, std::int64_t ticket_id, const std::vector<core::AuditEvent>& events);
  bool append_events(Conn& cx, std::int64_t ticket_id, const std::string& number,
                     std::int64_t& count, std::string& last_hash,
                     std::vector<core::AuditEvent>& events);
  core::Result<std::vector<std::string>> numbers_where(const char* sql, std::int64_t t, int limit);
  // Adds the tickets inserted since daily_from_ to the daily aggregates (stats_daily and
  // stats_daily_category): once per batch, before it commits, and before any job that
  // may change or delete those tickets (whose triggers take out what was put in).
  bool flush_daily(Conn& cx);

  std::string path_;  // the database file

  // The writer.
  std::unique_ptr<Conn> writer_conn_;
  std::mutex wmu_;
  std::condition_variable work_cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  WriterStats stats_;
  std::thread writer_;
  std::atomic<std::uint64_t> version_{0};
  // The writer thread's own: whether a batch is running, and the first ticket id it
  // inserted that is not yet in the daily aggregates.
  bool in_batch_ = false;
  std::optional<std::int64_t> daily_from_;

  // Live sessions, cached (see session_user_row()). forget_sessions("") forgets all.
  struct CachedSession {
    UserRow user;
    std::int64_t expires_at = 0, seen = 0;
    std::chrono::steady_clock::time_point cached_at;
  };
  static constexpr auto kSessionCacheTtl = std::chrono::seconds(30);
  static constexpr std::size_t kSessionCacheMax = 10000;
  void forget_sessions(const std::string& token_hash = {});
  // Around a change to sessions, users or their grids: forgets them before (a read under
  // way then cannot keep what it saw) and after (the change is committed by then).
  struct SessionsChange {
    SqliteStore& store;
    std::string token_hash;  // empty: every session
    explicit SessionsChange(SqliteStore& s, std::string t = {})
        : store(s), token_hash(std::move(t)) {
      store.forget_sessions(token_hash);
    }
    ~SessionsChange() { store.forget_sessions(token_hash); }
    SessionsChange(const SessionsChange&) = delete;
    SessionsChange& operator=(const SessionsChange&) = delete;
  };
  std::mutex sess_mu_;
  std::unordered_map<std::string, CachedSession> sess_cache_;
  std::uint64_t sess_generation_ = 0;

  // The checkpointer: folds the WAL back into the database file beside the writer.
  static constexpr int kCheckpointPages = 4000;  // 16 MB of WAL
  // The writer touches the right edges of a dozen ticket indexes and the random pages
  // of a few (grid, status): a 32 MB cache keeps them.
  static constexpr const char* kWriterCacheSize = "PRAGMA cache_size=-32768";
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  void checkpoint_loop();
  std::unique_ptr<Conn> checkpoint_conn_;
  std::mutex ck_mu_;
  std::condition_variable ck_cv_;
  bool ck_wanted_ = false, ck_stopping_ = false;
  std::int64_t ck_runs_ = 0;
  // Set by the checkpointer when it has copied all the WAL it saw: the writer copies
  // what was committed meanwhile, between two batches, so that the next batch starts
  // the WAL over (see fold_wal()).
  std::atomic<bool> fold_wanted_{false};
  int wal_frames_ = 0;  // the WAL's length after the last commit (writer thread)
  void fold_wal();
  std::thread checkpointer_;

  // The categories, cached (see category()).
  using CategoryMap = std::map<std::string, core::Category>;
  std::mutex cat_mu_;
  std::shared_ptr<const CategoryMap> cat_cache_;
  std::chrono::steady_clock::time_point cat_loaded_;

  // The readers.
  std::mutex rmu_;
  std::condition_variable rcv_;
  std::vector<std::unique_ptr<Conn>> readers_;
  std::vector<Conn*> idle_readers_;
};

}  // namespace portal::server
