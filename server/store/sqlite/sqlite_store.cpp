#include "server/store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include <sys/resource.h>
#include <unistd.h>

#include "portal/core/search.hpp"
#include "portal/core/utf8.hpp"
#include "server/store/migrations.hpp"
#include "server/store/sqlite/wal_vfs.hpp"

namespace portal::server {

using core::Error;
using core::Result;

namespace {

std::string_view arg_text(sqlite3_value* v) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(v))) : "";
}

// search_match(description, address, query): the text search read row by row
// (core::search_folded_matches), for a few candidate rows. The query is folded once
// per statement.
void search_match(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* query = static_cast<std::string*>(sqlite3_get_auxdata(ctx, 2));
  if (!query) {
    query = new std::string(core::search_folded(arg_text(argv[2])));
    sqlite3_set_auxdata(ctx, 2, query, [](void* p) { delete static_cast<std::string*>(p); });
    query = static_cast<std::string*>(sqlite3_get_auxdata(ctx, 2));
    if (!query) return sqlite3_result_error_nomem(ctx);
  }
  sqlite3_result_int(ctx,
                     core::search_folded_matches(*query, core::search_folded(arg_text(argv[0])),
                                                 core::search_folded(arg_text(argv[1]))));
}

}  // namespace

struct SqliteStore::Conn {
  sqlite::Db db;
  sqlite::StmtCache cache;  // destroyed before the connection

  explicit Conn(sqlite::Db d) : db(std::move(d)), cache(db.handle()) {
    sqlite3_create_function_v2(db.handle(), "search_match", 3,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                               search_match, nullptr, nullptr, nullptr);
  }
  sqlite::Stmt prepare(std::string_view sql) { return cache.get(sql); }
  bool exec(const char* sql) { return db.exec(sql); }
  sqlite3* handle() const { return db.handle(); }
};

namespace {

// RAII transaction: rolls back unless committed.
class Tx {
 public:
  explicit Tx(SqliteStore::Conn& db) : db_(db) { ok_ = db_.exec("BEGIN IMMEDIATE"); }
  ~Tx() {
    if (ok_ && !done_) db_.exec("ROLLBACK");
  }
  bool ok() const { return ok_; }
  bool commit() {
    done_ = true;
    return db_.exec("COMMIT");
  }

