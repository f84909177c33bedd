// Helpers shared by the route handlers: JSON answers, the API.md error shape and
// strict reading of JSON request bodies.
#pragma once

#include <httplib.h>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"

namespace portal::server::http {

inline constexpr std::size_t kMaxJsonBody = 64 * 1024;

void send_json(httplib::Response& res, int status, const core::Json& body);
void send_error(httplib::Response& res, const core::Error& e);

// Checks Content-Type (415), size (413) and parses with the nesting cap (400).
core::Result<core::Json> read_json_body(const httplib::Request& req);

// The request id given to this request by the middleware.
std::string request_id(const httplib::Response& res);

}  // namespace portal::server::http
