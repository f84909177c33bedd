// Accounts and sessions: registration, login by phone or username, logout, and
// turning a bearer token into an Actor. Only hashes of tokens are stored.
#pragma once

#include <optional>
#include <string>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/store.hpp"

namespace portal::server {

struct Session {
  std::string token;
  core::TimePoint expires_at;
  UserRow user;
};

class AuthService {
 public:
  AuthService(Store& store, NowFn now) : store_(store), now_(std::move(now)) {}

  static constexpr auto kSessionLifetime = std::chrono::hours(24 * 7);
  static constexpr auto kSessionIdle = std::chrono::hours(12);

  core::Result<Session> register_citizen(const core::Json& body);
  // Answers kBadLoginCode (401) for an unknown login, a wrong password or a disabled
  // account alike. Usernames match without regard to ASCII case, phones exactly.
  core::Result<Session> login(const core::Json& body);
  static constexpr const char* kBadLoginCode = "invalid_credentials";
  // The account a login body names, as failed sign-ins are counted per account: its
  // login in the form the store compares (lower-cased), whether an account has it or
  // not; nothing when the body has no login text.
  static std::optional<std::string> login_key(const core::Json& body);
  core::Outcome logout(const std::string& token);
  // The actor of a bearer token; 401 when the token is unknown, expired or revoked.
  core::Result<Actor> authenticate(const std::string& token);
  core::Result<UserRow> user(std::int64_t id);

  static core::Json user_json(const UserRow& u);

  // Scopes of new staff accounts are checked against the organisation.
  void set_org(const OrgDirectory* org) { org_ = org; }

  // Administration (admin only; the caller's role is checked here).
  core::Result<core::Json> create_user(const Actor& admin, const core::Json& body);
  core::Result<core::Json> list_users(const Actor& admin, int page, int page_size);
  core::Result<core::Json> patch_user(const Actor& admin, const std::string& id,
                                      const core::Json& body);
  core::Result<core::Json> create_api_key(const Actor& admin, const core::Json& body);
  core::Result<core::Json> list_api_keys(const Actor& admin);
  core::Outcome revoke_api_key(const Actor& admin, const std::string& id);
  // True for a live (not revoked) key.
  core::Result<bool> api_key_valid(const std::string& key);

 private:
  core::Result<Session> open_session(const UserRow& u);

  Store& store_;
  NowFn now_;
  const OrgDirectory* org_ = nullptr;
};

}  // namespace portal::server
