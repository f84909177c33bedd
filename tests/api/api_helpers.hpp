// Request helpers shared by the API tests: signing in, the bearer header and the JSON
// body of an answer.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "portal/core/json.hpp"
#include "tests/api/server_process.hpp"

namespace portal::test {

// The answer's body as JSON (discarded when it is not JSON); no answer fails the test.
inline core::Json body_of(const httplib::Result& r) {
  EXPECT_TRUE(r);
  if (!r) return {};
  return core::Json::parse(r->body, nullptr, false);
}

// Signs in; returns the token, or "" when the server refuses.
inline std::string try_login(ServerProcess& s, const std::string& user,
                             const std::string& password = "demo12345") {
  auto r = s.client().Post("/api/v1/auth/login",
                           core::Json{{"login", user}, {"password", password}}.dump(),
                           "application/json");
  return r && r->status == 200 ? core::Json::parse(r->body)["token"].get<std::string>() : "";
}

// Signs in with the demo password; a refusal fails the test and gives "".
inline std::string login(ServerProcess& s, const std::string& user) {
  auto r = s.client().Post("/api/v1/auth/login",
                           core::Json{{"login", user}, {"password", "demo12345"}}.dump(),
                           "application/json");
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  return r && r->status == 200 ? core::Json::parse(r->body)["token"].get<std::string>() : "";
}

inline httplib::Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// The middle of a grid worker's own (first) grid.
inline std::pair<double, double> point_in_grid_of(ServerProcess& s, const std::string& token) {
  auto me = core::Json::parse(s.client().Get("/api/v1/me", bearer(token))->body);
  const std::string grid = me["grid_ids"][0];
  auto fc = core::Json::parse(s.client().Get("/api/v1/grids")->body);
  for (const auto& f : fc["features"])
    if (f["properties"]["grid_id"] == grid) {
      const auto& ring = f["geometry"]["coordinates"][0];
      return {(ring[0][1].get<double>() + ring[2][1].get<double>()) / 2,
              (ring[0][0].get<double>() + ring[2][0].get<double>()) / 2};
    }
  return {0, 0};
}

}  // namespace portal::test
