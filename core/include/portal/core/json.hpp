// JSON mapping of the core types (nlohmann_json), plus strict parsing of request
// bodies into drafts with field-named errors.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Writes compact JSON straight into a string, printed exactly as Json::dump() prints
// the same values, for answers built often enough that building a Json first costs
// more than the rest of the request. Dump sorts object keys: callers give them in
// sorted order (tests check the output survives parse-and-dump unchanged).
class JsonWriter {
 public:
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(double v);
  JsonWriter& null();
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  // A field: key(k).value(v).
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    return key(k).value(v);
  }
  std::string& str() { return out_; }

 private:
  void comma();
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  std::string out_;
  bool need_comma_ = false;
};

// Lenient readers for answers from our own server (the client side).
void from_json(const Json& j, Location& v);
void from_json(const Json& j, Contact& v);
void from_json(const Json& j, TicketReceipt& v);
void from_json(const Json& j, Category& v);
void from_json(const Json& j, NamedRef& v);
void from_json(const Json& j, Assignee& v);
void from_json(const Json& j, TicketView& v);

}  // namespace portal::core
