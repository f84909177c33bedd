// The HTTP front: cpp-httplib with our middleware (request ids, JSON logs, security
// headers, limits, the API.md error shape) and the routes of every module.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "server/service/auth_service.hpp"
#include "server/service/event_hub.hpp"
#include "server/service/rate_limit.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/store.hpp"

namespace portal::server {
class StatsService;
class Open311Service;
class TopicService;
class Metrics;
}  // namespace portal::server

namespace portal::server::http {

struct HttpConfig {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string www_dir;  // the document root; empty serves no files
  // Worker threads. Each open connection (keep-alive, idle or streaming) holds one, so
  // the pool is sized for many: an idle thread costs little memory.
  std::size_t threads = 1024;
  std::string frame_ancestors;  // extra origins allowed to frame the portal (CSP)
  bool bench = false;           // adds POST /api/v1/bench/echo
  double rate_limit_scale = 1;  // multiplies every rate limit (tests come from one address)
};

// Per-address limits on the endpoints that anonymous callers can hammer.
struct RateLimits {
  explicit RateLimits(double scale);
  RateLimiter login, registration, anonymous_submit;
  RateLimiter public_board;
};

// The services the routes call; owned by the caller.
struct Services {
  Store& store;
  TicketService& tickets;
  AuthService& auth;
  EventHub& hub;
  StatsService* stats = nullptr;      // the cockpit and the public board, when present
  Open311Service* open311 = nullptr;  // Open311 GeoReport v2, when present
  TopicService* topics = nullptr;     // 每月一题 topics, when present
  Metrics* metrics = nullptr;         // GET /metrics, and what the request log counts
  RateLimits* limits = nullptr;       // set by HttpServer
};

class HttpServer {
 public:
  HttpServer(HttpConfig config, Services services);
  ~HttpServer();

  // Binds; returns the port (useful with port 0) or -1.
  int bind();
  // Serves until stop() is called from another thread.
  bool listen();
  void stop();

 private:
  void install_middleware();
  void install_routes();

  HttpConfig config_;
  Services services_;
  httplib::Server server_;
  struct StaticFiles;
  std::unique_ptr<StaticFiles> static_files_;
  std::unique_ptr<RateLimits> limits_;
  int listen_fd_ = -1;  // the listening socket, once bound
};

}  // namespace portal::server::http
