// The transport the app talks through. The browser build sends with fetch()
// (http_web.cpp); tests can plug in their own. Callbacks may run at any time
// outside a frame, so receivers must only queue what they get.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace portal::client::net {

struct Request {
  std::string method = "GET";
  std::string url;  // absolute path on the portal's origin, e.g. "/api/v1/categories"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 20000;
};

struct Response {
  int status = 0;  // 0: no answer (network failure, timeout)
  std::string body;
  std::string retry_after;  // the Retry-After header, when present
};

class Http {
 public:
  virtual ~Http() = default;
  virtual void send(Request request, std::function<void(Response)> done) = 0;
};

}  // namespace portal::client::net
