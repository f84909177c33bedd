// The authorization matrix: every role against every endpoint that touches a
// ticket or an account, on objects inside and outside its scope. Denials answer
// 401/403/404 and carry none of the ticket's data.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

const std::string kPhone = "13811112222";
const std::string kSecret = "配电箱冒烟有焦糊味需要马上处理";

Json get_json(const std::string& path, const std::string& token) {
  auto r = g->client().Get(path.c_str(), {{"Authorization", "Bearer " + token}});
  return r ? Json::parse(r->body, nullptr, false) : Json();
}

// The first account of a role whose field differs from (or equals) a value.
std::string find_user(const std::string& admin, const std::string& role,
                      const std::function<bool(const Json&)>& pred) {
  for (int page = 1; page <= 40; ++page) {
    auto list = get_json("/api/v1/users?page_size=200&page=" + std::to_string(page), admin);
    if (!list.contains("items") || list["items"].empty()) break;
    for (const auto& u : list["items"])
      if (u["role"] == role && u.contains("username") && pred(u)) return u["username"];
  }
  ADD_FAILURE() << "no " << role;
  return "";
}

struct Fixture {
  std::string number, code, photo, grid, community, street;
  std::map<std::string, std::string> tokens;  // actor name → token ("" = anonymous)
};

Fixture& fx() {
  static Fixture fixture = [] {
    Fixture f;
    const std::string gw = try_login(*g, "gw0001");
    auto me = get_json("/api/v1/me", gw);
    f.grid = me["grid_ids"][0];
    auto fc = Json::parse(g->client().Get("/api/v1/grids")->body);
    double lat = 0, lng = 0;
    for (const auto& ft : fc["features"])
      if (ft["properties"]["grid_id"] == f.grid) {
        const auto& ring = ft["geometry"]["coordinates"][0];
        lat = (ring[0][1].get<double>() + ring[2][1].get<double>()) / 2;
        lng = (ring[0][0].get<double>() + ring[2][0].get<double>()) / 2;
        f.community = ft["properties"]["community_id"];
        f.street = ft["properties"]["street_id"];
      }
    const std::string png(
        "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00"
        "\x00\x01\x08\x04\x00\x00\x00\xb5\x1c\x0c\x02\x00\x00\x00\x0b\x49\x44\x41\x54\x78\xda\x63"
        "\x64\x60\x00\x00\x00\x06\x00\x02\x30\x81\xd0\x2f\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42"
        "\x60\x82",
        68);
    const std::string owner = try_login(*g, "cz001");
    f.photo = Json::parse(g->client().Post("/api/v1/attachments", png, "image/png")->body)["id"];
    Json t = {{"category", "power.line"},
              {"description", kSecret},
              {"location", {{"lat", lat}, {"lng", lng}}},
              {"contact", {{"name", "业主甲"}, {"phone", kPhone}}},
              {"attachments", {f.photo}}};
    auto r = g->client().Post("/api/v1/tickets", {{"Authorization", "Bearer " + owner}}, t.dump(),
                              "application/json");
    f.number = Json::parse(r->body)["number"];
    const std::string admin = try_login(*g, "admin");
    auto other_of = [&](const std::string& role, const char* field, const std::string& value) {
      return find_user(admin, role, [&](const Json& u) {
        return u.contains(field) && u[field].get<std::string>() != value;
      });
    };
    f.tokens = {
        {"anonymous", ""},
        {"citizen_owner", owner},
        {"citizen_other", try_login(*g, "cz002")},
        {"grid_worker_own", gw},
        {"grid_worker_other", try_login(*g, "gw0900")},
        {"community_other",
         try_login(*g, other_of("community_staff", "community_id", f.community))},
        {"street_other", try_login(*g, other_of("street_staff", "street_id", f.street))},
        {"unit_not_whistled",
         try_login(*g, find_user(admin, "unit_staff", [](const Json&) { return true; }))},
        {"hotline_agent", try_login(*g, "ha01")},
        {"district_staff", try_login(*g, "ds01")},
        {"admin", admin},
        {"auditor", try_login(*g, "auditor")},
    };
    return f;
  }();
  return fixture;
}

httplib::Headers auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

struct Case {
  const char* endpoint;
  std::function<httplib::Result(const std::string& token)> call;
  // Status per actor name; actors not listed must be denied (401/403/404).
  std::map<std::string, int> allowed;
};

}  // namespace

