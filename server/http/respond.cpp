#include "server/http/respond.hpp"

namespace portal::server::http {

void send_json(httplib::Response& res, int status, const core::Json& body) {
  res.status = status;
  // Replace invalid UTF-8 rather than throw: stored text is validated, this is a last guard.
  res.set_content(body.dump(-1, ' ', false, core::Json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, const core::Error& e) {
  send_json(res, e.status, core::error_body(e));
}

core::Result<core::Json> read_json_body(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  const std::string mime = type.substr(0, type.find(';'));
  if (mime != "application/json")
    return core::Error{"unsupported_media_type", "Content-Type must be application/json",
                       "Content-Type", 415};
  if (req.body.size() > kMaxJsonBody)
    return core::Error{"payload_too_large", "JSON body larger than 64 KiB", {}, 413};
  return core::parse_json(req.body);
}

std::string request_id(const httplib::Response& res) {
  return res.get_header_value("X-Request-Id");
}

}  // namespace portal::server::http
