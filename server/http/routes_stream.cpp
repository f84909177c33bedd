#include "server/http/front.hpp"
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
    StreamOwner owner;
    owner.address = client_key(req);
    if (req.has_header("Authorization")) {
      auto actor = signed_in_actor(req, sv);
      if (!actor) return send_error(res, actor.error());
      filter = filter_for(*actor);
      owner.user_id = actor->user_id;
      owner.session_key = actor->session_key;
    } else if (req.has_param("ticket")) {
      auto actor =
          sv.hub.redeem_ticket(req.get_param_value("ticket"), std::chrono::steady_clock::now());
      if (!actor)
        return send_error(
            res, {"unauthorized", "stream ticket unknown, used or expired", "ticket", 401});
      filter = filter_for(*actor);
      owner.user_id = actor->user_id;
      owner.session_key = actor->session_key;
    } else if (req.has_param("number") && req.has_param("code")) {
      // An anonymous submitter follows their own ticket with its access code; wrong
      // codes are counted per address like every other guess.
      auto guess = access_code_attempt(sv, req, res);
      if (guess.refused()) return;
      const std::string number = req.get_param_value("number");
      if (!sv.tickets.get(number, Actor{}, req.get_param_value("code")))
        return send_error(res, core::Error::not_found("no such ticket"), guess);
      filter = filter_for_ticket(number);
      owner.ticket_number = number;
    } else {
      return send_error(res, {"unauthorized", "sign in, or give number and code", {}, 401});
    }
    auto sub = sv.hub.subscribe(std::move(filter), std::move(owner));
    if (!sub) {
      res.set_header("Retry-After", "30");
      return send_error(res, sub.error());
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");  // proxies must not hold events back
    // The stream goes on in the front's event loop, which writes its chunks as they come;
    // they are plain (a compressed stream could not be continued there).
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    auto* hub = &sv.hub;
    auto handed = std::make_shared<bool>(false);
    res.set_chunked_content_provider(
        "text/event-stream",
        [sub = *sub, hub, handed](size_t, httplib::DataSink& sink) {
          static constexpr std::string_view kHello = ": connected\nretry: 3000\n\n";
          if (sink.write(kHello.data(), kHello.size())) {
            *handed = true;
            hand_over_stream(sub, [hub, sub] { hub->unsubscribe(sub); });
          }
          return false;  // the answer's head and first chunk are out: the front goes on
        },
        // Not handed over (a HEAD request, a client already gone): nobody will read it.
        [sub = *sub, hub, handed](bool) {
          if (!*handed) hub->unsubscribe(sub);
        });
  });
}

}  // namespace portal::server::http
