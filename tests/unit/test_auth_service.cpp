#include <gtest/gtest.h>

#include "server/service/auth_service.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using core::Json;

namespace {
class Auth : public test::ServiceTest {
 protected:
  void SetUp() override {
    test::ServiceTest::SetUp();
    auth_ = std::make_unique<AuthService>(*store_, [this] { return now_; });
  }
  void TearDown() override {
    auth_.reset();
    test::ServiceTest::TearDown();
  }
  std::unique_ptr<AuthService> auth_;
};
}  // namespace

TEST_F(Auth, RegisterThenLoginByPhone) {
  auto s = auth_->register_citizen(
      {{"phone", "13612345678"}, {"password", "yun-he-qiao-3"}, {"name", "孙丽"}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_GE(s->token.size(), 43u);  // 256 random bits
  auto l = auth_->login({{"login", "13612345678"}, {"password", "yun-he-qiao-3"}});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->user.role, core::Role::citizen);
  // The stored session is only a hash of the token.
  auto a = auth_->authenticate(l->token);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->user_id, l->user.id);
}

TEST_F(Auth, SessionsExpireWhenIdleAndAtTheirEnd) {
  auto l = auth_->login({{"login", "gw0001"}, {"password", "demo12345"}});
  ASSERT_TRUE(l.ok());
  // Used every 11 hours: stays alive until the absolute limit of 7 days.
  for (int i = 0; i < 15; ++i) {  // up to 165 h
    advance(std::chrono::hours(11));
    ASSERT_TRUE(auth_->authenticate(l->token).ok()) << i;
  }
  advance(std::chrono::hours(11));  // 176 h: past 7 days
  EXPECT_EQ(auth_->authenticate(l->token).error().status, 401);
  // Idle for 13 hours: gone.
  auto m = auth_->login({{"login", "gw0001"}, {"password", "demo12345"}});
  ASSERT_TRUE(m.ok());
  advance(std::chrono::hours(13));
  EXPECT_EQ(auth_->authenticate(m->token).error().status, 401);
}

TEST_F(Auth, LogoutRevokes) {
  auto l = auth_->login({{"login", "gw0001"}, {"password", "demo12345"}});
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(auth_->logout(l->token).ok());
  EXPECT_EQ(auth_->authenticate(l->token).error().status, 401);
  EXPECT_EQ(auth_->authenticate("").error().status, 401);
  EXPECT_EQ(auth_->authenticate(std::string(1000, 'a')).error().status, 401);
}

// Sessions in use are remembered by the store: every way of ending one, or of
// changing its account, must reach a token that has just been answered from memory.
TEST_F(Auth, RevocationReachesSessionsAlreadyInUse) {
  auto admin_login = auth_->login({{"login", "admin"}, {"password", "demo12345"}});
  ASSERT_TRUE(admin_login.ok());
  auto admin = auth_->authenticate(admin_login->token);
  ASSERT_TRUE(admin.ok());

  auto l = auth_->login({{"login", "gw0001"}, {"password", "demo12345"}});
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(auth_->authenticate(l->token).ok());
  ASSERT_TRUE(auth_->authenticate(l->token).ok());
  ASSERT_TRUE(auth_->logout(l->token).ok());
  EXPECT_EQ(auth_->authenticate(l->token).error().status, 401);

  // Renamed: the next request sees the new name.
  auto m = auth_->login({{"login", "gw0001"}, {"password", "demo12345"}});
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(auth_->authenticate(m->token).ok());
  const std::string id = std::to_string(m->user.id);
  ASSERT_TRUE(auth_->patch_user(*admin, id, {{"name", "改名后"}}).ok());
  auto renamed = auth_->authenticate(m->token);
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->name, "改名后");

  // Disabled, and a new password: both end the session at once.
  ASSERT_TRUE(auth_->patch_user(*admin, id, {{"disabled", true}}).ok());
  EXPECT_EQ(auth_->authenticate(m->token).error().status, 401);
  ASSERT_TRUE(auth_->patch_user(*admin, id, {{"disabled", false}}).ok());
  auto n = auth_->login({{"login", "gw0001"}, {"password", "demo12345"}});
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(auth_->authenticate(n->token).ok());
  ASSERT_TRUE(auth_->patch_user(*admin, id, {{"password", "qing-shui-he-7"}}).ok());
  EXPECT_EQ(auth_->authenticate(n->token).error().status, 401);
}
