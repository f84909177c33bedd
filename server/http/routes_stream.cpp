#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

void register_stream_routes(httplib::Server& s, Services& sv) {
  s.Post("/api/v1/stream/ticket", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    send_json(res, 201,
              {{"ticket", sv.hub.issue_ticket(*actor, std::chrono::steady_clock::now())},
               {"expires_in", 60}});
  });

  s.Get("/api/v1/stream", [&sv](const httplib::Request& req, httplib::Response& res) {
    LiveFilter filter;
    if (req.has_header("Authorization")) {
      auto actor = signed_in_actor(req, sv);
      if (!actor) return send_error(res, actor.error());
      filter = filter_for(*actor);
    } else if (req.has_param("ticket")) {
      auto actor =
          sv.hub.redeem_ticket(req.get_param_value("ticket"), std::chrono::steady_clock::now());
      if (!actor)
        return send_error(
            res, {"unauthorized", "stream ticket unknown, used or expired", "ticket", 401});
      filter = filter_for(*actor);
    } else if (req.has_param("number") && req.has_param("code")) {
      // An anonymous submitter follows their own ticket with its access code.
      const std::string number = req.get_param_value("number");
      if (!sv.tickets.get(number, Actor{}, req.get_param_value("code")))
        return send_error(res, core::Error::not_found("no such ticket"));
      filter = filter_for_ticket(number);
    } else {
      return send_error(res, {"unauthorized", "sign in, or give number and code", {}, 401});
    }
    auto sub = sv.hub.subscribe(std::move(filter));
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");  // proxies must not hold events back
    auto* hub = &sv.hub;
    res.set_chunked_content_provider(
        "text/event-stream",
        [sub, first = true](size_t, httplib::DataSink& sink) mutable {
          if (first) {
            first = false;
            static constexpr std::string_view kHello = ": connected\nretry: 3000\n\n";
            return sink.write(kHello.data(), kHello.size());
          }
          auto frames = EventHub::next(*sub, std::chrono::seconds(15));
          if (!frames) {
            sink.done();
            return false;
          }
          if (frames->empty()) {
            static constexpr std::string_view kKeepAlive = ": keep-alive\n\n";
            return sink.write(kKeepAlive.data(), kKeepAlive.size());
          }
          for (const auto& f : *frames)
            if (!sink.write(f.data(), f.size())) return false;
          return true;
        },
        [hub, sub](bool) { hub->unsubscribe(sub); });
  });
}

}  // namespace portal::server::http
