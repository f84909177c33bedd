// A fake of the client's HTTP layer for tests of client/app: it keeps every request
// and answers them when a test says so.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "net/http.hpp"

namespace portal::client::fakes {

// Answers each request with the next canned response for its path, and keeps them.
class FakeHttp : public net::Http {
 public:
  struct Sent {
    net::Request request;
    std::function<void(net::Response)> done;
  };
  void send(net::Request request, std::function<void(net::Response)> done) override {
    sent.push_back({std::move(request), std::move(done)});
  }
  // Answers every request sent so far whose URL starts with `prefix`.
  int answer(const std::string& prefix, int status, const std::string& body) {
    int n = 0;
    for (auto& s : sent)
      if (s.done && s.request.url.rfind(prefix, 0) == 0) {
        auto done = std::move(s.done);
        s.done = nullptr;
        done({status, body, {}});
        ++n;
      }
    return n;
  }
  const Sent* last(const std::string& prefix) const {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it)
      if (it->request.url.rfind(prefix, 0) == 0) return &*it;
    return nullptr;
  }
  static std::string header(const net::Request& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
  std::vector<Sent> sent;
};

}  // namespace portal::client::fakes
