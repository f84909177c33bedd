#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/store/migrations.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;

namespace {
class StoreTest : public test::ServiceTest {};
}  // namespace

TEST_F(StoreTest, MigrationsAreIdempotent) {
  EXPECT_GT(store_->schema_version(), 1);
  auto again = store_->migrate();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(StoreTest, NumbersCountPerShanghaiDay) {
  auto a = tickets_->submit(draft(), Actor{});
  auto b = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->number, "RC2026112500000001");
  EXPECT_EQ(b->number, "RC2026112500000002");
  now_ = *core::parse_iso("2026-11-25T16:30:00Z");  // 00:30 on the 26th in Shanghai
  auto c = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->number, "RC2026112600000001");
}

TEST_F(StoreTest, SubmitAndReadBackWithTheAccessCode) {
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->access_code.has_value());
  EXPECT_EQ(r->access_code->size(), 8u);
  EXPECT_EQ(r->response_due_at, "2026-11-26T02:00:00Z");

  auto v = tickets_->get(r->number, Actor{}, r->access_code);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["description"], draft().description);
  EXPECT_EQ((*v)["contact"]["phone"], "139****5678");

  // Wrong code and unknown numbers look the same.
  auto wrong = tickets_->get(r->number, Actor{}, std::string("AAAAAAAA"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().status, 404);
  EXPECT_EQ(tickets_->get(r->number, Actor{}, std::nullopt).error().status, 404);
  // Lower case and a dash are forgiven.
  std::string typed = *r->access_code;
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(ch));
  typed.insert(4, "-");
  EXPECT_TRUE(tickets_->get(r->number, Actor{}, typed).ok());
}

TEST_F(StoreTest, StoredCodeIsOnlyAHash) {
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  auto t = store_->find_ticket(r->number);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->access_code_hash, sha256_hex(*r->access_code));
  EXPECT_EQ((*t)->access_code_hash.find(*r->access_code), std::string::npos);
}

TEST_F(StoreTest, UnknownCategoryIsRefusedByField) {
  auto d = draft();
  d.category = "no.such";
  auto r = tickets_->submit(d, Actor{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "category");
  EXPECT_EQ(r.error().status, 422);
}

TEST_F(StoreTest, DataSurvivesReopen) {
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  tickets_.reset();
  store_.reset();
  auto s = open_store(db_);
  ASSERT_TRUE(s.ok());
  auto t = (*s)->find_ticket(r->number);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->draft.contact.phone, "13912345678");
  store_ = std::move(*s);
}

TEST_F(StoreTest, StaleVersionsAreRefused) {
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  auto t = store_->find_ticket(r->number);
  ASSERT_TRUE(t.ok() && t->has_value());
  TicketChange first{**t};
  first.ticket.reply = "first";
  ASSERT_TRUE(store_->commit_change(first).ok());
  TicketChange second{**t};  // read before the first change
  second.ticket.reply = "second";
  auto c = store_->commit_change(second);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().status, 409);
}

TEST_F(StoreTest, DemoOrganisationIsComplete) {
  const auto& org = org_->data();
  EXPECT_EQ(org.grids.size(), 1571u);
  EXPECT_EQ(org.grid_workers.size(), 1571u);
  auto cats = store_->categories();
  ASSERT_TRUE(cats.ok());
  EXPECT_GE(cats->size(), 40u);
  auto admin = store_->find_user_by_login("admin");
  ASSERT_TRUE(admin.ok() && admin->has_value());
  EXPECT_EQ((*admin)->role, core::Role::admin);
}

// [SECTION] Several instances over one database (PostgreSQL)

