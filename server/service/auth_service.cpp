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

const Error kBadLogin{AuthService::kBadLoginCode, "wrong phone, username or password", {}, 401};

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
  if (needs_rehash((*user)->password_hash)) {
    Store::UserPatch p;
    p.password_hash = hash_password(*password);
    // Best effort: the sign-in stands, and the next one tries again.
    (void)store_.update_user((*user)->id, p);
  }
  return open_session(**user);
}

std::optional<std::string> AuthService::login_key(const Json& body) {
  if (!body.is_object()) return std::nullopt;
  auto it = body.find("login");
  if (it == body.end() || !it->is_string()) return std::nullopt;
  const std::string& login = it->get_ref<const std::string&>();
  // Longer than 64 characters can take: refused as too long, not tried.
  if (login.empty() || login.size() > 4 * 64) return std::nullopt;
  return core::ascii_lower(login);
}

core::Outcome AuthService::logout(const std::string& token) {
  return store_.delete_session(token_hash(token));
}

Result<Actor> AuthService::authenticate(const std::string& token) {
  const Error unauthorized{"unauthorized", "sign in again", {}, 401};
  if (token.empty() || token.size() > 256) return unauthorized;
  const std::string key = token_hash(token);
  auto u = store_.session_user_row(key, now_(), kSessionIdle);
  if (!u) return u.error();
  if (!*u) return unauthorized;
  Actor a = Actor::from_user(**u);
  a.session_key = key;
  return a;
}

Result<UserRow> AuthService::user(std::int64_t id) {
  auto u = store_.find_user(id);
  if (!u) return u.error();
  if (!*u) return Error::not_found("no such user");
  return **u;
}

// [SECTION] Administration

namespace {
const Error kAdminOnly{"forbidden", "only administrators manage accounts", {}, 403};
bool is_admin(const Actor& a) {
  return a.signed_in() && a.role == core::Role::admin;
}

std::optional<std::int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(s);
}
}  // namespace

Result<Json> AuthService::create_user(const Actor& admin, const Json& body) {
  if (!is_admin(admin)) return kAdminOnly;
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  UserRow u;
  auto name = string_field(body, "name", 50);
  if (!name) return name.error();
  u.name = *name;
  auto role_s = string_field(body, "role", 32);
  if (!role_s) return role_s.error();
  auto role = core::parse_role(*role_s);
  if (!role) return Error::invalid("role", "unknown_role", "is not a role");
  u.role = *role;
  if (body.contains("username")) {
    auto un = string_field(body, "username", 32);
    if (!un) return un.error();
    for (char c : *un)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
        return Error::invalid("username", "invalid_username",
                              "letters, digits, dot, dash and underscore only");
    u.username = *un;
  }
  if (body.contains("phone")) {
    auto ph = string_field(body, "phone", 20);
    if (!ph) return ph.error();
    if (!core::is_valid_phone(*ph))
      return Error::invalid("phone", "invalid_phone", "is not a phone");
    u.phone = *ph;
  }
  if (u.username.empty() && u.phone.empty())
    return Error::invalid("username", "required", "give a username or a phone");
  auto password = string_field(body, "password", 128);
  if (!password) return password.error();
  if (auto weak = check_password_strength(*password, u.phone, u.username); weak) return *weak;
  for (const char* f : {"unit_id", "street_id", "community_id", "title"}) {
    if (!body.contains(f)) continue;
    auto v = string_field(body, f, 64);
    if (!v) return v.error();
    if (std::string_view(f) == "unit_id") u.unit_id = *v;
    if (std::string_view(f) == "street_id") u.street_id = *v;
    if (std::string_view(f) == "community_id") u.community_id = *v;
    if (std::string_view(f) == "title") u.title = *v;
  }
  if (auto g = body.find("grid_ids"); g != body.end()) {
    if (!g->is_array()) return Error::malformed("grid_ids", "wrong_type", "must be an array");
    for (const auto& x : *g) {
      if (!x.is_string()) return Error::malformed("grid_ids", "wrong_type", "must hold strings");
      u.grid_ids.push_back(x.get<std::string>());
    }
  }
  // Each staff role needs its scope, and the scope must exist.
  using core::Role;
  auto need = [&](bool ok, const char* field) -> std::optional<Error> {
    if (!ok) return Error::invalid(field, "required", "this role needs it");
    return std::nullopt;
  };
  std::optional<Error> missing;
  if (u.role == Role::grid_worker) missing = need(!u.grid_ids.empty(), "grid_ids");
  if (u.role == Role::community_staff) missing = need(!u.community_id.empty(), "community_id");
  if (u.role == Role::street_staff) missing = need(!u.street_id.empty(), "street_id");
  if (u.role == Role::unit_staff) missing = need(!u.unit_id.empty(), "unit_id");
  if (missing) return *missing;
  if (org_) {
    for (const auto& gid : u.grid_ids)
      if (!org_->grid(gid))
        return Error::invalid("grid_ids", "unknown_grid", "names an unknown grid");
    if (!u.community_id.empty() && !org_->community(u.community_id))
      return Error::invalid("community_id", "unknown_community", "is not a community");
    if (!u.street_id.empty() && !org_->street(u.street_id))
      return Error::invalid("street_id", "unknown_street", "is not a street");
    if (!u.unit_id.empty() && !org_->unit(u.unit_id))
      return Error::invalid("unit_id", "unknown_unit", "is not a unit");
  }
  u.password_hash = hash_password(*password);
  u.created_at = now_();
  auto id = store_.create_user(u);
  if (!id) return id.error();
  u.id = *id;
  return user_json(u);
}

