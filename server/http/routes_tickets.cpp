#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

namespace {

// A finite decimal number, or nullopt.
std::optional<double> decimal(const std::string& s) {
  if (s.empty() || s.size() > 32) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

void register_ticket_routes(httplib::Server& s, Services& sv) {
  s.Post("/api/v1/tickets", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = actor_of(req, sv);
    if (!actor) return send_error(res, actor.error());
    if (!actor->signed_in() && rate_limited(sv.limits->anonymous_submit, req, res)) return;
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    auto draft = core::parse_ticket_draft(*body);
    if (!draft) return send_error(res, draft.error());
    // Kept with the ticket itself, in its transaction (exactly once).
    auto key = idempotency_key_of(req);
    if (!key) return send_error(res, key.error());
    // The submitter's messages (SPEC §12): their language, and whether to send any.
    SubmitOptions options;
    if (auto l = body->find("lang"); l != body->end() && !l->is_null()) {
      if (!l->is_string() || (*l != "zh" && *l != "en"))
        return send_error(res, core::Error::invalid("lang", "unknown_lang", "must be zh or en"));
      options.lang = l->get<std::string>();
    }
    if (auto n = body->find("notify"); n != body->end() && !n->is_null()) {
      if (!n->is_boolean())
        return send_error(res,
                          core::Error::malformed("notify", "wrong_type", "must be true or false"));
      options.notify = n->get<bool>();
    }
    auto receipt = sv.tickets.submit(*draft, *actor, *key, options);
    if (!receipt) return send_error(res, receipt.error());
    res.set_header("Location", "/api/v1/tickets/" + receipt->number);
    send_json(res, 201, core::Json(*receipt));
  });

  s.Get("/api/v1/tickets", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto pg = paging(req);
    if (!pg) return send_error(res, pg.error());
    ListQuery q;
    q.page = pg->first;
    q.page_size = pg->second;
    if (req.has_param("scope")) q.scope = req.get_param_value("scope");
    if (req.has_param("status")) {
      q.status = core::parse_status(req.get_param_value("status"));
      if (!q.status)
        return send_error(res, core::Error::invalid("status", "unknown_status", "is not a status"));
    }
    if (req.has_param("level")) {
      q.level = core::parse_level(req.get_param_value("level"));
      if (!q.level)
        return send_error(res, core::Error::invalid("level", "unknown_level", "is not a level"));
    }
    q.category = req.get_param_value("category");
    if (!q.category.empty() && !core::is_valid_category_code(q.category))
      return send_error(res,
                        core::Error::invalid("category", "unknown_category", "is not a category"));
    const std::string overdue = req.get_param_value("overdue");
    if (!overdue.empty() && overdue != "true" && overdue != "false")
      return send_error(res,
                        core::Error::invalid("overdue", "invalid_bool", "must be true or false"));
    q.overdue = overdue == "true";
    q.q = req.get_param_value("q");
    if (const auto chars = core::utf8_length(q.q); !chars || *chars > 200)
      return send_error(res, core::Error::invalid("q", "invalid_query",
                                                  "must be UTF-8 text of at most 200 characters"));
    auto page = sv.tickets.list_json(q, *actor);
    if (!page) return send_error(res, page.error());
    send_json_text(res, 200, std::move(*page));
  });

