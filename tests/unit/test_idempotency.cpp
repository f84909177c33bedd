// Idempotency keys on both backends (unit.pg.Idempotency runs them on PostgreSQL): the
// store's keyed records, the service's rules, and ticket creation's key kept with the
// ticket, with the fingerprint of its request.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <future>

#include "server/service/idempotency.hpp"
#include "server/store/postgres/pg.hpp"
#include "tests/common/sqlite_write_lock.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using namespace std::chrono_literals;

namespace {

class Idempotency : public test::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    keys_ = std::make_unique<IdempotencyService>(*store_, [this] { return now_; });
  }
  void TearDown() override {
    keys_.reset();
    ServiceTest::TearDown();
  }

  std::int64_t count(const std::string& sql) {
    if (on_postgres()) {
      std::string error;
      auto c = pg::Conn::open(db_, error);
      auto r = c->exec(sql.c_str());
      return r.rows() ? r.int64(0, 0) : -1;
    }
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
    const std::int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  }

  // Holds back every new ticket from another connection (SQLite: the write lock;
  // PostgreSQL: the table of daily counters), until release().
  struct WriteHold {
    std::optional<test::SqliteWriteLock> lite;
    std::unique_ptr<pg::Conn> pgc;
    explicit WriteHold(const Idempotency& t) {
      if (!t.on_postgres()) {
        lite.emplace(t.db_);
        return;
      }
      std::string error;
      pgc = pg::Conn::open(t.db_, error);
      EXPECT_TRUE(pgc && pgc->run("BEGIN") &&
                  pgc->run("LOCK TABLE ticket_counters IN EXCLUSIVE MODE"))
          << error;
    }
    void release() {
      if (pgc) pgc->run("ROLLBACK");
      pgc.reset();
      lite.reset();
    }
    ~WriteHold() { release(); }
  };

  std::unique_ptr<IdempotencyService> keys_;
};

int status_of(const core::Result<IdempotencyService::Claim>& r) {
  return r.ok() ? 0 : r.error().status;
}

const std::string kFp =
    request_fingerprint("POST", "/api/v1/tickets/X/actions", R"({"action":"accept"})");

}  // namespace

// [SECTION] The keyed store of every other POST

TEST_F(Idempotency, AKeyIsClaimedOnceAndItsAnswerKept) {
  const std::string scope = idempotency_scope(7);
  auto first = keys_->claim(scope, "k1", kFp);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->replay.has_value());

  // While it runs: the same request → 409, another request → 422.
  auto again = keys_->claim(scope, "k1", kFp);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().status, 409);
  EXPECT_EQ(again.error().code, "idempotency_in_flight");
  EXPECT_EQ(again.error().field, "Idempotency-Key");
  auto other = keys_->claim(scope, "k1", request_fingerprint("POST", "/x", "{}"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().status, 422);
  EXPECT_EQ(other.error().code, "idempotency_key_reused");

  keys_->finish(*first, 200, R"({"number":"RC1"})");
  auto replay = keys_->claim(scope, "k1", kFp);
  ASSERT_TRUE(replay.ok());
  ASSERT_TRUE(replay->replay.has_value());
  EXPECT_EQ(replay->replay->status, 200);
  EXPECT_EQ(replay->replay->body, R"({"number":"RC1"})");
  auto reused = keys_->claim(scope, "k1", request_fingerprint("POST", "/x", "{}"));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, "idempotency_key_reused");

  // The same key is another caller's own.
  for (const auto& s : {idempotency_scope(8), idempotency_scope(std::nullopt),
                        idempotency_scope(std::nullopt, std::string("ABCDEFGH"))}) {
    auto theirs = keys_->claim(s, "k1", kFp);
    ASSERT_TRUE(theirs.ok()) << s;
    EXPECT_FALSE(theirs->replay.has_value()) << s;
  }
  // Neither the key nor the scope is stored in clear.
  EXPECT_EQ(count("SELECT COUNT(*) FROM idempotency_keys WHERE key_hash LIKE '%k1%' OR "
                  "key_hash LIKE '%user%'"),
            0);
}

TEST_F(Idempotency, AFailedRequestGivesItsKeyBack) {
  const std::string scope = idempotency_scope(7);
  auto first = keys_->claim(scope, "k2", kFp);
  ASSERT_TRUE(first.ok());
  keys_->release(*first);
  auto retry = keys_->claim(scope, "k2", kFp);
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->replay.has_value());
}

