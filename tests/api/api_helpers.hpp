// Request helpers shared by the API tests: signing in, the bearer header and the JSON
// body of an answer.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

// Sends `request` byte for byte on a new connection (for what httplib::Client will not
// send) and returns all the server writes until it closes the connection or `seconds`
// pass without a byte. Ask for "Connection: close" to get one answer.
inline std::string raw_exchange(const ServerProcess& s, const std::string& request,
                                int seconds = 5) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(s.port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace portal::test
