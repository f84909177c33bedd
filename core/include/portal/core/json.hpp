// JSON mapping of the core types (nlohmann_json), plus strict parsing of request
// bodies into drafts with field-named errors.
#pragma once

#include <nlohmann/json.hpp>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::core {

using Json = nlohmann::json;

inline constexpr int kMaxJsonDepth = 32;

// Parses text as JSON without exceptions; refuses nesting deeper than max_depth.
Result<Json> parse_json(std::string_view text, int max_depth = kMaxJsonDepth);

// Strict: wrong types and unknown enum values are errors naming the field.
Result<TicketDraft> parse_ticket_draft(const Json& body);

Json error_body(const Error& e);

void to_json(Json& j, const Location& v);
void to_json(Json& j, const Contact& v);
void to_json(Json& j, const TicketDraft& v);
void to_json(Json& j, const TicketReceipt& v);
void to_json(Json& j, const Category& v);
void to_json(Json& j, const NamedRef& v);
void to_json(Json& j, const Assignee& v);
void to_json(Json& j, const TicketView& v);

// Lenient readers for answers from our own server (the client side).
void from_json(const Json& j, Location& v);
void from_json(const Json& j, Contact& v);
void from_json(const Json& j, TicketReceipt& v);
void from_json(const Json& j, Category& v);
void from_json(const Json& j, NamedRef& v);
void from_json(const Json& j, Assignee& v);
void from_json(const Json& j, TicketView& v);

}  // namespace portal::core
