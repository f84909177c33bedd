#include <cstdlib>

#include "portal/core/geo.hpp"
#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

namespace {

// A finite decimal number, or nullopt.
std::optional<double> number(const std::string& s) {
  if (s.empty() || s.size() > 32) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

void register_org_routes(httplib::Server& s, Services& sv, const HttpConfig& config) {
  s.Get("/api/v1/org", [&sv](const httplib::Request&, httplib::Response& res) {
    const auto& org = sv.tickets.org().data();
    std::map<std::string, core::Json> communities;
    for (const auto& c : org.communities)
      communities[c.id] = {{"id", c.id},
                           {"name", c.name},
                           {"kind", c.village ? "village" : "community"},
                           {"grids", core::Json::array()}};
    for (const auto& g : org.grids)
      if (auto it = communities.find(g.community_id); it != communities.end())
        it->second["grids"].push_back({{"id", g.id}, {"name", g.name}, {"kind", g.kind}});
    core::Json streets = core::Json::array();
    for (const auto& st : org.streets) {
      core::Json cs = core::Json::array();
      for (const auto& c : org.communities)
        if (c.street_id == st.id) cs.push_back(std::move(communities[c.id]));
      streets.push_back({{"id", st.id},
                         {"name", st.name},
                         {"kind", st.town ? "town" : "street"},
                         {"communities", std::move(cs)}});
    }
    send_json(res, 200,
              {{"id", "district"},
               {"name", "任城区"},
               {"kind", "district"},
               {"hotline_centre", sv.tickets.org().hotline_centre_name()},
               {"streets", std::move(streets)}});
  });

  // serve --tiles: the basemap goes with the grids as a foreign member of the
  // FeatureCollection (RFC 7946 §6.1), so that the map needs one request.
  const std::optional<core::Json> basemap =
      config.basemap ? std::optional<core::Json>(config.basemap->to_json()) : std::nullopt;
  s.Get("/api/v1/grids", [&sv, basemap](const httplib::Request& req, httplib::Response& res) {
    core::BBox box{-180, -90, 180, 90};
    if (req.has_param("bbox")) {
      const std::string b = req.get_param_value("bbox");
      double v[4];
      std::size_t pos = 0;
      for (int i = 0; i < 4; ++i) {
        const auto comma = b.find(',', pos);
        auto n =
            number(b.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (!n || (i < 3 && comma == std::string::npos) || (i == 3 && comma != std::string::npos))
          return send_error(res, core::Error::invalid("bbox", "invalid_bbox",
                                                      "must be minLng,minLat,maxLng,maxLat"));
        v[i] = *n;
        pos = comma + 1;
      }
      if (v[0] > v[2] || v[1] > v[3])
        return send_error(res,
                          core::Error::invalid("bbox", "invalid_bbox", "min must not exceed max"));
      box = {v[0], v[1], v[2], v[3]};
    }
    core::Json features = core::Json::array();
    for (const auto* g : sv.tickets.org().grids_in(box)) {
      auto geometry = core::parse_json(g->polygon);
      features.push_back({{"type", "Feature"},
                          {"geometry", geometry ? *geometry : core::Json(nullptr)},
                          {"properties",
                           {{"grid_id", g->id},
                            {"name", g->name},
                            {"kind", g->kind},
                            {"community_id", g->community_id},
                            {"street_id", g->street_id}}}});
    }
    res.set_header("Cache-Control", "public, max-age=3600");
    core::Json collection = {{"type", "FeatureCollection"}, {"features", std::move(features)}};
    if (basemap) collection["basemap"] = *basemap;
    send_json(res, 200, collection);
  });

  s.Get("/api/v1/grids/locate", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto lat = number(req.get_param_value("lat"));
    if (!lat || *lat < -90 || *lat > 90)
      return send_error(res, core::Error::invalid("lat", "invalid_number", "must be a latitude"));
    auto lng = number(req.get_param_value("lng"));
    if (!lng || *lng < -180 || *lng > 180)
      return send_error(res, core::Error::invalid("lng", "invalid_number", "must be a longitude"));
    const auto& org = sv.tickets.org();
    auto id = org.locate(*lat, *lng);
    if (!id) return send_error(res, core::Error::not_found("no grid at this point"));
    const GridRow* g = org.grid(*id);
    const auto* c = org.community(g->community_id);
    const auto* st = org.street(g->street_id);
    send_json(res, 200,
              {{"grid_id", g->id},
               {"grid_name", g->name},
               {"kind", g->kind},
               {"community", {{"id", g->community_id}, {"name", c ? c->name : ""}}},
               {"street", {{"id", g->street_id}, {"name", st ? st->name : ""}}}});
  });

  s.Get("/api/v1/units", [&sv](const httplib::Request& req, httplib::Response& res) {
    const std::string kind = req.get_param_value("kind");
    if (!kind.empty() && kind != "department" && kind != "utility" && kind != "legal" &&
        kind != "mediation")
      return send_error(res,
                        core::Error::invalid("kind", "unknown_kind",
                                             "must be department, utility, legal or mediation"));
    const std::string street = req.get_param_value("street_id");
    core::Json out = core::Json::array();
    for (const auto& u : sv.tickets.org().data().units) {
      if (!kind.empty() && u.kind != kind) continue;
      if (!street.empty() && !u.street_id.empty() && u.street_id != street) continue;
      core::Json j = {{"id", u.id}, {"kind", u.kind}, {"name", u.name}, {"contact", u.contact}};
      if (!u.subkind.empty()) j["subkind"] = u.subkind;
      if (!u.name_en.empty()) j["name_en"] = u.name_en;
      if (!u.address.empty()) j["address"] = u.address;
      if (!u.street_id.empty()) j["street_id"] = u.street_id;
      if (!u.community_id.empty()) j["community_id"] = u.community_id;
      if (!u.grid_id.empty()) j["grid_id"] = u.grid_id;
      if (u.lat && u.lng) j["location"] = {{"lat", *u.lat}, {"lng", *u.lng}};
      out.push_back(std::move(j));
    }
    send_json(res, 200, out);
  });
}

}  // namespace portal::server::http