 private:
  SqliteStore::Conn& db_;
  bool ok_ = false, done_ = false;
};

// The text search's index row of a ticket (0020_ticket_search.sql): added, or with
// `remove`, taken out again, which a contentless index can only do given the very
// tokens it was given.
bool index_ticket_text(SqliteStore::Conn& cx, std::int64_t id, const std::string& description,
                       const std::string& address, bool remove = false) {
  auto s = cx.prepare(remove ? "INSERT INTO ticket_search(ticket_search, rowid, d, a) "
                               "VALUES ('delete', ?, ?, ?)"
                             : "INSERT INTO ticket_search(rowid, d, a) VALUES (?, ?, ?)");
  s.bind(1, id).bind(2, core::search_token_text(description));
  s.bind(3, core::search_token_text(address));
  s.step();
  return !s.failed();
}

// The FTS5 query of a text query: each run of it a phrase whose last token is a prefix
// (core/search.hpp), all of them; empty when the query has no word character. Tokens
// hold no '"', so quoting them is enough.
std::string fts_query(const std::string& q) {
  std::string out;
  for (const auto& run : core::search_query_runs(q)) {
    if (!out.empty()) out += " AND ";
    out += '"';
    for (std::size_t i = 0; i < run.size(); ++i) out += (i ? " " : "") + run[i];
    out += "\" *";
  }
  return out;
}

core::Category read_category(const sqlite::Stmt& s) {
  core::Category c;
  c.code = s.text(0);
  c.name = s.text(1);
  c.name_en = s.text(2);
  c.group = s.text(3);
  c.sla_class = core::parse_sla_class(s.text(4)).value_or(core::SlaClass::normal);
  c.default_unit_id = s.text(5);
  return c;
}

constexpr const char* kTicketColumns =
    "id, number, category, description, lat, lng, address, grid_id, contact_name, contact_phone, "
    "anonymous, channel, status, level, submitter_id, access_code_hash, created_at, updated_at, "
    "response_due_at, resolve_due_at, reply, reopen_count, community_id, street_id, "
    "assignee_kind, assignee_id, version, assigned_at, responded_at, resolved_at, closed_at, "
    "merged_into, overdue, rating_resolved, rating_satisfaction, rating_comment, rated_at, "
    "event_count, last_hash, external_id, "
    "(SELECT COUNT(*) FROM ticket_followers f WHERE f.ticket_id = tickets.id)";

std::optional<core::TimePoint> opt_time(const sqlite::Stmt& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return core::from_unix(s.int64(col));
}

std::optional<std::int64_t> unix_of(const std::optional<core::TimePoint>& t) {
  if (!t) return std::nullopt;
  return core::to_unix(*t);
}

TicketRecord read_ticket(const sqlite::Stmt& s) {
  TicketRecord t;
  t.id = s.int64(0);
  t.number = s.text(1);
  t.draft.category = s.text(2);
  t.draft.description = s.text(3);
  t.draft.location = {s.real(4), s.real(5), s.text(6)};
  t.draft.grid_id = s.opt_text(7);
  t.draft.contact = {s.text(8), s.text(9)};
  t.draft.anonymous = s.int64(10) != 0;
  t.draft.channel = core::parse_channel(s.text(11)).value_or(core::Channel::web);
  t.status = core::parse_status(s.text(12)).value_or(core::Status::submitted);
  t.level = core::parse_level(s.text(13)).value_or(core::Level::grid);
  t.submitter_id = s.opt_int64(14);
  t.access_code_hash = s.opt_text(15).value_or("");
  t.created_at = core::from_unix(s.int64(16));
  t.updated_at = core::from_unix(s.int64(17));
  t.response_due_at = core::from_unix(s.int64(18));
  t.resolve_due_at = core::from_unix(s.int64(19));
  t.reply = s.opt_text(20);
  t.reopen_count = static_cast<int>(s.int64(21));
  t.community_id = s.opt_text(22);
  t.street_id = s.opt_text(23);
  t.assignee_kind = s.text(24);
  t.assignee_id = s.text(25);
  t.version = static_cast<int>(s.int64(26));
  t.assigned_at = opt_time(s, 27);
  t.responded_at = opt_time(s, 28);
  t.resolved_at = opt_time(s, 29);
  t.closed_at = opt_time(s, 30);
  t.merged_into = s.opt_text(31);
  t.overdue = s.int64(32) != 0;
  if (!s.is_null(33)) t.rating_resolved = s.int64(33) != 0;
  if (!s.is_null(34)) t.rating_satisfaction = static_cast<int>(s.int64(34));
  t.rating_comment = s.opt_text(35);
  t.rated_at = opt_time(s, 36);
  t.event_count = s.int64(37);
  t.last_hash = s.text(38);
  t.external_id = s.opt_text(39);
  t.followers = s.int64(40);
  return t;
}

// Binds the mutable columns of a ticket, from index `i` on, in kTicketColumns order
// starting at "category" (shared by insert and update).
int bind_ticket(sqlite::Stmt& s, int i, const TicketRecord& t) {
  const auto& d = t.draft;
  s.bind(i++, d.category);
  s.bind(i++, d.description);
  s.bind(i++, d.location.lat);
  s.bind(i++, d.location.lng);
  s.bind(i++, d.location.address);
  s.bind(i++, d.grid_id);
  s.bind(i++, d.contact.name);
  s.bind(i++, d.contact.phone);
  s.bind(i++, d.anonymous ? 1 : 0);
  s.bind(i++, core::to_string(d.channel));
  s.bind(i++, core::to_string(t.status));
  s.bind(i++, core::to_string(t.level));
  s.bind(i++, t.submitter_id);
  if (t.access_code_hash.empty())
    s.bind_null(i++);
  else
    s.bind(i++, t.access_code_hash);
  s.bind(i++, core::to_unix(t.created_at));
  s.bind(i++, core::to_unix(t.updated_at));
  s.bind(i++, core::to_unix(t.response_due_at));
  s.bind(i++, core::to_unix(t.resolve_due_at));
  s.bind(i++, t.reply);
  s.bind(i++, t.reopen_count);
  s.bind(i++, t.community_id);
  s.bind(i++, t.street_id);
  s.bind(i++, t.assignee_kind);
  s.bind(i++, t.assignee_id);
  s.bind(i++, unix_of(t.assigned_at));
  s.bind(i++, unix_of(t.responded_at));
  s.bind(i++, unix_of(t.resolved_at));
  s.bind(i++, unix_of(t.closed_at));
  s.bind(i++, t.merged_into);
  s.bind(i++, t.overdue ? 1 : 0);
  if (t.rating_resolved)
    s.bind(i++, *t.rating_resolved ? 1 : 0);
  else
    s.bind_null(i++);
  s.bind(i++, t.rating_satisfaction);
  s.bind(i++, t.rating_comment);
  s.bind(i++, unix_of(t.rated_at));
  s.bind(i++, t.external_id);
  return i;
}

constexpr const char* kTicketMutableColumns =
    "category, description, lat, lng, address, grid_id, contact_name, contact_phone, anonymous, "
    "channel, status, level, submitter_id, access_code_hash, created_at, updated_at, "
    "response_due_at, resolve_due_at, reply, reopen_count, community_id, street_id, "
    "assignee_kind, assignee_id, assigned_at, responded_at, resolved_at, closed_at, merged_into, "
    "overdue, rating_resolved, rating_satisfaction, rating_comment, rated_at, external_id";
constexpr int kTicketMutableCount = 35;

UserRow read_user(const sqlite::Stmt& s) {
  UserRow u;
  u.id = s.int64(0);
  u.username = s.opt_text(1).value_or("");
  u.phone = s.opt_text(2).value_or("");
  u.name = s.text(3);
  u.role = core::parse_role(s.text(4)).value_or(core::Role::citizen);
  u.title = s.text(5);
  u.password_hash = s.text(6);
  u.unit_id = s.opt_text(7).value_or("");
  u.street_id = s.opt_text(8).value_or("");
  u.community_id = s.opt_text(9).value_or("");
  u.disabled = s.int64(10) != 0;
  u.created_at = core::from_unix(s.int64(11));
  return u;
}
constexpr const char* kUserColumns =
    "id, username, phone, name, role, title, password_hash, unit_id, street_id, community_id, "
    "disabled, created_at";

WhistleRecord read_whistle(const sqlite::Stmt& s) {
  WhistleRecord w;
  w.id = s.int64(0);
  w.ticket_id = s.int64(1);
  w.unit_id = s.text(2);
  w.status = core::parse_whistle_state(s.text(3)).value_or(core::WhistleState::summoned);
  w.note = s.text(4);
  w.summoned_by = s.opt_int64(5);
  w.summoned_at = core::from_unix(s.int64(6));
  w.checked_in_at = opt_time(s, 7);
  w.done_at = opt_time(s, 8);
  w.unit_name = s.opt_text(9).value_or(w.unit_id);
  return w;
}

std::string placeholders(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

std::optional<std::string> non_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

// [SECTION] Connections, the writer and its batches

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, int readers) {
  // The writer's WAL frames go to the file in one write per commit (wal_vfs.hpp); it runs
  // with synchronous=FULL, as that VFS needs.
  auto db = sqlite::Db::open(path, sqlite::wal_batching_vfs());
  if (!db) return db.error();
  // WAL lets readers run beside the writer; FULL makes each commit durable.
  if (!db->exec("PRAGMA journal_mode=WAL") || !db->exec("PRAGMA synchronous=FULL") ||
      !db->exec("PRAGMA foreign_keys=ON"))
    return Error{"db_open_failed", "cannot configure database: " + db->last_error(), {}, 500};
  db->exec(kWriterCacheSize);
  // Each job of a batch runs in a savepoint, whose sub-journal keeps the pages the job
  // changes (the right edges of the indexes, the day's aggregates) so that it can roll
  // back alone. In a temporary file that was half of the writer's time in pwrite();
  // in memory it is a copy. It holds nothing that must survive a crash.
  db->exec("PRAGMA temp_store=MEMORY");
  std::unique_ptr<SqliteStore> s(new SqliteStore());
  s->path_ = path;
  s->writer_conn_ = std::make_unique<Conn>(std::move(*db));
  for (int i = 0; i < std::max(1, readers); ++i) {
    auto r = sqlite::Db::open(path);
    if (!r) return r.error();
    if (!r->exec("PRAGMA query_only=1"))
      return Error{"db_open_failed", "cannot configure database: " + r->last_error(), {}, 500};
    s->readers_.push_back(std::make_unique<Conn>(std::move(*r)));
    s->idle_readers_.push_back(s->readers_.back().get());
  }
  // Checkpoints run on a connection and a thread of their own: on the writer, copying
  // the WAL into a large database file and fsyncing it held a whole batch of callers
  // for hundreds of milliseconds. The writer only says when the WAL has grown.
  auto ck = sqlite::Db::open(path);
  if (!ck) return ck.error();
  if (!ck->exec("PRAGMA synchronous=FULL"))
    return Error{"db_open_failed", "cannot configure database: " + ck->last_error(), {}, 500};
  s->checkpoint_conn_ = std::make_unique<Conn>(std::move(*ck));
  sqlite3_wal_hook(s->writer_conn_->handle(), &SqliteStore::on_wal_commit, s.get());
  s->writer_ = std::thread([p = s.get()] { p->writer_loop(); });
  s->checkpointer_ = std::thread([p = s.get()] { p->checkpoint_loop(); });
  return s;
}

int SqliteStore::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto* s = static_cast<SqliteStore*>(self);
  if (pages < s->wal_frames_) {
    std::lock_guard lock(s->wmu_);
    s->stats_.wal_restarts += 1;
  }
  s->wal_frames_ = pages;
  if (pages >= kCheckpointPages && !s->fold_wanted_.load(std::memory_order_relaxed)) {
    {
      std::lock_guard lock(s->ck_mu_);
      s->ck_wanted_ = true;
    }
    s->ck_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::checkpoint_loop() {
  std::unique_lock lock(ck_mu_);
  while (!ck_stopping_) {
    // Also now and then while idle, so that a quiet server's WAL is folded back too.
    // Not while the writer is to fold: its copy would find the checkpointer busy.
    ck_cv_.wait_for(lock, std::chrono::seconds(5), [&] {
      return (ck_wanted_ && !fold_wanted_.load(std::memory_order_relaxed)) || ck_stopping_;
    });
    if (ck_stopping_) break;
    ck_wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never waits for the writer or readers.
    int wal_pages = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->handle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) fail(*checkpoint_conn_, "checkpoint");
    // All it saw is in the database file now; what the writer committed meanwhile is
    // the writer's to copy (fold_wal()), or the WAL would never start over under load.
    if (rc == SQLITE_OK && copied == wal_pages && wal_pages >= kCheckpointPages) {
      fold_wanted_.store(true, std::memory_order_relaxed);
    }
    lock.lock();
    ++ck_runs_;
  }
}

void SqliteStore::fold_wal() {
  // SQLite starts the WAL over at the first write after every frame of it has been
  // copied into the database file. The checkpointer alone never gets there under
  // steady writes: while it copies, the writer adds frames. Then the WAL grew by a
  // hundred megabytes a second under full load, every fsync of it grew the file, and
  // every read looked through a longer index. So the writer, between two batches,
  // copies the frames committed since the checkpointer began: a few hundred pages and
  // one fsync.
  int wal_pages = 0, copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(writer_conn_->handle(), nullptr,
                                           SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) fail(*writer_conn_, "fold");
  {
    std::lock_guard lock(wmu_);
    stats_.folds += 1;
  }
  std::lock_guard lock(ck_mu_);
  fold_wanted_.store(false, std::memory_order_relaxed);
  ck_wanted_ = false;  // nothing is left to copy: the next commit starts the WAL over
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(wmu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(ck_mu_);
    ck_stopping_ = true;
  }
  ck_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

Error SqliteStore::fail(Conn& c, const char* what) {
  std::fprintf(stderr,
               "{\"level\":\"error\",\"msg\":\"database error\",\"op\":\"%s\",\"detail\":\"%s\"}\n",
               what, c.db.last_error().c_str());
  return Error::internal();
}

template <class F>
auto SqliteStore::read(F&& f) -> decltype(f(std::declval<Conn&>())) {
  Conn* c = nullptr;
  {
    std::unique_lock lock(rmu_);
    rcv_.wait(lock, [&] { return !idle_readers_.empty(); });
    c = idle_readers_.back();
    idle_readers_.pop_back();
  }
  struct GiveBack {
    SqliteStore& s;
    Conn* c;
    ~GiveBack() {
      {
        std::lock_guard lock(s.rmu_);
        s.idle_readers_.push_back(c);
      }
      s.rcv_.notify_one();
    }
  } give_back{*this, c};
  return f(*c);
}

template <class F>
auto SqliteStore::read_snapshot(F&& f) -> decltype(f(std::declval<Conn&>())) {
  return read([&](Conn& c) -> decltype(f(std::declval<Conn&>())) {
    if (auto begin = c.prepare("BEGIN"); begin.step(), begin.failed()) return fail(c, "read_begin");
    // Ends the read transaction however `f` ends (its statements are reset by then).
    struct End {
      Conn& c;
      ~End() {
        if (!sqlite3_get_autocommit(c.handle())) c.prepare("COMMIT").step();
      }
    } end{c};
    return f(c);
  });
}

template <class F>
auto SqliteStore::write(F&& f, WriteKind kind, Rerun rerun) -> decltype(f(std::declval<Conn&>())) {
  using R = decltype(f(std::declval<Conn&>()));
  std::optional<R> out;
  Job job;
  job.kind = kind;
  job.rerun = rerun;
  job.run = [&](Conn& c) {
    out.emplace(f(c));
    return out->ok();
  };
  submit(job);
  // Nothing is answered as done unless its batch was committed.
  if (!out || (!job.committed && out->ok())) return Error::internal();
  return std::move(*out);
}

void SqliteStore::submit(Job& job) {
  bool wake = false;
  {
    std::lock_guard lock(wmu_);
    if (stopping_) return;
    queue_.push_back(&job);
    // The writer waits for a first job, or while gathering for kGatherJobs of them;
    // otherwise it is busy and takes what has queued when it is done.
    wake = queue_.size() == 1 || queue_.size() == kGatherJobs;
  }
  if (wake) work_cv_.notify_one();
  {
    std::unique_lock lock(job.mu);
    job.done_cv.wait(lock, [&] { return job.done; });
  }
  // Each answered caller answers the next two of its batch (see writer_loop()).
  for (Job* next : job.next)
    if (next) finish(*next);
}

void SqliteStore::finish(Job& job) {
  // Notified under the job's own lock: its caller, once it sees `done`, may destroy it.
  std::lock_guard lock(job.mu);
  job.done = true;
  job.done_cv.notify_one();
}

void SqliteStore::writer_loop() {
  // Every write passes through this one thread; left to compete as an equal with a
  // hundred request threads on a small machine, it spent a third of its time waiting
  // to be scheduled. It asks for a higher priority (where allowed: CAP_SYS_NICE or
  // RLIMIT_NICE) and goes on at the normal one otherwise.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWriterNice);
  constexpr std::size_t kMaxBatch = 1024;
  std::vector<Job*> batch;
  std::size_t last = 0;  // jobs in the last batch
  for (;;) {
    if (fold_wanted_.load(std::memory_order_relaxed)) fold_wal();
    {
      std::unique_lock lock(wmu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      // A lone write on a quiet server goes at once; under load, more are on their way.
      if (last >= kGatherFrom && queue_.size() < kGatherJobs)
        work_cv_.wait_for(lock, kGatherWait,
                          [&] { return stopping_ || queue_.size() >= kGatherJobs; });
      // Every job waiting now goes into this batch: while it commits, the next gathers.
      if (queue_.front()->kind == WriteKind::alone) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      } else {
        while (!queue_.empty() && queue_.front()->kind != WriteKind::alone &&
               batch.size() < kMaxBatch) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      stats_.running = static_cast<std::int64_t>(batch.size());
    }
    run_batch(batch);
    // Before any caller is answered: a read after the answer sees the new version.
    version_.fetch_add(1);
    {
      std::lock_guard lock(wmu_);
      stats_.running = 0;
      stats_.batches += 1;
      stats_.jobs += static_cast<std::int64_t>(batch.size());
      stats_.largest_batch =
          std::max(stats_.largest_batch, static_cast<std::int64_t>(batch.size()));
      const auto& bounds = WriterStats::kBatchBounds;
      const auto bucket =
          std::lower_bound(bounds.begin(), bounds.end(), static_cast<std::int64_t>(batch.size())) -
          bounds.begin();
      stats_.batch_sizes[std::min<std::size_t>(bucket, bounds.size() - 1)] += 1;
    }
    // The callers are answered as a binary tree: the writer wakes the first, and each
    // caller woken wakes two more. Waking a whole batch here kept the writer from the
    // next batch for a tenth of its time.
    for (std::size_t i = 0; i < batch.size(); ++i)
      for (std::size_t k = 0; k < 2; ++k)
        batch[i]->next[k] = 2 * i + 1 + k < batch.size() ? batch[2 * i + 1 + k] : nullptr;
    last = batch.size();
    finish(*batch.front());
    batch.clear();
  }
}

bool SqliteStore::run_job(Job& j) {
  try {
    return j.run(*writer_conn_);
  } catch (...) {
    return false;
  }
}

void SqliteStore::run_batch(std::vector<Job*>& batch) {
  if (batch.front()->kind == WriteKind::alone) {
    run_job(*batch.front());
    batch.front()->committed = true;  // it committed (or not) by itself, and says so
    return;
  }
  // A savepoint per job lets each fail alone, but each page a job changes is first
  // copied to the savepoint's journal: for a ticket, a dozen index pages, 5-7% of the
  // CPU a create costs. Jobs that may run twice go without: should one of them fail,
  // its partial work cannot be told from the others', so the whole batch is rolled
  // back and run again, this time with a savepoint per job.
  if (std::all_of(batch.begin(), batch.end(),
                  [](const Job* j) { return j->rerun == Rerun::yes; })) {
    if (try_batch(batch, false) != BatchEnd::rerun) return;
    std::lock_guard lock(wmu_);
    stats_.reruns += 1;
  }
  try_batch(batch, true);
}

SqliteStore::BatchEnd SqliteStore::try_batch(std::vector<Job*>& batch, bool guarded) {
  Conn& c = *writer_conn_;
  if (!c.exec("BEGIN IMMEDIATE")) {
    fail(c, "batch_begin");
    return BatchEnd::failed;
  }
  in_batch_ = true;
  daily_from_.reset();
  struct Out {
    bool& in;
    ~Out() { in = false; }
  } out{in_batch_};
  // Cached statements: compiling these three for every job cost more than running them.
  auto step = [&c](const char* sql) {
    auto st = c.prepare(sql);
    st.step();
    return !st.failed();
  };
  // The new tickets into the daily aggregates; on failure nothing of the batch is kept.
  auto flushed = [&] {
    if (flush_daily(c)) return true;
    fail(c, "batch_daily");
    c.exec("ROLLBACK");
    return false;
  };
  for (Job* j : batch) {
    // Outside the job's savepoint: a job rolled back does not take the flush with it.
    if (j->kind != WriteKind::creates && !flushed()) return BatchEnd::failed;
    if (!guarded) {
      if (run_job(*j)) continue;
      c.exec("ROLLBACK");
      return BatchEnd::rerun;
    }
    if (!step("SAVEPOINT job")) {
      fail(c, "batch_savepoint");
      break;
    }
    if (!run_job(*j)) step("ROLLBACK TO job");
    step("RELEASE job");
    // An I/O error may have ended the whole transaction: then nothing of it is kept.
    if (sqlite3_get_autocommit(c.handle())) {
      fail(c, "batch_lost");
      return BatchEnd::failed;
    }
  }
  if (!flushed()) return BatchEnd::failed;
  if (c.exec("COMMIT")) {
    for (Job* j : batch) j->committed = true;
    return BatchEnd::committed;
  }
  fail(c, "batch_commit");
  c.exec("ROLLBACK");
  return BatchEnd::failed;
}

SqliteStore::WriterStats SqliteStore::writer_stats() {
  std::lock_guard lock(wmu_);
  WriterStats out = stats_;
  out.queued = static_cast<std::int64_t>(queue_.size());
  std::lock_guard ck(ck_mu_);
  out.checkpoints = ck_runs_;
  return out;
}

StoreMetrics SqliteStore::metrics() {
  StoreMetrics m;
  const WriterStats w = writer_stats();
  StoreMetrics::Writer out;
  out.batches = w.batches;
  out.jobs = w.jobs;
  out.queued = w.queued;
  for (std::size_t i = 0; i < w.batch_sizes.size(); ++i)
    out.batch_sizes.emplace_back(WriterStats::kBatchBounds[i], w.batch_sizes[i]);
  m.writer = std::move(out);
  std::int64_t bytes = 0;
  for (const std::string& f : {path_, path_ + "-wal"}) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(f, ec);
    if (!ec) bytes += static_cast<std::int64_t>(n);
  }
  m.database_bytes = bytes;
  return m;
}

int SqliteStore::schema_version() {
  return read([&](Conn& cx) -> int {
    auto s = cx.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return s.step() ? static_cast<int>(s.int64(0)) : 0;
  });
}

Result<int> SqliteStore::migrate() {
  return write(
      [&](Conn& cx) -> core::Result<int> {
        if (!cx.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at INTEGER NOT NULL)"))
          return fail(cx, "migrate");
        // Every migration not yet applied runs, in order, even one numbered below the
        // highest applied (branches may land out of order).
        std::set<int> have;
        for (auto cur = cx.prepare("SELECT version FROM schema_migrations"); cur.step();)
          have.insert(static_cast<int>(cur.int64(0)));
        // A migration may read much of the file (dropping an index visits each of its
        // pages): through the writer's large cache, that stayed in memory for good, 40 MB
        // at a million tickets. Migrations run with SQLite's default cache, emptied after.
        cx.exec("PRAGMA cache_size=-2000");
        struct Restore {
          Conn& cx;
          ~Restore() {
            cx.exec(kWriterCacheSize);
            sqlite3_db_release_memory(cx.handle());
          }
        } restore{cx};
        int applied = 0;
        for (const auto& m : migrations()) {
          if (have.contains(m.version)) continue;
          Tx tx(cx);
          if (!tx.ok() || !cx.exec(m.sql)) return fail(cx, m.name);
          auto ins = cx.prepare(
              "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, "
              "strftime('%s'))");
          ins.bind(1, m.version).bind(2, m.name);
          ins.step();
          if (ins.failed() || !tx.commit()) return fail(cx, m.name);
          ++applied;
        }
        if (auto ok = backfill_search(cx); !ok) return ok.error();
        return applied;
      },
      WriteKind::alone);
}

core::Outcome SqliteStore::backfill_search(Conn& cx) {
  // Tickets that were there before the index (0020): newest first, a batch a
  // transaction, so that an interrupted start goes on where it stopped.
  std::int64_t total = -1, done = 0;
  // FTS5 reads back the segments it merges as the index grows: the writer's cache
  // rather than the migrations' small one (the caller restores and empties it).
  cx.exec(kWriterCacheSize);
  for (;;) {
    Tx tx(cx);
    if (!tx.ok()) return fail(cx, "search_backfill");
    std::int64_t upto = 0;
    {
      auto s = cx.prepare("SELECT upto FROM ticket_search_backfill");
      if (!s.step()) {
        if (s.failed()) return fail(cx, "search_backfill");
        return core::Unit{};  // nothing (left) to index
      }
      upto = s.int64(0);
    }
    if (total < 0) {
      auto s = cx.prepare("SELECT COUNT(*) FROM tickets WHERE id <= ?");
      s.bind(1, upto);
      total = s.step() ? s.int64(0) : 0;
    }
    // The batch is the newest tickets left, indexed in ascending order: FTS5 writes out
    // what it holds each time an id is lower than the one before.
    struct Row {
      std::int64_t id;
      std::string description, address;
    };
    std::vector<Row> rows;
    {
      auto s = cx.prepare(
          "SELECT id, description, address FROM tickets WHERE id <= ? ORDER BY id DESC LIMIT 5000");
      s.bind(1, upto);
      while (s.step()) rows.push_back({s.int64(0), s.text(1), s.text(2)});
      if (s.failed()) return fail(cx, "search_backfill");
    }
    for (auto r = rows.rbegin(); r != rows.rend(); ++r)
      if (!index_ticket_text(cx, r->id, r->description, r->address))
        return fail(cx, "search_backfill");
    const int n = static_cast<int>(rows.size());
    const std::int64_t last = n ? rows.back().id : 0;
    auto u = cx.prepare(n == 0 ? "DELETE FROM ticket_search_backfill"
                               : "UPDATE ticket_search_backfill SET upto = ?");
    if (n) u.bind(1, last - 1);
    u.step();
    if (u.failed() || !tx.commit()) return fail(cx, "search_backfill");
    done += n;
    if (n == 0 || done % 100000 < 5000)
      std::fprintf(stderr,
                   "{\"level\":\"info\",\"msg\":\"search index backfill\",\"done\":%lld,"
                   "\"total\":%lld}\n",
                   static_cast<long long>(done), static_cast<long long>(total));
    if (n == 0) return core::Unit{};
  }
}

core::Outcome SqliteStore::ping() {
  return read([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare("SELECT 1");
    if (!s.step()) return fail(cx, "ping");
    return core::Unit{};
  });
}

Result<std::vector<core::Category>> SqliteStore::categories() {
  return read([&](Conn& cx) -> core::Result<std::vector<core::Category>> {
    auto s = cx.prepare(
        "SELECT code, name, name_en, grp, sla_class, default_unit_id FROM categories "
        "ORDER BY sort_order, code");
    std::vector<core::Category> out;
    while (s.step()) out.push_back(read_category(s));
    if (s.failed()) return fail(cx, "categories");
    return out;
  });
}

Result<std::optional<core::Category>> SqliteStore::category(const std::string& code) {
  // Every submission looks its category up: the few dozen are kept in memory, read again
  // after this process changes them and at least once a minute (for another process's
  // `seed`).
  const auto now = std::chrono::steady_clock::now();
  std::shared_ptr<const CategoryMap> map;
  {
    std::lock_guard lock(cat_mu_);
    if (cat_cache_ && now - cat_loaded_ < std::chrono::minutes(1)) map = cat_cache_;
  }
  if (!map) {
    auto all = categories();
    if (!all) return all.error();
    auto fresh = std::make_shared<CategoryMap>();
    for (auto& c : *all) fresh->emplace(c.code, std::move(c));
    std::lock_guard lock(cat_mu_);
    cat_cache_ = map = std::move(fresh);
    cat_loaded_ = now;
  }
  auto it = map->find(code);
  if (it == map->end()) return std::optional<core::Category>();
  return std::optional<core::Category>(it->second);
}

core::Outcome SqliteStore::upsert_categories(const std::vector<core::Category>& categories) {
  auto done = write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "INSERT INTO categories(code, name, name_en, grp, sla_class, default_unit_id, sort_order) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
        "name_en = excluded.name_en, grp = excluded.grp, sla_class = excluded.sla_class, "
        "default_unit_id = excluded.default_unit_id, sort_order = excluded.sort_order");
    int order = 0;
    for (const auto& c : categories) {
      s.reset();
      s.bind(1, c.code).bind(2, c.name).bind(3, c.name_en).bind(4, c.group);
      s.bind(5, core::to_string(c.sla_class)).bind(6, c.default_unit_id).bind(7, order++);
      s.step();
      if (s.failed()) return fail(cx, "upsert_categories");
    }
    return core::Unit{};
  });
  std::lock_guard lock(cat_mu_);
  cat_cache_.reset();
  return done;
}