TEST_F(StoreTest, ChangesCommittedElsewhereAreHeard) {
  if (!on_postgres()) GTEST_SKIP() << "one process owns a SQLite file";
  auto other = open_store(db_);
  ASSERT_TRUE(other.ok());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> heard, heard_here;
  ASSERT_TRUE((*other)->watch_changes([&](const std::string& n, const std::string& a) {
    std::lock_guard lock(mu);
    heard.emplace_back(n, a);
    cv.notify_all();
  }));
  ASSERT_TRUE(store_->watch_changes([&](const std::string& n, const std::string& a) {
    std::lock_guard lock(mu);
    heard_here.emplace_back(n, a);
  }));
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  auto t = store_->find_ticket(r->number);
  TicketChange change{**t};
  change.ticket.reply = "noted";
  core::AuditEvent e;
  e.at = "2026-11-25T02:00:00Z";
  e.actor_role = "system";
  e.action = "contact";
  change.events.push_back(e);
  ASSERT_TRUE(store_->commit_change(change).ok());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return heard.size() >= 2; }));
  EXPECT_EQ(heard[0], std::make_pair(r->number, std::string("submit")));
  EXPECT_EQ(heard[1], std::make_pair(r->number, std::string("contact")));
  // The instance that wrote has published already: it does not hear itself.
  lock.unlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  lock.lock();
  EXPECT_TRUE(heard_here.empty());
}

TEST_F(StoreTest, OneInstanceAtATimeHoldsAJob) {
  if (!on_postgres()) GTEST_SKIP() << "one process owns a SQLite file";
  auto other = open_store(db_);
  ASSERT_TRUE(other.ok());
  auto mine = store_->try_lock_job("sla_scheduler");
  ASSERT_TRUE(mine.ok() && *mine);
  auto theirs = (*other)->try_lock_job("sla_scheduler");
  ASSERT_TRUE(theirs.ok());
  EXPECT_FALSE(*theirs);
  // Another job is free meanwhile.
  auto different = (*other)->try_lock_job("another_job");
  ASSERT_TRUE(different.ok());
  EXPECT_TRUE(*different);
  // The scheduler of the other instance skips its round while this one holds it.
  TicketService elsewhere(**other, org_, [this] { return now_ + std::chrono::hours(24 * 30); });
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  auto skipped = elsewhere.run_scheduler();
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->escalated, 0);
  mine->reset();
  auto ran = elsewhere.run_scheduler();
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(ran->escalated, 1);
  auto again = (*other)->try_lock_job("sla_scheduler");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
}

TEST_F(StoreTest, TwoInstancesRacingForOneTicketApplyOneChange) {
  if (!on_postgres()) GTEST_SKIP() << "one process owns a SQLite file";
  auto other = open_store(db_);
  ASSERT_TRUE(other.ok());
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  auto t = store_->find_ticket(r->number);
  ASSERT_TRUE(t.ok() && *t);
  // Both read version 0, then both try to commit from their own threads.
  std::atomic<int> ok{0}, conflicts{0};
  auto attempt = [&](Store& s, const std::string& note) {
    TicketChange c{**t};
    c.ticket.reply = note;
    core::AuditEvent e;
    e.at = "2026-11-25T02:00:00Z";
    e.actor_role = "system";
    e.action = "contact";
    c.events.push_back(e);
    auto x = s.commit_change(c);
    if (x.ok())
      ++ok;
    else if (x.error().status == 409)
      ++conflicts;
  };
  std::thread a([&] { attempt(*store_, "a"); });
  std::thread b([&] { attempt(**other, "b"); });
  a.join();
  b.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflicts.load(), 1);
  auto evs = store_->events((*t)->id);
  ASSERT_TRUE(evs.ok());
  EXPECT_EQ(evs->size(), static_cast<std::size_t>((*t)->event_count + 1));
  EXPECT_TRUE(tickets_->verify_audit()->failures.empty());
}

