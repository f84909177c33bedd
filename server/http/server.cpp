// [SECTION] Index
// - Static files: the document root, cached in memory with ETags
// - Middleware: request ids, limits, security headers, errors, JSON logs
// - HttpServer

#include "server/http/server.hpp"

#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>

#include "portal/core/client_routes.hpp"
#include "server/http/respond.hpp"
#include "server/http/routes.hpp"
#include "server/service/metrics.hpp"

namespace portal::server::http {

namespace fs = std::filesystem;

// [SECTION] Static files

struct HttpServer::StaticFiles {
  // A file with the precompressed copies the build wrote beside it (name.gz, name.br).
  struct Variant {
    std::string body, etag;
  };
  struct File {
    std::string body;
    std::string type;
    std::string etag;
    std::optional<Variant> gzip, br;
  };
  fs::path root;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const File>> cache;

  static const char* mime_of(const std::string& ext) {
    static const std::map<std::string, const char*> kTypes = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    auto it = kTypes.find(ext);
    return it == kTypes.end() ? nullptr : it->second;
  }

  static std::string etag_of(const std::string& body) {
    unsigned char h[16];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(body.data()),
                       body.size(), nullptr, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return std::string("\"") + hex + "\"";
  }

  // The one spelling of a URL path under root: empty and "." segments dropped ("//a",
  // "/./a" and "/a" are one file), ".." and anything outside a plain file name refused.
  static std::optional<std::string> normalise(const std::string& url_path) {
    if (url_path.size() > 200) return std::nullopt;
    std::string rel;
    std::size_t pos = 0;
    while (pos <= url_path.size()) {
      std::size_t end = url_path.find('/', pos);
      if (end == std::string::npos) end = url_path.size();
      const std::string_view seg(url_path.data() + pos, end - pos);
      pos = end + 1;
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") return std::nullopt;
      for (char c : seg)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
          return std::nullopt;
      if (!rel.empty()) rel += '/';
      rel += seg;
    }
    if (rel.empty()) rel = "index.html";
    return rel;
  }

  // Maps a URL path to a file under root. The cache is keyed by the file, so it holds at
  // most one entry a file whatever paths arrive.
  std::shared_ptr<const File> load(const std::string& url_path) {
    const auto normal = normalise(url_path);
    if (!normal) return nullptr;
    const std::string& rel = *normal;
    {
      std::lock_guard lock(mu);
      if (auto it = cache.find(rel); it != cache.end()) return it->second;
    }
    const fs::path p = root / rel;
    const char* type = mime_of(p.extension().string());
    std::error_code ec;
    if (!type || !fs::is_regular_file(p, ec)) return nullptr;
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto f = std::make_shared<File>();
    f->body = ss.str();
    f->type = type;
    f->etag = etag_of(f->body);
    // A precompressed copy is used only when it is at least as new as the file.
    auto variant = [&](const char* suffix) -> std::optional<Variant> {
      fs::path c = p;
      c += suffix;
      std::error_code e1, e2;
      if (!fs::is_regular_file(c, e1)) return std::nullopt;
      if (fs::last_write_time(c, e1) < fs::last_write_time(p, e2) || e1 || e2) return std::nullopt;
      std::ifstream cin(c, std::ios::binary);
      std::ostringstream cs;
      cs << cin.rdbuf();
      Variant v{cs.str(), etag_of(cs.str())};
      return v;
    };
    f->gzip = variant(".gz");
    f->br = variant(".br");
    std::lock_guard lock(mu);
    cache[rel] = f;
    return f;
  }
};

// [SECTION] Middleware

namespace {

thread_local std::chrono::steady_clock::time_point t_request_start;
constexpr std::size_t kMaxHeaders = 100;
constexpr int kListenBacklog = 4096;

// Whether an Accept-Encoding header allows `coding`: named (or "*") without q=0.
bool accepts_encoding(std::string_view header, std::string_view coding) {
  bool star = false, named = false, named_zero = false;
  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(pos, end - pos);
    pos = end + 1;
    std::string_view name = item.substr(0, item.find(';'));
    auto trim = [](std::string_view v) {
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    };
    name = trim(name);
    bool zero = false;
    if (auto q = item.find(';'); q != std::string_view::npos) {
      std::string params(trim(item.substr(q + 1)));
      params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
      if (params.rfind("q=", 0) == 0) zero = std::atof(params.c_str() + 2) <= 0.0;
    }
    std::string lower(name);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == coding) {
      named = true;
      named_zero = zero;
    } else if (lower == "*" && !zero) {
      star = true;
    }
    if (end == header.size()) break;
  }
  return named ? !named_zero : star;
}

