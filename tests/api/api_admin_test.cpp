// Administration (accounts, API keys), session revocation and rate limits.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <thread>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

int status(const httplib::Result& r) {
  return r ? r->status : -1;
}
Json body(const httplib::Result& r) {
  return r ? Json::parse(r->body, nullptr, false) : Json();
}

}  // namespace

TEST(Admin, UsersAreListedCreatedAndDisabled) {
  const std::string admin = try_login(*g, "admin");
  ASSERT_FALSE(admin.empty());
  auto list = g->client().Get("/api/v1/users?page=1&page_size=200", bearer(admin));
  ASSERT_EQ(status(list), 200);
  auto j = body(list);
  EXPECT_GT(j["total"].get<int>(), 5000);
  EXPECT_EQ(j["items"].size(), 200u);
  std::set<std::string> roles;
  for (const auto& u : j["items"]) {
    roles.insert(u["role"]);
    if (u.contains("phone")) {
      EXPECT_NE(u["phone"].get<std::string>().find("****"), std::string::npos);
    }
  }
  EXPECT_TRUE(roles.count("grid_worker"));
  // Not for anyone else.
  const std::string gw = try_login(*g, "gw0003");
  EXPECT_EQ(status(g->client().Get("/api/v1/users", bearer(gw))), 403);
  EXPECT_EQ(status(g->client().Get("/api/v1/users")), 401);
  EXPECT_EQ(status(g->client().Get("/api/v1/users?page_size=500", bearer(admin))), 422);

  // A street staff account needs a real street.
  Json nu = {{"username", "ss_new"},
             {"name", "新街道干部"},
             {"role", "street_staff"},
             {"password", "qiao-dong-88"}};
  auto bad = g->client().Post("/api/v1/users", bearer(admin), nu.dump(), "application/json");
  EXPECT_EQ(status(bad), 422);
  EXPECT_EQ(body(bad)["error"]["field"], "street_id");
  nu["street_id"] = "nope";
  EXPECT_EQ(body(g->client().Post("/api/v1/users", bearer(admin), nu.dump(),
                                  "application/json"))["error"]["field"],
            "street_id");
  nu["street_id"] = "s01";
  auto made = g->client().Post("/api/v1/users", bearer(admin), nu.dump(), "application/json");
  ASSERT_EQ(status(made), 201) << made->body;
  const std::string id = body(made)["id"];
  const std::string token = try_login(*g, "ss_new", "qiao-dong-88");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(status(g->client().Get("/api/v1/me", bearer(token))), 200);

  // Disabling ends the account's sessions at once.
  auto off = g->client().Patch(("/api/v1/users/" + id).c_str(), bearer(admin),
                               Json{{"disabled", true}}.dump(), "application/json");
  ASSERT_EQ(status(off), 200);
  EXPECT_EQ(status(g->client().Get("/api/v1/me", bearer(token))), 401);
  EXPECT_TRUE(try_login(*g, "ss_new", "qiao-dong-88").empty());
  // A new password also ends sessions.
  ASSERT_EQ(status(g->client().Patch(("/api/v1/users/" + id).c_str(), bearer(admin),
                                     Json{{"disabled", false}}.dump(), "application/json")),
            200);
  const std::string t2 = try_login(*g, "ss_new", "qiao-dong-88");
  ASSERT_FALSE(t2.empty());
  auto weak = g->client().Patch(("/api/v1/users/" + id).c_str(), bearer(admin),
                                Json{{"password", "12345678"}}.dump(), "application/json");
  EXPECT_EQ(status(weak), 422);
  EXPECT_EQ(body(weak)["error"]["field"], "password");
  ASSERT_EQ(
      status(g->client().Patch(("/api/v1/users/" + id).c_str(), bearer(admin),
                               Json{{"password", "hong-qiao-99"}}.dump(), "application/json")),
      200);
  EXPECT_EQ(status(g->client().Get("/api/v1/me", bearer(t2))), 401);
  EXPECT_FALSE(try_login(*g, "ss_new", "hong-qiao-99").empty());
  EXPECT_EQ(status(g->client().Patch("/api/v1/users/999999", bearer(admin),
                                     Json{{"name", "x"}}.dump(), "application/json")),
            404);
}

