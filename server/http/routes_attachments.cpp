#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/images.hpp"

namespace portal::server::http {

namespace {

void upload(const httplib::Request& req, httplib::Response& res, Services& sv, const Actor& actor) {
  // Per account first: an account over its limit does not also spend its address's.
  if (actor.user_id &&
      rate_limited(sv.limits->upload_per_account, "user " + std::to_string(*actor.user_id), res))
    return;
  if (rate_limited(sv.limits->upload_per_address, req, res)) return;
  const std::string type = req.get_header_value("Content-Type");
  const std::string mime = type.substr(0, type.find(';'));
  if (mime != "image/jpeg" && mime != "image/png" && mime != "image/webp")
    return send_error(res, {"unsupported_media_type", "send image/jpeg, image/png or image/webp",
                            "Content-Type", 415});
  if (req.body.size() > kMaxUploadBytes)
    return send_error(res, {"payload_too_large", "photos are at most 5 MiB", "body", 413});
  UploadRefusal refusal;
  auto a = sv.tickets.upload_attachment(req.body, mime, actor, client_key(req), &refusal);
  if (!a) {
    if (a.error().status == 429)
      res.set_header("Retry-After", std::to_string(refusal.retry_after_seconds));
    if (a.error().status == 503) res.set_header("Retry-After", "5");
    return send_error(res, a.error());
  }
  send_json(res, 201, *a);
}

}  // namespace

void register_attachment_routes(httplib::Server& s, Services& sv) {
  s.Post("/api/v1/attachments", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = actor_of(req, sv);
    if (!actor) return send_error(res, actor.error());
    // A retry with the same Idempotency-Key (a report sent from this device's outbox
    // after its answer was lost) gets the same photo, not a second one.
    once_per_key(req, res, sv, *actor, [&] { upload(req, res, sv, *actor); });
  });

  s.Get(R"(/api/v1/attachments/([^/]+))",
        [&sv](const httplib::Request& req, httplib::Response& res) {
          auto actor = actor_of(req, sv);
          if (!actor) return send_error(res, actor.error());
          auto guess = x_access_code_attempt(sv, req, res);
          if (guess.refused()) return;
          auto a = sv.tickets.read_attachment(req.matches[1].str(), *actor, access_code_of(req));
          if (!a) return send_error(res, a.error(), guess);
          res.set_header("Cache-Control", "private, max-age=86400");
          res.set_header("Content-Disposition", "inline");
          res.status = 200;
          res.set_content(a->data, a->mime.c_str());
        });

  s.Post("/api/v1/hotline/import", [&sv](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    if (req.body.size() > 2 * 1024 * 1024)
      return send_error(res, {"payload_too_large", "import at most 2 MiB at once", "body", 413});
    once_per_key(req, res, sv, *actor, [&] {
      auto out = sv.tickets.import_hotline(req.body, req.get_header_value("Content-Type"), *actor);
      if (!out) return send_error(res, out.error());
      send_json(res, out->status, out->body);
    });
  });
}

}  // namespace portal::server::http
