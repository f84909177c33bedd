#include "server/http/respond.hpp"
#include "server/http/routes.hpp"

namespace portal::server::http {

void register_ticket_routes(httplib::Server& s, Services& services) {
  s.Post("/api/v1/tickets", [&services](const httplib::Request& req, httplib::Response& res) {
    auto body = read_json_body(req);
    if (!body) return send_error(res, body.error());
    auto draft = core::parse_ticket_draft(*body);
    if (!draft) return send_error(res, draft.error());
    auto receipt = services.tickets.submit(*draft, Actor{});
    if (!receipt) return send_error(res, receipt.error());
    res.set_header("Location", "/api/v1/tickets/" + receipt->number);
    send_json(res, 201, core::Json(*receipt));
  });

  s.Get(R"(/api/v1/tickets/([^/]+))",
        [&services](const httplib::Request& req, httplib::Response& res) {
          std::optional<std::string> code;
          if (req.has_header("X-Access-Code")) code = req.get_header_value("X-Access-Code");
          auto ticket = services.tickets.get(req.matches[1].str(), Actor{}, code);
          if (!ticket) return send_error(res, ticket.error());
          send_json(res, 200, core::Json(*ticket));
        });
}

}  // namespace portal::server::http
