// A seeded demo database for service tests: seeded once per test binary into a
// template file, then copied for each test so that tests stay independent and fast.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "server/service/auth_service.hpp"
#include "server/service/seed.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/store.hpp"

namespace portal::test {

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
    path_ = std::filesystem::temp_directory_path() /
            ("portal-unit-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::copy_file(seeded_template(), path_,
                               std::filesystem::copy_options::overwrite_existing);
    auto s = server::open_store(path_.string());
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
    for (auto ext : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + ext);
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

  std::filesystem::path path_;
  std::unique_ptr<server::Store> store_;
  std::shared_ptr<const server::OrgDirectory> org_;
  std::unique_ptr<server::TicketService> tickets_;
  // Wednesday 2026-11-25, 10:00 in Shanghai.
  core::TimePoint now_ = *core::parse_iso("2026-11-25T02:00:00Z");
};

}  // namespace portal::test