// If-None-Match: "*" or a list of ETags (weak ones compared weakly).
bool if_none_match(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  if (header == "*") return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view tag = header.substr(pos, end - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
    if (tag == etag) return true;
    pos = end + 1;
  }
  return false;
}

std::string utc_now_iso() {
  return core::format_iso(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
}

bool is_api(const std::string& path) {
  return path.rfind("/api/", 0) == 0;
}

}  // namespace

void HttpServer::install_middleware() {
  server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    res.set_header("X-Request-Id", new_request_id());
    // Chunked request bodies bypass cpp-httplib's payload limit: refuse them.
    if (req.has_header("Transfer-Encoding")) {
      send_error(res, {"length_required", "request bodies must carry Content-Length", {}, 411});
      return httplib::Server::HandlerResponse::Handled;
    }
    // cpp-httplib 0.11.4 keeps every header it is sent; no client needs this many.
    if (req.headers.size() > kMaxHeaders) {
      send_error(res, {"too_many_headers", "too many request headers", {}, 431});
      return httplib::Server::HandlerResponse::Handled;
    }
    // Many ranges make one small file into a huge multipart answer: allow one range.
    if (req.has_header("Range") && req.get_header_value("Range").find(',') != std::string::npos) {
      // cpp-httplib would cut even this refusal into the ranges asked for. The request
      // object is ours (only the handler's view of it is const), so forget them.
      const_cast<httplib::Request&>(req).ranges.clear();
      send_error(res, {"range_not_satisfiable", "one range at a time", "Range", 416});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // The basemap's tile hosts (serve --tiles): the client draws their images, and may
  // fetch() them to cache them.
  const std::string tiles = basemap_csp_sources(config_.basemap);
  const std::string csp =
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
      "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:" +
      tiles + "; font-src 'self'; connect-src 'self'" + tiles +
      "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'" +
      (config_.frame_ancestors.empty() ? std::string() : " " + config_.frame_ancestors);
  server_.set_post_routing_handler([csp](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Content-Security-Policy", csp);
    // Routes that may be cached say so themselves (the grid map, the public board).
    if (is_api(req.path) && !res.has_header("Cache-Control"))
      res.set_header("Cache-Control", "no-store");
    // Behind a trusted proxy the portal is served over TLS (the proxy says otherwise
    // with X-Forwarded-Proto: http): browsers are told to keep to HTTPS.
    if (is_trusted_proxy(req.remote_addr) && req.get_header_value("X-Forwarded-Proto") != "http")
      res.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  });

  // Errors that cpp-httplib raises itself (400, 404, 413, 414 ...) get our JSON shape.
  server_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", new_request_id());
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        core::Error e;
        switch (res.status) {
          case 404:
            e = {"not_found", "no such resource", {}, 404};
            break;
          case 405:
            e = {"method_not_allowed", "method not allowed", {}, 405};
            break;
          case 413:
            e = {"payload_too_large", "request body too large", {}, 413};
            break;
          case 414:
            e = {"uri_too_long", "request URI too long", {}, 414};
            break;
          case 500:
            e = core::Error::internal();
            break;
          default:
            e = {"bad_request", "malformed request", {}, res.status};
            break;
        }
        send_error(res, e);
        return httplib::Server::HandlerResponse::Handled;
      }));

  // No exception text ever reaches a client; the request id ties the log line to it.
  server_.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                   std::exception_ptr) {
    send_error(res, core::Error::internal());
    std::fprintf(stderr,
                 "{\"ts\":\"%s\",\"level\":\"error\",\"msg\":\"handler threw\",\"rid\":\"%s\"}\n",
                 utc_now_iso().c_str(), request_id(res).c_str());
  });

  server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                t_request_start)
                          .count();
    // A stream is counted once its head is out: the front serves the rest.
    if (services_.metrics)
      services_.metrics->observe_request(req.method, req.path, res.status, ms / 1000);
    // The path only: query strings may carry one-time tickets.
    const char* level = res.status >= 500                        ? "error"
                        : res.status == 401 || res.status == 403 ? "warn"
                                                                 : "info";
    core::Json line = {{"ts", utc_now_iso()},    {"level", level},
                       {"rid", request_id(res)}, {"addr", client_address(req)},
                       {"method", req.method},   {"path", req.path},
                       {"status", res.status},   {"ms", static_cast<int>(ms * 1000) / 1000.0}};
    // Denials are logged as such (never with the token or the body that was refused).
    if (res.status == 401 || res.status == 403)
      line["event"] = res.status == 401 ? "authentication_failed" : "authorization_denied";
    if (res.status == 429) line["event"] = "rate_limited";
    const std::string text = line.dump(-1, ' ', false, core::Json::error_handler_t::replace);
    std::fprintf(stdout, "%s\n", text.c_str());
    std::fflush(stdout);
  });
}