TEST_F(Idempotency, AClaimAbandonedAMinuteAgoIsTakenOverByTheSameRequestOnly) {
  const std::string scope = idempotency_scope(7);
  ASSERT_TRUE(keys_->claim(scope, "k3", kFp).ok());
  advance(IdempotencyService::kAbandonedAfter - 1s);
  EXPECT_EQ(status_of(keys_->claim(scope, "k3", kFp)), 409);
  advance(2s);
  auto other = keys_->claim(scope, "k3", request_fingerprint("POST", "/x", "{}"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().status, 422);
  auto taken = keys_->claim(scope, "k3", kFp);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_FALSE(taken->replay.has_value());
  // Taken over now: in flight again.
  EXPECT_EQ(status_of(keys_->claim(scope, "k3", kFp)), 409);
}

TEST_F(Idempotency, TheFingerprintIsOfTheJsonAsRead) {
  EXPECT_EQ(request_fingerprint("POST", "/a", R"({"b": 1, "a": [1, 2]})"),
            request_fingerprint("POST", "/a", R"({"a":[1,2],"b":1})"));
  EXPECT_NE(request_fingerprint("POST", "/a", R"({"a":[1,2],"b":1})"),
            request_fingerprint("POST", "/a", R"({"a":[2,1],"b":1})"));
  EXPECT_NE(request_fingerprint("POST", "/a", "{}"), request_fingerprint("POST", "/b", "{}"));
  EXPECT_NE(request_fingerprint("POST", "/a", "row,1"), request_fingerprint("POST", "/a", "row,2"));
}

// [SECTION] Ticket creation

TEST_F(Idempotency, ASubmissionReplayedWithAnotherTicketIsRefused) {
  auto first = tickets_->submit(draft(), Actor{}, std::string("same-key"));
  ASSERT_TRUE(first.ok());
  // Each field of the ticket is part of the request: changing any one is another request.
  std::vector<core::TicketDraft> others(9, draft());
  others[0].category = "env.air";
  others[1].description += "！";
  others[2].location.lat += 0.0001;
  others[3].location.address = "别处";
  others[4].contact.phone = "13912345679";
  others[5].anonymous = true;
  others[6].grid_id = actor("gw0002").grid_ids.at(0);
  others[7].contact.name = "张三";
  others[8].channel = core::Channel::embed;
  for (std::size_t i = 0; i < others.size(); ++i) {
    auto r = tickets_->submit(others[i], Actor{}, std::string("same-key"));
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error().code, "idempotency_key_reused") << i;
    EXPECT_EQ(r.error().status, 422) << i;
  }
  auto again = tickets_->submit(draft(), Actor{}, std::string("same-key"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->number, first->number);
  EXPECT_EQ(again->access_code, first->access_code);
  // Signed in, the same.
  const Actor cz = actor("cz001");
  auto mine = tickets_->submit(draft(), cz, std::string("same-key"));
  ASSERT_TRUE(mine.ok());
  EXPECT_NE(mine->number, first->number);
  auto changed = tickets_->submit(others[1], cz, std::string("same-key"));
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, "idempotency_key_reused");
  TicketFilter all;
  auto page = store_->list_tickets(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
}

// A row keyed before fingerprints were kept matches no replay: it is refused rather
// than answered to whoever brings the key.
TEST_F(Idempotency, AnOldKeyWithoutFingerprintAnswersNothing) {
  auto first = tickets_->submit(draft(), Actor{}, std::string("old-key"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(raw_sql("UPDATE tickets SET idempotency_fingerprint = NULL"));
  auto r = tickets_->submit(draft(), Actor{}, std::string("old-key"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "idempotency_key_reused");
}

// Two submissions with one key while new tickets are held back: the second is refused
// 409 at once, without waiting; the first is created once the hold is gone.
TEST_F(Idempotency, ASubmissionWhileTheFirstIsInFlightIsRefused) {
  WriteHold hold(*this);
  auto submit = [&] { return tickets_->submit(draft(), Actor{}, std::string("race")); };
  auto a = std::async(std::launch::async, submit);
  auto b = std::async(std::launch::async, submit);
  std::optional<core::Result<core::TicketReceipt>> first, second;
  for (int i = 0; i < 400 && !first; ++i) {
    if (a.wait_for(10ms) == std::future_status::ready) {
      first = a.get();
      hold.release();
      second = b.get();
    } else if (b.wait_for(10ms) == std::future_status::ready) {
      first = b.get();
      hold.release();
      second = a.get();
    }
  }
  hold.release();
  ASSERT_TRUE(first && second) << "neither submission was answered while held";
  ASSERT_FALSE(first->ok());
  EXPECT_EQ(first->error().code, "idempotency_in_flight");
  EXPECT_EQ(first->error().status, 409);
  ASSERT_TRUE(second->ok()) << second->error().message;
  auto later = submit();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->number, (*second)->number);
  EXPECT_EQ(later->access_code, (*second)->access_code);
}

// [SECTION] Purge

TEST_F(Idempotency, KeysAreForgottenAfterADayNotBefore) {
  const std::string scope = idempotency_scope(7);
  auto claimed = keys_->claim(scope, "old", kFp);
  ASSERT_TRUE(claimed.ok());
  keys_->finish(*claimed, 200, "{}");
  auto ticket = tickets_->submit(draft(), Actor{}, std::string("old-ticket"));
  ASSERT_TRUE(ticket.ok());

  advance(kIdempotencyKeep - 1min);
  auto none = keys_->purge();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(*none, 0);
  auto kept = keys_->claim(scope, "old", kFp);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->replay.has_value());

  advance(2min);
  auto fresh = keys_->claim(scope, "fresh", kFp);  // a key of today stays
  ASSERT_TRUE(fresh.ok());
  auto purged = keys_->purge();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM idempotency_keys"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tickets WHERE idempotency_key IS NOT NULL OR "
                  "sealed_access_code IS NOT NULL OR idempotency_fingerprint IS NOT NULL"),
            0);
  // The ticket itself stays; its key is free again.
  EXPECT_TRUE(store_->find_ticket(ticket->number)->has_value());
  auto again = keys_->claim(scope, "old", kFp);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->replay.has_value());
}