// [SECTION] Organisation

core::Outcome SqliteStore::upsert_org(const OrgData& org) {
  SessionsChange change(*this);  // accounts and their grids change here
  return write([&](Conn& cx) -> core::Outcome {
    {
      auto s = cx.prepare(
          "INSERT INTO streets(id, name, town, area) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE "
          "SET name = excluded.name, town = excluded.town, area = excluded.area");
      for (const auto& r : org.streets) {
        s.reset();
        s.bind(1, r.id).bind(2, r.name).bind(3, r.town ? 1 : 0).bind(4, r.area);
        s.step();
        if (s.failed()) return fail(cx, "upsert_streets");
      }
    }
    {
      auto s = cx.prepare(
          "INSERT INTO communities(id, street_id, name, village, area) VALUES (?,?,?,?,?) "
          "ON CONFLICT(id) DO UPDATE SET street_id = excluded.street_id, name = excluded.name, "
          "village = excluded.village, area = excluded.area");
      for (const auto& r : org.communities) {
        s.reset();
        s.bind(1, r.id).bind(2, r.street_id).bind(3, r.name).bind(4, r.village ? 1 : 0);
        s.bind(5, r.area);
        s.step();
        if (s.failed()) return fail(cx, "upsert_communities");
      }
    }
    {
      auto s = cx.prepare(
          "INSERT INTO grids(id, community_id, street_id, name, kind, polygon, min_lng, min_lat, "
          "max_lng, max_lat, households, residents) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(id) DO UPDATE SET community_id = excluded.community_id, "
          "street_id = excluded.street_id, name = excluded.name, kind = excluded.kind, "
          "polygon = excluded.polygon, min_lng = excluded.min_lng, min_lat = excluded.min_lat, "
          "max_lng = excluded.max_lng, max_lat = excluded.max_lat, "
          "households = excluded.households, residents = excluded.residents");
      for (const auto& r : org.grids) {
        s.reset();
        s.bind(1, r.id).bind(2, r.community_id).bind(3, r.street_id).bind(4, r.name);
        s.bind(5, r.kind).bind(6, r.polygon).bind(7, r.min_lng).bind(8, r.min_lat);
        s.bind(9, r.max_lng).bind(10, r.max_lat).bind(11, r.households).bind(12, r.residents);
        s.step();
        if (s.failed()) return fail(cx, "upsert_grids");
      }
    }
    {
      auto s = cx.prepare(
          "INSERT INTO units(id, kind, subkind, name, name_en, contact, contact_person, address, "
          "street_id, community_id, grid_id, lat, lng) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, subkind = excluded.subkind, "
          "name = excluded.name, name_en = excluded.name_en, contact = excluded.contact, "
          "contact_person = excluded.contact_person, address = excluded.address, "
          "street_id = excluded.street_id, community_id = excluded.community_id, "
          "grid_id = excluded.grid_id, lat = excluded.lat, lng = excluded.lng");
      for (const auto& r : org.units) {
        s.reset();
        s.bind(1, r.id).bind(2, r.kind).bind(3, r.subkind).bind(4, r.name).bind(5, r.name_en);
        s.bind(6, r.contact).bind(7, r.contact_person).bind(8, r.address);
        s.bind(9, non_empty(r.street_id)).bind(10, non_empty(r.community_id));
        s.bind(11, non_empty(r.grid_id)).bind(12, r.lat).bind(13, r.lng);
        s.step();
        if (s.failed()) return fail(cx, "upsert_units");
      }
    }
    {
      // Accounts are matched by username (without case); an existing account keeps its
      // password.
      auto s = cx.prepare(
          "INSERT INTO users(username, phone, name, role, title, password_hash, unit_id, "
          "street_id, "
          "community_id, disabled, created_at) VALUES (?,?,?,?,?,?,?,?,?,0,?) "
          "ON CONFLICT(lower(username)) DO UPDATE SET name = excluded.name, role = excluded.role, "
          "title = excluded.title, unit_id = excluded.unit_id, street_id = excluded.street_id, "
          "community_id = excluded.community_id RETURNING id");
      auto del = cx.prepare("DELETE FROM user_grids WHERE user_id = ?");
      auto grid = cx.prepare("INSERT OR IGNORE INTO user_grids(user_id, grid_id) VALUES (?, ?)");
      for (const auto& u : org.users) {
        s.reset();
        s.bind(1, u.username).bind(2, non_empty(u.phone)).bind(3, u.name);
        s.bind(4, core::to_string(u.role)).bind(5, u.title).bind(6, u.password_hash);
        s.bind(7, non_empty(u.unit_id)).bind(8, non_empty(u.street_id));
        s.bind(9, non_empty(u.community_id)).bind(10, core::to_unix(u.created_at));
        if (!s.step()) return fail(cx, "upsert_users");
        const std::int64_t id = s.int64(0);
        s.reset();
        del.reset();
        del.bind(1, id);
        del.step();
        for (const auto& g : u.grid_ids) {
          grid.reset();
          grid.bind(1, id).bind(2, g);
          grid.step();
          if (grid.failed()) return fail(cx, "upsert_user_grids");
        }
      }
    }
    {
      auto s = cx.prepare(
          "INSERT INTO calendar_days(day, kind) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET "
          "kind = excluded.kind");
      for (const auto& d : org.calendar) {
        s.reset();
        s.bind(1, d.day).bind(2, d.kind);
        s.step();
        if (s.failed()) return fail(cx, "upsert_calendar");
      }
    }
    return core::Unit{};
  });
}

Result<OrgData> SqliteStore::load_org() {
  return read([&](Conn& cx) -> core::Result<OrgData> {
    OrgData org;
    auto st = cx.prepare("SELECT id, name, town, area FROM streets ORDER BY id");
    while (st.step()) org.streets.push_back({st.text(0), st.text(1), st.int64(2) != 0, st.text(3)});
    auto cs = cx.prepare("SELECT id, street_id, name, village, area FROM communities ORDER BY id");
    while (cs.step())
      org.communities.push_back({cs.text(0), cs.text(1), cs.text(2), cs.int64(3) != 0, cs.text(4)});
    auto gs = cx.prepare(
        "SELECT id, community_id, street_id, name, kind, polygon, min_lng, min_lat, max_lng, "
        "max_lat, households, residents FROM grids ORDER BY id");
    while (gs.step()) {
      GridRow g{gs.text(0), gs.text(1), gs.text(2), gs.text(3), gs.text(4), gs.text(5)};
      g.min_lng = gs.real(6), g.min_lat = gs.real(7), g.max_lng = gs.real(8),
      g.max_lat = gs.real(9);
      g.households = static_cast<int>(gs.int64(10));
      g.residents = static_cast<int>(gs.int64(11));
      org.grids.push_back(std::move(g));
    }
    auto us = cx.prepare(
        "SELECT id, kind, subkind, name, name_en, contact, contact_person, address, street_id, "
        "community_id, grid_id, lat, lng FROM units ORDER BY rowid");
    while (us.step()) {
      UnitRow u{us.text(0), us.text(1), us.text(2), us.text(3), us.text(4), us.text(5),
                us.text(6), us.text(7), us.text(8), us.text(9), us.text(10)};
      if (!us.is_null(11)) u.lat = us.real(11);
      if (!us.is_null(12)) u.lng = us.real(12);
      org.units.push_back(std::move(u));
    }
    auto cal = cx.prepare("SELECT day, kind FROM calendar_days ORDER BY day");
    while (cal.step()) org.calendar.push_back({cal.text(0), cal.text(1)});
    auto gw = cx.prepare(
        "SELECT ug.grid_id, u.id, u.name FROM user_grids ug JOIN users u ON u.id = ug.user_id "
        "WHERE u.role = 'grid_worker' AND u.disabled = 0 ORDER BY ug.grid_id, u.id");
    while (gw.step()) org.grid_workers.push_back({gw.text(0), gw.int64(1), gw.text(2)});
    if (st.failed() || cs.failed() || gs.failed() || us.failed() || cal.failed())
      return fail(cx, "load_org");
    return org;
  });
}

namespace {
void load_user_grids(SqliteStore::Conn& db, UserRow& u) {
  auto g = db.prepare("SELECT grid_id FROM user_grids WHERE user_id = ? ORDER BY grid_id");
  g.bind(1, u.id);
  while (g.step()) u.grid_ids.push_back(g.text(0));
}
}  // namespace

Result<std::optional<UserRow>> SqliteStore::find_user(std::int64_t id) {
  return read([&](Conn& cx) { return find_user_in(cx, id); });
}

Result<std::optional<UserRow>> SqliteStore::find_user_in(Conn& cx, std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?";
  auto s = cx.prepare(sql);
  s.bind(1, id);
  if (!s.step()) {
    if (s.failed()) return fail(cx, "find_user");
    return std::optional<UserRow>();
  }
  UserRow u = read_user(s);
  s = sqlite::Stmt();
  load_user_grids(cx, u);
  return std::optional<UserRow>(std::move(u));
}

Result<std::optional<UserRow>> SqliteStore::find_user_by_login(const std::string& login) {
  return read([&](Conn& cx) -> core::Result<std::optional<UserRow>> {
    // Usernames without regard to ASCII case (the index users_username_lower).
    auto s = cx.prepare(std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE lower(username) = ?2 OR phone = ?1 LIMIT 1");
    s.bind(1, login).bind(2, core::ascii_lower(login));
    if (!s.step()) {
      if (s.failed()) return fail(cx, "find_user_by_login");
      return std::optional<UserRow>();
    }
    UserRow u = read_user(s);
    load_user_grids(cx, u);
    return std::optional<UserRow>(std::move(u));
  });
}

Result<std::vector<UserRow>> SqliteStore::users(int page, int page_size) {
  return read([&](Conn& cx) -> core::Result<std::vector<UserRow>> {
    auto s = cx.prepare(std::string("SELECT ") + kUserColumns +
                        " FROM users ORDER BY id LIMIT ? OFFSET ?");
    s.bind(1, page_size).bind(2, static_cast<std::int64_t>(page - 1) * page_size);
    std::vector<UserRow> out;
    while (s.step()) out.push_back(read_user(s));
    if (s.failed()) return fail(cx, "users");
    for (auto& u : out) load_user_grids(cx, u);
    return out;
  });
}

Result<std::int64_t> SqliteStore::create_user(UserRow u) {
  return write([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare(
        "INSERT INTO users(username, phone, name, role, title, password_hash, unit_id, street_id, "
        "community_id, disabled, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    s.bind(1, non_empty(u.username)).bind(2, non_empty(u.phone)).bind(3, u.name);
    s.bind(4, core::to_string(u.role)).bind(5, u.title).bind(6, u.password_hash);
    s.bind(7, non_empty(u.unit_id)).bind(8, non_empty(u.street_id));
    s.bind(9, non_empty(u.community_id)).bind(10, u.disabled ? 1 : 0);
    s.bind(11, core::to_unix(u.created_at));
    if (!s.step()) {
      if ((s.rc() & 0xff) == SQLITE_CONSTRAINT)
        return Error::conflict("account_exists", "an account with this phone or username exists");
      return fail(cx, "create_user");
    }
    const std::int64_t id = s.int64(0);
    s = sqlite::Stmt();
    auto g = cx.prepare("INSERT INTO user_grids(user_id, grid_id) VALUES (?, ?)");
    for (const auto& grid : u.grid_ids) {
      g.reset();
      g.bind(1, id).bind(2, grid);
      g.step();
      if (g.failed()) return Error::invalid("grid_ids", "unknown_grid", "names an unknown grid");
    }
    g = sqlite::Stmt();
    return id;
  });
}

// [SECTION] Sessions

core::Outcome SqliteStore::create_session(const std::string& token_hash, std::int64_t user_id,
                                          core::TimePoint now, core::TimePoint expires_at) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "INSERT INTO sessions(token_hash, user_id, created_at, last_seen_at, expires_at) "
        "VALUES (?,?,?,?,?)");
    s.bind(1, token_hash).bind(2, user_id).bind(3, core::to_unix(now)).bind(4, core::to_unix(now));
    s.bind(5, core::to_unix(expires_at));
    s.step();
    if (s.failed()) return fail(cx, "create_session");
    return core::Unit{};
  });
}

Result<std::optional<std::int64_t>> SqliteStore::session_user(const std::string& token_hash,
                                                              core::TimePoint now,
                                                              std::chrono::seconds idle) {
  const std::int64_t t = core::to_unix(now);
  std::int64_t seen = 0;
  std::int64_t expires = 0;
  auto user =
      read([&](Conn& cx) { return live_session_in(cx, token_hash, t, idle, seen, expires); });
  if (user && *user) {
    if (auto refreshed = refresh_session(token_hash, t, seen); !refreshed) return refreshed.error();
  }
  return user;
}

