#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/places.hpp"

namespace portal::server::http {

namespace {

// ?limit=: a whole number 1..kMaxPlaceResults, kDefaultPlaceResults when absent.
core::Result<int> place_limit(const httplib::Request& req) {
  if (!req.has_param("limit")) return kDefaultPlaceResults;
  const std::string v = req.get_param_value("limit");
  int n = 0;
  bool digits = !v.empty() && v.size() <= 3;
  for (char c : v) digits = digits && c >= '0' && c <= '9';
  if (digits) n = std::stoi(v);
  if (!digits || n < 1 || n > kMaxPlaceResults)
    return core::Error::invalid(
        "limit", "out_of_range",
        "must be a whole number from 1 to " + std::to_string(kMaxPlaceResults));
  return n;
}

}  // namespace

void register_place_routes(httplib::Server& s, Services& sv, PlaceService& places) {
  s.Get("/api/v1/places", [&places](const httplib::Request& req, httplib::Response& res) {
    auto limit = place_limit(req);
    if (!limit) return send_error(res, limit.error());
    auto answer = places.search(req.get_param_value("q"), *limit);
    if (!answer) return send_error(res, answer.error());
    send_json_text(res, 200, std::move(*answer));
  });

  s.Post("/api/v1/places/import", [&sv, &places](const httplib::Request& req,
                                                 httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    if (req.body.size() > 2 * 1024 * 1024)
      return send_error(res, {"payload_too_large", "import at most 2 MiB at once", "body", 413});
    bool replace = false;
    if (req.has_param("replace")) {
      const std::string v = req.get_param_value("replace");
      if (v != "true" && v != "false")
        return send_error(
            res, core::Error::invalid("replace", "invalid_boolean", "must be true or false"));
      replace = v == "true";
    }
    once_per_key(req, res, sv, *actor, [&] {
      auto out = places.import_csv(req.body, req.get_header_value("Content-Type"), *actor, replace);
      if (!out) return send_error(res, out.error());
      send_json(res, out->status, out->body);
    });
  });
}

}  // namespace portal::server::http
