#include "server/http/openapi.hpp"

#include "portal/core/json.hpp"

namespace portal::server::http {

std::vector<std::string> openapi_paths() {
  std::vector<std::string> out;
  const auto doc = core::Json::parse(openapi_json(), nullptr, false);
  if (!doc.is_object() || !doc.contains("paths")) return out;
  for (const auto& [path, item] : doc["paths"].items()) out.push_back(path);
  return out;
}

}  // namespace portal::server::http