Result<std::optional<UserRow>> SqliteStore::session_user_row(const std::string& token_hash,
                                                             core::TimePoint now,
                                                             std::chrono::seconds idle) {
  // Every signed-in request asks this: live sessions are kept in memory. This process
  // is the only writer of the database, and every change to sessions, users or their
  // grids goes through it and forgets what it changed (forget_sessions), so the cache
  // answers as the database would; entries are dropped after kSessionCacheTtl anyway.
  const std::int64_t t = core::to_unix(now);
  const auto mono = std::chrono::steady_clock::now();
  std::uint64_t generation = 0;
  std::optional<UserRow> cached;
  std::int64_t seen = 0, expires = 0;
  {
    std::lock_guard lock(sess_mu_);
    generation = sess_generation_;
    if (auto it = sess_cache_.find(token_hash); it != sess_cache_.end()) {
      CachedSession& c = it->second;
      if (mono - c.cached_at < kSessionCacheTtl && c.expires_at > t && c.seen > t - idle.count()) {
        cached = c.user;
        seen = c.seen;
        if (t - seen >= 60) c.seen = t;  // this request refreshes it, below
      } else {
        sess_cache_.erase(it);
      }
    }
  }
  if (cached) {
    if (auto refreshed = refresh_session(token_hash, t, seen); !refreshed) return refreshed.error();
    return cached;
  }
  auto user = read_snapshot([&](Conn& cx) -> core::Result<std::optional<UserRow>> {
    auto uid = live_session_in(cx, token_hash, t, idle, seen, expires);
    if (!uid) return uid.error();
    if (!*uid) return std::optional<UserRow>();
    return find_user_in(cx, **uid);
  });
  if (!user || !*user) return user;
  if (auto refreshed = refresh_session(token_hash, t, seen); !refreshed) return refreshed.error();
  std::lock_guard lock(sess_mu_);
  // Kept only if nothing was forgotten since the read began: a session revoked meanwhile
  // must not come back from a read that saw it alive.
  if (generation == sess_generation_) {
    if (sess_cache_.size() >= kSessionCacheMax) sess_cache_.clear();
    sess_cache_[token_hash] = CachedSession{**user, expires, t - seen >= 60 ? t : seen, mono};
  }
  return user;
}

void SqliteStore::forget_sessions(const std::string& token_hash) {
  std::lock_guard lock(sess_mu_);
  ++sess_generation_;
  if (token_hash.empty())
    sess_cache_.clear();
  else
    sess_cache_.erase(token_hash);
}

Result<std::optional<std::int64_t>> SqliteStore::live_session_in(
    Conn& cx, const std::string& token_hash, std::int64_t t, std::chrono::seconds idle,
    std::int64_t& seen, std::int64_t& expires) {
  auto s = cx.prepare(
      "SELECT s.user_id, s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = "
      "s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? AND "
      "u.disabled = 0");
  s.bind(1, token_hash).bind(2, t).bind(3, t - idle.count());
  if (!s.step()) {
    if (s.failed()) return fail(cx, "session_user");
    return std::optional<std::int64_t>();
  }
  seen = s.int64(1);
  expires = s.int64(2);
  return std::optional<std::int64_t>(s.int64(0));
}

core::Outcome SqliteStore::refresh_session(const std::string& token_hash, std::int64_t t,
                                           std::int64_t seen) {
  // At most once a minute: a read should rarely cost a write.
  if (t - seen < 60) return core::Unit{};
  return write([&](Conn& cx) -> core::Outcome {
    auto u = cx.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?");
    u.bind(1, t).bind(2, token_hash);
    u.step();
    if (u.failed()) return fail(cx, "session_refresh");
    return core::Unit{};
  });
}

core::Outcome SqliteStore::update_user(std::int64_t id, const UserPatch& p) {
  SessionsChange change(*this);
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "UPDATE users SET name = COALESCE(?, name), password_hash = COALESCE(?, password_hash), "
        "title = COALESCE(?, title), disabled = COALESCE(?, disabled) WHERE id = ?");
    s.bind(1, p.name).bind(2, p.password_hash).bind(3, p.title);
    if (p.disabled)
      s.bind(4, *p.disabled ? 1 : 0);
    else
      s.bind_null(4);
    s.bind(5, id);
    s.step();
    if (s.failed()) return fail(cx, "update_user");
    if (sqlite3_changes(cx.handle()) == 0) return Error::not_found("no such user");
    s = sqlite::Stmt();
    if (p.password_hash || p.disabled.value_or(false)) {
      auto d = cx.prepare("DELETE FROM sessions WHERE user_id = ?");
      d.bind(1, id);
      d.step();
      if (d.failed()) return fail(cx, "revoke_sessions");
    }
    return core::Unit{};
  });
}

Result<std::int64_t> SqliteStore::count_users() {
  return read([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare("SELECT COUNT(*) FROM users");
    if (!s.step()) return fail(cx, "count_users");
    return s.int64(0);
  });
}

Result<std::int64_t> SqliteStore::create_api_key(const std::string& name,
                                                 const std::string& key_hash,
                                                 const std::string& prefix,
                                                 std::optional<std::int64_t> created_by,
                                                 core::TimePoint now) {
  return write([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare(
        "INSERT INTO api_keys(name, key_hash, prefix, created_by, created_at) VALUES (?,?,?,?,?) "
        "RETURNING id");
    s.bind(1, name).bind(2, key_hash).bind(3, prefix).bind(4, created_by);
    s.bind(5, core::to_unix(now));
    if (!s.step()) return fail(cx, "create_api_key");
    return s.int64(0);
  });
}

Result<std::vector<Store::ApiKeyRow>> SqliteStore::api_keys() {
  return read([&](Conn& cx) -> core::Result<std::vector<Store::ApiKeyRow>> {
    auto s =
        cx.prepare("SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY id");
    std::vector<ApiKeyRow> out;
    while (s.step())
      out.push_back(
          {s.int64(0), s.text(1), s.text(2), core::from_unix(s.int64(3)), opt_time(s, 4)});
    if (s.failed()) return fail(cx, "api_keys");
    return out;
  });
}

Result<bool> SqliteStore::revoke_api_key(std::int64_t id, core::TimePoint now) {
  return write([&](Conn& cx) -> core::Result<bool> {
    auto s = cx.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    s.bind(1, core::to_unix(now)).bind(2, id);
    s.step();
    if (s.failed()) return fail(cx, "revoke_api_key");
    return sqlite3_changes(cx.handle()) > 0;
  });
}

Result<std::optional<std::int64_t>> SqliteStore::find_api_key(const std::string& key_hash) {
  return read([&](Conn& cx) -> core::Result<std::optional<std::int64_t>> {
    auto s = cx.prepare("SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL");
    s.bind(1, key_hash);
    if (!s.step()) {
      if (s.failed()) return fail(cx, "find_api_key");
      return std::optional<std::int64_t>();
    }
    return std::optional<std::int64_t>(s.int64(0));
  });
}

core::Outcome SqliteStore::delete_session(const std::string& token_hash) {
  SessionsChange change(*this, token_hash);
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare("DELETE FROM sessions WHERE token_hash = ?");
    s.bind(1, token_hash);
    s.step();
    if (s.failed()) return fail(cx, "delete_session");
    return core::Unit{};
  });
}

// [SECTION] Tickets

void SqliteStore::seal_events(const std::string& number, std::int64_t& count,
                              std::string& last_hash, std::vector<core::AuditEvent>& events) {
  for (auto& e : events) {
    e.seq = ++count;
    e.ticket = number;
    core::seal(e, last_hash.empty() ? core::kGenesisHash : std::string_view(last_hash));
    last_hash = e.hash;
  }
}

bool SqliteStore::append_events(Conn& cx, std::int64_t ticket_id, const std::string& number,
                                std::int64_t& count, std::string& last_hash,
                                std::vector<core::AuditEvent>& events) {
  seal_events(number, count, last_hash, events);
  return insert_events(cx, ticket_id, events);
}

bool SqliteStore::insert_events(Conn& cx, std::int64_t ticket_id,
                                const std::vector<core::AuditEvent>& events) {
  auto s = cx.prepare(
      "INSERT INTO events(ticket_id, seq, at, actor_id, actor_role, actor_name, action, "
      "from_status, to_status, level, note, data, prev_hash, hash) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& e : events) {
    s.reset();
    s.bind(1, ticket_id).bind(2, e.seq).bind(3, e.at).bind(4, e.actor_id).bind(5, e.actor_role);
    s.bind(6, e.actor_name).bind(7, e.action).bind(8, e.from_status).bind(9, e.to_status);
    s.bind(10, e.level).bind(11, e.note).bind(12, e.data).bind(13, e.prev_hash).bind(14, e.hash);
    s.step();
    if (s.failed()) return false;
  }
  return true;
}

Result<TicketRecord> SqliteStore::insert_ticket(
    Conn& cx, TicketRecord t, std::vector<core::AuditEvent>& events,
    const std::vector<NotificationRecord>& notifications) {
  if (!t.idempotency_key.empty()) {
    auto q = cx.prepare(std::string("SELECT ") + kTicketColumns +
                        ", sealed_access_code, idempotency_fingerprint FROM tickets "
                        "WHERE idempotency_key = ?");
    q.bind(1, t.idempotency_key);
    if (q.step()) {
      TicketRecord first = read_ticket(q);
      first.idempotency_key = t.idempotency_key;
      first.sealed_access_code = q.opt_text(41).value_or("");
      first.idempotency_fingerprint = q.opt_text(42).value_or("");
      first.replayed = true;
      return first;
    }
    if (q.failed()) return fail(cx, "idempotency_lookup");
  }
  const auto day = core::civil_date(t.created_at, core::kShanghaiOffset);
  char day_key[16];
  std::snprintf(day_key, sizeof day_key, "%04d%02d%02d", day.year, day.month, day.day);
  {
    auto counter = cx.prepare(
        "INSERT INTO ticket_counters(day, last) VALUES (?, 1) "
        "ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last");
    counter.bind(1, std::string_view(day_key));
    if (!counter.step()) return fail(cx, "ticket_counter");
    t.number = core::format_ticket_number(day.year, day.month, day.day, counter.int64(0));
  }
  // The chain is sealed before the row goes in, so that the row carries its head.
  t.event_count = 0;
  t.last_hash.clear();
  seal_events(t.number, t.event_count, t.last_hash, events);
  {
    static const std::string sql =
        std::string("INSERT INTO tickets(number, ") + kTicketMutableColumns +
        ", idempotency_key, sealed_access_code, idempotency_fingerprint, event_count, "
        "last_hash) VALUES (?," +
        placeholders(kTicketMutableCount) + ",?,?,?,?,?) RETURNING id";
    auto s = cx.prepare(sql);
    s.bind(1, t.number);
    const int i = bind_ticket(s, 2, t);
    s.bind(i, non_empty(t.idempotency_key)).bind(i + 1, non_empty(t.sealed_access_code));
    s.bind(i + 2, non_empty(t.idempotency_fingerprint));
    s.bind(i + 3, t.event_count).bind(i + 4, t.last_hash);
    if (!s.step()) {
      if ((s.rc() & 0xff) == SQLITE_CONSTRAINT && t.external_id)
        return Error::conflict("duplicate_external_id", "a ticket with this external_id exists");
      return fail(cx, "create_ticket");
    }
    t.id = s.int64(0);
  }
  if (!index_ticket_text(cx, t.id, t.draft.description, t.draft.location.address))
    return fail(cx, "index_ticket");
  if (!t.draft.attachments.empty()) {
    std::vector<std::pair<std::string, std::string>> photos;
    for (const auto& id : t.draft.attachments) photos.emplace_back(id, "report");
    if (auto ok = claim_attachments(cx, t.id, photos, t.created_at); !ok) return ok.error();
  }
  if (!insert_events(cx, t.id, events)) return fail(cx, "append_events");
  if (t.notify) {
    auto s = cx.prepare(
        "INSERT INTO ticket_notify(ticket_id, lang, enabled, sealed_code) VALUES (?,?,?,?)");
    s.bind(1, t.id).bind(2, t.notify->lang).bind(3, t.notify->enabled ? 1 : 0);
    s.bind(4, t.notify->sealed_code);
    s.step();
    if (s.failed()) return fail(cx, "ticket_notify");
  }
  if (auto n = insert_notifications(cx, notifications, t.number); !n) return n.error();
  if (!daily_from_) daily_from_ = t.id;
  // Outside a batch (a write that runs alone) nothing else flushes.
  if (!in_batch_ && !flush_daily(cx)) return fail(cx, "daily_aggregates");
  t.version = 0;
  return t;
}

namespace {

// Each stats_daily column after (street_id, day), with its value for one ticket row `t`:
// what the change and deletion triggers of 0009_stats_daily.sql (as 0019_response_rate.sql
// left them) take in and out.
constexpr std::pair<const char*, const char*> kDailyOfTicket[] = {
    {"total", "1"},
    {"st_submitted", "CASE WHEN t.status = 'submitted' THEN 1 ELSE 0 END"},
    {"st_assigned", "CASE WHEN t.status = 'assigned' THEN 1 ELSE 0 END"},
    {"st_accepted", "CASE WHEN t.status = 'accepted' THEN 1 ELSE 0 END"},
    {"st_in_progress", "CASE WHEN t.status = 'in_progress' THEN 1 ELSE 0 END"},
    {"st_resolved", "CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END"},
    {"st_closed", "CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END"},
    {"st_returned", "CASE WHEN t.status = 'returned' THEN 1 ELSE 0 END"},
    {"st_rejected", "CASE WHEN t.status = 'rejected' THEN 1 ELSE 0 END"},
    {"st_merged", "CASE WHEN t.status = 'merged' THEN 1 ELSE 0 END"},
    {"lv_grid", "CASE WHEN t.level = 'grid' THEN 1 ELSE 0 END"},
    {"lv_community", "CASE WHEN t.level = 'community' THEN 1 ELSE 0 END"},
    {"lv_street", "CASE WHEN t.level = 'street' THEN 1 ELSE 0 END"},
    {"lv_district", "CASE WHEN t.level = 'district' THEN 1 ELSE 0 END"},
    {"ch_web", "CASE WHEN t.channel = 'web' THEN 1 ELSE 0 END"},
    {"ch_embed", "CASE WHEN t.channel = 'embed' THEN 1 ELSE 0 END"},
    {"ch_hotline", "CASE WHEN t.channel = 'hotline' THEN 1 ELSE 0 END"},
    {"ch_patrol", "CASE WHEN t.channel = 'patrol' THEN 1 ELSE 0 END"},
    {"ch_open311", "CASE WHEN t.channel = 'open311' THEN 1 ELSE 0 END"},
    {"overdue", "CASE WHEN t.overdue <> 0 THEN 1 ELSE 0 END"},
    // Answered: the unanswered part of the response rate's denominator depends on the
    // time of asking and is counted at read time (stats_store.hpp, "Daily aggregates").
    {"response_answered",
     "CASE WHEN t.assigned_at IS NOT NULL AND t.responded_at IS NOT NULL THEN 1 ELSE 0 END"},
    {"response_num",
     "CASE WHEN t.assigned_at IS NOT NULL AND t.responded_at IS NOT NULL AND "
     "t.responded_at <= t.response_due_at THEN 1 ELSE 0 END"},
    {"on_time_den", "CASE WHEN t.resolved_at IS NOT NULL THEN 1 ELSE 0 END"},
    {"on_time_num",
     "CASE WHEN t.resolved_at IS NOT NULL AND t.resolved_at <= t.resolve_due_at THEN 1 ELSE 0 "
     "END"},
    {"handle_seconds",
     "CASE WHEN t.resolved_at IS NOT NULL THEN t.resolved_at - t.created_at ELSE 0 END"},
    {"rated", "CASE WHEN t.rating_satisfaction IS NOT NULL THEN 1 ELSE 0 END"},
    {"rated_resolved",
     "CASE WHEN t.rating_satisfaction IS NOT NULL AND t.rating_resolved IS NOT NULL AND "
     "t.rating_resolved <> 0 THEN 1 ELSE 0 END"},
    {"sat_le1",
     "CASE WHEN t.rating_satisfaction IS NOT NULL AND t.rating_satisfaction <= 1 THEN 1 ELSE 0 "
     "END"},
    {"sat_2",
     "CASE WHEN t.rating_satisfaction IS NOT NULL AND t.rating_satisfaction = 2 THEN 1 ELSE 0 END"},
    {"sat_3",
     "CASE WHEN t.rating_satisfaction IS NOT NULL AND t.rating_satisfaction = 3 THEN 1 ELSE 0 END"},
    {"sat_4",
     "CASE WHEN t.rating_satisfaction IS NOT NULL AND t.rating_satisfaction = 4 THEN 1 ELSE 0 END"},
    {"sat_ge5",
     "CASE WHEN t.rating_satisfaction IS NOT NULL AND t.rating_satisfaction >= 5 THEN 1 ELSE 0 "
     "END"},
    {"reopen_den", "CASE WHEN t.resolved_at IS NOT NULL OR t.reopen_count > 0 THEN 1 ELSE 0 END"},
    {"reopen_num", "CASE WHEN t.reopen_count > 0 THEN 1 ELSE 0 END"},
};

// Each new ticket's street, day of creation, category and its value of every column.
std::string daily_select() {
  std::string sql = "SELECT COALESCE(t.street_id, ''), (t.created_at + 28800) / 86400, t.category";
  for (const auto& [col, expr] : kDailyOfTicket) sql += std::string(", ") + expr;
  return sql + " FROM tickets t WHERE t.id >= ?1";
}

// Adds one row of sums to a (street_id, day) row of stats_daily.
std::string daily_upsert() {
  std::string cols, params, set;
  for (const auto& [col, expr] : kDailyOfTicket) {
    const std::string c(col);
    cols += ", " + c;
    params += ", ?";
    set += (set.empty() ? "" : ", ") + c + " = stats_daily." + c + " + excluded." + c;
  }
  return "INSERT INTO stats_daily (street_id, day" + cols + ") VALUES (?, ?" + params +
         ") ON CONFLICT (street_id, day) DO UPDATE SET " + set;
}

}  // namespace

