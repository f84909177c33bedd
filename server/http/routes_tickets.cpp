#include <algorithm>

#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

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
