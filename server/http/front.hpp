// The connection front: one epoll thread owns every socket while it is idle between
// requests, while a request is still arriving, and while it carries a live stream.
// Worker threads see only complete requests, so neither slow clients (slowloris, a
// phone on a bad network), nor idle keep-alive connections, nor thousands of open
// streams hold a worker: a few thousand such connections cost memory and file
// descriptors, not the service.
//
//   accept ─► read until the head and its Content-Length body are in, within a deadline
//          ─► a worker runs the request (cpp-httplib's parser, middleware and routes)
//          ─► back to the loop: wait for the next request, or close, or stream (SSE)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <httplib.h>

#include "server/service/event_hub.hpp"

namespace portal::server::http {

struct FrontLimits {
  std::size_t workers = 128;
  // From a request's first byte to the end of its head.
  std::chrono::milliseconds header_timeout{10'000};
  // A body may take this long after the head, plus its length at min_body_rate.
  std::chrono::milliseconds body_grace{10'000};
  double min_body_rate = 8 * 1024;  // bytes a second
  // A kept-alive connection may wait this long for its next request.
  std::chrono::milliseconds idle_timeout{5'000};
  // An answer must make progress: this long, plus its length at min_write_rate.
  std::chrono::milliseconds write_grace{10'000};
  double min_write_rate = 8 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_path_bytes = 256;  // the path of the request target, without the query
  std::size_t max_body_bytes = 6 * 1024 * 1024;
  // Open connections from one address (trusted proxies excepted); beyond, new ones are
  // answered 503 and closed.
  std::size_t max_connections_per_address = 4096;
  std::size_t max_requests_per_connection = 10'000;
  // A stream whose client reads too slowly is closed once this much waits for it.
  std::size_t max_stream_backlog = 256 * 1024;
  std::chrono::milliseconds stream_keepalive{15'000};
};

// What a worker does with one complete request: cpp-httplib's process_request.
using ProcessRequest =
    std::function<bool(httplib::Stream& strm, bool close_connection, bool& connection_closed)>;

// Called by the stream route on a worker: once the answer's head has been written, the
// connection is handed to the front's loop, which writes the subscription's frames as
// they come (chunked), a keep-alive comment when quiet, and ends it when the
// subscription is closed or the client goes; then it calls `release` (unsubscribe).
void hand_over_stream(std::shared_ptr<EventHub::Subscription> sub, std::function<void()> release);

class Front {
 public:
  // `listen_fd` is bound and listening; `is_trusted_proxy` tells the addresses that
  // carry many clients' connections (exempt from the per-address cap).
  Front(int listen_fd, FrontLimits limits, ProcessRequest process,
        std::function<bool(const std::string&)> is_trusted_proxy);
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Runs the loop on the calling thread until stop().
  void run();
  // From any thread: ends the loop; open streams are closed, workers joined.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portal::server::http