// [SECTION] HttpServer

namespace {
RateLimitPolicy scaled(RateLimitPolicy p, double k) {
  p.capacity *= k;
  p.refill_per_second *= k;
  return p;
}
}  // namespace

RateLimits::RateLimits(double k)
    : login(scaled(rate_policies::login(), k)),
      registration(scaled(rate_policies::registration(), k)),
      anonymous_submit(scaled(rate_policies::anonymous_submit(), k)),
      public_board(scaled(rate_policies::public_board(), k)),
      nearby(scaled(rate_policies::nearby(), k)),
      suggest(scaled(rate_policies::suggest(), k)),
      upload_per_address(scaled(rate_policies::upload_per_address(), k)),
      upload_per_account(scaled(rate_policies::upload_per_account(), k)),
      login_account(scaled(rate_policies::login_account(), k)),
      access_code(scaled(rate_policies::access_code(), k)) {}

HttpServer::HttpServer(HttpConfig config, Services services)
    : config_(std::move(config)),
      services_(services),
      static_files_(new StaticFiles),
      limits_(new RateLimits(config_.rate_limit_scale)) {
  services_.limits = limits_.get();
  services_.hub.set_caps(config_.streams);
  static_files_->root = config_.www_dir;
  // The front writes each answer in more than one send (head, then body): with Nagle's
  // algorithm the second waits for the client's delayed ACK, some 40 ms per request.
  // Plain SO_REUSEADDR (a restart rebinds at once) without cpp-httplib's SO_REUSEPORT,
  // which would let a second server on the same port silently take half the requests.
  server_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });
  // Checked again by the front before a body is read; uploads are the largest.
  server_.set_payload_max_length(config_.front.max_body_bytes);
  // Only the Keep-Alive header's figures now: the front keeps the time.
  server_.set_keep_alive_timeout(
      std::chrono::duration_cast<std::chrono::seconds>(config_.front.idle_timeout).count());
  server_.set_keep_alive_max_count(config_.front.max_requests_per_connection);
  install_middleware();
  install_routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::install_routes() {
  register_meta_routes(server_, services_, config_);
  register_ticket_routes(server_, services_);
  register_auth_routes(server_, services_);
  register_org_routes(server_, services_, config_);
  register_attachment_routes(server_, services_);
  register_admin_routes(server_, services_);
  register_stream_routes(server_, services_);
  if (services_.stats) register_stats_routes(server_, services_, *services_.stats);
  if (services_.open311) register_open311_routes(server_, services_, *services_.open311);
  if (services_.topics) register_topic_routes(server_, services_, *services_.topics);
  if (services_.places) register_place_routes(server_, services_, *services_.places);
  if (services_.suggest) register_suggest_routes(server_, services_, *services_.suggest);
  if (services_.notifications)
    register_notification_routes(server_, services_, *services_.notifications);

  // Unknown API paths answer JSON, never the portal's HTML.
  auto api_not_found = [](const httplib::Request&, httplib::Response& res) {
    send_error(res, core::Error::not_found("no such endpoint"));
  };
  server_.Get(R"(/api/.*)", api_not_found);
  server_.Post(R"(/api/.*)", api_not_found);
  server_.Patch(R"(/api/.*)", api_not_found);
  server_.Delete(R"(/api/.*)", api_not_found);
  server_.Put(R"(/api/.*)", api_not_found);

  if (config_.www_dir.empty()) return;
  server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    // The portal's own addresses (/submit, /t/{number}, ...) are the portal page, which
    // opens the screen they name; any other path is a file of the root, or nothing.
    const bool page = core::parse_client_path(req.path).has_value();
    auto f = static_files_->load(page ? "/index.html" : req.path);
    if (!f) return send_error(res, core::Error::not_found("no such file"));
    // A versioned address ("/portal.wasm?v=HASH", written into the pages by
    // scripts/shell_version.py) names exactly one content: the first 16 hex digits of
    // the file's digest (its ETag). Another release's address is not found, so that a
    // page never runs files of two releases; this one's never changes, so browsers keep
    // it without asking again.
    const bool versioned = !page && req.has_param("v");
    if (versioned && req.get_param_value("v") != f->etag.substr(1, 16))
      return send_error(res, core::Error::not_found("no such version of this file"));
    // The smallest encoding the client accepts; each has its own ETag.
    const std::string* body = &f->body;
    const std::string* etag = &f->etag;
    const char* encoding = nullptr;
    if (f->gzip || f->br) {
      res.set_header("Vary", "Accept-Encoding");
      const std::string accept = req.get_header_value("Accept-Encoding");
      if (f->br && accepts_encoding(accept, "br")) {
        body = &f->br->body, etag = &f->br->etag, encoding = "br";
      } else if (f->gzip && accepts_encoding(accept, "gzip")) {
        body = &f->gzip->body, etag = &f->gzip->etag, encoding = "gzip";
      }
    }
    res.set_header("ETag", *etag);
    res.set_header("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
    if (if_none_match(req.get_header_value("If-None-Match"), *etag)) {
      res.status = 304;
      return;
    }
    res.status = 200;
    if (encoding) res.set_header("Content-Encoding", encoding);
    // Sent through a sized content provider: cpp-httplib compresses a plain body itself
    // when the client accepts it, which would encode a precompressed file twice.
    res.set_content_provider(
        body->size(), f->type.c_str(),
        [f, body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          if (offset > body->size()) return false;
          sink.write(body->data() + offset, std::min(length, body->size() - offset));
          return true;
        });
  });
}