bool SqliteStore::flush_daily(Conn& cx) {
  if (!daily_from_) return true;
  // Summed here rather than by GROUP BY in SQL: a grouping query opens a temporary
  // b-tree, which cost more than the trigger it replaces.
  static const std::string select_sql = daily_select(), upsert_sql = daily_upsert();
  constexpr std::size_t kColumns = std::size(kDailyOfTicket);
  std::map<std::pair<std::string, std::int64_t>, std::array<std::int64_t, kColumns>> days;
  std::map<std::tuple<std::string, std::int64_t, std::string>, std::int64_t> categories;
  {
    auto s = cx.prepare(select_sql);
    s.bind(1, *daily_from_);
    while (s.step()) {
      const std::int64_t day = s.int64(1);
      const std::string category = s.text(2);
      for (std::string place : {s.text(0), std::string("*")}) {
        auto& sums = days[{place, day}];
        for (std::size_t i = 0; i < kColumns; ++i) sums[i] += s.int64(3 + static_cast<int>(i));
        categories[{std::move(place), day, category}] += 1;
      }
    }
    if (s.failed()) return false;
  }
  auto up = cx.prepare(upsert_sql);
  for (const auto& [key, sums] : days) {
    up.reset();
    up.bind(1, key.first).bind(2, key.second);
    for (std::size_t i = 0; i < kColumns; ++i) up.bind(3 + static_cast<int>(i), sums[i]);
    up.step();
    if (up.failed()) return false;
  }
  auto cat = cx.prepare(
      "INSERT INTO stats_daily_category (street_id, day, category, n) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (street_id, day, category) DO UPDATE SET n = stats_daily_category.n + "
      "excluded.n");
  for (const auto& [key, n] : categories) {
    cat.reset();
    cat.bind(1, std::get<0>(key)).bind(2, std::get<1>(key)).bind(3, std::get<2>(key)).bind(4, n);
    cat.step();
    if (cat.failed()) return false;
  }
  daily_from_.reset();
  return true;
}

Result<TicketRecord> SqliteStore::create_ticket(TicketRecord t,
                                                std::vector<core::AuditEvent> events,
                                                std::vector<NotificationRecord> notifications) {
  return write(
      // A copy of the ticket each time: the job may run twice (see run_batch()).
      [&](Conn& cx) -> core::Result<TicketRecord> {
        return insert_ticket(cx, t, events, notifications);
      },
      WriteKind::creates, Rerun::yes);
}

Result<std::vector<TicketRecord>> SqliteStore::create_tickets(std::vector<NewTicket> tickets) {
  return write(
      [&](Conn& cx) -> core::Result<std::vector<TicketRecord>> {
        std::vector<TicketRecord> out;
        out.reserve(tickets.size());
        auto w = cx.prepare(
            "INSERT INTO whistles(ticket_id, unit_id, status, note, summoned_by, summoned_at, "
            "checked_in_at, done_at) VALUES (?,?,?,?,?,?,?,?)");
        for (auto& n : tickets) {
          auto r = insert_ticket(cx, n.ticket, n.events, n.notifications);
          if (!r) return r.error();
          for (const auto& x : n.whistles) {
            w.reset();
            w.bind(1, r->id).bind(2, x.unit_id).bind(3, core::to_string(x.status)).bind(4, x.note);
            w.bind(5, x.summoned_by).bind(6, core::to_unix(x.summoned_at));
            w.bind(7, unix_of(x.checked_in_at)).bind(8, unix_of(x.done_at));
            w.step();
            if (w.failed()) return fail(cx, "insert_whistles");
          }
          out.push_back(std::move(*r));
        }
        w = sqlite::Stmt();
        return out;
      },
      WriteKind::creates);
}

Result<TicketRecord> SqliteStore::commit_change(TicketChange c) {
  return write([&](Conn& cx) -> core::Result<TicketRecord> {
    TicketRecord& t = c.ticket;
    {
      auto head = cx.prepare(
          "SELECT version, event_count, last_hash, description, address FROM tickets WHERE id = ?");
      head.bind(1, t.id);
      if (!head.step()) return Error::not_found("no such ticket");
      if (head.int64(0) != t.version)
        return Error::conflict("conflict", "the ticket changed meanwhile; reload and try again");
      t.event_count = head.int64(1);
      t.last_hash = head.text(2);
      // The search index follows a new description or address in the same transaction.
      std::string description = head.text(3), address = head.text(4);
      if (description != t.draft.description || address != t.draft.location.address) {
        head = sqlite::Stmt();
        if (!index_ticket_text(cx, t.id, description, address, true) ||
            !index_ticket_text(cx, t.id, t.draft.description, t.draft.location.address))
          return fail(cx, "index_ticket");
      }
    }
    if (!append_events(cx, t.id, t.number, t.event_count, t.last_hash, c.events))
      return fail(cx, "append_events");
    {
      std::string sql = "UPDATE tickets SET (";
      sql += kTicketMutableColumns;
      sql += ", version, event_count, last_hash) = (" + placeholders(kTicketMutableCount) +
             ", ?, ?, ?) WHERE id = ? AND version = ?";
      auto s = cx.prepare(sql);
      int i = bind_ticket(s, 1, t);
      s.bind(i, t.version + 1).bind(i + 1, t.event_count).bind(i + 2, t.last_hash);
      s.bind(i + 3, t.id).bind(i + 4, t.version);
      s.step();
      if (s.failed()) return fail(cx, "update_ticket");
    }
    for (auto& w : c.new_whistles) {
      auto s = cx.prepare(
          "INSERT INTO whistles(ticket_id, unit_id, status, note, summoned_by, summoned_at) "
          "VALUES (?,?,?,?,?,?) RETURNING id");
      s.bind(1, t.id).bind(2, w.unit_id).bind(3, core::to_string(w.status)).bind(4, w.note);
      s.bind(5, w.summoned_by).bind(6, core::to_unix(w.summoned_at));
      if (!s.step()) return fail(cx, "insert_whistle");
      w.id = s.int64(0);
    }
    for (const auto& w : c.updated_whistles) {
      auto s = cx.prepare(
          "UPDATE whistles SET status = ?, note = ?, checked_in_at = ?, done_at = ? "
          "WHERE id = ? AND ticket_id = ?");
      s.bind(1, core::to_string(w.status)).bind(2, w.note).bind(3, unix_of(w.checked_in_at));
      s.bind(4, unix_of(w.done_at)).bind(5, w.id).bind(6, t.id);
      s.step();
      if (s.failed()) return fail(cx, "update_whistle");
    }
    if (auto ok = claim_attachments(cx, t.id, c.attachments, t.updated_at); !ok) return ok.error();
    if (c.move_followers) {
      // A merge: the followers, and the submitter, now follow the ticket it went into.
      const auto& m = *c.move_followers;
      auto s = cx.prepare(
          "INSERT INTO ticket_followers(ticket_id, user_id, created_at, moved_from) "
          "SELECT ?1, user_id, ?2, ?3 FROM ticket_followers WHERE ticket_id = ?3 "
          "AND user_id IS NOT ?4 UNION SELECT ?1, ?5, ?2, ?3 WHERE ?5 IS NOT NULL "
          "AND ?5 IS NOT ?4 ON CONFLICT (ticket_id, user_id) DO NOTHING");
      s.bind(1, m.into_id).bind(2, core::to_unix(t.updated_at)).bind(3, t.id);
      s.bind(4, m.into_submitter).bind(5, m.submitter);
      s.step();
      if (s.failed()) return fail(cx, "move_followers");
      auto d = cx.prepare("DELETE FROM ticket_followers WHERE ticket_id = ?");
      d.bind(1, t.id);
      d.step();
      if (d.failed()) return fail(cx, "move_followers");
    }
    if (auto n = insert_notifications(cx, c.notifications); !n) return n.error();
    t.version += 1;
    t.followers = 0;
    return t;
  });
}

Result<std::optional<TicketRecord>> SqliteStore::find_ticket(const std::string& number) {
  return read([&](Conn& cx) { return find_ticket_in(cx, number); });
}

Result<std::optional<TicketRecord>> SqliteStore::find_ticket_in(Conn& cx,
                                                                const std::string& number) {
  static const std::string sql =
      std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE number = ?";
  auto s = cx.prepare(sql);
  s.bind(1, number);
  if (s.step()) return std::optional<TicketRecord>(read_ticket(s));
  if (s.failed()) return fail(cx, "find_ticket");
  return std::optional<TicketRecord>();
}

Result<std::optional<Store::TicketBundle>> SqliteStore::find_ticket_bundle(
    const std::string& number) {
  return read_snapshot([&](Conn& cx) -> core::Result<std::optional<TicketBundle>> {
    auto t = find_ticket_in(cx, number);
    if (!t) return t.error();
    if (!*t) return std::optional<TicketBundle>();
    TicketBundle b{std::move(**t), {}, {}};
    auto w = whistles_in(cx, b.ticket.id);
    if (!w) return w.error();
    b.whistles = std::move(*w);
    auto a = ticket_attachments_in(cx, b.ticket.id);
    if (!a) return a.error();
    b.attachments = std::move(*a);
    return std::optional<TicketBundle>(std::move(b));
  });
}

Result<TicketPage> SqliteStore::list_tickets(const TicketFilter& f) {
  return read([&](Conn& cx) -> core::Result<TicketPage> {
    std::string where = " WHERE 1=1";
    std::vector<std::string> texts;  // bound in order after the fixed ones
    std::vector<std::function<void(sqlite::Stmt&, int&)>> binds;
    auto add_text = [&](const std::string& clause, std::string value) {
      where += clause;
      binds.push_back([v = std::move(value)](sqlite::Stmt& s, int& i) { s.bind(i++, v); });
    };
    if (f.submitter_id) {
      where += " AND submitter_id = ?";
      binds.push_back([v = *f.submitter_id](sqlite::Stmt& s, int& i) { s.bind(i++, v); });
    }
    if (!f.grid_ids.empty()) {
      where += " AND grid_id IN (" + placeholders(static_cast<int>(f.grid_ids.size())) + ")";
      for (const auto& g : f.grid_ids)
        binds.push_back([g](sqlite::Stmt& s, int& i) { s.bind(i++, g); });
    }
    if (f.followed_by) {
      where += " AND id IN (SELECT ticket_id FROM ticket_followers WHERE user_id = ?)";
      binds.push_back([v = *f.followed_by](sqlite::Stmt& s, int& i) { s.bind(i++, v); });
    }
    if (!f.community_id.empty()) add_text(" AND community_id = ?", f.community_id);
    if (!f.street_id.empty()) add_text(" AND street_id = ?", f.street_id);
    if (!f.unit_id.empty()) {
      where +=
          " AND ((assignee_kind = 'unit' AND assignee_id = ?) OR id IN (SELECT ticket_id FROM "
          "whistles WHERE unit_id = ?))";
      binds.push_back([v = f.unit_id](sqlite::Stmt& s, int& i) {
        s.bind(i++, v);
        s.bind(i++, v);
      });
    }
    if (f.status) add_text(" AND status = ?", std::string(core::to_string(*f.status)));
    if (f.level) add_text(" AND level = ?", std::string(core::to_string(*f.level)));
    if (!f.category.empty()) add_text(" AND category = ?", f.category);
    if (f.overdue_only) where += " AND overdue = 1";
    if (f.open_only) where += std::string(" AND ") + kOpenStatusTerm;
    std::optional<std::int64_t> known_total;
    if (!f.q.empty()) {
      // The text (core/search.hpp), and a ticket number by its prefix (a range of the
      // number's unique index). A query of punctuation alone finds nothing.
      const std::string match = fts_query(f.q);
      const auto number = core::ticket_number_prefix(f.q);
      if (match.empty() && !number) {
        where += " AND 0";
      } else if (where == " WHERE 1=1" && !number) {
        return search_everything(cx, match, f);
      } else {
        // The index lists every ticket holding the text, a third of them for a common
        // character: joined with the other filters that is a lookup per match. Where
        // those filters leave few tickets (a queue, a citizen's own), reading their
        // texts costs less; one pass over at most the limit's worth of them tells
        // which, and when they are few it is the count.
        const std::string number_range = "(number >= ? AND number < ?)";
        auto text_or_number = [&](const std::string& text) {
          if (match.empty()) return number_range;
          return number ? text + " OR " + number_range : text;
        };
        auto bind_text_or_number = [&](sqlite::Stmt& s, int& i, const std::string& text) {
          if (!match.empty()) s.bind(i++, text);
          if (number) {
            s.bind(i++, *number);
            s.bind(i++, core::ticket_number_prefix_end(*number));
          }
        };
        bool scan = false;
        if (where != " WHERE 1=1") {
          auto s = cx.prepare(
              "SELECT COUNT(*), TOTAL(" + text_or_number("search_match(description, address, ?)") +
              ") FROM (SELECT description, address, number FROM tickets" + where + " LIMIT ?)");
          int i = 1;
          bind_text_or_number(s, i, f.q);
          for (auto& b : binds) b(s, i);
          s.bind(i, search_scan_limit_ + 1);
          if (!s.step()) return fail(cx, "count_candidates");
          scan = s.int64(0) <= search_scan_limit_;
          if (scan) known_total = static_cast<std::int64_t>(s.real(1));
        }
        const std::string text =
            scan ? "search_match(description, address, ?)"
                 : "id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)";
        where += " AND (" + text_or_number(text) + ")";
        // By value: the binds run after this block.
        binds.push_back(
            [has_text = !match.empty(), number, t = scan ? f.q : match](sqlite::Stmt& s, int& i) {
              if (has_text) s.bind(i++, t);
              if (number) {
                s.bind(i++, *number);
                s.bind(i++, core::ticket_number_prefix_end(*number));
              }
            });
      }
    }
    TicketPage page;
    if (known_total) {
      page.total = *known_total;
    } else {
      auto s = cx.prepare("SELECT COUNT(*) FROM tickets" + where);
      int i = 1;
      for (auto& b : binds) b(s, i);
      if (!s.step()) return fail(cx, "count_tickets");
      page.total = s.int64(0);
    }
    // Most urgent first among open tickets: overdue, then the nearest deadline; newest otherwise.
    const char* order = f.open_only || f.overdue_only
                            ? " ORDER BY overdue DESC, response_due_at ASC, id DESC"
                            : " ORDER BY id DESC";
    auto s = cx.prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets" + where + order +
                        " LIMIT ? OFFSET ?");
    int i = 1;
    for (auto& b : binds) b(s, i);
    s.bind(i, f.page_size).bind(i + 1, static_cast<std::int64_t>(f.page - 1) * f.page_size);
    while (s.step()) page.items.push_back(read_ticket(s));
    if (s.failed()) return fail(cx, "list_tickets");
    return page;
  });
}

