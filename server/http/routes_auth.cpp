#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

namespace {
core::Json session_json(const Session& s) {
  return {{"token", s.token},
          {"expires_at", core::format_iso(s.expires_at)},
          {"user", AuthService::user_json(s.user)}};
}
}  // namespace

void register_auth_routes(httplib::Server& s, Services& sv) {
  s.Post("/api/v1/auth/register", [&sv](const httplib::Request& req, httplib::Response& res) {
    if (rate_limited(sv.limits->registration, req, res)) return;
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    auto session = sv.auth.register_citizen(*body);
    if (!session) return send_error(res, session.error());
    send_json(res, 201, session_json(*session));
  });

  s.Post("/api/v1/auth/login", [&sv](const httplib::Request& req, httplib::Response& res) {
    if (rate_limited(sv.limits->login, req, res)) return;
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    // Per account too, whichever addresses the guesses come from; a right password
    // takes nothing from the account's bucket.
    const auto account = AuthService::login_key(*body);
    CountedAttempt attempt =
        account ? CountedAttempt(sv.limits->login_account, *account, res) : CountedAttempt();
    if (attempt.refused()) return;
    auto session = sv.auth.login(*body);
    if (!session) {
      if (session.error().code == AuthService::kBadLoginCode) attempt.fail();
      return send_error(res, session.error());
    }
    send_json(res, 200, session_json(*session));
  });

  // Logout takes no body. A request without Content-Length has none (RFC 9112 §6.3), but
  // cpp-httplib 0.11.4 would wait for the client to close before routing it (then
  // answer 400, the token not revoked): this route reads its body itself, only when
  // Content-Length announces one, and ignores it.
  s.Post("/api/v1/auth/logout", [&sv](const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& read_body) {
    if (req.has_header("Content-Length") &&
        !read_body([](const char*, std::size_t) { return true; }))
      return send_error(res, {"bad_request", "request body not received", {}, 400});
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    const std::string h = req.get_header_value("Authorization");
    if (auto ok = sv.auth.logout(h.substr(7)); !ok) return send_error(res, ok.error());
    sv.hub.close_session(actor->session_key);  // its live streams end with it
    res.status = 204;
  });

  s.Get("/api/v1/me", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    auto u = sv.auth.user(*actor->user_id);
    if (!u) return send_error(res, u.error());
    send_json(res, 200, AuthService::user_json(*u));
  });
}

}  // namespace portal::server::http
