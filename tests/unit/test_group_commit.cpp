// Group commit in the SQLite store: concurrent writes share one transaction and one
// fsync, yet each is kept or refused on its own, and each is on disk when answered.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <future>
#include <set>
#include <thread>

#include "server/store/sqlite/sqlite_store.hpp"
#include "server/store/sqlite/wal_vfs.hpp"
#include "tests/common/sqlite_write_lock.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;

namespace {

class GroupCommitTest : public test::ServiceTest {
 protected:
  SqliteStore& sqlite() { return dynamic_cast<SqliteStore&>(*store_); }

  // Opens the file afresh, as after a restart, and counts the tickets.
  std::int64_t tickets_on_disk() {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM tickets", -1, &s, nullptr);
    sqlite3_step(s);
    const std::int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  }

  // Each answered create is kept once, with its two events, and their numbers run from
  // `first` to `last` without a gap.
  void expect_kept(const std::vector<core::Result<core::TicketReceipt>>& answers,
                   const std::string& first, const std::string& last) {
    std::set<std::string> numbers;
    for (const auto& r : answers) {
      EXPECT_TRUE(r.ok()) << r.error().message;
      if (!r.ok()) continue;
      numbers.insert(r->number);
      auto t = store_->find_ticket(r->number);
      EXPECT_TRUE(t.ok() && t->has_value()) << r->number;
      if (!t.ok() || !t->has_value()) continue;
      auto events = store_->events((*t)->id);
      EXPECT_TRUE(events.ok() && events->size() == 2) << r->number;
    }
    ASSERT_EQ(numbers.size(), answers.size());
    EXPECT_EQ(*numbers.begin(), first);
    EXPECT_EQ(*numbers.rbegin(), last);
  }

  // The store's writer waits while it is held: every write queued meanwhile lands in
  // one batch.
  using WriteLock = test::SqliteWriteLock;
};

}  // namespace

TEST_F(GroupCommitTest, ConcurrentCreatesAreDurableAndExactlyOnce) {
  const std::int64_t before = tickets_on_disk();
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::vector<std::string>> numbers(kThreads);
  std::atomic<int> failures{0};
  auto citizen = actor("cz001");
  auto submit_all = [&](int t, std::vector<std::string>& out) {
    for (int i = 0; i < kEach; ++i) {
      // Half of the threads submit anonymously, half as a citizen.
      const Actor who = t % 2 ? citizen : Actor{};
      auto r = tickets_->submit(draft(), who, "key-" + std::to_string(t) + "-" + std::to_string(i));
      if (!r) {
        ++failures;
        continue;
      }
      out.push_back(r->number);
    }
  };
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(submit_all, t, std::ref(numbers[t]));
    for (auto& th : threads) th.join();
  }
  ASSERT_EQ(failures.load(), 0);
  std::set<std::string> distinct;
  for (const auto& v : numbers) distinct.insert(v.begin(), v.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kEach));
  // The writes were batched: fewer commits than writes.
  const auto stats = sqlite().writer_stats();
  EXPECT_GT(stats.largest_batch, 1);
  EXPECT_LT(stats.batches, stats.jobs);

  // Every retry, concurrent again, answers the first ticket and creates none.
  std::vector<std::vector<std::string>> again(kThreads);
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(submit_all, t, std::ref(again[t]));
    for (auto& th : threads) th.join();
  }
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(again, numbers);

  // On disk, read by a new connection while the store still runs: all of them, once.
  EXPECT_EQ(tickets_on_disk(), before + kThreads * kEach);
  tickets_.reset();
  store_.reset();
  EXPECT_EQ(tickets_on_disk(), before + kThreads * kEach);
}

