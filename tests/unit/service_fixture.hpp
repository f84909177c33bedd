// A seeded demo database for service tests, on either backend:
// - SQLite (default): seeded once per test binary into a template file, then copied
//   for each test.
// - PostgreSQL, when PORTAL_TEST_PG (a postgres:// URL of a throwaway cluster, any
//   database) or PORTAL_TEST_PG_FILE (a file holding one) is set: seeded once per
//   cluster into the database portal_seeded, then each test gets a fresh copy with
//   CREATE DATABASE ... TEMPLATE portal_seeded, dropped afterwards.
// Tests reach the database by the name in db_, as open_store() takes it.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server/service/auth_service.hpp"
#include "server/service/seed.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/postgres/pg.hpp"
#include "server/store/store.hpp"

namespace portal::test {

// The PostgreSQL cluster the tests run against, or "" for SQLite.
inline const std::string& pg_test_url() {
  static const std::string url = [] {
    if (const char* u = std::getenv("PORTAL_TEST_PG"); u && *u) return std::string(u);
    if (const char* f = std::getenv("PORTAL_TEST_PG_FILE"); f && *f) {
      std::ifstream in(f);
      std::string line;
      std::getline(in, line);
      if (line.empty()) {
        std::fprintf(stderr, "PORTAL_TEST_PG_FILE %s names no cluster\n", f);
        std::abort();
      }
      return line;
    }
    return std::string();
  }();
  return url;
}

// The URL with another database name: postgresql://user@host/DB?params.
inline std::string pg_url_for(const std::string& url, const std::string& db) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme + 3);
  const auto query = url.find('?', scheme + 3);
  std::string out = url.substr(0, slash == std::string::npos ? query : slash) + "/" + db;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

inline std::unique_ptr<server::pg::Conn> pg_admin() {
  std::string error;
  auto c = server::pg::Conn::open(pg_url_for(pg_test_url(), "postgres"), error);
  if (!c) {
    std::fprintf(stderr, "cannot reach the test cluster: %s\n", error.c_str());
    std::abort();
  }
  return c;
}

// Seeds portal_seeded once per cluster (the first test process to come does it,
// under an advisory lock the others wait on).
inline void ensure_pg_template() {
  static const bool done = [] {
    auto admin = pg_admin();
    admin->run("SELECT pg_advisory_lock(4242)");
    auto have = admin->exec("SELECT 1 FROM pg_database WHERE datname = 'portal_seeded'");
    if (have.rows() == 0) {
      if (!admin->run("CREATE DATABASE portal_seeded")) std::abort();
      auto s = server::open_store(pg_url_for(pg_test_url(), "portal_seeded"));
      if (!s || !(*s)->migrate()) std::abort();
      if (!server::seed_demo(**s, server::SeedOptions{.demo = true}, nullptr)) std::abort();
      s->reset();  // no connection may stay on a template that is being copied
    }
    admin->run("SELECT pg_advisory_unlock(4242)");
    return true;
  }();
  (void)done;
}

// A fresh copy of the seeded database; returns its URL.
inline std::string pg_fresh_database(std::string& name) {
  ensure_pg_template();
  static std::atomic<int> counter{0};
  name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  auto admin = pg_admin();
  admin->run(("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str());
  for (int attempt = 0;; ++attempt) {
    if (admin->run(
            ("CREATE DATABASE " + name + " TEMPLATE portal_seeded STRATEGY FILE_COPY").c_str()))
      break;
    // Another process may be copying or seeding the template just now.
    if (attempt == 50) {
      std::fprintf(stderr, "CREATE DATABASE failed: %s\n", admin->last_error().c_str());
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pg_url_for(pg_test_url(), name);
}

inline void pg_drop_database(const std::string& name) {
  auto admin = pg_admin();
  admin->run(("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str());
}

inline const std::filesystem::path& seeded_template() {
  static const std::filesystem::path path = [] {
    auto p = std::filesystem::temp_directory_path() /
             ("portal-unit-template-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(p);
    auto s = server::open_store(p.string());
    if (!s || !(*s)->migrate()) std::abort();
    if (!server::seed_demo(**s, server::SeedOptions{.demo = true}, nullptr)) std::abort();
    s->reset();  // closes the database, checkpointing the WAL into the file
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove(std::filesystem::temp_directory_path() /
                                  ("portal-unit-template-" + std::to_string(::getpid()) + ".db"),
                              ec);
    });
    return p;
  }();
  return path;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pg_test_url().empty()) {
      db_ = pg_fresh_database(pg_name_);
    } else {
      path_ = std::filesystem::temp_directory_path() /
              ("portal-unit-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
      std::filesystem::copy_file(seeded_template(), path_,
                                 std::filesystem::copy_options::overwrite_existing);
      db_ = path_.string();
    }
    auto s = server::open_store(db_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto org = server::OrgDirectory::load(*store_);
    ASSERT_TRUE(org.ok());
    org_ = *org;
    tickets_ = std::make_unique<server::TicketService>(*store_, org_, [this] { return now_; });
  }
  void TearDown() override {
    tickets_.reset();
    store_.reset();
    if (!pg_name_.empty()) {
      pg_drop_database(pg_name_);
      return;
    }
    for (auto ext : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + ext);
  }

  bool on_postgres() const { return !pg_name_.empty(); }

  // Runs SQL on the test's database behind the store's back, as someone with direct
  // access to the database could; true when it succeeds.
  bool raw_sql(const std::string& sql) {
    if (on_postgres()) {
      std::string error;
      auto c = server::pg::Conn::open(db_, error);
      return c && c->run(sql.c_str());
    }
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(db_.c_str(), &db) == SQLITE_OK &&
              sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
  }

  // The account of a demo user, as the service sees it.
  server::Actor actor(const std::string& username) {
    auto u = store_->find_user_by_login(username);
    EXPECT_TRUE(u.ok() && u->has_value()) << username;
    return server::Actor::from_user(**u);
  }

  core::TicketDraft draft(double lat = 35.41, double lng = 116.58) {
    core::TicketDraft d;
    d.category = "env.noise";
    d.description = "夜间施工噪音很大，影响休息";
    d.location = {lat, lng, "古槐路"};
    d.contact = {"李四", "13912345678"};
    return d;
  }

  void advance(std::chrono::seconds s) { now_ += s; }

  std::filesystem::path path_;  // SQLite only
  std::string pg_name_;         // PostgreSQL only: the test's database
  std::string db_;              // what open_store() takes
  std::unique_ptr<server::Store> store_;
  std::shared_ptr<const server::OrgDirectory> org_;
  std::unique_ptr<server::TicketService> tickets_;
  // Wednesday 2026-11-25, 10:00 in Shanghai.
  core::TimePoint now_ = *core::parse_iso("2026-11-25T02:00:00Z");
};

}  // namespace portal::test
