// 每月一题 topics (API.md "Cockpit"): open, list, link tickets, resolve them together.
// GET /topics and GET /topics/{id}/tickets also answer CSV (?format=csv or
// Accept: text/csv).
#include <httplib.h>

#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/topic_service.hpp"

namespace portal::server::http {

namespace {

core::Result<bool> wants_csv(const httplib::Request& req) {
  if (req.has_param("format")) {
    const std::string f = req.get_param_value("format");
    if (f != "json" && f != "csv")
      return core::Error::invalid("format", "unknown_format", "must be json or csv");
    return f == "csv";
  }
  return req.get_header_value("Accept").find("text/csv") != std::string::npos;
}

void answer(const httplib::Request& req, httplib::Response& res,
            const core::Result<StatsAnswer>& a) {
  if (!a) return send_error(res, a.error());
  auto csv = wants_csv(req);
  if (!csv) return send_error(res, csv.error());
  if (!*csv || a->tables.empty()) return send_json(res, 200, a->json);
  const CsvTable& t = a->tables.front();
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + t.name + ".csv\"");
  res.set_content(render_csv(t), "text/csv; charset=utf-8");
}

template <class F>
void with_body(const httplib::Request& req, httplib::Response& res, Services& sv, int status,
               F&& f) {
  auto actor = signed_in_actor(req, sv);
  if (!actor) return send_error(res, actor.error());
  once_per_key(req, res, sv, *actor, [&] {
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    auto r = f(*actor, *body);
    if (!r) return send_error(res, r.error());
    send_json(res, status, *r);
  });
}

}  // namespace

void register_topic_routes(httplib::Server& s, Services& sv, TopicService& topics) {
  s.Post("/api/v1/topics", [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
    with_body(req, res, sv, 201,
              [&](const Actor& a, const core::Json& b) { return topics.create(a, b); });
  });

  s.Get("/api/v1/topics", [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
    auto actor = signed_in_actor(req, sv);
    if (!actor) return send_error(res, actor.error());
    answer(req, res,
           topics.list(*actor, req.get_param_value("month"), req.get_param_value("status")));
  });

  s.Get(R"(/api/v1/topics/([^/]+))",
        [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
          auto actor = signed_in_actor(req, sv);
          if (!actor) return send_error(res, actor.error());
          auto r = topics.get(*actor, req.matches[1]);
          if (!r) return send_error(res, r.error());
          send_json(res, 200, *r);
        });

  s.Get(R"(/api/v1/topics/([^/]+)/tickets)",
        [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
          auto actor = signed_in_actor(req, sv);
          if (!actor) return send_error(res, actor.error());
          answer(req, res, topics.tickets(*actor, req.matches[1]));
        });

  s.Get(R"(/api/v1/topics/([^/]+)/candidates)",
        [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
          auto actor = signed_in_actor(req, sv);
          if (!actor) return send_error(res, actor.error());
          auto r = topics.candidates(*actor, req.matches[1]);
          if (!r) return send_error(res, r.error());
          send_json(res, 200, *r);
        });

  s.Post(R"(/api/v1/topics/([^/]+)/tickets)",
         [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
           const std::string id = req.matches[1];
           with_body(req, res, sv, 200,
                     [&](const Actor& a, const core::Json& b) { return topics.link(a, id, b); });
         });

  s.Post(R"(/api/v1/topics/([^/]+)/resolve)",
         [&sv, &topics](const httplib::Request& req, httplib::Response& res) {
           const std::string id = req.matches[1];
           with_body(req, res, sv, 200,
                     [&](const Actor& a, const core::Json& b) { return topics.resolve(a, id, b); });
         });
}

}  // namespace portal::server::http
