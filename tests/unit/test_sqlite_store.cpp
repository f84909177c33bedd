#include <gtest/gtest.h>

#include <filesystem>

#include "server/service/seed.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

using namespace portal;
using namespace portal::server;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("portal-store-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    auto s = open_store(path_.string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->migrate().ok());
    ASSERT_TRUE(seed_demo(*store_, SeedOptions{.demo = true}, nullptr).ok());
  }
  void TearDown() override {
    store_.reset();
    for (auto ext : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + ext);
  }

  core::TicketDraft draft() {
    core::TicketDraft d;
    d.category = "env.noise";
    d.description = "夜间施工噪音很大，影响休息";
    d.location = {35.41, 116.58, "古槐路"};
    d.contact = {"李四", "13912345678"};
    return d;
  }

  std::filesystem::path path_;
  std::unique_ptr<Store> store_;
  core::TimePoint now_ = *core::parse_iso("2026-11-25T02:00:00Z");
};

}  // namespace

TEST_F(StoreTest, MigrationsAreIdempotent) {
  EXPECT_GT(store_->schema_version(), 0);
  auto again = store_->migrate();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(StoreTest, NumbersCountPerShanghaiDay) {
  TicketService svc(*store_, [this] { return now_; });
  auto a = svc.submit(draft(), Actor{});
  auto b = svc.submit(draft(), Actor{});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->number, "RC2026112500000001");
  EXPECT_EQ(b->number, "RC2026112500000002");
  now_ = *core::parse_iso("2026-11-25T16:30:00Z");  // 00:30 on the 26th in Shanghai
  auto c = svc.submit(draft(), Actor{});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->number, "RC2026112600000001");
}

TEST_F(StoreTest, SubmitAndReadBackWithTheAccessCode) {
  TicketService svc(*store_, [this] { return now_; });
  auto r = svc.submit(draft(), Actor{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->access_code.has_value());
  EXPECT_EQ(r->access_code->size(), 8u);
  EXPECT_EQ(r->response_due_at, "2026-11-26T02:00:00Z");

  auto v = svc.get(r->number, Actor{}, r->access_code);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->description, draft().description);
  EXPECT_EQ(v->contact.phone, "139****5678");

  // Wrong code and unknown numbers look the same.
  auto wrong = svc.get(r->number, Actor{}, std::string("AAAAAAAA"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().status, 404);
  auto none = svc.get(r->number, Actor{}, std::nullopt);
  EXPECT_EQ(none.error().status, 404);
  // Lower case and a dash are forgiven.
  std::string typed = *r->access_code;
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(ch));
  typed.insert(4, "-");
  EXPECT_TRUE(svc.get(r->number, Actor{}, typed).ok());
}

TEST_F(StoreTest, StoredCodeIsOnlyAHash) {
  TicketService svc(*store_, [this] { return now_; });
  auto r = svc.submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  auto t = store_->find_ticket(r->number);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->access_code_hash, sha256_hex(*r->access_code));
  EXPECT_EQ((*t)->access_code_hash.find(*r->access_code), std::string::npos);
}

TEST_F(StoreTest, UnknownCategoryIsRefusedByField) {
  TicketService svc(*store_, [this] { return now_; });
  auto d = draft();
  d.category = "no.such";
  auto r = svc.submit(d, Actor{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "category");
  EXPECT_EQ(r.error().status, 422);
}

TEST_F(StoreTest, DataSurvivesReopen) {
  TicketService svc(*store_, [this] { return now_; });
  auto r = svc.submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  store_.reset();
  auto s = open_store(path_.string());
  ASSERT_TRUE(s.ok());
  auto t = (*s)->find_ticket(r->number);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->draft.contact.phone, "13912345678");
  store_ = std::move(*s);
}