Result<TicketPage> SqliteStore::search_everything(Conn& cx, const std::string& match,
                                                  const TicketFilter& f) {
  // Every ticket may be listed: the index alone counts the matches, and gives the
  // page newest first (FTS5 walks its ids backwards), each looked up by its id.
  TicketPage page;
  {
    auto s = cx.prepare("SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH ?");
    s.bind(1, match);
    if (!s.step()) return fail(cx, "count_tickets");
    page.total = s.int64(0);
  }
  static const std::string sql = std::string("SELECT ") + kTicketColumns +
                                 " FROM ticket_search CROSS JOIN tickets ON tickets.id = "
                                 "ticket_search.rowid WHERE ticket_search MATCH ? ORDER BY "
                                 "ticket_search.rowid DESC LIMIT ? OFFSET ?";
  auto s = cx.prepare(sql);
  s.bind(1, match).bind(2, f.page_size);
  s.bind(3, static_cast<std::int64_t>(f.page - 1) * f.page_size);
  while (s.step()) page.items.push_back(read_ticket(s));
  if (s.failed()) return fail(cx, "list_tickets");
  return page;
}

Result<std::vector<WhistleRecord>> SqliteStore::whistles(std::int64_t ticket_id) {
  return read([&](Conn& cx) { return whistles_in(cx, ticket_id); });
}

Result<std::vector<WhistleRecord>> SqliteStore::whistles_in(Conn& cx, std::int64_t ticket_id) {
  auto s = cx.prepare(
      "SELECT w.id, w.ticket_id, w.unit_id, w.status, w.note, w.summoned_by, w.summoned_at, "
      "w.checked_in_at, w.done_at, u.name FROM whistles w LEFT JOIN units u ON u.id = w.unit_id "
      "WHERE w.ticket_id = ? ORDER BY w.id");
  s.bind(1, ticket_id);
  std::vector<WhistleRecord> out;
  while (s.step()) out.push_back(read_whistle(s));
  if (s.failed()) return fail(cx, "whistles");
  return out;
}

Result<std::vector<core::AuditEvent>> SqliteStore::events(std::int64_t ticket_id) {
  return read([&](Conn& cx) -> core::Result<std::vector<core::AuditEvent>> {
    auto s = cx.prepare(
        "SELECT e.seq, t.number, e.at, e.actor_id, e.actor_role, e.actor_name, e.action, "
        "e.from_status, e.to_status, e.level, e.note, e.data, e.prev_hash, e.hash FROM events e "
        "JOIN tickets t ON t.id = e.ticket_id WHERE e.ticket_id = ? ORDER BY e.seq");
    s.bind(1, ticket_id);
    std::vector<core::AuditEvent> out;
    while (s.step()) {
      core::AuditEvent e;
      e.seq = s.int64(0);
      e.ticket = s.text(1);
      e.at = s.text(2);
      e.actor_id = s.text(3);
      e.actor_role = s.text(4);
      e.actor_name = s.text(5);
      e.action = s.text(6);
      e.from_status = s.text(7);
      e.to_status = s.text(8);
      e.level = s.text(9);
      e.note = s.text(10);
      e.data = s.text(11);
      e.prev_hash = s.text(12);
      e.hash = s.text(13);
      out.push_back(std::move(e));
    }
    if (s.failed()) return fail(cx, "events");
    return out;
  });
}

Result<std::vector<TicketRecord>> SqliteStore::nearby_tickets(const NearbyQuery& q) {
  return read([&](Conn& cx) -> core::Result<std::vector<TicketRecord>> {
    // Nearest first by the squared distance on a plane scaled to metres at this latitude
    // (exact enough within a kilometre); the status list is the partial index's own.
    static const std::string sql =
        std::string("SELECT ") + kTicketColumns +
        " FROM tickets WHERE category = ?1 AND status IN ('submitted', 'assigned', 'accepted', "
        "'in_progress', 'returned') AND lat BETWEEN ?2 AND ?3 AND lng BETWEEN ?4 AND ?5 AND "
        "created_at >= ?6 AND NOT (lat = ?9 AND lng = ?10) ORDER BY (lat - ?7) * (lat - ?7) + "
        "(lng - ?8) * (lng - ?8) * ?11, id DESC LIMIT ?12";
    auto s = cx.prepare(sql);
    const double k = std::cos(q.lat * 3.14159265358979323846 / 180);
    s.bind(1, q.category).bind(2, q.min_lat).bind(3, q.max_lat).bind(4, q.min_lng);
    s.bind(5, q.max_lng).bind(6, core::to_unix(q.since)).bind(7, q.lat).bind(8, q.lng);
    s.bind(9, core::Location::kUnknownLat).bind(10, core::Location::kUnknownLng);
    s.bind(11, k * k).bind(12, q.limit);
    std::vector<TicketRecord> out;
    while (s.step()) out.push_back(read_ticket(s));
    if (s.failed()) return fail(cx, "nearby_tickets");
    return out;
  });
}

namespace {
core::Result<std::int64_t> follower_count(SqliteStore::Conn& cx, std::int64_t ticket_id) {
  auto s = cx.prepare("SELECT COUNT(*) FROM ticket_followers WHERE ticket_id = ?");
  s.bind(1, ticket_id);
  if (!s.step()) return Error{"internal", "database error", {}, 500};
  return s.int64(0);
}
}  // namespace

Result<std::int64_t> SqliteStore::follow(std::int64_t ticket_id, std::int64_t user_id,
                                         core::TimePoint now) {
  return write([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare(
        "INSERT INTO ticket_followers(ticket_id, user_id, created_at) VALUES (?,?,?) "
        "ON CONFLICT (ticket_id, user_id) DO NOTHING");
    s.bind(1, ticket_id).bind(2, user_id).bind(3, core::to_unix(now));
    s.step();
    if (s.failed()) return fail(cx, "follow");
    return follower_count(cx, ticket_id);
  });
}

Result<std::int64_t> SqliteStore::unfollow(std::int64_t ticket_id, std::int64_t user_id) {
  return write([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare("DELETE FROM ticket_followers WHERE ticket_id = ? AND user_id = ?");
    s.bind(1, ticket_id).bind(2, user_id);
    s.step();
    if (s.failed()) return fail(cx, "unfollow");
    return follower_count(cx, ticket_id);
  });
}

Result<bool> SqliteStore::is_follower(std::int64_t ticket_id, std::int64_t user_id) {
  return read([&](Conn& cx) -> core::Result<bool> {
    auto s = cx.prepare("SELECT 1 FROM ticket_followers WHERE ticket_id = ? AND user_id = ?");
    s.bind(1, ticket_id).bind(2, user_id);
    if (s.step()) return true;
    if (s.failed()) return fail(cx, "is_follower");
    return false;
  });
}

Result<std::vector<Recipient>> SqliteStore::followers_of(std::int64_t ticket_id,
                                                         std::optional<std::int64_t> moved_from) {
  return read([&](Conn& cx) -> core::Result<std::vector<Recipient>> {
    auto s = cx.prepare(
        "SELECT u.id, COALESCE(u.phone, ''), u.name FROM ticket_followers f "
        "JOIN users u ON u.id = f.user_id WHERE f.ticket_id = ?1 AND u.disabled = 0 "
        "AND (?2 IS NULL OR f.moved_from = ?2) ORDER BY u.id");
    s.bind(1, ticket_id).bind(2, moved_from);
    std::vector<Recipient> out;
    while (s.step()) out.push_back(Recipient{s.int64(0), s.text(1), s.text(2)});
    if (s.failed()) return fail(cx, "followers_of");
    return out;
  });
}

Result<std::vector<std::string>> SqliteStore::numbers_where(const char* sql, std::int64_t t,
                                                            int limit) {
  return read([&](Conn& cx) -> core::Result<std::vector<std::string>> {
    auto s = cx.prepare(sql);
    s.bind(1, t).bind(2, limit);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    if (s.failed()) return fail(cx, "scheduler_query");
    return out;
  });
}

Result<std::vector<std::string>> SqliteStore::due_for_escalation(core::TimePoint now, int limit) {
  return numbers_where(
      "SELECT number FROM tickets WHERE status IN ('submitted','assigned','returned') AND "
      "responded_at IS NULL AND response_due_at <= ? ORDER BY response_due_at LIMIT ?",
      core::to_unix(now), limit);
}

Result<std::vector<std::string>> SqliteStore::due_for_overdue_flag(core::TimePoint now, int limit) {
  return numbers_where(
      "SELECT number FROM tickets WHERE status IN ('submitted','assigned','accepted',"
      "'in_progress','returned') AND overdue = 0 AND resolve_due_at <= ? "
      "ORDER BY resolve_due_at LIMIT ?",
      core::to_unix(now), limit);
}

Result<std::vector<std::string>> SqliteStore::due_for_auto_close(core::TimePoint resolved_before,
                                                                 int limit) {
  return numbers_where(
      "SELECT number FROM tickets WHERE status = 'resolved' AND resolved_at <= ? "
      "ORDER BY resolved_at LIMIT ?",
      core::to_unix(resolved_before), limit);
}

Result<std::vector<std::pair<std::int64_t, std::string>>> SqliteStore::ticket_ids(
    std::int64_t after_id, int limit) {
  return read([&](Conn& cx) -> core::Result<std::vector<std::pair<std::int64_t, std::string>>> {
    auto s = cx.prepare("SELECT id, number FROM tickets WHERE id > ? ORDER BY id LIMIT ?");
    s.bind(1, after_id).bind(2, limit);
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (s.step()) out.emplace_back(s.int64(0), s.text(1));
    if (s.failed()) return fail(cx, "ticket_ids");
    return out;
  });
}

// [SECTION] Attachments

core::Outcome SqliteStore::put_attachment(const AttachmentRecord& a) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "INSERT INTO attachments(id, mime, width, height, bytes, data, uploader, created_at, "
        "sha256, uploader_addr) VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, a.id).bind(2, a.mime).bind(3, a.width).bind(4, a.height).bind(5, a.bytes);
    s.bind_blob(6, a.data).bind(7, a.uploader).bind(8, core::to_unix(a.created_at));
    s.bind(9, a.sha256).bind(10, a.uploader_addr);
    s.step();
    if (s.failed()) return fail(cx, "put_attachment");
    return core::Unit{};
  });
}

Result<std::optional<AttachmentRecord>> SqliteStore::attachment(const std::string& id) {
  return read([&](Conn& cx) -> core::Result<std::optional<AttachmentRecord>> {
    auto s = cx.prepare(
        "SELECT id, mime, width, height, bytes, data, uploader, created_at, sha256, "
        "uploader_addr, claimed_at FROM attachments WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) {
      if (s.failed()) return fail(cx, "attachment");
      return std::optional<AttachmentRecord>();
    }
    AttachmentRecord a{s.text(0),
                       s.text(1),
                       static_cast<int>(s.int64(2)),
                       static_cast<int>(s.int64(3)),
                       s.int64(4),
                       s.blob(5),
                       s.opt_int64(6),
                       core::from_unix(s.int64(7)),
                       s.text(8),
                       s.text(9)};
    if (auto at = s.opt_int64(10)) a.claimed_at = core::from_unix(*at);
    return std::optional<AttachmentRecord>(std::move(a));
  });
}

core::Outcome SqliteStore::claim_attachments(
    Conn& cx, std::int64_t ticket_id,
    const std::vector<std::pair<std::string, std::string>>& photos, core::TimePoint at) {
  for (const auto& [id, role] : photos) {
    auto claim = cx.prepare(
        "UPDATE attachments SET claimed_at = ?, uploader_addr = '' WHERE id = ? AND claimed_at IS "
        "NULL");
    claim.bind(1, core::to_unix(at)).bind(2, id);
    claim.step();
    if (claim.failed()) return fail(cx, "claim_attachment");
    if (sqlite3_changes(cx.handle()) != 1) return attachment_already_used();
    auto link =
        cx.prepare("INSERT INTO ticket_attachments(ticket_id, attachment_id, role) VALUES (?,?,?)");
    link.bind(1, ticket_id).bind(2, id).bind(3, role);
    link.step();
    if (link.failed()) return fail(cx, "link_attachment");
  }
  return core::Unit{};
}

Result<std::vector<AttachmentRecord>> SqliteStore::ticket_attachments(std::int64_t ticket_id) {
  return read([&](Conn& cx) { return ticket_attachments_in(cx, ticket_id); });
}

Result<std::vector<AttachmentRecord>> SqliteStore::ticket_attachments_in(Conn& cx,
                                                                         std::int64_t ticket_id) {
  // Sorted here: a ticket has a few photos, and an ORDER BY on the joined table would
  // build a sorter for every ticket page, most of them without any photo.
  auto s = cx.prepare(
      "SELECT a.id, a.mime, a.width, a.height, a.bytes, a.created_at FROM ticket_attachments ta "
      "JOIN attachments a ON a.id = ta.attachment_id WHERE ta.ticket_id = ?");
  s.bind(1, ticket_id);
  std::vector<AttachmentRecord> out;
  while (s.step()) {
    AttachmentRecord a{s.text(0), s.text(1), static_cast<int>(s.int64(2)),
                       static_cast<int>(s.int64(3)), s.int64(4)};
    a.created_at = core::from_unix(s.int64(5));
    out.push_back(std::move(a));
  }
  if (s.failed()) return fail(cx, "ticket_attachments");
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.created_at != y.created_at ? x.created_at < y.created_at : x.id < y.id;
  });
  return out;
}

Result<std::vector<std::string>> SqliteStore::attachment_tickets(const std::string& id) {
  return read([&](Conn& cx) -> core::Result<std::vector<std::string>> {
    auto s = cx.prepare(
        "SELECT t.number FROM ticket_attachments ta JOIN tickets t ON t.id = ta.ticket_id "
        "WHERE ta.attachment_id = ?");
    s.bind(1, id);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    if (s.failed()) return fail(cx, "attachment_tickets");
    return out;
  });
}

