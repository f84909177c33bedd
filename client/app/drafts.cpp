#include "app/drafts.hpp"

#include "portal/core/json.hpp"

namespace portal::client {

namespace {
constexpr int kVersion = 1;
}  // namespace

std::string draft_to_json(const FormDraft& d) {
  const core::Json j = {{"v", kVersion},
                        {"category", d.category},
                        {"description", d.description},
                        {"address", d.address},
                        {"lat", d.lat},
                        {"lng", d.lng},
                        {"location_unknown", d.location_unknown},
                        {"name", d.name},
                        {"phone", d.phone},
                        {"anonymous", d.anonymous},
                        {"key", d.idempotency_key}};
  return j.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

std::optional<FormDraft> draft_from_json(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parsed = core::parse_json(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const core::Json& j = *parsed;
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer() || v->get<int>() != kVersion) return std::nullopt;
  FormDraft d;
  auto text_of = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  auto flag_of = [&](const char* key, bool& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_boolean()) out = it->get<bool>();
  };
  text_of("category", d.category);
  text_of("description", d.description);
  text_of("address", d.address);
  text_of("lat", d.lat);
  text_of("lng", d.lng);
  text_of("name", d.name);
  text_of("phone", d.phone);
  text_of("key", d.idempotency_key);
  flag_of("location_unknown", d.location_unknown);
  flag_of("anonymous", d.anonymous);
  return d;
}

void LocalDraftStore::load(std::function<void(std::optional<FormDraft>)> done) {
  done(draft_from_json(services_.load(kKey)));
}

void LocalDraftStore::save(const FormDraft& draft) {
  services_.save(kKey, draft.empty() ? std::string() : draft_to_json(draft));
}

void LocalDraftStore::clear() {
  services_.save(kKey, "");
}

}  // namespace portal::client
