// The OpenAPI 3 document of the HTTP contract (server/http/openapi.json, compiled in):
// served at GET /api/v1/openapi.json, and the source of the route templates that
// GET /metrics counts requests by.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portal::server::http {

std::string_view openapi_json();
// The document's paths, e.g. "/api/v1/tickets/{number}/events".
std::vector<std::string> openapi_paths();

}  // namespace portal::server::http