TEST_F(StoreTest, ARetriedSubmissionIsCreatedOnceWhicheverInstanceItReaches) {
  std::unique_ptr<Store> other_store;
  if (on_postgres()) {
    auto o = open_store(db_);
    ASSERT_TRUE(o.ok());
    other_store = std::move(*o);
  }
  Store& other = other_store ? *other_store : *store_;
  TicketService elsewhere(other, org_, [this] { return now_; });
  // The same retried request reaches both instances at once, several times over. Each
  // attempt answers the one ticket, or, while another attempt on its own instance is
  // under way, 409 idempotency_in_flight.
  std::vector<std::string> numbers(8), codes(8);
  std::vector<std::thread> threads;
  std::atomic<int> odd{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto r = (i % 2 ? elsewhere : *tickets_).submit(draft(), Actor{}, std::string("key-42"));
      if (r.ok()) {
        numbers[i] = r->number;
        codes[i] = r->access_code.value_or("");
      } else if (r.error().code != "idempotency_in_flight") {
        ++odd;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(odd.load(), 0);
  // Retried once more, on both instances, after all of them ended.
  for (int i = 0; i < 8; ++i) {
    if (!numbers[i].empty()) continue;
    auto r = (i % 2 ? elsewhere : *tickets_).submit(draft(), Actor{}, std::string("key-42"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    numbers[i] = r->number;
    codes[i] = r->access_code.value_or("");
  }
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(numbers[i], numbers[0]) << i;
    EXPECT_EQ(codes[i], codes[0]) << i;
  }
  EXPECT_FALSE(numbers[0].empty());
  EXPECT_EQ(codes[0].size(), 8u);
  TicketFilter all;
  all.page_size = 200;
  auto page = store_->list_tickets(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
}

// Both backends have the same numbered migrations: a migration added for one dialect
// only fails here.
TEST(Migrations, BothDialectsHaveTheSameNumbersAndNames) {
  const auto& lite = migrations();
  const auto& pg = pg_migrations();
  ASSERT_EQ(lite.size(), pg.size());
  for (std::size_t i = 0; i < lite.size(); ++i) {
    EXPECT_EQ(lite[i].version, pg[i].version);
    EXPECT_STREQ(lite[i].name, pg[i].name);
  }
}

// A migration numbered below the highest applied one (a branch that landed later) still
// runs on a database migrated past it.
TEST(SqliteMigrations, AMissingLowerVersionStillRuns) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("portal-unit-gap-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto s = open_store(path.string());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->migrate().ok());
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db,
                           "DROP TABLE topic_tickets; DROP TABLE topics; "
                           "DELETE FROM schema_migrations WHERE version = 6",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  {
    auto s = open_store(path.string());
    ASSERT_TRUE(s.ok());
    auto applied = (*s)->migrate();
    ASSERT_TRUE(applied.ok());
    EXPECT_EQ(*applied, 1);
    auto topics = (*s)->topics(TopicFilter{});
    ASSERT_TRUE(topics.ok()) << topics.error().message;
    EXPECT_TRUE(topics->empty());
  }
  for (auto ext : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + ext);
}

// [SECTION] Photos: claimed once, by one ticket; unclaimed ones expire

namespace {

AttachmentRecord photo_row(const std::string& id, std::optional<std::int64_t> uploader,
                           const std::string& address, core::TimePoint at, std::size_t size = 100) {
  AttachmentRecord a;
  a.id = id;
  a.sha256 = std::string(64, 'f');
  a.mime = "image/png";
  a.width = a.height = 1;
  a.data.assign(size, 'x');
  a.bytes = static_cast<std::int64_t>(size);
  a.uploader = uploader;
  a.uploader_addr = address;
  a.created_at = at;
  return a;
}

}  // namespace

TEST_F(StoreTest, APhotoIsClaimedOnceAndUnclaimedOnesAreCountedAndDeleted) {
  const auto hour = std::chrono::hours(1);
  const std::string a(32, 'a'), b(32, 'b'), c(32, 'c');
  ASSERT_TRUE(store_->put_attachment(photo_row(a, 7, "10.0.0.1", now_ - 2 * hour, 100)).ok());
  ASSERT_TRUE(store_->put_attachment(photo_row(b, 7, "10.0.0.1", now_, 250)).ok());
  ASSERT_TRUE(store_->put_attachment(photo_row(c, std::nullopt, "10.0.0.2", now_)).ok());
  // An id is stored once: a second upload under it is refused.
  EXPECT_FALSE(store_->put_attachment(photo_row(c, std::nullopt, "10.0.0.2", now_)).ok());

  auto mine = store_->unclaimed_by_uploader(7);
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  EXPECT_EQ(mine->count, 2);
  EXPECT_EQ(mine->bytes, 350);
  EXPECT_EQ(mine->oldest, now_ - 2 * hour);
  auto here = store_->unclaimed_by_address("10.0.0.1");
  ASSERT_TRUE(here.ok());
  EXPECT_EQ(here->count, 2);
  EXPECT_EQ(store_->unclaimed_by_address("10.9.9.9")->count, 0);
  EXPECT_FALSE(store_->unclaimed_by_address("10.9.9.9")->oldest.has_value());

  // A new ticket claims b in the transaction that creates it.
  auto d = draft();
  d.attachments = {b};
  auto p = tickets_->prepare(d, Actor{}, now_, nullptr);
  ASSERT_TRUE(p.ok());
  auto first = store_->create_ticket(p->first, p->second);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto row = store_->attachment(b);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->claimed_at, now_);
  EXPECT_EQ((*row)->uploader_addr, "");  // only needed while unclaimed
  EXPECT_EQ(*store_->attachment_tickets(b), std::vector<std::string>{first->number});
  EXPECT_EQ(store_->unclaimed_by_uploader(7)->count, 1);

  // A second ticket naming b is refused whole: no ticket, no link.
  auto again = tickets_->prepare(d, Actor{}, now_, nullptr);
  ASSERT_TRUE(again.ok());
  auto second = store_->create_ticket(again->first, again->second);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().status, 409);
  EXPECT_EQ(second.error().code, "attachment_already_used");
  EXPECT_EQ(second.error().field, "attachments");
  auto next = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->number, "RC2026112500000002");  // the refused one took no number

  // A change naming b (or b and c) is refused whole too: c stays unclaimed.
  auto t = store_->find_ticket(next->number);
  ASSERT_TRUE(t.ok() && t->has_value());
  TicketChange change{**t};
  change.ticket.reply = "x";
  change.attachments = {{c, "reply"}, {b, "reply"}};
  auto refused = store_->commit_change(change);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "attachment_already_used");
  EXPECT_FALSE((*store_->attachment(c))->claimed_at.has_value());
  EXPECT_EQ((*store_->find_ticket(next->number))->version, (*t)->version);
  change.attachments = {{c, "reply"}};
  ASSERT_TRUE(store_->commit_change(change).ok());
  EXPECT_EQ(*store_->attachment_tickets(c), std::vector<std::string>{next->number});

  // The clean-up takes what no ticket claimed before the cut-off: a only.
  auto purged = store_->delete_unclaimed_attachments(now_ - hour);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(store_->attachment(a)->has_value());
  EXPECT_TRUE(store_->attachment(b)->has_value());
  EXPECT_EQ(*store_->delete_unclaimed_attachments(now_ + 10 * hour), 0);  // claimed: kept
  EXPECT_TRUE(store_->attachment(c)->has_value());
}

