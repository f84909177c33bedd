// Request helpers shared by the API tests: signing in, the bearer header and the JSON
// body of an answer.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <string>
#include <utility>

#include "portal/core/json.hpp"
#include "tests/api/raw_socket.hpp"
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

// The centre of a grid's bounding box, from the public map.
inline std::pair<double, double> grid_centre(ServerProcess& s, const std::string& grid_id) {
  auto fc = body_of(s.client().Get("/api/v1/grids"));
  for (const auto& f : fc["features"]) {
    if (f["properties"]["grid_id"] != grid_id) continue;
    double min_lng = 1e9, min_lat = 1e9, max_lng = -1e9, max_lat = -1e9;
    for (const auto& p : f["geometry"]["coordinates"][0]) {
      min_lng = std::min(min_lng, p[0].get<double>());
      max_lng = std::max(max_lng, p[0].get<double>());
      min_lat = std::min(min_lat, p[1].get<double>());
      max_lat = std::max(max_lat, p[1].get<double>());
    }
    return {(min_lat + max_lat) / 2, (min_lng + max_lng) / 2};
  }
  ADD_FAILURE() << "grid not on the map: " << grid_id;
  return {0, 0};
}

// The middle of a grid worker's own (first) grid.
inline std::pair<double, double> point_in_grid_of(ServerProcess& s, const std::string& token) {
  auto me = body_of(s.client().Get("/api/v1/me", bearer(token)));
  return grid_centre(s, me["grid_ids"][0].get<std::string>());
}

// Sends `request` byte for byte on a new connection (for what httplib::Client will not
// send) and returns all the server writes until it closes the connection or `seconds`
// pass without a byte. Ask for "Connection: close" to get one answer.
inline std::string raw_exchange(const ServerProcess& s, const std::string& request,
                                int seconds = 5) {
  const int fd = connect_to(s.port(), nullptr, std::chrono::seconds(seconds));
  if (fd < 0) return {};
  std::string answer;
  if (send_all(fd, request) == request.size()) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace portal::test
