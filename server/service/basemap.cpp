#include "server/service/basemap.hpp"

#include <algorithm>
#include <cctype>

#include "portal/core/utf8.hpp"

namespace portal::server {

namespace {

constexpr std::size_t kMaxTemplateBytes = 1000;
constexpr std::size_t kMaxAttributionChars = 200;
constexpr std::size_t kMaxSubdomains = 10;

core::Error bad(std::string_view option, std::string message) {
  return core::Error::invalid(std::string(option), "invalid_option",
                              std::string(option) + " " + std::move(message));
}

core::Error bad_template(std::string message) {
  return bad("--tiles",
             "must be an http or https URL with {z}, {x} and {y} (and optionally {s} "
             "and {r}), such as https://{s}.tiles.example/{z}/{x}/{y}{r}.png: " +
                 std::move(message));
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

// What a URL's path and query may hold here besides placeholders: RFC 3986's unreserved
// and reserved characters but the fragment's #, and % for escapes.
bool path_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("-._~/?&=%+:@!$()*,;").find(c) != std::string_view::npos;
}

}  // namespace

core::Json Basemap::to_json() const {
  core::Json j = {{"template", tile_template}, {"attribution", attribution}, {"retina", retina}};
  if (!subdomains.empty()) j["subdomains"] = subdomains;
  return j;
}

core::Result<Basemap> parse_basemap(std::string_view t, std::optional<std::string_view> attribution,
                                    std::optional<std::string_view> subdomains) {
  if (t.empty()) return bad_template("it is empty");
  if (t.size() > kMaxTemplateBytes)
    return bad_template("it is longer than " + std::to_string(kMaxTemplateBytes) + " bytes");
  std::string scheme;
  for (std::string_view s : {"https://", "http://"})
    if (t.size() > s.size() && core::ascii_lower(t.substr(0, s.size())) == s) scheme = s;
  if (scheme.empty()) return bad_template("it does not begin with https:// or http://");

  // The authority: host (with {s} in it, perhaps) and port.
  const std::string_view rest = t.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad_template("it has no path");
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos)
    return bad_template("it must not carry a user name or password");
  std::string_view host = authority, port;
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    const bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535)
      return bad_template("its port must be a number from 1 to 65535");
  }
  std::string host_pattern = core::ascii_lower(host);
  {
    std::string plain = host_pattern;
    if (const auto s = plain.find("{s}"); s != std::string::npos) plain.replace(s, 3, "a");
    if (plain.empty() || plain.front() == '.' || plain.back() == '.' ||
        plain.find("..") != std::string::npos ||
        !std::all_of(plain.begin(), plain.end(), host_char))
      return bad_template("its host \"" + std::string(host) +
                          "\" must be a name such as tiles.example (letters, digits, - and .)");
  }

  // Placeholders: each of {z} {x} {y} once, {s} and {r} at most once, nothing else.
  Basemap b;
  int z = 0, x = 0, y = 0, s = 0, r = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '{') {
      const std::size_t close = t.find('}', i);
      if (close == std::string_view::npos) return bad_template("a { is not closed");
      const std::string_view name = t.substr(i, close - i + 1);
      const bool in_host = i >= scheme.size() && i < scheme.size() + host.size();
      if (name == "{z}" && !in_host)
        ++z;
      else if (name == "{x}" && !in_host)
        ++x;
      else if (name == "{y}" && !in_host)
        ++y;
      else if (name == "{s}")
        ++s;
      else if (name == "{r}" && !in_host)
        ++r;
      else
        return bad_template("it holds " + std::string(name) + (in_host ? " in its host" : "") +
                            ", which is not a placeholder it may hold");
      i = close;
      continue;
    }
    if (c == '}') return bad_template("a } has no {");
    if (i >= scheme.size() + authority.size() && !path_char(c))
      return bad_template(
          std::string("it holds a character a URL path may not hold: ") +
          (std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : std::string("byte")));
  }
  if (z != 1 || x != 1 || y != 1) return bad_template("it must hold each of {z}, {x} and {y} once");
  if (s > 1 || r > 1) return bad_template("it may hold {s} and {r} once each");
  b.tile_template = scheme + host_pattern + (port.empty() ? "" : ":" + std::string(port)) +
                    std::string(t.substr(scheme.size() + authority.size()));
  b.retina = r == 1;

  // Subdomains for {s}.
  if (s == 1) {
    const std::string_view list = subdomains.value_or("a,b,c");
    for (std::size_t start = 0; start <= list.size();) {
      auto end = list.find(',', start);
      if (end == std::string_view::npos) end = list.size();
      const std::string item = core::ascii_lower(list.substr(start, end - start));
      if (item.empty() || item.size() > 20 || !std::all_of(item.begin(), item.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
          }))
        return bad("--tiles-subdomains",
                   "must list subdomains (letters, digits and -) separated by commas, e.g. a,b,c");
      b.subdomains.push_back(item);
      start = end + 1;
    }
    if (b.subdomains.size() > kMaxSubdomains)
      return bad("--tiles-subdomains",
                 "may list at most " + std::to_string(kMaxSubdomains) + " subdomains");
  } else if (subdomains) {
    return bad("--tiles-subdomains", "needs {s} in the --tiles template");
  }

  // The tile hosts, for the page's Content-Security-Policy.
  const std::string port_part = port.empty() ? "" : ":" + std::string(port);
  if (const auto at = host_pattern.find("{s}"); at != std::string::npos) {
    for (const auto& sub : b.subdomains) {
      std::string h = host_pattern;
      h.replace(at, 3, sub);
      b.origins.push_back(scheme + h + port_part);
    }
  } else {
    b.origins.push_back(scheme + host_pattern + port_part);
  }
  b.origins.erase(std::unique(b.origins.begin(), b.origins.end()), b.origins.end());

  if (attribution) {
    const auto chars = core::utf8_length(*attribution);
    if (!chars || *chars == 0 || *chars > kMaxAttributionChars ||
        core::has_control_chars(*attribution))
      return bad("--tiles-attribution", "must be UTF-8 text of 1 to " +
                                            std::to_string(kMaxAttributionChars) +
                                            " characters without control characters");
    b.attribution = std::string(*attribution);
  } else {
    // Whoever serves the tiles, named at least.
    std::string h = host_pattern;
    if (const auto at = h.find("{s}."); at != std::string::npos) h.erase(at, 4);
    b.attribution = "Map tiles: " + h;
  }
  return b;
}

std::string basemap_csp_sources(const std::optional<Basemap>& basemap) {
  std::string out;
  if (basemap)
    for (const auto& o : basemap->origins) out += " " + o;
  return out;
}

}  // namespace portal::server
