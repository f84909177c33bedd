#include "server/service/auth_service.hpp"

#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/service/passwords.hpp"
#include "server/service/tokens.hpp"

namespace portal::server {

using core::Error;
using core::Json;
using core::Result;

namespace {

Result<std::string> string_field(const Json& body, const char* field, std::size_t max_chars) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return Error::invalid(field, "required", "is required");
  if (!it->is_string()) return Error::malformed(field, "wrong_type", "must be a string");
  std::string s = it->get<std::string>();
  auto len = core::utf8_length(s);
  if (!len) return Error::invalid(field, "invalid_utf8", "must be valid UTF-8 text");
  if (*len == 0) return Error::invalid(field, "required", "is required");
  if (*len > max_chars) return Error::invalid(field, "too_long", "is too long");
  if (core::has_control_chars(s))
    return Error::invalid(field, "control_characters", "must not hold control characters");
  return s;
}

const Error kBadLogin{"invalid_credentials", "wrong phone, username or password", {}, 401};

}  // namespace

Json AuthService::user_json(const UserRow& u) {
  Json j = {{"id", std::to_string(u.id)}, {"name", u.name}, {"role", core::to_string(u.role)}};
  if (!u.username.empty()) j["username"] = u.username;
  if (!u.title.empty()) j["title"] = u.title;
  if (!u.unit_id.empty()) j["unit_id"] = u.unit_id;
  if (!u.grid_ids.empty()) j["grid_ids"] = u.grid_ids;
  if (!u.community_id.empty()) j["community_id"] = u.community_id;
  if (!u.street_id.empty()) j["street_id"] = u.street_id;
  if (u.disabled) j["disabled"] = true;
  return j;
}

Result<Session> AuthService::open_session(const UserRow& u) {
  Session s;
  s.token = new_session_token();
  s.expires_at = now_() + kSessionLifetime;
  s.user = u;
  if (auto ok = store_.create_session(token_hash(s.token), u.id, now_(), s.expires_at); !ok)
    return ok.error();
  return s;
}

Result<Session> AuthService::register_citizen(const Json& body) {
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto phone = string_field(body, "phone", 20);
  if (!phone) return phone.error();
  if (!core::is_valid_phone(*phone) || phone->size() != 11)
    return Error::invalid("phone", "invalid_phone", "must be a mainland mobile number");
  auto password = string_field(body, "password", 128);
  if (!password) return password.error();
  auto name = string_field(body, "name", 50);
  if (!name) return name.error();
  if (auto weak = check_password_strength(*password, *phone, ""); weak) return *weak;
  UserRow u;
  u.phone = *phone;
  u.name = *name;
  u.role = core::Role::citizen;
  u.password_hash = hash_password(*password);
  u.created_at = now_();
  auto id = store_.create_user(u);
  if (!id) {
    if (id.error().status == 409)
      return Error{"phone_taken", "an account with this phone exists", "phone", 409};
    return id.error();
  }
  u.id = *id;
  return open_session(u);
}

Result<Session> AuthService::login(const Json& body) {
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto login = string_field(body, "login", 64);
  if (!login) return login.error();
  auto password = string_field(body, "password", 128);
  if (!password) return password.error();
  auto user = store_.find_user_by_login(*login);
  if (!user) return user.error();
  if (!*user) {
    verify_password_dummy(*password);
    return kBadLogin;
  }
  if (!verify_password((*user)->password_hash, *password) || (*user)->disabled) return kBadLogin;
  return open_session(**user);
}

core::Outcome AuthService::logout(const std::string& token) {
  return store_.delete_session(token_hash(token));
}

Result<Actor> AuthService::authenticate(const std::string& token) {
  const Error unauthorized{"unauthorized", "sign in again", {}, 401};
  if (token.empty() || token.size() > 256) return unauthorized;
  auto uid = store_.session_user(token_hash(token), now_());
  if (!uid) return uid.error();
  if (!*uid) return unauthorized;
  auto u = store_.find_user(**uid);
  if (!u) return u.error();
  if (!*u) return unauthorized;
  return Actor::from_user(**u);
}

Result<UserRow> AuthService::user(std::int64_t id) {
  auto u = store_.find_user(id);
  if (!u) return u.error();
  if (!*u) return Error::not_found("no such user");
  return **u;
}

}  // namespace portal::server