template <class Key>
Result<UploadUsage> SqliteStore::unclaimed_where(const char* column, const Key& key) {
  return read([&](Conn& cx) -> core::Result<UploadUsage> {
    auto s = cx.prepare(std::string("SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created_at) "
                                    "FROM attachments WHERE claimed_at IS NULL AND ") +
                        column + " = ?");
    s.bind(1, key);
    if (!s.step()) return fail(cx, "unclaimed_uploads");
    UploadUsage u{s.int64(0), s.int64(1), std::nullopt};
    if (auto t = s.opt_int64(2)) u.oldest = core::from_unix(*t);
    return u;
  });
}

Result<UploadUsage> SqliteStore::unclaimed_by_uploader(std::int64_t user_id) {
  return unclaimed_where("uploader", user_id);
}

Result<UploadUsage> SqliteStore::unclaimed_by_address(const std::string& address) {
  return unclaimed_where("uploader_addr", address);
}

Result<std::int64_t> SqliteStore::delete_unclaimed_attachments(core::TimePoint before) {
  return write([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare("DELETE FROM attachments WHERE claimed_at IS NULL AND created_at < ?");
    s.bind(1, core::to_unix(before));
    s.step();
    if (s.failed()) return fail(cx, "delete_unclaimed_attachments");
    return static_cast<std::int64_t>(sqlite3_changes(cx.handle()));
  });
}

// [SECTION] Notifications (SPEC §12)

namespace {

constexpr const char* kNotificationColumns =
    "seq, id, kind, lang, phone, user_id, ticket, text, link, order_key, dedupe_key, status, "
    "attempts, created_at, next_at, give_up_at, delivered_at, last_error";

NotificationRecord read_notification(const sqlite::Stmt& s) {
  NotificationRecord n;
  n.seq = s.int64(0);
  n.id = s.text(1);
  n.kind = s.text(2);
  n.lang = s.text(3);
  n.phone = s.text(4);
  n.user_id = s.opt_int64(5);
  n.ticket = s.text(6);
  n.text = s.text(7);
  n.link = s.text(8);
  n.order_key = s.text(9);
  n.dedupe_key = s.opt_text(10).value_or("");
  n.status = s.text(11);
  n.attempts = static_cast<int>(s.int64(12));
  n.created_at = core::from_unix(s.int64(13));
  n.next_at = core::from_unix(s.int64(14));
  n.give_up_at = core::from_unix(s.int64(15));
  n.delivered_at = opt_time(s, 16);
  n.last_error = s.text(17);
  return n;
}

std::string with_number(std::string s, const std::string& number) {
  if (number.empty()) return s;
  for (auto at = s.find("{number}"); at != std::string::npos; at = s.find("{number}", at))
    s.replace(at, 8, number);
  return s;
}

}  // namespace

Result<int> SqliteStore::insert_notifications(Conn& cx,
                                              const std::vector<NotificationRecord>& messages,
                                              const std::string& number) {
  int written = 0;
  if (messages.empty()) return written;
  auto s = cx.prepare(
      "INSERT INTO notifications(id, kind, lang, phone, user_id, ticket, text, link, order_key, "
      "dedupe_key, status, created_at, next_at, give_up_at) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,'pending',?,?,?) ON CONFLICT (dedupe_key) DO NOTHING");
  for (const auto& m : messages) {
    s.reset();
    s.bind(1, m.id).bind(2, m.kind).bind(3, m.lang).bind(4, m.phone).bind(5, m.user_id);
    s.bind(6, number.empty() ? m.ticket : number).bind(7, with_number(m.text, number));
    s.bind(8, with_number(m.link, number)).bind(9, with_number(m.order_key, number));
    s.bind(10, non_empty(m.dedupe_key)).bind(11, core::to_unix(m.created_at));
    s.bind(12, core::to_unix(m.next_at)).bind(13, core::to_unix(m.give_up_at));
    s.step();
    if (s.failed()) return fail(cx, "insert_notification");
    written += sqlite3_changes(cx.handle()) > 0 ? 1 : 0;
  }
  return written;
}

Result<std::optional<TicketNotify>> SqliteStore::ticket_notify(std::int64_t ticket_id) {
  return read([&](Conn& cx) -> core::Result<std::optional<TicketNotify>> {
    auto s = cx.prepare("SELECT lang, enabled, sealed_code FROM ticket_notify WHERE ticket_id = ?");
    s.bind(1, ticket_id);
    if (s.step())
      return std::optional<TicketNotify>(TicketNotify{s.text(0), s.int64(1) != 0, s.text(2)});
    if (s.failed()) return fail(cx, "ticket_notify");
    return std::optional<TicketNotify>();
  });
}

Result<int> SqliteStore::enqueue_notifications(std::vector<NotificationRecord> messages) {
  return write([&](Conn& cx) { return insert_notifications(cx, messages); });
}

Result<std::vector<NotificationRecord>> SqliteStore::claim_notifications(
    core::TimePoint now, core::TimePoint lease_until, int limit) {
  return write([&](Conn& cx) -> core::Result<std::vector<NotificationRecord>> {
    // Of each order_key only the oldest pending message, leased or not, may go.
    static const std::string sql =
        std::string(
            "UPDATE notifications SET lease_until = ?1 WHERE seq IN ("
            "SELECT n.seq FROM notifications n WHERE n.status = 'pending' AND "
            "n.next_at <= ?2 AND (n.lease_until IS NULL OR n.lease_until <= ?2) AND "
            "NOT EXISTS (SELECT 1 FROM notifications p WHERE p.status = 'pending' AND "
            "p.order_key = n.order_key AND p.seq < n.seq) ORDER BY n.seq LIMIT ?3) "
            "RETURNING ") +
        kNotificationColumns;
    auto s = cx.prepare(sql);
    s.bind(1, core::to_unix(lease_until)).bind(2, core::to_unix(now)).bind(3, limit);
    std::vector<NotificationRecord> out;
    while (s.step()) out.push_back(read_notification(s));
    if (s.failed()) return fail(cx, "claim_notifications");
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    return out;
  });
}

core::Outcome SqliteStore::finish_notification(const std::string& id,
                                               const NotificationOutcome& o) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "UPDATE notifications SET attempts = attempts + 1, status = ?, last_error = ?, "
        "lease_until = NULL, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at "
        "END, "
        "next_at = CASE WHEN ? = 'pending' THEN ? ELSE next_at END WHERE id = ?");
    s.bind(1, o.status).bind(2, o.error).bind(3, o.status).bind(4, core::to_unix(o.at));
    s.bind(5, o.status).bind(6, core::to_unix(o.next_at)).bind(7, id);
    s.step();
    if (s.failed()) return fail(cx, "finish_notification");
    return core::Unit{};
  });
}

Result<NotificationPage> SqliteStore::list_notifications(const std::string& status, int page,
                                                         int page_size) {
  return read([&](Conn& cx) -> core::Result<NotificationPage> {
    NotificationPage out;
    const std::string where = status.empty() ? "" : " WHERE status = ?1";
    {
      auto c = cx.prepare("SELECT COUNT(*) FROM notifications" + where);
      if (!status.empty()) c.bind(1, status);
      if (c.step()) out.total = c.int64(0);
      if (c.failed()) return fail(cx, "count_notifications");
    }
    auto s = cx.prepare(std::string("SELECT ") + kNotificationColumns + " FROM notifications" +
                        where + " ORDER BY seq DESC LIMIT ?2 OFFSET ?3");
    if (!status.empty()) s.bind(1, status);
    s.bind(2, page_size).bind(3, static_cast<std::int64_t>(page - 1) * page_size);
    while (s.step()) out.items.push_back(read_notification(s));
    if (s.failed()) return fail(cx, "list_notifications");
    return out;
  });
}

Result<std::optional<NotificationRecord>> SqliteStore::find_notification(const std::string& id) {
  return read([&](Conn& cx) -> core::Result<std::optional<NotificationRecord>> {
    auto s = cx.prepare(std::string("SELECT ") + kNotificationColumns +
                        " FROM notifications WHERE id = ?");
    s.bind(1, id);
    if (s.step()) return std::optional<NotificationRecord>(read_notification(s));
    if (s.failed()) return fail(cx, "find_notification");
    return std::optional<NotificationRecord>();
  });
}

Result<std::optional<NotificationRecord>> SqliteStore::retry_notification(
    const std::string& id, core::TimePoint now, core::TimePoint give_up_at) {
  return write([&](Conn& cx) -> core::Result<std::optional<NotificationRecord>> {
    auto u = cx.prepare(
        "UPDATE notifications SET status = 'pending', next_at = ?, give_up_at = ?, "
        "lease_until = NULL WHERE id = ? AND status <> 'delivered'");
    u.bind(1, core::to_unix(now)).bind(2, core::to_unix(give_up_at)).bind(3, id);
    u.step();
    if (u.failed()) return fail(cx, "retry_notification");
    auto s = cx.prepare(std::string("SELECT ") + kNotificationColumns +
                        " FROM notifications WHERE id = ?");
    s.bind(1, id);
    if (s.step()) return std::optional<NotificationRecord>(read_notification(s));
    if (s.failed()) return fail(cx, "retry_notification");
    return std::optional<NotificationRecord>();
  });
}

Result<NotificationCounts> SqliteStore::notification_counts() {
  return read([&](Conn& cx) -> core::Result<NotificationCounts> {
    NotificationCounts c;
    auto s = cx.prepare("SELECT status, COUNT(*) FROM notifications GROUP BY status");
    while (s.step()) {
      const std::string st = s.text(0);
      const std::int64_t n = s.int64(1);
      if (st == "pending") c.pending = n;
      if (st == "delivered") c.delivered = n;
      if (st == "failed") c.failed = n;
      if (st == "cancelled") c.cancelled = n;
    }
    if (s.failed()) return fail(cx, "notification_counts");
    return c;
  });
}

Result<std::int64_t> SqliteStore::purge_notifications(core::TimePoint before, int limit) {
  return write([&](Conn& cx) -> core::Result<std::int64_t> {
    auto s = cx.prepare(
        "DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications WHERE status IN "
        "('delivered','cancelled') AND created_at < ? ORDER BY seq LIMIT ?)");
    s.bind(1, core::to_unix(before)).bind(2, limit);
    s.step();
    if (s.failed()) return fail(cx, "purge_notifications");
    return static_cast<std::int64_t>(sqlite3_changes(cx.handle()));
  });
}

Result<std::optional<core::TimePoint>> SqliteStore::next_notification_at() {
  return read([&](Conn& cx) -> core::Result<std::optional<core::TimePoint>> {
    auto s = cx.prepare("SELECT MIN(next_at) FROM notifications WHERE status = 'pending'");
    if (s.step()) return opt_time(s, 0);
    if (s.failed()) return fail(cx, "next_notification_at");
    return std::optional<core::TimePoint>();
  });
}

core::Outcome SqliteStore::set_opt_out(const std::string& key, bool out, core::TimePoint now,
                                       const std::string& source) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = out ? cx.prepare(
                       "INSERT INTO notify_opt_outs(key, at, source) VALUES (?,?,?) "
                       "ON CONFLICT (key) DO UPDATE SET at = excluded.at, source = excluded.source")
                 : cx.prepare("DELETE FROM notify_opt_outs WHERE key = ?");
    s.bind(1, key);
    if (out) s.bind(2, core::to_unix(now)).bind(3, source);
    s.step();
    if (s.failed()) return fail(cx, "set_opt_out");
    return core::Unit{};
  });
}

Result<bool> SqliteStore::opted_out(const std::vector<std::string>& keys) {
  if (keys.empty()) return false;
  return read([&](Conn& cx) -> core::Result<bool> {
    auto s = cx.prepare("SELECT 1 FROM notify_opt_outs WHERE key = ?");
    for (const auto& k : keys) {
      s.reset();
      s.bind(1, k);
      if (s.step()) return true;
      if (s.failed()) return fail(cx, "opted_out");
    }
    return false;
  });
}

Result<NotifyPrefs> SqliteStore::notify_prefs(std::int64_t user_id) {
  return read([&](Conn& cx) -> core::Result<NotifyPrefs> {
    auto s = cx.prepare("SELECT lang, enabled FROM notify_prefs WHERE user_id = ?");
    s.bind(1, user_id);
    if (s.step()) return NotifyPrefs{s.text(0), s.int64(1) != 0};
    if (s.failed()) return fail(cx, "notify_prefs");
    return NotifyPrefs{};
  });
}

core::Outcome SqliteStore::set_notify_prefs(std::int64_t user_id, const NotifyPrefs& p) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "INSERT INTO notify_prefs(user_id, lang, enabled) VALUES (?,?,?) ON CONFLICT (user_id) "
        "DO UPDATE SET lang = excluded.lang, enabled = excluded.enabled");
    s.bind(1, user_id).bind(2, p.lang).bind(3, p.enabled ? 1 : 0);
    s.step();
    if (s.failed()) return fail(cx, "set_notify_prefs");
    return core::Unit{};
  });
}

Result<std::vector<Recipient>> SqliteStore::handlers_of(const std::string& kind,
                                                        const std::string& id) {
  return read([&](Conn& cx) -> core::Result<std::vector<Recipient>> {
    std::string where;
    if (kind == "user")
      where = "id = CAST(?1 AS INTEGER)";
    else if (kind == "org" && id == "district")
      where = "role = 'district_staff' AND ?1 = 'district'";
    else if (kind == "org")
      where =
          "((role = 'community_staff' AND community_id = ?1) OR "
          "(role = 'street_staff' AND street_id = ?1))";
    else if (kind == "unit")
      where = "role = 'unit_staff' AND unit_id = ?1";
    else
      return std::vector<Recipient>{};
    auto s = cx.prepare("SELECT id, COALESCE(phone, ''), name FROM users WHERE disabled = 0 AND " +
                        where + " ORDER BY id LIMIT 20");
    s.bind(1, id);
    std::vector<Recipient> out;
    while (s.step()) out.push_back(Recipient{s.int64(0), s.text(1), s.text(2)});
    if (s.failed()) return fail(cx, "handlers_of");
    return out;
  });
}

Result<std::vector<std::string>> SqliteStore::due_for_response_warning(core::TimePoint now,
                                                                       std::chrono::seconds within,
                                                                       int limit) {
  return read([&](Conn& cx) -> core::Result<std::vector<std::string>> {
    auto s = cx.prepare(
        "SELECT t.number FROM tickets t WHERE t.status IN ('submitted','assigned','returned') AND "
        "t.responded_at IS NULL AND t.response_due_at > ?1 AND t.response_due_at <= ?2 AND "
        "NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = "
        "'response_due_soon:' || t.number || ':' || t.response_due_at) "
        "ORDER BY t.response_due_at LIMIT ?3");
    s.bind(1, core::to_unix(now)).bind(2, core::to_unix(now + within)).bind(3, limit);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    if (s.failed()) return fail(cx, "due_for_response_warning");
    return out;
  });
}

Result<std::vector<std::string>> SqliteStore::due_for_rating_reminder(
    core::TimePoint resolved_before, int limit) {
  return read([&](Conn& cx) -> core::Result<std::vector<std::string>> {
    auto s = cx.prepare(
        "SELECT t.number FROM tickets t WHERE t.status = 'resolved' AND "
        "t.rating_satisfaction IS NULL AND t.resolved_at <= ?1 AND "
        "NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = "
        "'rating_reminder:' || t.number || ':' || t.resolved_at) "
        "ORDER BY t.resolved_at LIMIT ?2");
    s.bind(1, core::to_unix(resolved_before)).bind(2, limit);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    if (s.failed()) return fail(cx, "due_for_rating_reminder");
    return out;
  });
}

