// Notifications (API.md "Notifications"): the admin list and retry, the gateway's
// inbound webhook (opt-out replies), and an account's own settings.
#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

namespace {
const core::Error kAdminOnly{
    "forbidden", "only administrators see the notification outbox", {}, 403};
}

void register_notification_routes(httplib::Server& s, Services& sv, NotificationService& notes) {
  s.Get("/api/v1/notifications",
        [&sv, &notes](const httplib::Request& req, httplib::Response& res) {
          auto actor = signed_in_actor(req, sv);
          if (!actor) return send_error(res, actor.error());
          if (actor->role != core::Role::admin) return send_error(res, kAdminOnly);
          auto pg = paging(req);
          if (!pg) return send_error(res, pg.error());
          auto page = notes.list(req.get_param_value("status"), pg->first, pg->second);
          if (!page) return send_error(res, page.error());
          send_json(res, 200, *page);
        });

  s.Post(R"(/api/v1/notifications/([^/]+)/retry)",
         [&sv, &notes](const httplib::Request& req, httplib::Response& res) {
           auto actor = signed_in_actor(req, sv);
           if (!actor) return send_error(res, actor.error());
           if (actor->role != core::Role::admin) return send_error(res, kAdminOnly);
           auto m = notes.retry(req.matches[1].str());
           if (!m) return send_error(res, m.error());
           send_json(res, 200, *m);
         });

  // Signed by the gateway with the shared secret, as deliveries are: no token.
  s.Post("/api/v1/notifications/inbound",
         [&notes](const httplib::Request& req, httplib::Response& res) {
           auto body = read_json_body(req);
           if (!body) return send_error(res, body.error());
           auto r = notes.inbound(req.body, req.get_header_value("X-Portal-Signature"));
           if (!r) return send_error(res, r.error());
           send_json(res, 200, *r);
         });

  s.Get("/api/v1/me/notifications",
        [&sv, &notes](const httplib::Request& req, httplib::Response& res) {
          auto actor = signed_in_actor(req, sv);
          if (!actor) return send_error(res, actor.error());
          auto p = notes.prefs(*actor->user_id);
          if (!p) return send_error(res, p.error());
          send_json(res, 200, *p);
        });

  s.Put("/api/v1/me/notifications",
        [&sv, &notes](const httplib::Request& req, httplib::Response& res) {
          auto actor = signed_in_actor(req, sv);
          if (!actor) return send_error(res, actor.error());
          auto body = read_json_body(req);
          if (!body) return send_error(res, body.error());
          auto p = notes.set_prefs(*actor->user_id, *body);
          if (!p) return send_error(res, p.error());
          send_json(res, 200, *p);
        });
}

}  // namespace portal::server::http
