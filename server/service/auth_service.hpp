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

  core::Result<Session> register_citizen(const core::Json& body);
  core::Result<Session> login(const core::Json& body);
  core::Outcome logout(const std::string& token);
  // The actor of a bearer token; 401 when the token is unknown, expired or revoked.
  core::Result<Actor> authenticate(const std::string& token);
  core::Result<UserRow> user(std::int64_t id);

  static core::Json user_json(const UserRow& u);

 private:
  core::Result<Session> open_session(const UserRow& u);

  Store& store_;
  NowFn now_;
};

}  // namespace portal::server
