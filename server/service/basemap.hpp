// `serve --tiles TEMPLATE [--tiles-attribution TEXT] [--tiles-subdomains LIST]`: an XYZ
// raster basemap (Web Mercator) that browsers fetch from a tile server and draw under
// the grid layer. The server checks the template when it starts, lets the page load
// images from the tile hosts (Content-Security-Policy img-src and connect-src), and
// tells the client in the grid map (GET /api/v1/grids, the foreign member "basemap").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"

namespace portal::server {

struct Basemap {
  // An http or https URL with {z}, {x} and {y}; {s} takes one of the subdomains, {r}
  // is "@2x" for screens of two device pixels a pixel or more, "" otherwise.
  std::string tile_template;
  std::string attribution;
  bool retina = false;                  // the template has {r}
  std::vector<std::string> subdomains;  // what {s} takes (empty without {s})
  // scheme://host[:port] of every host tiles come from (each subdomain's).
  std::vector<std::string> origins;

  // {"template", "attribution", "retina", "subdomains"?}
  core::Json to_json() const;
};

// Checks the options; an error's message names the option at fault. Without
// `attribution` the tile host is named. `subdomains`: comma-separated, for {s}
// (default a,b,c).
core::Result<Basemap> parse_basemap(std::string_view tile_template,
                                    std::optional<std::string_view> attribution,
                                    std::optional<std::string_view> subdomains);

// " origin origin ...": the basemap's hosts for a CSP source list ("" without one).
std::string basemap_csp_sources(const std::optional<Basemap>& basemap);

}  // namespace portal::server