TEST(Authz, EveryRoleAgainstEveryEndpoint) {
  Fixture& f = fx();
  ASSERT_FALSE(f.number.empty());
  for (const auto& [name, token] : f.tokens) {
    if (name != "anonymous") {
      ASSERT_FALSE(token.empty()) << name;
    }
  }
  const std::string t = "/api/v1/tickets/" + f.number;
  const std::vector<Case> cases = {
      {"GET ticket",
       [&](const std::string& tk) { return g->client().Get(t.c_str(), auth(tk)); },
       {{"citizen_owner", 200},
        {"grid_worker_own", 200},
        {"hotline_agent", 200},
        {"district_staff", 200},
        {"admin", 200},
        {"auditor", 200}}},
      {"GET events",
       [&](const std::string& tk) { return g->client().Get((t + "/events").c_str(), auth(tk)); },
       {{"citizen_owner", 200},
        {"grid_worker_own", 200},
        {"hotline_agent", 200},
        {"district_staff", 200},
        {"admin", 200},
        {"auditor", 200}}},
      {"GET attachment",
       [&](const std::string& tk) {
         return g->client().Get(("/api/v1/attachments/" + f.photo).c_str(), auth(tk));
       },
       {{"citizen_owner", 200},
        {"grid_worker_own", 200},
        {"hotline_agent", 200},
        {"district_staff", 200},
        {"admin", 200},
        {"auditor", 200}}},
      {"POST progress note (no state change)",
       [&](const std::string& tk) {
         return g->client().Post((t + "/actions").c_str(), auth(tk),
                                 Json{{"action", "contact"}, {"note", "已电话联系"}}.dump(),
                                 "application/json");
       },
       {{"grid_worker_own", 200}}},
      {"POST rating (not resolved yet)",
       [&](const std::string& tk) {
         return g->client().Post((t + "/rating").c_str(), auth(tk),
                                 Json{{"resolved", true}, {"satisfaction", 5}}.dump(),
                                 "application/json");
       },
       // The submitter may rate (not yet: it is not resolved); nobody else ever may.
       {{"citizen_owner", 409}}},
      {"GET /users",
       [&](const std::string& tk) { return g->client().Get("/api/v1/users", auth(tk)); },
       {{"admin", 200}}},
      {"POST /apikeys",
       [&](const std::string& tk) {
         return g->client().Post("/api/v1/apikeys", auth(tk), Json{{"name", "m"}}.dump(),
                                 "application/json");
       },
       {{"admin", 201}}},
      {"POST /hotline/import (empty batch)",
       [&](const std::string& tk) {
         return g->client().Post("/api/v1/hotline/import", auth(tk), "[]", "application/json");
       },
       {{"hotline_agent", 422}, {"district_staff", 422}}},
      {"POST /places/import (no rows)",
       [&](const std::string& tk) {
         return g->client().Post("/api/v1/places/import", auth(tk), "name,kind,lat,lng\n",
                                 "text/csv");
       },
       {{"admin", 422}}},
  };
  for (const auto& c : cases) {
    for (const auto& [actor, token] : f.tokens) {
      auto r = c.call(token);
      ASSERT_TRUE(r) << c.endpoint << " / " << actor;
      auto it = c.allowed.find(actor);
      if (it != c.allowed.end()) {
        EXPECT_EQ(r->status, it->second) << c.endpoint << " / " << actor << ": " << r->body;
      } else {
        EXPECT_TRUE(r->status == 401 || r->status == 403 || r->status == 404)
            << c.endpoint << " / " << actor << " got " << r->status << ": " << r->body;
        // Anonymous callers need a token (401) or, for a ticket, its code (404 without).
        if (actor == "anonymous") {
          EXPECT_TRUE(r->status == 401 || r->status == 404) << c.endpoint;
        }
        EXPECT_EQ(r->body.find(kSecret), std::string::npos) << c.endpoint << " / " << actor;
        EXPECT_EQ(r->body.find("13811112222"), std::string::npos) << c.endpoint << " / " << actor;
      }
    }
  }
}

TEST(Authz, PhonesAreWholeOnlyForTheCurrentHandler) {
  Fixture& f = fx();
  const std::string t = "/api/v1/tickets/" + f.number;
  for (const auto& [actor, token] : f.tokens) {
    auto r = g->client().Get(t.c_str(), auth(token));
    ASSERT_TRUE(r);
    if (r->status != 200) continue;
    const bool whole = r->body.find(kPhone) != std::string::npos;
    EXPECT_EQ(whole, actor == "grid_worker_own") << actor;
  }
  // Lists never carry contact details at all.
  auto list = g->client().Get("/api/v1/tickets?scope=all", auth(f.tokens["district_staff"]));
  ASSERT_TRUE(list && list->status == 200);
  EXPECT_EQ(list->body.find("138****2222"), std::string::npos);
  EXPECT_EQ(list->body.find(kPhone), std::string::npos);
  // Another citizen's list does not hold the ticket.
  auto other = g->client().Get("/api/v1/tickets?scope=mine", auth(f.tokens["citizen_other"]));
  ASSERT_TRUE(other && other->status == 200);
  EXPECT_EQ(other->body.find(f.number), std::string::npos);
  auto mine = g->client().Get("/api/v1/tickets?scope=mine", auth(f.tokens["citizen_owner"]));
  ASSERT_TRUE(mine && mine->status == 200);
  EXPECT_NE(mine->body.find(f.number), std::string::npos);
}