int HttpServer::bind() {
  const int port = config_.port == 0 ? server_.bind_to_any_port(config_.host)
                   : server_.bind_to_port(config_.host, config_.port) ? config_.port
                                                                      : -1;
  // cpp-httplib listens with a backlog of 5 (fixed in Debian's shared library): a burst
  // of new connections, such as clients reconnecting together after a restart, overflows
  // it and each dropped SYN waits a second for its retransmission. Listening again on the
  // bound socket raises the backlog (the kernel caps it at net.core.somaxconn).
  if (port > 0 && listen_fd_ >= 0) ::listen(listen_fd_, kListenBacklog);
  return port;
}

bool HttpServer::listen() {
  if (listen_fd_ < 0) return false;
  Front* front = nullptr;
  {
    std::lock_guard lock(front_mu_);
    if (stop_requested_) return true;
    FrontLimits limits = config_.front;
    limits.workers = config_.threads;
    front_ = std::make_unique<Front>(
        listen_fd_, limits,
        [this](httplib::Stream& strm, bool close_connection, bool& connection_closed) {
          return server_.process_request(strm, close_connection, connection_closed, nullptr);
        },
        [](const std::string& addr) { return is_trusted_proxy(addr); });
    front = front_.get();
  }
  front->run();
  ::close(listen_fd_);
  listen_fd_ = -1;
  return true;
}

void HttpServer::stop() {
  std::lock_guard lock(front_mu_);
  stop_requested_ = true;
  if (front_) front_->stop();
}

}  // namespace portal::server::http
