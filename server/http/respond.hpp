// Helpers shared by the route handlers: JSON answers, the API.md error shape and
// strict reading of JSON request bodies.
#pragma once

#include <httplib.h>

#include <functional>
#include <optional>
#include <string>
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

// Takes a token for the caller's socket address (never a header it sends); when the
// bucket is empty, answers 429 with Retry-After and returns true.
// The address a request comes from: the socket's peer, or, when the peer is one of
// the trusted proxies (a balancer in front of several instances), the last address of
// X-Forwarded-For, which that proxy appended itself.
void set_trusted_proxies(std::vector<std::string> addresses);
std::string client_address(const httplib::Request& req);
bool rate_limited(RateLimiter& limiter, const httplib::Request& req, httplib::Response& res);

// The request id given to this request by the middleware.
std::string request_id(const httplib::Response& res);

}  // namespace portal::server::http
