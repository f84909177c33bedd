// Typed calls of the HTTP API (API.md) on top of net::Http. Answers are parsed
// with core's JSON mapping; failures become core::Error values.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "net/http.hpp"
#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

class Api {
 public:
  template <class T>
  using Done = std::function<void(core::Result<T>)>;

  Api(net::Http& http, std::string base) : http_(http), base_(std::move(base)) {}

  void categories(Done<std::vector<core::Category>> done);
  void submit(const core::TicketDraft& draft, const std::string& idempotency_key,
              Done<core::TicketReceipt> done);
  void ticket(const std::string& number, const std::string& access_code,
              Done<core::TicketView> done);

  // The error a failed answer stands for: the body's {"error":{...}} when there is
  // one, else a generic error for the status (status 0: "network").
  static core::Error error_from(const net::Response& r);

 private:
  net::Http& http_;
  std::string base_;  // "" or a prefix such as "https://host"
};

}  // namespace portal::client
