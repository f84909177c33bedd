#include "app/drafts.hpp"

#include "portal/core/json.hpp"

namespace portal::client {

namespace {
constexpr int kVersion = 2;

std::string dump(const core::Json& j) {
  return j.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

// The object of a draft of this version, or nothing.
std::optional<core::Json> parse_versioned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parsed = core::parse_json(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  auto v = parsed->find("v");
  if (v == parsed->end() || !v->is_number_integer() || v->get<int>() != kVersion)
    return std::nullopt;
  return std::move(*parsed);
}

void text_of(const core::Json& j, const char* key, std::string& out) {
  auto it = j.find(key);
  if (it != j.end() && it->is_string()) out = it->get<std::string>();
}
void flag_of(const core::Json& j, const char* key, bool& out) {
  auto it = j.find(key);
  if (it != j.end() && it->is_boolean()) out = it->get<bool>();
}
void int_of(const core::Json& j, const char* key, int& out) {
  auto it = j.find(key);
  if (it != j.end() && it->is_number_integer()) out = it->get<int>();
}
}  // namespace

std::string draft_to_json(const FormDraft& d) {
  core::Json photos = core::Json::array();
  for (const auto& p : d.photos)
    photos.push_back({{"uid", p.uid}, {"id", p.id}, {"w", p.width}, {"h", p.height}});
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
                        {"notify", d.notify},
                        {"photos", photos},
                        {"key", d.idempotency_key}};
  return dump(j);
}

std::optional<FormDraft> draft_from_json(std::string_view text) {
  auto parsed = parse_versioned(text);
  if (!parsed) return std::nullopt;
  const core::Json& j = *parsed;
  FormDraft d;
  text_of(j, "category", d.category);
  text_of(j, "description", d.description);
  text_of(j, "address", d.address);
  text_of(j, "lat", d.lat);
  text_of(j, "lng", d.lng);
  text_of(j, "name", d.name);
  text_of(j, "phone", d.phone);
  text_of(j, "key", d.idempotency_key);
  flag_of(j, "location_unknown", d.location_unknown);
  flag_of(j, "anonymous", d.anonymous);
  flag_of(j, "notify", d.notify);  // drafts written before it kept the default: on
  if (auto it = j.find("photos"); it != j.end() && it->is_array())
    for (const auto& p : *it) {
      if (!p.is_object()) continue;
      DraftPhoto photo;
      text_of(p, "uid", photo.uid);
      text_of(p, "id", photo.id);
      int_of(p, "w", photo.width);
      int_of(p, "h", photo.height);
      if (!photo.uid.empty() || !photo.id.empty()) d.photos.push_back(std::move(photo));
    }
  return d;
}

std::string action_draft_to_json(const ActionDraft& d) {
  return dump({{"v", kVersion},
               {"note", d.note},
               {"into", d.into},
               {"picks", d.picks},
               {"resolved", d.resolved},
               {"satisfaction", d.satisfaction}});
}

std::optional<ActionDraft> action_draft_from_json(std::string_view text) {
  auto parsed = parse_versioned(text);
  if (!parsed) return std::nullopt;
  const core::Json& j = *parsed;
  ActionDraft d;
  text_of(j, "note", d.note);
  text_of(j, "into", d.into);
  int_of(j, "resolved", d.resolved);
  int_of(j, "satisfaction", d.satisfaction);
  if (auto it = j.find("picks"); it != j.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_string()) d.picks.push_back(p.get<std::string>());
  return d;
}

std::string action_draft_name(std::string_view number, std::string_view action) {
  return "action:" + std::string(number) + ":" + std::string(action);
}

void LocalDeviceStore::load(std::string_view name, std::function<void(std::string, double)> done) {
  done(services_.load("portal.draft." + std::string(name)), 0);
}

void LocalDeviceStore::save(std::string_view name, std::string_view json,
                            const std::vector<std::string>&) {
  services_.save("portal.draft." + std::string(name), json);
}

}  // namespace portal::client
