#include <stdexcept>

#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

void register_meta_routes(httplib::Server& s, Services& services, const HttpConfig& config) {
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });

  s.Get("/readyz", [&services](const httplib::Request&, httplib::Response& res) {
    if (auto ok = services.store.ping(); !ok)
      send_json(res, 503, core::error_body({"not_ready", "database unavailable", {}, 503}));
    else
      send_json(res, 200, {{"status", "ready"}});
  });

  s.Get("/api/v1/categories", [&services](const httplib::Request&, httplib::Response& res) {
    auto cats = services.tickets.categories();
    if (!cats) return send_error(res, cats.error());
    send_json(res, 200, core::Json(*cats));
  });

  if (config.bench) {
    s.Post("/api/v1/bench/echo", [](const httplib::Request& req, httplib::Response& res) {
      auto body = read_json_body(req);
      if (!body) return send_error(res, body.error());
      send_json(res, 200, *body);
    });
    // Proves that an exception inside a handler reaches no client.
    s.Post("/api/v1/bench/throw", [](const httplib::Request&, httplib::Response&) {
      throw std::runtime_error("internal detail /etc/secret sqlite3 stack");
    });
  }
}

}  // namespace portal::server::http