TEST_F(GroupCommitTest, AnonymousRetryAnswersTheSameAccessCode) {
  auto first = tickets_->submit(draft(), Actor{}, std::string("retry-me"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->access_code.has_value());
  auto retry = tickets_->submit(draft(), Actor{}, std::string("retry-me"));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->number, first->number);
  EXPECT_EQ(retry->access_code, first->access_code);
  // The same key from someone else is another request.
  auto other = tickets_->submit(draft(), actor("cz001"), std::string("retry-me"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->number, first->number);
  EXPECT_FALSE(other->access_code.has_value());
  // The stored row holds neither the key nor the code in clear.
  sqlite3* db = nullptr;
  sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT COUNT(*) FROM tickets WHERE idempotency_key LIKE '%retry-me%' OR "
                     "instr(sealed_access_code, ?) > 0",
                     -1, &s, nullptr);
  sqlite3_bind_text(s, 1, first->access_code->c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_step(s);
  EXPECT_EQ(sqlite3_column_int64(s, 0), 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_F(GroupCommitTest, AFailingWriteDoesNotFailItsBatch) {
  const std::int64_t before = tickets_on_disk();
  // A ticket to change with a stale version, and an external id to collide with.
  auto base = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(base.ok());
  auto stale = store_->find_ticket(base->number);
  ASSERT_TRUE(stale.ok() && stale->has_value());
  {
    TicketChange fresh{**stale};
    fresh.ticket.reply = "changed first";
    ASSERT_TRUE(store_->commit_change(fresh).ok());
  }
  auto prepared = tickets_->prepare(draft(), Actor::system(), now_, nullptr);
  ASSERT_TRUE(prepared.ok());
  prepared->first.external_id = "EXT-1";
  ASSERT_TRUE(store_->create_ticket(prepared->first, prepared->second).ok());
  const auto jobs_before = sqlite().writer_stats().jobs;
  const auto batches_before = sqlite().writer_stats().batches;

  WriteLock lock(path_);
  constexpr int kGood = 12;
  std::vector<std::thread> threads;
  std::vector<core::Result<core::TicketReceipt>> good;
  good.reserve(kGood);
  for (int i = 0; i < kGood; ++i) good.emplace_back(core::Error::internal());
  std::optional<core::Result<TicketRecord>> conflict, duplicate;
  // A first write takes the writer into a batch that waits for the lock; every write
  // after it queues for the next batch.
  std::optional<core::Result<core::TicketReceipt>> first;
  threads.emplace_back([&] { first = tickets_->submit(draft(), Actor{}); });
  for (int i = 0; i < 400 && sqlite().writer_stats().running == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int i = 0; i < kGood; ++i)
    threads.emplace_back([&, i] { good[i] = tickets_->submit(draft(), Actor{}); });
  threads.emplace_back([&] {
    TicketChange late{**stale};
    late.ticket.reply = "too late";
    conflict = store_->commit_change(late);
  });
  threads.emplace_back([&] {
    // Fails on the unique external id after its ticket number was counted.
    duplicate = store_->create_ticket(prepared->first, prepared->second);
  });
  // Wait until every write is queued behind the lock (or in the batch that waits for
  // it), then let the writer go.
  SqliteStore::WriterStats now;
  for (int i = 0; i < 400; ++i) {
    now = sqlite().writer_stats();
    if (now.queued == kGood + 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  lock.release();
  for (auto& th : threads) th.join();

  const auto stats = sqlite().writer_stats();
  EXPECT_EQ(stats.jobs - jobs_before, kGood + 3);
  // The failing writes shared one transaction with the good ones.
  EXPECT_EQ(stats.batches - batches_before, 2);
  EXPECT_GE(stats.largest_batch, kGood + 2) << "queued " << now.queued;
  ASSERT_TRUE(conflict.has_value() && duplicate.has_value());
  ASSERT_FALSE(conflict->ok());
  EXPECT_EQ(conflict->error().status, 409);
  ASSERT_FALSE(duplicate->ok());
  EXPECT_EQ(duplicate->error().code, "duplicate_external_id");
  ASSERT_TRUE(first.has_value() && first->ok());
  good.push_back(*first);
  // The failed insert's number was rolled back with it: numbers stay without gaps.
  // base, EXT-1, then the first write and the twelve.
  expect_kept(good, "RC2026112500000003", "RC2026112500000015");
  auto changed = store_->find_ticket(base->number);
  ASSERT_TRUE(changed.ok() && changed->has_value());
  EXPECT_EQ((*changed)->reply.value_or(""), "changed first");

  tickets_.reset();
  store_.reset();
  EXPECT_EQ(tickets_on_disk(), before + 3 + kGood);
}

// Creates run without a savepoint each. When one of them fails, its batch is rolled back
// and run again with a savepoint per job: the failing create is refused alone, every
// other is kept exactly once, and the ticket numbers have no gap.
TEST_F(GroupCommitTest, AFailingCreateSendsItsBatchRoundAgainAndFailsAlone) {
  const std::int64_t before = tickets_on_disk();
  auto prepared = tickets_->prepare(draft(), Actor::system(), now_, nullptr);
  ASSERT_TRUE(prepared.ok());
  prepared->first.external_id = "EXT-9";
  ASSERT_TRUE(store_->create_ticket(prepared->first, prepared->second).ok());
  const auto stats_before = sqlite().writer_stats();

  WriteLock lock(path_);
  std::vector<std::thread> threads;
  auto queued_reach = [&](std::int64_t n) {
    for (int i = 0; i < 400 && sqlite().writer_stats().queued < n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(sqlite().writer_stats().queued, n);
  };
  // A first write takes the writer into a batch that waits for the lock.
  std::optional<core::Result<core::TicketReceipt>> first;
  threads.emplace_back([&] { first = tickets_->submit(draft(), Actor{}); });
  for (int i = 0; i < 400 && sqlite().writer_stats().running == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // The next batch: six creates (one with an idempotency key), the duplicate, six more.
  constexpr int kGood = 12;
  std::vector<core::Result<core::TicketReceipt>> good(kGood, core::Error::internal());
  std::optional<core::Result<TicketRecord>> duplicate;
  for (int i = 0; i < kGood; ++i) {
    if (i == kGood / 2) {
      threads.emplace_back(
          [&] { duplicate = store_->create_ticket(prepared->first, prepared->second); });
      queued_reach(i + 1);
    }
    threads.emplace_back([&, i] {
      good[i] = i == 0 ? tickets_->submit(draft(), actor("cz001"), "once")
                       : tickets_->submit(draft(), Actor{});
    });
    queued_reach(i + 1 + (i >= kGood / 2 ? 1 : 0));
  }
  lock.release();
  for (auto& th : threads) th.join();

  const auto stats = sqlite().writer_stats();
  EXPECT_EQ(stats.batches - stats_before.batches, 2);
  EXPECT_EQ(stats.reruns - stats_before.reruns, 1);
  ASSERT_TRUE(duplicate.has_value());
  ASSERT_FALSE(duplicate->ok());
  EXPECT_EQ(duplicate->error().code, "duplicate_external_id");
  ASSERT_TRUE(first.has_value() && first->ok());
  good.push_back(*first);
  // EXT-9 first, then the first write and the twelve.
  expect_kept(good, "RC2026112500000002", "RC2026112500000014");
  // The create with a key, asked again, is answered with its ticket.
  auto again = tickets_->submit(draft(), actor("cz001"), "once");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->number, good[0]->number);

  tickets_.reset();
  store_.reset();
  EXPECT_EQ(tickets_on_disk(), before + 2 + kGood);
}

// The WAL is folded back into the database file by the store's own checkpointer, not
// by the writer in the middle of a batch.
TEST_F(GroupCommitTest, TheWalIsFoldedBackBesideTheWriter) {
  const auto before = sqlite().writer_stats().checkpoints;
  // Some 20 MB of photos: more WAL than one checkpoint's worth (16 MB).
  for (int i = 0; i < 20; ++i) {
    AttachmentRecord a;
    a.id = "bulk" + std::to_string(i);
    a.mime = "image/jpeg";
    a.width = a.height = 1;
    a.data.assign(1 << 20, static_cast<char>('a' + i));
    a.bytes = static_cast<std::int64_t>(a.data.size());
    ASSERT_TRUE(store_->put_attachment(a).ok());
  }
  for (int i = 0; i < 100 && sqlite().writer_stats().checkpoints == before; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GT(sqlite().writer_stats().checkpoints, before);
  // Everything the WAL held is in the database file now.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  int log = -1, copied = -1;
  EXPECT_EQ(sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied),
            SQLITE_OK);
  EXPECT_EQ(copied, log);
  sqlite3_close(db);
  // And the store writes on.
  EXPECT_TRUE(tickets_->submit(draft(), Actor{}).ok());
}

// After a busy batch the writer waits a moment for more writes to share the next
// commit, but only a moment: a lone write that follows is answered on its own.
TEST_F(GroupCommitTest, ALoneWriteAfterABusyBatchIsNotHeldForCompany) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  {
    WriteLock lock(path_);
    threads.emplace_back([&] { failures += !tickets_->submit(draft(), Actor{}).ok(); });
    for (int i = 0; i < 400 && sqlite().writer_stats().running == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&] { failures += !tickets_->submit(draft(), Actor{}).ok(); });
    for (int i = 0; i < 400 && sqlite().writer_stats().queued < 8; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(sqlite().writer_stats().queued, 8);
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_GE(sqlite().writer_stats().largest_batch, 8);
  const auto before = sqlite().writer_stats();
  // Far fewer than the writer gathers for, and nothing else on the way.
  auto lone = std::async(std::launch::async, [&] { return tickets_->submit(draft(), Actor{}); });
  ASSERT_EQ(lone.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(lone.get().ok());
  const auto after = sqlite().writer_stats();
  EXPECT_EQ(after.jobs - before.jobs, 1);
  EXPECT_EQ(after.batches - before.batches, 1);
}

// Under steady writes the WAL starts over from its head again and again, so its file
// stays a few checkpoints long. The checkpointer alone never caught up with a writer
// that never paused: the WAL grew by every frame written until the load stopped.
TEST_F(GroupCommitTest, TheWalStartsOverUnderSteadyWrites) {
  const auto wal = std::filesystem::path(path_.string() + "-wal");
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  auto citizen = actor("cz001");
  auto submit_until_stopped = [&] {
    auto d = draft();
    // Long descriptions: each ticket writes a few pages, each checkpoint's worth
    // (16 MB) comes in a few thousand tickets.
    for (int i = 0; i < 300; ++i) d.description += "夜间施工噪音很大";
    while (!stop.load())
      if (!tickets_->submit(d, citizen).ok()) ++failures;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(submit_until_stopped);
  std::uintmax_t largest = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (sqlite().writer_stats().wal_restarts < 3 && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(wal, ec);  // -1 with an error
    if (!ec) largest = std::max(largest, size);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& th : threads) th.join();
  const auto stats = sqlite().writer_stats();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(stats.wal_restarts, 3);
  EXPECT_GT(stats.folds, 0);
  // One checkpoint's worth, what was written while it ran, and the writer's last batch.
  EXPECT_LT(largest, std::uintmax_t{40} << 20);
}

// New tickets reach the daily aggregates once per batch, not row by row. In one batch: a
// new ticket, a change to that same ticket (its trigger takes out what the insert put
// in, so the insert must be counted first), a create that fails and rolls back, another
// new ticket and a change to an older one. Afterwards the aggregates equal a count of
// the tickets themselves.
TEST_F(GroupCommitTest, NewTicketsReachTheDailyAggregatesWithTheirBatch) {
  auto older = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(older.ok());
  auto prepared = tickets_->prepare(draft(), Actor::system(), now_, nullptr);
  ASSERT_TRUE(prepared.ok());
  prepared->first.external_id = "EXT-2";
  auto taken = store_->create_ticket(prepared->first, prepared->second);
  ASSERT_TRUE(taken.ok());
  auto old_row = store_->find_ticket(older->number);
  ASSERT_TRUE(old_row.ok() && old_row->has_value());
  // The ids and numbers the next creates will get: the first waits alone for the lock.
  const std::int64_t next_id = taken->id + 1;
  const std::string prefix = taken->number.substr(0, taken->number.size() - 8);
  const auto number_after = [&](int n) {
    char tail[16];
    std::snprintf(tail, sizeof tail, "%08lld",
                  std::stoll(taken->number.substr(prefix.size())) + static_cast<long long>(n));
    return prefix + tail;
  };
  const auto batches_before = sqlite().writer_stats().batches;

  WriteLock lock(path_);
  std::vector<std::thread> threads;
  std::vector<core::Result<TicketRecord>> out(6, core::Error::internal());
  auto create = [&](int slot, bool external) {
    auto p = tickets_->prepare(draft(), Actor::system(), now_, nullptr);
    ASSERT_TRUE(p.ok());
    if (external) p->first.external_id = "EXT-2";  // taken: fails after counting its number
    out[slot] = store_->create_ticket(p->first, p->second);
  };
  auto change = [&](int slot, TicketRecord t) {
    TicketChange c{std::move(t)};
    c.ticket.status = core::Status::accepted;
    c.ticket.draft.category = "env.garbage";
    out[slot] = store_->commit_change(c);
  };
  // Queued one by one, in this order.
  auto queue = [&](auto&& job) {
    const auto stats = sqlite().writer_stats();
    const auto waiting = stats.queued + stats.running;
    threads.emplace_back(job);
    for (int i = 0; i < 400; ++i) {
      const auto now = sqlite().writer_stats();
      if (now.queued + now.running > waiting) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "a write was not queued";
  };
  queue([&] { create(0, false); });  // alone in a batch, waiting for the lock
  queue([&] { create(1, false); });  // the next batch: id next_id + 1
  TicketRecord fresh = prepared->first;
  fresh.id = next_id + 1;
  fresh.number = number_after(2);
  fresh.external_id.reset();
  fresh.version = 0;
  queue([&] { change(2, fresh); });
  queue([&] { create(3, true); });
  queue([&] { create(4, false); });
  queue([&] { change(5, **old_row); });
  lock.release();
  for (auto& th : threads) th.join();

  EXPECT_EQ(sqlite().writer_stats().batches - batches_before, 2);
  for (int slot : {0, 1, 2, 4, 5}) ASSERT_TRUE(out[slot].ok()) << slot << out[slot].error().message;
  ASSERT_FALSE(out[3].ok());
  EXPECT_EQ(out[3].error().code, "duplicate_external_id");
  EXPECT_EQ(out[1]->id, next_id + 1);
  EXPECT_EQ(out[2]->status, core::Status::accepted);

  // The aggregates against the tickets, per street and day and for the whole district.
  tickets_.reset();
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto rows = [&](const char* sql) {
    std::vector<std::string> r;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string line;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const unsigned char* v = sqlite3_column_text(s, i);
        line += (i ? "|" : "") + std::string(v ? reinterpret_cast<const char*>(v) : "");
      }
      r.push_back(line);
    }
    sqlite3_finalize(s);
    return r;
  };
  const auto kept = rows(
      "SELECT street_id, day, total, st_submitted, st_assigned, st_accepted FROM stats_daily "
      "WHERE total <> 0 ORDER BY 1, 2");
  const auto counted = rows(
      "SELECT p, d, COUNT(*), SUM(status = 'submitted'), SUM(status = 'assigned'), "
      "SUM(status = 'accepted') FROM (SELECT COALESCE(street_id, '') AS p, (created_at + 28800) "
      "/ 86400 AS d, status FROM tickets UNION ALL SELECT '*', (created_at + 28800) / 86400, "
      "status FROM tickets) GROUP BY 1, 2 ORDER BY 1, 2");
  EXPECT_EQ(kept, counted);
  const auto kept_categories = rows(
      "SELECT street_id, day, category, n FROM stats_daily_category WHERE n <> 0 ORDER BY 1, 2, "
      "3");
  const auto counted_categories = rows(
      "SELECT p, d, category, COUNT(*) FROM (SELECT COALESCE(street_id, '') AS p, (created_at + "
      "28800) / 86400 AS d, category FROM tickets UNION ALL SELECT '*', (created_at + 28800) / "
      "86400, category FROM tickets) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  EXPECT_EQ(kept_categories, counted_categories);
  EXPECT_FALSE(counted.empty());
  sqlite3_close(db);
}

// The writer's WAL frames reach the file in one write per commit (wal_vfs.hpp), in pieces
// the unix VFS accepts when a commit is large, and read back whole.
TEST_F(GroupCommitTest, EachCommitWritesItsLogInOneGo) {
  const auto before = sqlite::wal_batching_stats();
  const auto batches_before = sqlite().writer_stats().batches;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(tickets_->submit(draft(), Actor{}).ok());
  const auto after = sqlite::wal_batching_stats();
  const auto commits = sqlite().writer_stats().batches - batches_before;
  ASSERT_GE(commits, 10);
  // Each frame is two writes asked (header and page); each commit one write made, and
  // one more where the log starts again after a checkpoint (its header is synced alone).
  EXPECT_GE(after.writes - before.writes, 4 * commits);
  EXPECT_LE(after.flushes - before.flushes, commits + 1);

  // A commit of 3 MB goes in pieces below 128 KB, and comes back as it went.
  AttachmentRecord a;
  a.id = "large";
  a.mime = "image/jpeg";
  a.width = a.height = 1;
  a.data.resize(3 << 20);
  for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<char>(i * 7 + i / 4093);
  a.bytes = static_cast<std::int64_t>(a.data.size());
  ASSERT_TRUE(store_->put_attachment(a).ok());
  const auto large = sqlite::wal_batching_stats();
  EXPECT_EQ(large.flushes - after.flushes, 1);
  EXPECT_GE(large.pieces - after.pieces, (3 << 20) / (128 << 10));
  auto back = store_->attachment("large");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_TRUE((*back)->data == a.data);

  // Read from the file by a connection of the default VFS: whole, and as written.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "ok");
  sqlite3_finalize(s);
  sqlite3_prepare_v2(db, "SELECT data FROM attachments WHERE id = 'large'", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  ASSERT_EQ(sqlite3_column_bytes(s, 0), static_cast<int>(a.data.size()));
  EXPECT_EQ(std::memcmp(sqlite3_column_blob(s, 0), a.data.data(), a.data.size()), 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
}
