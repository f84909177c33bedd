// Open311 GeoReport v2 under /open311/v2/: the format is the path's extension (.json or
// .xml), errors are the specification's [{code, description}] in that format. The
// rules live in Open311Service; these handlers only read parameters and send replies.
#include <httplib.h>

#include <algorithm>

#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/open311.hpp"

namespace portal::server::http {

namespace {

using open311::Format;

constexpr std::size_t kMaxFormBody = 256 * 1024;

Format format_of(const std::string& ext) {
  return ext == "xml" ? Format::xml : Format::json;
}

void send(httplib::Response& res, const open311::Reply& reply, Format format) {
  res.status = reply.status;
  res.set_header("Cache-Control", "no-cache");
  res.set_content(open311::render(reply, format), open311::content_type(format));
}

// Public data: browsers on other origins may read it (never the POST, which needs a key).
void send_public(httplib::Response& res, const open311::Reply& reply, Format format) {
  res.set_header("Access-Control-Allow-Origin", "*");
  send(res, reply, format);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded: "+" is a space, %XX a byte; a malformed escape is
// kept as it is.
std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void parse_form(std::string_view body, open311::Params& params) {
  std::size_t start = 0;
  while (start <= body.size()) {
    const auto amp = body.find('&', start);
    const auto end = amp == std::string_view::npos ? body.size() : amp;
    const std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      params.emplace(form_decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                          ? std::string()
                                                          : form_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '[' || c == ']';
}

// Where the caller reached us, for the links in discovery and media_url. Only a
// plausible host name is taken from the request; anything else falls back.
std::string base_url_of(const httplib::Request& req, const Open311Service& service) {
  if (!service.config().public_url.empty()) return service.config().public_url;
  std::string host = req.get_header_value("Host");
  if (host.empty() || host.size() > 255 || !std::all_of(host.begin(), host.end(), host_char))
    host = "localhost";
  const bool https = req.get_header_value("X-Forwarded-Proto") == "https";
  return (https ? "https://" : "http://") + host;
}

}  // namespace

void register_open311_routes(httplib::Server& s, Services& services, Open311Service& open311) {
  (void)services;
  Open311Service* o = &open311;

  s.Get(R"(/open311/v2/discovery\.(json|xml))", [o](const httplib::Request& req,
                                                    httplib::Response& res) {
    send_public(res, o->discovery(req.params, base_url_of(req, *o)), format_of(req.matches[1]));
  });

  s.Get(R"(/open311/v2/services\.(json|xml))",
        [o](const httplib::Request& req, httplib::Response& res) {
          send_public(res, o->services(req.params), format_of(req.matches[1]));
        });

  s.Get(R"(/open311/v2/services/([^/]+)\.(json|xml))", [o](const httplib::Request& req,
                                                           httplib::Response& res) {
    send_public(res, o->service_definition(req.matches[1], req.params), format_of(req.matches[2]));
  });

  s.Get(R"(/open311/v2/requests\.(json|xml))", [o](const httplib::Request& req,
                                                   httplib::Response& res) {
    send_public(res, o->requests(req.params, base_url_of(req, *o)), format_of(req.matches[1]));
  });

  s.Get(R"(/open311/v2/requests/([^/]+)\.(json|xml))",
        [o](const httplib::Request& req, httplib::Response& res) {
          send_public(res, o->request(req.matches[1], req.params, base_url_of(req, *o)),
                      format_of(req.matches[2]));
        });

  s.Get(R"(/open311/v2/tokens/([^/]+)\.(json|xml))",
        [o](const httplib::Request& req, httplib::Response& res) {
          send_public(res, o->token(req.matches[1], req.params), format_of(req.matches[2]));
        });

  // POST reads its own body: cpp-httplib 0.11.4 (a shared library here) refuses
  // form-encoded bodies over 8 KiB before any handler runs, and a description of
  // 4,000 Chinese characters takes some 36 KiB once percent-encoded.
  s.Post(R"(/open311/v2/requests\.(json|xml))",
         [o](const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader& reader) {
           const Format f = format_of(req.matches[1]);
           const auto too_large = [&] {
             send(res, open311::error(413, "request body larger than 256 KiB"), f);
           };
           open311::Params params = req.params;  // the query string
           std::size_t total = 0;
           bool over = false;
           if (req.is_multipart_form_data()) {
             // Text fields of a multipart form count as form fields; files are ignored.
             std::vector<httplib::MultipartFormData> parts;
             reader(
                 [&](const httplib::MultipartFormData& part) {
                   parts.push_back(part);
                   return true;
                 },
                 [&](const char* data, std::size_t n) {
                   total += n;
                   if (total > kMaxFormBody) return !(over = true);
                   if (!parts.empty() && parts.back().filename.empty())
                     parts.back().content.append(data, n);
                   return true;
                 });
             if (over) return too_large();
             for (auto& part : parts)
               if (part.filename.empty()) params.emplace(part.name, std::move(part.content));
           } else {
             const std::string type = req.get_header_value("Content-Type");
             if (type.substr(0, type.find(';')) != "application/x-www-form-urlencoded")
               return send(res,
                           open311::error(400,
                                          "send the fields form-encoded "
                                          "(Content-Type: application/x-www-form-urlencoded)"),
                           f);
             std::string body;
             reader([&](const char* data, std::size_t n) {
               total += n;
               if (total > kMaxFormBody) return !(over = true);
               body.append(data, n);
               return true;
             });
             if (over) return too_large();
             parse_form(body, params);
           }
           send(res, o->create(params), f);
         });

  // Anything else under /open311/: the specification's error shape, not the portal's.
  auto unknown = [](const httplib::Request& req, httplib::Response& res) {
    const bool xml = req.path.size() >= 4 && req.path.compare(req.path.size() - 4, 4, ".xml") == 0;
    send(res, open311::error(404, "no such Open311 resource; see /open311/v2/discovery.json"),
         xml ? Format::xml : Format::json);
  };
  s.Get(R"(/open311/.*)", unknown);
  s.Post(R"(/open311/.*)", unknown);
  s.Put(R"(/open311/.*)", unknown);
  s.Patch(R"(/open311/.*)", unknown);
  s.Delete(R"(/open311/.*)", unknown);
}

}  // namespace portal::server::http