  // Before /tickets/{number}, which would take "nearby" for a number.
  s.Get("/api/v1/tickets/nearby", [&sv](const httplib::Request& req, httplib::Response& res) {
    if (sv.limits && rate_limited(sv.limits->nearby, req, res)) return;
    NearbyRequest q;
    auto coordinate = [&](const char* field, double bound,
                          double& out) -> std::optional<core::Error> {
      if (!req.has_param(field)) return core::Error::malformed(field, "required", "is required");
      auto v = decimal(req.get_param_value(field));
      if (!v) return core::Error::malformed(field, "invalid_number", "must be a decimal number");
      if (*v < -bound || *v > bound)
        return core::Error::invalid(field, "out_of_range",
                                    bound == 90 ? "must be a latitude" : "must be a longitude");
      out = *v;
      return std::nullopt;
    };
    if (auto e = coordinate("lat", 90, q.lat)) return send_error(res, *e);
    if (auto e = coordinate("lng", 180, q.lng)) return send_error(res, *e);
    if (!req.has_param("category") || req.get_param_value("category").empty())
      return send_error(res, core::Error::malformed("category", "required", "is required"));
    q.category = req.get_param_value("category");
    if (req.has_param("radius_m")) {
      const std::string v = req.get_param_value("radius_m");
      bool digits = !v.empty() && v.size() <= 5;
      for (char c : v) digits = digits && c >= '0' && c <= '9';
      if (!digits)
        return send_error(res, core::Error::malformed("radius_m", "invalid_number",
                                                      "must be a whole number of metres"));
      q.radius_m = std::stoi(v);
      if (q.radius_m < 1 || q.radius_m > kNearbyMaxRadius)
        return send_error(
            res, core::Error::invalid("radius_m", "out_of_range", "must be 1 to 1000 metres"));
    }
    auto answer = sv.tickets.nearby_json(q);
    if (!answer) return send_error(res, answer.error());
    send_json_text(res, 200, std::move(*answer));
  });

  s.Get(R"(/api/v1/tickets/([^/]+))", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = actor_of(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto guess = x_access_code_attempt(sv, req, res);
    if (guess.refused()) return;
    auto ticket = sv.tickets.get_json(req.matches[1].str(), *actor, access_code_of(req));
    if (!ticket) return send_error(res, ticket.error(), guess);
    send_json_text(res, 200, std::move(*ticket));
  });

  s.Get(R"(/api/v1/tickets/([^/]+)/events)",
        [&sv](const httplib::Request& req, httplib::Response& res) {
          auto actor = actor_of(req, sv);
          if (!actor) return send_error(res, actor.error());
          auto guess = x_access_code_attempt(sv, req, res);
          if (guess.refused()) return;
          auto events = sv.tickets.events(req.matches[1].str(), *actor, access_code_of(req));
          if (!events) return send_error(res, events.error(), guess);
          send_json(res, 200, *events);
        });

  s.Post(R"(/api/v1/tickets/([^/]+)/actions)",
         [&sv](const httplib::Request& req, httplib::Response& res) {
           auto actor = signed_in_actor(req, sv);
           if (!actor) return send_error(res, actor.error());
           once_per_key(req, res, sv, *actor, [&] {
             auto body = read_json_body(req);
             if (!body) return send_error(res, body.error());
             auto ticket = sv.tickets.act(req.matches[1].str(), *actor, *body);
             if (!ticket) return send_error(res, ticket.error());
             send_json(res, 200, *ticket);
           });
         });

  s.Post(R"(/api/v1/tickets/([^/]+)/follow)",
         [&sv](const httplib::Request& req, httplib::Response& res) {
           auto actor = signed_in_actor(req, sv);
           if (!actor) return send_error(res, actor.error());
           once_per_key(req, res, sv, *actor, [&] {
             auto out = sv.tickets.follow(req.matches[1].str(), *actor);
             if (!out) return send_error(res, out.error());
             send_json(res, 200, *out);
           });
         });

  s.Delete(R"(/api/v1/tickets/([^/]+)/follow)",
           [&sv](const httplib::Request& req, httplib::Response& res) {
             auto actor = signed_in_actor(req, sv);
             if (!actor) return send_error(res, actor.error());
             auto out = sv.tickets.unfollow(req.matches[1].str(), *actor);
             if (!out) return send_error(res, out.error());
             send_json(res, 200, *out);
           });

  s.Post(R"(/api/v1/tickets/([^/]+)/rating)", [&sv](const httplib::Request& req,
                                                    httplib::Response& res) {
    auto actor = actor_of(req, sv);
    if (!actor) return send_error(res, actor.error());
    once_per_key(req, res, sv, *actor, [&] {
      auto body = read_json_body(req);
      if (!body) return send_error(res, body.error());
      auto guess = x_access_code_attempt(sv, req, res);
      if (guess.refused()) return;
      auto ticket = sv.tickets.rate(req.matches[1].str(), *actor, access_code_of(req), *body);
      if (!ticket) return send_error(res, ticket.error(), guess);
      send_json(res, 200, *ticket);
    });
  });
}

}  // namespace portal::server::http
