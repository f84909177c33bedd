#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

void register_admin_routes(httplib::Server& s, Services& sv) {
  s.Post("/api/v1/users", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    once_per_key(req, res, sv, *actor, [&] {
      auto body = read_json_body(req);
      if (!body) return send_error(res, body.error());
      auto u = sv.auth.create_user(*actor, *body);
      if (!u) return send_error(res, u.error());
      send_json(res, 201, *u);
    });
  });

  s.Get("/api/v1/users", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto pg = paging(req);
    if (!pg) return send_error(res, pg.error());
    auto list = sv.auth.list_users(*actor, pg->first, pg->second);
    if (!list) return send_error(res, list.error());
    send_json(res, 200, *list);
  });

  s.Patch(R"(/api/v1/users/([^/]+))", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    auto u = sv.auth.patch_user(*actor, req.matches[1].str(), *body);
    if (!u) return send_error(res, u.error());
    // A new password or a disabled account ends the sessions, and so their live streams.
    if (body->contains("password") || body->contains("disabled"))
      sv.hub.close_user(std::stoll(u->value("id", "0")));
    send_json(res, 200, *u);
  });

  s.Post("/api/v1/apikeys", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    auto k = sv.auth.create_api_key(*actor, *body);
    if (!k) return send_error(res, k.error());
    send_json(res, 201, *k);
  });

  s.Get("/api/v1/apikeys", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto k = sv.auth.list_api_keys(*actor);
    if (!k) return send_error(res, k.error());
    send_json(res, 200, *k);
  });

  s.Delete(R"(/api/v1/apikeys/([^/]+))",
           [&sv](const httplib::Request& req, httplib::Response& res) {
             auto actor = signed_in_actor(req, sv);
             if (!actor) return send_error(res, actor.error());
             if (auto ok = sv.auth.revoke_api_key(*actor, req.matches[1].str()); !ok)
               return send_error(res, ok.error());
             res.status = 204;
           });
}

}  // namespace portal::server::http
