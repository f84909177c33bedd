// The HTTP front: cpp-httplib with our middleware (request ids, JSON logs, security
// headers, limits, the API.md error shape) and the routes of every module.
#pragma once

#include <httplib.h>

#include <memory>
#include <mutex>
#include <string>

#include "server/http/front.hpp"
#include "server/service/auth_service.hpp"
#include "server/service/basemap.hpp"
#include "server/service/event_hub.hpp"
#include "server/service/notifier.hpp"
#include "server/service/rate_limit.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/store.hpp"

namespace portal::server {
class StatsService;
class Open311Service;
class TopicService;
class IdempotencyService;
class Metrics;
class PlaceService;
class SuggestService;
}  // namespace portal::server

namespace portal::server::http {

struct HttpConfig {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string www_dir;  // the document root; empty serves no files
  // Worker threads: they run complete requests only (the front's event loop holds idle,
  // slow and streaming connections), so a few score carry the group commit's batches.
  std::size_t threads = 128;
  FrontLimits front;               // deadlines and per-address limits of connections
  StreamCaps streams;              // live streams per address, account and ticket
  std::string frame_ancestors;     // extra origins allowed to frame the portal (CSP)
  bool bench = false;              // adds POST /api/v1/bench/echo
  double rate_limit_scale = 1;     // multiplies every rate limit (tests come from one address)
  std::optional<Basemap> basemap;  // serve --tiles: the tile hosts join the CSP
};

// Per-address limits on the endpoints that anonymous callers can hammer; uploads are
// limited per address and per account (keyed by user id).
struct RateLimits {
  explicit RateLimits(double scale);
  RateLimiter login, registration, anonymous_submit;
  RateLimiter public_board, nearby;
  RateLimiter suggest;
  RateLimiter upload_per_address, upload_per_account;
  // Failed sign-ins per account (by login), failed access codes per address: see
  // CountedAttempt in respond.hpp.
  RateLimiter login_account, access_code;
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
  PlaceService* places = nullptr;     // the map's place search, when present
  SuggestService* suggest = nullptr;  // the category suggestion, when present
  // The notification outbox's admin list, inbound webhook and settings.
  NotificationService* notifications = nullptr;
  const DeliveryCounters* deliveries = nullptr;  // this instance's delivery worker
  // Idempotency-Key on the POSTs besides ticket creation, when present.
  IdempotencyService* idempotency = nullptr;
  Metrics* metrics = nullptr;    // GET /metrics, and what the request log counts
  RateLimits* limits = nullptr;  // set by HttpServer
};

// cpp-httplib's server with its request processing opened to the front, which owns the
// sockets and hands it complete requests.
class Dispatcher : public httplib::Server {
 public:
  using httplib::Server::process_request;
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
  Dispatcher server_;
  struct StaticFiles;
  std::unique_ptr<StaticFiles> static_files_;
  std::unique_ptr<RateLimits> limits_;
  int listen_fd_ = -1;  // the listening socket, once bound
  std::mutex front_mu_;
  std::unique_ptr<Front> front_;
  bool stop_requested_ = false;
};

}  // namespace portal::server::http
