#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/suggest_service.hpp"

namespace portal::server::http {

namespace {

// lat and lng are optional numbers; the suggestion does not use them yet, but what is
// sent is checked as a ticket's location would be.
core::Outcome check_point(const core::Json& body) {
  for (const char* k : {"lat", "lng"}) {
    auto it = body.find(k);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_number()) return core::Error::malformed(k, "wrong_type", "must be a number");
  }
  return core::Unit{};
}

}  // namespace

void register_suggest_routes(httplib::Server& s, Services& sv, SuggestService& suggest) {
  // Public: asked as the citizen types, so limited per address like the other public
  // endpoints.
  s.Post("/api/v1/suggest", [&sv, &suggest](const httplib::Request& req, httplib::Response& res) {
    if (sv.limits && rate_limited(sv.limits->suggest, req, res)) return;
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    if (!body->is_object())
      return send_error(res, core::Error::malformed("", "wrong_type", "must be a JSON object"));
    auto d = body->find("description");
    if (d == body->end() || d->is_null())
      return send_error(res, core::Error::malformed("description", "required", "is required"));
    if (!d->is_string())
      return send_error(res,
                        core::Error::malformed("description", "wrong_type", "must be a string"));
    if (auto ok = check_point(*body); !ok) return send_error(res, ok.error());
    auto answer = suggest.suggest(d->get<std::string>());
    if (!answer) return send_error(res, answer.error());
    core::Json cats = core::Json::array();
    for (const auto& c : answer->categories)
      cats.push_back({{"code", c.code}, {"name", c.name}, {"score", c.score}});
    core::Json out = {{"categories", std::move(cats)}};
    if (answer->unit_id) out["unit_id"] = *answer->unit_id;
    send_json(res, 200, out);
  });
}

}  // namespace portal::server::http