// Before 0012 a photo's id was its content hash, and one photo could be linked into
// several tickets (the attack). Migrated, it stays with the ticket that linked it first.
TEST_F(StoreTest, APhotoLinkedToSeveralTicketsStaysWithTheFirstLink) {
  auto a = tickets_->submit(draft(), Actor{});
  auto b = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(a.ok() && b.ok());
  const std::int64_t ta = (*store_->find_ticket(a->number))->id;
  const std::int64_t tb = (*store_->find_ticket(b->number))->id;
  const std::string hash(64, 'e');
  tickets_.reset();
  store_.reset();
  // Back to the schema before 0012, with the copied photo: linked to b first, then a.
  ASSERT_TRUE(
      raw_sql("DROP INDEX attachments_unclaimed_age; DROP INDEX attachments_unclaimed_uploader; "
              "DROP INDEX attachments_unclaimed_addr; DROP INDEX ticket_attachments_att; "
              "CREATE INDEX ticket_attachments_att ON ticket_attachments(attachment_id); "
              "ALTER TABLE attachments DROP COLUMN sha256; "
              "ALTER TABLE attachments DROP COLUMN uploader_addr; "
              "ALTER TABLE attachments DROP COLUMN claimed_at; "
              "DELETE FROM schema_migrations WHERE version = 12;"));
  const std::string blob = on_postgres() ? "decode('00', 'hex')" : "X'00'";
  ASSERT_TRUE(
      raw_sql("INSERT INTO attachments(id, mime, width, height, bytes, data, uploader, "
              "created_at) VALUES ('" +
              hash + "', 'image/png', 1, 1, 1, " + blob +
              ", NULL, 1000); INSERT INTO ticket_attachments(ticket_id, attachment_id, "
              "role) VALUES (" +
              std::to_string(tb) + ", '" + hash +
              "', 'report'); "
              "INSERT INTO ticket_attachments(ticket_id, attachment_id, role) VALUES (" +
              std::to_string(ta) + ", '" + hash + "', 'report');"));
  auto s = open_store(db_);
  ASSERT_TRUE(s.ok());
  store_ = std::move(*s);
  auto applied = store_->migrate();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  EXPECT_EQ(*store_->attachment_tickets(hash), std::vector<std::string>{b->number});
  auto row = store_->attachment(hash);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->sha256, hash);
  EXPECT_TRUE((*row)->claimed_at.has_value());
  EXPECT_TRUE(store_->ticket_attachments(ta)->empty());
  EXPECT_EQ(store_->ticket_attachments(tb)->size(), 1u);
}

