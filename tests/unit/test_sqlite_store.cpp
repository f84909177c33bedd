#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

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
  auto s = open_store(path_.string());
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
