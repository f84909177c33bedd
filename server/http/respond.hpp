// Helpers shared by the route handlers: JSON answers, the API.md error shape and
// strict reading of JSON request bodies.
#pragma once

#include <httplib.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "server/http/server.hpp"

namespace portal::server::http {

inline constexpr std::size_t kMaxJsonBody = 64 * 1024;

void send_json(httplib::Response& res, int status, const core::Json& body);
// JSON already written as text (core::JsonWriter).
void send_json_text(httplib::Response& res, int status, std::string body);
void send_error(httplib::Response& res, const core::Error& e);

// Checks Content-Type (415), size (413) and parses with the nesting cap (400).
core::Result<core::Json> read_json_body(const httplib::Request& req);

// The caller: anonymous without an Authorization header, 401 for a bad token.
core::Result<Actor> actor_of(const httplib::Request& req, Services& services);
// Like actor_of, but anonymous callers get 401.
core::Result<Actor> signed_in_actor(const httplib::Request& req, Services& services);
std::optional<std::string> access_code_of(const httplib::Request& req);

// The Idempotency-Key header: none, or a key (422 invalid_idempotency_key when bad).
core::Result<std::optional<std::string>> idempotency_key_of(const httplib::Request& req);
// Runs `handle`, which answers into `res`, at most once per caller and Idempotency-Key
// (API.md Conventions): a retry of the same request gets the first answer again,
// another request under the key 422, a retry while the first runs 409. Only successes
// are kept; after a failure a retry runs again. Without a key it just runs `handle`.
void once_per_key(const httplib::Request& req, httplib::Response& res, Services& services,
                  const Actor& actor, const std::function<void()>& handle);

// ?page=&page_size= with the API.md bounds (page_size ≤ 200).
core::Result<std::pair<int, int>> paging(const httplib::Request& req);

// The address a request comes from: the socket's peer, or, when the peer is one of
// the trusted proxies (a balancer in front of several instances), the last address of
// X-Forwarded-For, which that proxy appended itself.
void set_trusted_proxies(std::vector<std::string> addresses);
std::string client_address(const httplib::Request& req);
bool is_trusted_proxy(const std::string& socket_address);

// The key a per-address limit counts an address under: an IPv4 address whole; an IPv6
// address by its /64 (one subscriber's network, every address of which its holder can
// use), as "2001:db8:a:b::/64"; an IPv4-mapped IPv6 address as its IPv4 address. Any
// other text is its own key. Every per-address limiter keys by this.
std::string address_key(std::string_view address);
// address_key(client_address(req)).
std::string client_key(const httplib::Request& req);

// Takes a token for the caller's address key (never a header it sends); when the
// bucket is empty, answers 429 with Retry-After and returns true.
bool rate_limited(RateLimiter& limiter, const httplib::Request& req, httplib::Response& res);
// The same for another key (e.g. an account: "user 42").
bool rate_limited(RateLimiter& limiter, const std::string& key, httplib::Response& res);

// One attempt at a secret (a password, an access code) under a limit that only wrong
// guesses drain. A token is taken at once, so that attempts sent in parallel cannot all
// pass; it is given back when the attempt ends without fail(): a right guess, or a
// request refused for another reason. With the bucket empty the attempt is refused()
// (429 with Retry-After already answered), right secret or not, so guessing stops.
class CountedAttempt {
 public:
  CountedAttempt() = default;  // counts nothing: for requests that guess nothing
  CountedAttempt(RateLimiter& limiter, std::string key, httplib::Response& res);
  CountedAttempt(CountedAttempt&& other) noexcept;
  CountedAttempt& operator=(CountedAttempt&&) = delete;
  ~CountedAttempt();

  bool refused() const { return refused_; }
  // The guess was wrong: its token stays taken.
  void fail() { limiter_ = nullptr; }

 private:
  RateLimiter* limiter_ = nullptr;  // holding a token to give back
  std::string key_;
  bool refused_ = false;
};

// A guess at a ticket's access code (ticket detail, events, rating, photos, the stream's
// ?number=&code=), counted per client address. Use it only when the request carries a
// code; the guess counts when the code did not open the ticket (a 404):
//   auto guess = access_code_attempt(sv, req, res);
//   if (guess.refused()) return;  // 429 answered
//   if (!sv.tickets.get(number, Actor{}, code))
//     return send_error(res, core::Error::not_found("no such ticket"), guess);
CountedAttempt access_code_attempt(Services& services, const httplib::Request& req,
                                   httplib::Response& res);
// The same for the routes that read X-Access-Code: counts nothing without that header.
CountedAttempt x_access_code_attempt(Services& services, const httplib::Request& req,
                                     httplib::Response& res);
// Answers e for a request that guessed: a 404, which is what a wrong code answers (as an
// unknown number does), counts as a wrong guess.
void send_error(httplib::Response& res, const core::Error& e, CountedAttempt& guess);

// 16 random hex digits: each answer's X-Request-Id, which its log line names too.
std::string new_request_id();
// The request id given to this request by the middleware.
std::string request_id(const httplib::Response& res);

}  // namespace portal::server::http
