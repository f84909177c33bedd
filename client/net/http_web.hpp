// net::Http over the browser's fetch(): requests go out through a small piece of
// JavaScript; answers come back through portal_http_done() (platform/main_web.cpp).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "net/http.hpp"

namespace portal::client::net {

class WebHttp : public Http {
 public:
  void send(Request request, std::function<void(Response)> done) override;
  // Called when the fetch of request `id` ended (status 0: it failed).
  void complete(int id, Response response);

 private:
  int next_id_ = 1;
  std::unordered_map<int, std::function<void(Response)>> pending_;
};

}  // namespace portal::client::net