TEST(Admin, ApiKeysAreShownOnceAndRevocable) {
  const std::string admin = try_login(*g, "admin");
  auto made = g->client().Post("/api/v1/apikeys", bearer(admin),
                               Json{{"name", "城市服务聚合平台"}}.dump(), "application/json");
  ASSERT_EQ(status(made), 201);
  const std::string key = body(made)["key"];
  const std::string id = body(made)["id"];
  EXPECT_EQ(key.rfind("rk_", 0), 0u);
  auto list = g->client().Get("/api/v1/apikeys", bearer(admin));
  ASSERT_EQ(status(list), 200);
  EXPECT_EQ(list->body.find(key), std::string::npos);  // never shown again
  EXPECT_EQ(status(g->client().Delete(("/api/v1/apikeys/" + id).c_str(), bearer(admin))), 204);
  EXPECT_EQ(status(g->client().Delete(("/api/v1/apikeys/" + id).c_str(), bearer(admin))), 404);
  const std::string gw = try_login(*g, "gw0004");
  EXPECT_EQ(status(g->client().Post("/api/v1/apikeys", bearer(gw), Json{{"name", "x"}}.dump(),
                                    "application/json")),
            403);
}

TEST(RateLimits, LoginAndAnonymousSubmitAnswer429WithRetryAfter) {
  ServerProcess strict(std::vector<std::string>{});  // the production limits
  int limited = 0;
  std::string retry;
  for (int i = 0; i < 15; ++i) {
    auto r = strict.client().Post("/api/v1/auth/login",
                                  Json{{"login", "nobody"}, {"password", "wrong-pass-1"}}.dump(),
                                  "application/json");
    ASSERT_TRUE(r);
    if (r->status == 429) {
      ++limited;
      retry = r->get_header_value("Retry-After");
      EXPECT_EQ(body(r)["error"]["code"], "rate_limited");
    }
  }
  EXPECT_GE(limited, 4);
  EXPECT_GE(std::atoi(retry.c_str()), 1);
  // A spoofed forwarding header does not open a new bucket.
  auto spoofed = strict.client().Post("/api/v1/auth/login", {{"X-Forwarded-For", "10.9.8.7"}},
                                      Json{{"login", "x"}, {"password", "y-1234567"}}.dump(),
                                      "application/json");
  EXPECT_EQ(status(spoofed), 429);
  int submit_limited = 0;
  for (int i = 0; i < 14; ++i) {
    auto r = strict.client().Post("/api/v1/tickets", "{}", "application/json");
    if (r && r->status == 429) ++submit_limited;
  }
  EXPECT_GE(submit_limited, 3);
}

TEST(Logs, OneJsonLinePerRequestWithNoSecrets) {
  const std::string token = try_login(*g, "gw0007");
  ASSERT_FALSE(token.empty());
  g->client().Get("/api/v1/me", bearer(token));
  g->client().Post("/api/v1/auth/login",
                   Json{{"login", "13899990000"}, {"password", "wrong-secret-9"}}.dump(),
                   "application/json");
  g->client().Get("/api/v1/users", bearer(token));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string log = g->log();
  EXPECT_EQ(log.find(token), std::string::npos);
  EXPECT_EQ(log.find("wrong-secret-9"), std::string::npos);
  EXPECT_EQ(log.find("13899990000"), std::string::npos);
  EXPECT_EQ(log.find("demo12345"), std::string::npos);
  bool saw_auth_failure = false, saw_denied = false;
  std::istringstream lines(log);
  std::string line;
  int requests = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;
    auto j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    if (!j.contains("rid")) continue;
    ++requests;
    for (auto key : {"ts", "level", "method", "path", "status", "ms"}) EXPECT_TRUE(j.contains(key));
    if (j.value("event", "") == "authentication_failed") saw_auth_failure = true;
    if (j.value("event", "") == "authorization_denied") saw_denied = true;
  }
  EXPECT_GE(requests, 3);
  EXPECT_TRUE(saw_auth_failure);
  EXPECT_TRUE(saw_denied);
}