Result<Json> AuthService::list_users(const Actor& admin, int page, int page_size) {
  if (!is_admin(admin)) return kAdminOnly;
  auto users = store_.users(page, page_size);
  if (!users) return users.error();
  auto total = store_.count_users();
  if (!total) return total.error();
  Json items = Json::array();
  for (const auto& u : *users) {
    Json j = user_json(u);
    // Staff phones are work phones; still, only the mask leaves the server in lists.
    if (!u.phone.empty()) j["phone"] = core::mask_phone(u.phone);
    items.push_back(std::move(j));
  }
  return Json{{"items", items}, {"total", *total}, {"page", page}, {"page_size", page_size}};
}

Result<Json> AuthService::patch_user(const Actor& admin, const std::string& id_s,
                                     const Json& body) {
  if (!is_admin(admin)) return kAdminOnly;
  auto id = parse_id(id_s);
  if (!id) return Error::not_found("no such user");
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  Store::UserPatch p;
  if (body.contains("name")) {
    auto n = string_field(body, "name", 50);
    if (!n) return n.error();
    p.name = *n;
  }
  if (body.contains("title")) {
    auto n = string_field(body, "title", 64);
    if (!n) return n.error();
    p.title = *n;
  }
  if (auto d = body.find("disabled"); d != body.end()) {
    if (!d->is_boolean())
      return Error::malformed("disabled", "wrong_type", "must be true or false");
    if (*id == *admin.user_id && d->get<bool>())
      return Error::invalid("disabled", "self_disable", "you cannot disable your own account");
    p.disabled = d->get<bool>();
  }
  auto target = store_.find_user(*id);
  if (!target) return target.error();
  if (!*target) return Error::not_found("no such user");
  if (body.contains("password")) {
    auto pw = string_field(body, "password", 128);
    if (!pw) return pw.error();
    if (auto weak = check_password_strength(*pw, (*target)->phone, (*target)->username); weak)
      return *weak;
    p.password_hash = hash_password(*pw);
  }
  if (auto ok = store_.update_user(*id, p); !ok) return ok.error();
  auto u = store_.find_user(*id);
  if (!u || !*u) return Error::not_found("no such user");
  return user_json(**u);
}

Result<Json> AuthService::create_api_key(const Actor& admin, const Json& body) {
  if (!is_admin(admin)) return kAdminOnly;
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto name = string_field(body, "name", 100);
  if (!name) return name.error();
  const std::string key = new_api_key();
  auto id = store_.create_api_key(*name, token_hash(key), key.substr(0, 7), admin.user_id, now_());
  if (!id) return id.error();
  return Json{{"id", std::to_string(*id)}, {"name", *name}, {"key", key}};
}

Result<Json> AuthService::list_api_keys(const Actor& admin) {
  if (!is_admin(admin)) return kAdminOnly;
  auto keys = store_.api_keys();
  if (!keys) return keys.error();
  Json items = Json::array();
  for (const auto& k : *keys)
    items.push_back(
        {{"id", std::to_string(k.id)},
         {"name", k.name},
         {"prefix", k.prefix},
         {"created_at", core::format_iso(k.created_at)},
         {"revoked_at", k.revoked_at ? Json(core::format_iso(*k.revoked_at)) : Json()}});
  return Json{{"items", items}};
}

core::Outcome AuthService::revoke_api_key(const Actor& admin, const std::string& id_s) {
  if (!is_admin(admin)) return kAdminOnly;
  auto id = parse_id(id_s);
  if (!id) return Error::not_found("no such key");
  auto r = store_.revoke_api_key(*id, now_());
  if (!r) return r.error();
  if (!*r) return Error::not_found("no such live key");
  return core::Unit{};
}

Result<bool> AuthService::api_key_valid(const std::string& key) {
  if (!looks_like_api_key(key)) return false;
  auto id = store_.find_api_key(token_hash(key));
  if (!id) return id.error();
  return id->has_value();
}

}  // namespace portal::server
