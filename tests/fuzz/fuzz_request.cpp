// libFuzzer target over what a request body goes through before any service sees it:
// core::parse_json (with its depth cap), core::parse_ticket_draft, core::validate, the
// password rules and the shape checks of presented tokens.
//
// Invariants checked on every input (a violation aborts, which libFuzzer reports):
// - nothing throws and nothing crashes (ASan/UBSan watch memory and undefined behaviour);
// - every error has a code and an HTTP status in 400..499, and its JSON body serialises;
// - a draft that validates re-serialises, re-parses to the same draft and validates again;
// - password verdicts always name the field "password" with a "password_" code and 422.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "portal/core/json.hpp"
#include "portal/core/validation.hpp"
#include "server/service/passwords.hpp"
#include "server/service/tokens.hpp"

namespace {

using portal::core::Error;
using portal::core::Json;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "invariant violated: %s %s\n", what, detail.c_str());
  std::abort();
}

void check_error(const Error& e) {
  if (e.code.empty()) fail("error without a code", e.message);
  if (e.status < 400 || e.status > 499) fail("error status outside 400..499", e.code);
  // The answer the server would send must serialise (no invalid UTF-8 in it).
  (void)portal::core::error_body(e).dump();
}

void check_password_verdict(std::string_view pw, std::string_view phone, std::string_view user) {
  auto err = portal::server::check_password_strength(pw, phone, user);
  if (!err) return;
  check_error(*err);
  if (err->field != "password") fail("password error on another field", err->field);
  if (err->status != 422) fail("password error not 422", err->code);
  if (!std::string_view(err->code).starts_with("password_")) fail("password code", err->code);
}

std::string string_member(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void check_draft(const Json& body) {
  auto draft = portal::core::parse_ticket_draft(body);
  if (!draft) return check_error(draft.error());

  const auto errors = portal::core::validate(*draft);
  for (const auto& e : errors) {
    check_error(e);
    if (e.field.empty()) fail("validation error without a field", e.code);
  }
  if (!errors.empty()) return;

  // A valid draft is what the server stores and echoes: it must survive a round trip.
  const Json first = *draft;
  const std::string text = first.dump();
  auto reparsed = portal::core::parse_json(text);
  if (!reparsed) fail("valid draft does not re-parse", reparsed.error().code);
  auto again = portal::core::parse_ticket_draft(*reparsed);
  if (!again) fail("valid draft does not re-read", again.error().code);
  if (Json(*again) != first) fail("round trip changed the draft", text);
  if (!portal::core::validate(*again).empty()) fail("round trip made the draft invalid", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The raw bytes as a password and as a presented Bearer value.
  check_password_verdict(text, "", "");
  (void)portal::server::looks_like_session_token(text);
  (void)portal::server::looks_like_api_key(text);

  auto json = portal::core::parse_json(text);
  if (!json) {
    check_error(json.error());
    return 0;
  }
  check_draft(*json);

  // Account bodies: register {phone, password, name}, login {login, password}.
  if (json->is_object()) {
    const std::string pw = string_member(*json, "password");
    check_password_verdict(pw, string_member(*json, "phone"), string_member(*json, "login"));
    check_password_verdict(pw, string_member(*json, "phone"), string_member(*json, "name"));
  }
  return 0;
}