// [SECTION] Topics (每月一题)
// Counts of linked and still-open tickets are read with the topic, so that a list of
// topics is one query.

namespace {

constexpr const char* kTopicSelect =
    "SELECT t.id, t.title, t.category, t.street_id, t.month, t.note, t.status, t.created_by, "
    "t.created_at, t.reply, t.resolved_by, t.resolved_at, "
    "(SELECT COUNT(*) FROM topic_tickets l WHERE l.topic_id = t.id), "
    "(SELECT COUNT(*) FROM topic_tickets l JOIN tickets k ON k.id = l.ticket_id "
    " WHERE l.topic_id = t.id AND k.status IN "
    " ('submitted','assigned','accepted','in_progress','returned')) "
    "FROM topics t ";

TopicRecord read_topic(const sqlite::Stmt& s) {
  TopicRecord t;
  t.id = s.int64(0);
  t.title = s.text(1);
  t.category = s.text(2);
  t.street_id = s.opt_text(3);
  t.month = s.text(4);
  t.note = s.text(5);
  t.status = s.text(6);
  t.created_by = s.int64(7);
  t.created_at = core::from_unix(s.int64(8));
  t.reply = s.opt_text(9);
  t.resolved_by = s.opt_int64(10);
  t.resolved_at = opt_time(s, 11);
  t.ticket_count = s.int64(12);
  t.open_count = s.int64(13);
  return t;
}

}  // namespace

Result<TopicRecord> SqliteStore::create_topic(TopicRecord topic) {
  return write([&](Conn& cx) -> core::Result<TopicRecord> {
    auto s = cx.prepare(
        "INSERT INTO topics(title, category, street_id, month, note, status, created_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id");
    s.bind(1, topic.title).bind(2, topic.category).bind(3, topic.street_id).bind(4, topic.month);
    s.bind(5, topic.note).bind(6, topic.created_by).bind(7, core::to_unix(topic.created_at));
    if (!s.step()) return fail(cx, "create_topic");
    TopicRecord out = topic;
    out.id = s.int64(0);
    out.status = "open";
    return out;
  });
}

Result<std::optional<TopicRecord>> SqliteStore::find_topic(std::int64_t id) {
  return read([&](Conn& cx) -> core::Result<std::optional<TopicRecord>> {
    auto s = cx.prepare(std::string(kTopicSelect) + "WHERE t.id = ?");
    s.bind(1, id);
    if (s.step()) return std::optional<TopicRecord>(read_topic(s));
    if (s.failed()) return fail(cx, "find_topic");
    return std::optional<TopicRecord>();
  });
}

Result<std::vector<TopicRecord>> SqliteStore::topics(const TopicFilter& f) {
  return read([&](Conn& cx) -> core::Result<std::vector<TopicRecord>> {
    auto s = cx.prepare(std::string(kTopicSelect) +
                        "WHERE (?1 IS NULL OR t.street_id = ?1) AND (?2 = '' OR t.month = ?2) "
                        "AND (?3 = '' OR t.status = ?3) ORDER BY t.id DESC LIMIT 500");
    s.bind(1, f.street_id).bind(2, f.month).bind(3, f.status);
    std::vector<TopicRecord> out;
    while (s.step()) out.push_back(read_topic(s));
    if (s.failed()) return fail(cx, "topics");
    return out;
  });
}

Result<int> SqliteStore::link_topic_tickets(std::int64_t topic_id,
                                            const std::vector<std::int64_t>& ticket_ids,
                                            std::int64_t by, core::TimePoint now) {
  // One job: the links of a request are kept together or not at all.
  return write([&](Conn& cx) -> core::Result<int> {
    auto s = cx.prepare(
        "INSERT OR IGNORE INTO topic_tickets(topic_id, ticket_id, linked_by, linked_at) "
        "VALUES (?, ?, ?, ?)");
    int added = 0;
    for (auto id : ticket_ids) {
      s.reset();
      s.bind(1, topic_id).bind(2, id).bind(3, by).bind(4, core::to_unix(now));
      s.step();
      if (s.failed()) return fail(cx, "link_topic_tickets");
      added += sqlite3_changes(cx.handle());
    }
    return added;
  });
}

Result<std::vector<std::string>> SqliteStore::topic_ticket_numbers(std::int64_t topic_id) {
  return read([&](Conn& cx) -> core::Result<std::vector<std::string>> {
    auto s = cx.prepare(
        "SELECT k.number FROM topic_tickets l JOIN tickets k ON k.id = l.ticket_id "
        "WHERE l.topic_id = ? ORDER BY l.linked_at, k.id");
    s.bind(1, topic_id);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    if (s.failed()) return fail(cx, "topic_ticket_numbers");
    return out;
  });
}

Result<bool> SqliteStore::resolve_topic(std::int64_t topic_id, const std::string& reply,
                                        std::int64_t by, core::TimePoint now) {
  return write([&](Conn& cx) -> core::Result<bool> {
    auto s = cx.prepare(
        "UPDATE topics SET status = 'resolved', reply = ?, resolved_by = ?, resolved_at = ? "
        "WHERE id = ? AND status = 'open'");
    s.bind(1, reply).bind(2, by).bind(3, core::to_unix(now)).bind(4, topic_id);
    s.step();
    if (s.failed()) return fail(cx, "resolve_topic");
    return sqlite3_changes(cx.handle()) > 0;
  });
}

// [SECTION] Idempotency keys

namespace {
constexpr const char* kIdempotencyColumns =
    "key_hash, fingerprint, state, status, response, created_at";
IdempotencyRecord read_idempotency(const sqlite::Stmt& s) {
  IdempotencyRecord r;
  r.key_hash = s.text(0);
  r.fingerprint = s.text(1);
  r.done = s.text(2) == "done";
  r.status = static_cast<int>(s.opt_int64(3).value_or(0));
  r.response = s.opt_text(4).value_or("");
  r.created_at = core::from_unix(s.int64(5));
  return r;
}
}  // namespace

Result<std::optional<IdempotencyRecord>> SqliteStore::claim_idempotency_key(
    const IdempotencyRecord& r, core::TimePoint abandoned_before) {
  using Held = std::optional<IdempotencyRecord>;
  // Most claims are new keys; a retry is answered from a read connection, without
  // waiting for the writer.
  auto seen = read([&](Conn& cx) -> Result<Held> {
    auto q = cx.prepare(std::string("SELECT ") + kIdempotencyColumns +
                        " FROM idempotency_keys WHERE key_hash = ?");
    q.bind(1, r.key_hash);
    if (q.step()) return Held(read_idempotency(q));
    if (q.failed()) return fail(cx, "idempotency_read");
    return Held();
  });
  if (!seen) return seen;
  if (*seen && ((*seen)->done || (*seen)->fingerprint != r.fingerprint ||
                (*seen)->created_at >= abandoned_before))
    return seen;
  return write([&](Conn& cx) -> Result<Held> {
    auto ins = cx.prepare(
        "INSERT INTO idempotency_keys(key_hash, fingerprint, state, created_at) "
        "VALUES (?, ?, 'in_flight', ?) ON CONFLICT(key_hash) DO UPDATE SET created_at = "
        "excluded.created_at WHERE idempotency_keys.state = 'in_flight' AND "
        "idempotency_keys.fingerprint = excluded.fingerprint AND idempotency_keys.created_at < ? "
        "RETURNING key_hash");
    ins.bind(1, r.key_hash).bind(2, r.fingerprint).bind(3, core::to_unix(r.created_at));
    ins.bind(4, core::to_unix(abandoned_before));
    if (ins.step()) return Held();
    if (ins.failed()) return fail(cx, "idempotency_claim");
    ins.reset();
    auto q = cx.prepare(std::string("SELECT ") + kIdempotencyColumns +
                        " FROM idempotency_keys WHERE key_hash = ?");
    q.bind(1, r.key_hash);
    if (q.step()) return Held(read_idempotency(q));
    return fail(cx, "idempotency_held");
  });
}

core::Outcome SqliteStore::finish_idempotency_key(const std::string& key_hash, int status,
                                                  const std::string& response) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare(
        "UPDATE idempotency_keys SET state = 'done', status = ?, response = ? "
        "WHERE key_hash = ? AND state = 'in_flight'");
    s.bind(1, status).bind(2, response).bind(3, key_hash);
    s.step();
    if (s.failed()) return fail(cx, "idempotency_finish");
    return core::Unit{};
  });
}

core::Outcome SqliteStore::release_idempotency_key(const std::string& key_hash) {
  return write([&](Conn& cx) -> core::Outcome {
    auto s = cx.prepare("DELETE FROM idempotency_keys WHERE key_hash = ? AND state = 'in_flight'");
    s.bind(1, key_hash);
    s.step();
    if (s.failed()) return fail(cx, "idempotency_release");
    return core::Unit{};
  });
}

Result<std::int64_t> SqliteStore::purge_idempotency_keys(core::TimePoint before, int limit) {
  return write([&](Conn& cx) -> Result<std::int64_t> {
    const std::int64_t t = core::to_unix(before);
    auto keys = cx.prepare(
        "DELETE FROM idempotency_keys WHERE key_hash IN (SELECT key_hash FROM idempotency_keys "
        "WHERE created_at < ? ORDER BY created_at LIMIT ?)");
    keys.bind(1, t).bind(2, limit);
    keys.step();
    if (keys.failed()) return fail(cx, "idempotency_purge");
    std::int64_t n = sqlite3_changes(cx.handle());
    // Only keyed tickets are in tickets_idempotency_created; named, so that the planner
    // never walks every old ticket by created_at instead.
    auto tickets = cx.prepare(
        "UPDATE tickets SET idempotency_key = NULL, sealed_access_code = NULL, "
        "idempotency_fingerprint = NULL WHERE id IN (SELECT id FROM tickets INDEXED BY "
        "tickets_idempotency_created WHERE idempotency_key IS NOT NULL AND created_at < ? "
        "LIMIT ?)");
    tickets.bind(1, t).bind(2, limit);
    tickets.step();
    if (tickets.failed()) return fail(cx, "idempotency_purge_tickets");
    n += sqlite3_changes(cx.handle());
    return n;
  });
}

// [SECTION] The gazetteer

Result<std::vector<PlaceRow>> SqliteStore::places() {
  return read([&](Conn& cx) -> Result<std::vector<PlaceRow>> {
    auto s = cx.prepare("SELECT id, name, kind, lat, lng, street_id FROM places ORDER BY id");
    std::vector<PlaceRow> out;
    while (s.step())
      out.push_back({s.int64(0), s.text(1), s.text(2), s.real(3), s.real(4), s.text(5)});
    if (s.failed()) return fail(cx, "places");
    return out;
  });
}

Result<std::int64_t> SqliteStore::write_places(const std::vector<PlaceRow>& rows, bool replace,
                                               const RowProgress& progress) {
  return write([&](Conn& cx) -> Result<std::int64_t> {
    if (replace) {
      auto del = cx.prepare("DELETE FROM places");
      del.step();
      if (del.failed()) return fail(cx, "places_replace");
    }
    // OR REPLACE: the place of the same name and kind goes, and this one takes a new id.
    auto s = cx.prepare(
        "INSERT OR REPLACE INTO places(name, kind, lat, lng, street_id) VALUES (?,?,?,?,?)");
    const auto total = static_cast<std::int64_t>(rows.size());
    std::int64_t done = 0;
    for (const auto& r : rows) {
      s.reset();
      s.bind(1, r.name).bind(2, r.kind).bind(3, r.lat).bind(4, r.lng);
      s.bind(5, non_empty(r.street_id));
      s.step();
      if (s.failed()) return fail(cx, "write_places");
      if (progress && (++done % 500 == 0 || done == total)) progress(done, total);
    }
    if (progress && total == 0) progress(0, 0);
    return total;
  });
}

Result<PlacesStamp> SqliteStore::places_stamp() {
  return read([&](Conn& cx) -> Result<PlacesStamp> {
    auto s = cx.prepare("SELECT count(*), coalesce(max(id), 0) FROM places");
    if (!s.step()) return fail(cx, "places_stamp");
    return PlacesStamp{s.int64(0), s.int64(1)};
  });
}

// [SECTION] Category suggestion

// The newest models are kept; older ones are of no use to a server and cost space.
constexpr int kSuggestModelsKept = 3;

Result<std::int64_t> SqliteStore::save_suggest_model(const SuggestModelRow& row) {
  return write([&](Conn& cx) -> Result<std::int64_t> {
    auto s = cx.prepare(
        "INSERT INTO suggest_models(created_at, n_examples, metrics, model) VALUES (?,?,?,?)");
    s.bind(1, core::to_unix(row.created_at)).bind(2, row.examples).bind(3, row.metrics);
    s.bind_blob(4, row.model);
    s.step();
    if (s.failed()) return fail(cx, "save_suggest_model");
    const std::int64_t id = sqlite3_last_insert_rowid(cx.handle());
    auto del = cx.prepare("DELETE FROM suggest_models WHERE id <= ?");
    del.bind(1, id - kSuggestModelsKept);
    del.step();
    if (del.failed()) return fail(cx, "save_suggest_model");
    return id;
  });
}

Result<std::optional<SuggestModelRow>> SqliteStore::latest_suggest_model() {
  return read([&](Conn& cx) -> Result<std::optional<SuggestModelRow>> {
    auto s = cx.prepare(
        "SELECT id, created_at, n_examples, metrics, model FROM suggest_models "
        "ORDER BY id DESC LIMIT 1");
    if (!s.step()) {
      if (s.failed()) return fail(cx, "latest_suggest_model");
      return std::optional<SuggestModelRow>();
    }
    SuggestModelRow r;
    r.version = s.int64(0);
    r.created_at = core::from_unix(s.int64(1));
    r.examples = s.int64(2);
    r.metrics = s.text(3);
    r.model = s.blob(4);
    return std::optional<SuggestModelRow>(std::move(r));
  });
}

Result<std::int64_t> SqliteStore::suggest_model_version() {
  return read([&](Conn& cx) -> Result<std::int64_t> {
    auto s = cx.prepare("SELECT coalesce(max(id), 0) FROM suggest_models");
    if (!s.step()) return fail(cx, "suggest_model_version");
    return s.int64(0);
  });
}

Result<std::vector<TrainingExample>> SqliteStore::training_examples(std::int64_t limit) {
  return read([&](Conn& cx) -> Result<std::vector<TrainingExample>> {
    // Newest first along the primary key; a ticket's events are found by the
    // (ticket_id, seq) index, and only for tickets not already taken by their status.
    auto s = cx.prepare(
        "SELECT category, description FROM tickets t WHERE t.status NOT IN ('rejected', "
        "'merged') AND (t.status IN ('resolved', 'closed') OR EXISTS (SELECT 1 FROM events e "
        "WHERE e.ticket_id = t.id AND e.action = 'recategorize')) ORDER BY t.id DESC LIMIT ?");
    s.bind(1, limit);
    std::vector<TrainingExample> out;
    while (s.step()) out.push_back({s.text(0), s.text(1)});
    if (s.failed()) return fail(cx, "training_examples");
    return out;
  });
}

}  // namespace portal::server
