#include <stdexcept>

#include "server/http/openapi.hpp"
#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/metrics.hpp"
#include "server/service/suggest_service.hpp"

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

  // Prometheus text, for the networks of --metrics-allow only (by the socket's peer,
  // or the address a trusted proxy names).
  s.Get("/metrics", [&services](const httplib::Request& req, httplib::Response& res) {
    Metrics* m = services.metrics;
    if (!m) return send_error(res, core::Error::not_found("no such endpoint"));
    if (!m->may_read(client_address(req)))
      return send_error(
          res,
          {"forbidden", "metrics are readable only from the networks of --metrics-allow", {}, 403});
    Metrics::Gauges g;
    g.open_streams = services.hub.subscribers();
    g.store = services.store.metrics();
    if (services.suggest) g.suggest_model = services.suggest->version();
    if (services.notifications)
      if (auto c = services.store.notification_counts(); c) g.outbox = *c;
    if (const DeliveryCounters* d = services.deliveries) {
      g.attempts_delivered = d->delivered.load();
      g.attempts_retried = d->retried.load();
      g.attempts_failed = d->failed.load();
      g.attempts_cancelled = d->cancelled.load();
    }
    res.status = 200;
    res.set_content(m->render(g), Metrics::kContentType);
  });

  s.Get("/api/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    const std::string_view doc = openapi_json();
    res.set_content(doc.data(), doc.size(), "application/json; charset=utf-8");
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