// [SECTION] Usernames without case (migration 0014)

TEST_F(StoreTest, UsernamesMatchWithoutCase) {
  auto admin = store_->find_user_by_login("admin");
  ASSERT_TRUE(admin.ok() && admin->has_value());
  for (const char* spelling : {"Admin", "ADMIN", "aDMIN"}) {
    auto u = store_->find_user_by_login(spelling);
    ASSERT_TRUE(u.ok() && u->has_value()) << spelling;
    EXPECT_EQ((*u)->id, (*admin)->id) << spelling;
    EXPECT_EQ((*u)->username, "admin");  // stored as written
  }
  // Only ASCII letters fold: K (the Kelvin sign) is not k on either backend.
  auto kelvin = store_->find_user_by_login("\u212Aim");
  ASSERT_TRUE(kelvin.ok());
  EXPECT_FALSE(kelvin->has_value());
  UserRow twin = **admin;
  twin.username = "ADMIN";
  twin.phone.clear();
  auto made = store_->create_user(twin);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().status, 409);
  EXPECT_EQ(made.error().code, "account_exists");
  // Phones match as they are.
  UserRow citizen;
  citizen.phone = "13712340099";
  citizen.name = "赵六";
  citizen.role = core::Role::citizen;
  citizen.password_hash = "x";
  ASSERT_TRUE(store_->create_user(citizen).ok());
  auto by_phone = store_->find_user_by_login("13712340099");
  ASSERT_TRUE(by_phone.ok() && by_phone->has_value());
  EXPECT_EQ((*by_phone)->name, "赵六");
}

// Before 0014 two accounts could differ only in case; the migration keeps the oldest's
// name and renames the others to name~id, so that the unique index can be built and no
// account is lost.
TEST_F(StoreTest, MigrationRenamesUsernamesThatDifferOnlyInCase) {
  ASSERT_TRUE(
      raw_sql("DROP INDEX users_username_lower; DELETE FROM schema_migrations WHERE version = 14; "
              "INSERT INTO users(id, username, name, role, password_hash, created_at) VALUES "
              "(900001, 'GW0001', 'dup one', 'citizen', 'x', 0), "
              "(900002, 'Gw0001', 'dup two', 'citizen', 'x', 0)"));
  auto applied = store_->migrate();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  auto original = store_->find_user_by_login("GW0001");
  ASSERT_TRUE(original.ok() && original->has_value());
  EXPECT_EQ((*original)->username, "gw0001");
  EXPECT_EQ((*original)->role, core::Role::grid_worker);
  for (auto [name, who] : {std::pair{"GW0001~900001", "dup one"}, {"gw0001~900002", "dup two"}}) {
    auto u = store_->find_user_by_login(name);
    ASSERT_TRUE(u.ok() && u->has_value()) << name;
    EXPECT_EQ((*u)->name, who);
  }
}
