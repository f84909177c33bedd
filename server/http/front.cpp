// [SECTION] Index
// - Request framing: where a request ends, checked before any worker sees it
// - Conn and ConnStream: a connection, and the httplib::Stream a worker answers through
// - Front::Impl: the epoll loop, the workers, streams, deadlines

#include "server/http/front.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/time.hpp"
#include "server/http/respond.hpp"

namespace portal::server::http {

namespace {

using Clock = std::chrono::steady_clock;

struct Handover {
  std::shared_ptr<EventHub::Subscription> sub;
  std::function<void()> release;
};
thread_local Handover t_handover;

}  // namespace

void hand_over_stream(std::shared_ptr<EventHub::Subscription> sub, std::function<void()> release) {
  t_handover = {std::move(sub), std::move(release)};
}

namespace {

// [SECTION] Request framing

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

struct Framing {
  enum Kind { incomplete, complete, refuse } kind = incomplete;
  std::size_t head = 0;       // bytes of the request line and headers, blank line included
  std::size_t length = 0;     // head + body, when complete
  std::size_t body = 0;       // declared body length, once the head is in
  bool close_after = false;   // the body is not framed by Content-Length: nothing may follow
  std::size_t expect_at = 0;  // offset of an "Expect: 100-continue" header name, or 0
  int status = 0;
  const char* code = "";
  const char* message = "";
};

Framing refused(int status, const char* code, const char* message) {
  Framing f;
  f.kind = Framing::refuse;
  f.status = status;
  f.code = code;
  f.message = message;
  return f;
}

// Where the first request in `in` ends. `scanned` remembers how far a previous call
// looked for the blank line, so that a head arriving a byte at a time costs linear time.
Framing frame_request(const std::string& in, std::size_t& scanned, const FrontLimits& lim) {
  Framing f;
  const std::size_t from = scanned > 3 ? scanned - 3 : 0;
  const std::size_t end = in.find("\r\n\r\n", from);
  const bool head_too_large =
      end == std::string::npos ? in.size() > lim.max_header_bytes : end + 4 > lim.max_header_bytes;
  if (head_too_large) return refused(431, "header_too_large", "request head too large");
  if (end == std::string::npos) {
    scanned = in.size();
    return f;
  }
  f.head = end + 4;
  // cpp-httplib matches every path against its routes' std::regex, whose matcher recurses
  // once a character: each worker's stack would keep the pages a long path touched.
  // The portal's longest paths are some 50 bytes; a query may be longer.
  {
    const std::size_t line_end = in.find("\r\n");
    const std::size_t target = in.find(' ');
    if (target != std::string::npos && target < line_end) {
      const std::size_t path_end = in.find_first_of("? ", target + 1);
      if (std::min(path_end, line_end) - (target + 1) > lim.max_path_bytes)
        return refused(414, "uri_too_long", "request path too long");
    }
  }
  std::optional<std::size_t> length;
  std::size_t pos = in.find("\r\n") + 2;  // past the request line
  while (pos < end) {
    std::size_t eol = in.find("\r\n", pos);
    std::string_view line(in.data() + pos, eol - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view name = line.substr(0, colon);
      const std::string_view value = trim(line.substr(colon + 1));
      if (iequals(name, "Content-Length")) {
        std::size_t v = 0;
        bool ok = !value.empty() && value.size() <= 15;
        for (char c : value) {
          if (c < '0' || c > '9') ok = false;
          v = v * 10 + static_cast<std::size_t>(c - '0');
        }
        if (!ok || (length && *length != v))
          return refused(400, "bad_request", "malformed Content-Length");
        length = v;
      } else if (iequals(name, "Transfer-Encoding")) {
        // Refused by the middleware (411) without reading a body: nothing after it can be
        // told apart from the body, so the connection ends with the answer.
        f.close_after = true;
      } else if (iequals(name, "Expect") && iequals(value, "100-continue")) {
        f.expect_at = pos;
      }
    }
    pos = eol + 2;
  }
  f.body = f.close_after ? 0 : length.value_or(0);
  if (f.body > lim.max_body_bytes)
    return refused(413, "payload_too_large", "request body too large");
  f.length = f.head + f.body;
  if (in.size() >= f.length) f.kind = Framing::complete;
  return f;
}

// An answer the front gives itself (the request never reached a worker), in the
// API.md error shape, logged like every other answer.
std::string refusal(int status, const char* code, const char* message, const std::string& addr,
                    const char* event) {
  const std::string rid = new_request_id();
  const std::string body = core::Json{{"error", {{"code", code}, {"message", message}}}}.dump();
  const char* reason = status == 400   ? "Bad Request"
                       : status == 408 ? "Request Timeout"
                       : status == 413 ? "Payload Too Large"
                       : status == 414 ? "URI Too Long"
                       : status == 431 ? "Request Header Fields Too Large"
                                       : "Service Unavailable";
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " " + reason +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\nX-Request-Id: " + rid +
      (status == 503 ? "\r\nRetry-After: 10" : "") + "\r\n\r\n" + body;
  const core::Json line = {
      {"ts", core::format_iso(std::chrono::time_point_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now()))},
      {"level", "warn"},
      {"rid", rid},
      {"addr", addr},
      {"status", status},
      {"event", event}};
  std::fprintf(stdout, "%s\n", line.dump().c_str());
  std::fflush(stdout);
  return out;
}

// [SECTION] Conn and ConnStream

enum class State { reading, busy, streaming };

struct Conn {
  std::uint64_t id = 0;
  int fd = -1;
  std::string addr, local_addr;
  int port = 0, local_port = 0;
  State state = State::reading;
  // Reading: what has arrived and is not answered yet, and until when the rest may come.
  std::string in;
  std::size_t scanned = 0;
  Framing framing;
  Clock::time_point started, deadline;
  bool continued = false;  // "100 Continue" sent for the request being read
  bool peer_done = false;  // the client shut its side: answer what is in, then close
  std::size_t served = 0;
  // Streaming.
  Handover stream;
  std::string out;
  std::size_t out_at = 0;
  bool ending = false, want_out = false;
  Clock::time_point last_write;
};

// What a worker hands cpp-httplib: the request from memory, the answer to the socket.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(Conn& c, const FrontLimits& lim) : c_(c), lim_(lim), start_(Clock::now()) {}

  bool is_readable() const override { return pos_ < c_.framing.length; }
  bool is_writable() const override { return !failed_; }
  ssize_t read(char* ptr, std::size_t size) override {
    const std::size_t n = std::min(size, c_.framing.length - pos_);
    std::memcpy(ptr, c_.in.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, std::size_t size) override {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t k = ::send(c_.fd, ptr + done, size - done, MSG_NOSIGNAL);
      if (k > 0) {
        done += static_cast<std::size_t>(k);
        written_ += static_cast<std::size_t>(k);
        continue;
      }
      if (k < 0 && errno == EINTR) continue;
      if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // A reader must keep up with the answer's length at the minimum rate, after a grace.
        const auto deadline = start_ + lim_.write_grace +
                              std::chrono::milliseconds(
                                  static_cast<long long>(1000.0 * written_ / lim_.min_write_rate));
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left > 0) {
          pollfd p{c_.fd, POLLOUT, 0};
          const int r = ::poll(&p, 1, static_cast<int>(left));
          if ((r > 0 && !(p.revents & (POLLERR | POLLHUP))) || (r < 0 && errno == EINTR)) continue;
        }
      }
      failed_ = true;
      return -1;
    }
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.addr;
    port = c_.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.local_addr;
    port = c_.local_port;
  }
  socket_t socket() const override { return c_.fd; }
  bool failed() const { return failed_; }

 private:
  Conn& c_;
  const FrontLimits& lim_;
  Clock::time_point start_;
  std::size_t pos_ = 0, written_ = 0;
  bool failed_ = false;
};

std::pair<std::string, int> address_of(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    return {buf, ntohs(a->sin_port)};
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
  std::string s = buf;
  // An IPv4 client of a dual-stack socket is known by its IPv4 address.
  if (s.rfind("::ffff:", 0) == 0 && s.find('.') != std::string::npos) s = s.substr(7);
  return {s, ntohs(a->sin6_port)};
}

void send_best_effort(int fd, const std::string& bytes) {
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

std::string chunk(std::string_view data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out = size;
  out.append(data);
  out += "\r\n";
  return out;
}

constexpr std::uint64_t kListenTag = 0, kWakeTag = 1;

}  // namespace

// [SECTION] Front::Impl

struct Front::Impl {
  enum class Outcome { keep, close, stream };

  int listen_fd, ep = -1, wake_fd = -1;
  FrontLimits lim;
  ProcessRequest process;
  std::function<bool(const std::string&)> trusted;

  // Loop thread only.
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns;
  std::unordered_map<std::string, std::size_t> per_address;
  std::uint64_t next_id = 2;
  Clock::time_point accept_paused_until{};
  bool accept_paused = false;

  // Workers.
  // Complete requests wait in a queue per address, taken in turn: a flood from one
  // address (ten thousand streams opened at once) waits behind itself, not others.
  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  std::unordered_map<std::string, std::deque<Conn*>> jobs;
  std::deque<std::string> turns;  // the addresses with requests waiting, in turn
  bool jobs_stopping = false;
  std::vector<std::thread> workers;

  // From workers and stream notifications to the loop.
  std::mutex back_mu;
  std::vector<std::pair<Conn*, Outcome>> returned;
  std::vector<std::uint64_t> ready;
  bool woken = false;
  std::atomic<bool> stopping{false};

  void wake() {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  }
  // Hands the loop a connection back from a worker, or a stream with frames to write;
  // the loop is woken once for all that gathers until it looks.
  void post_returned(Conn* c, Outcome out) {
    std::unique_lock lock(back_mu);
    returned.emplace_back(c, out);
    wake_once(lock);
  }
  void post_ready(std::uint64_t id) {
    std::unique_lock lock(back_mu);
    ready.push_back(id);
    wake_once(lock);
  }
  void wake_once(std::unique_lock<std::mutex>& lock) {
    if (woken) return;
    woken = true;
    lock.unlock();
    wake();
  }

  void watch(Conn& c, std::uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = c.id;
    ::epoll_ctl(ep, op, c.fd, &ev);
  }
  void arm_reading(Conn& c) { watch(c, EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, EPOLL_CTL_MOD); }

  // [SECTION] Accepting and closing

  void accept_all() {
    for (;;) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: stop accepting for a moment instead of spinning on a
          // listening socket that stays readable.
          std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"accept: %s\"}\n",
                       std::strerror(errno));
          ::epoll_ctl(ep, EPOLL_CTL_DEL, listen_fd, nullptr);
          accept_paused = true;
          accept_paused_until = Clock::now() + std::chrono::milliseconds(100);
        }
        return;
      }
      auto [addr, port] = address_of(ss);
      std::size_t& count = per_address[addr];
      if (count >= lim.max_connections_per_address && !trusted(addr)) {
        send_best_effort(
            fd, refusal(503, "too_many_connections", "too many connections from one address", addr,
                        "connection_refused"));
        ::close(fd);
        if (count == 0) per_address.erase(addr);
        continue;
      }
      ++count;
      int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      auto c = std::make_unique<Conn>();
      c->id = next_id++;
      c->fd = fd;
      c->addr = std::move(addr);
      c->port = port;
      sockaddr_storage local{};
      socklen_t llen = sizeof local;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0)
        std::tie(c->local_addr, c->local_port) = address_of(local);
      c->started = Clock::now();
      c->deadline = c->started + lim.header_timeout;
      watch(*c, EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, EPOLL_CTL_ADD);
      conns.emplace(c->id, std::move(c));
    }
  }

  void close_conn(Conn* c) {
    if (c->state == State::streaming && c->stream.release) c->stream.release();
    ::close(c->fd);
    if (auto it = per_address.find(c->addr); it != per_address.end() && --it->second == 0)
      per_address.erase(it);
    conns.erase(c->id);
  }

  // [SECTION] Reading requests

  // Reads what the socket has; then dispatches a complete request, or waits for more.
  void on_readable(Conn* c) {
    char buf[16 * 1024];
    for (;;) {
      const ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
      if (n > 0) {
        if (c->in.empty()) {
          c->started = Clock::now();
          c->deadline = c->started + lim.header_timeout;
          c->continued = false;
        }
        c->in.append(buf, static_cast<std::size_t>(n));
        // No request is larger than this: stop reading and let framing refuse it.
        if (c->in.size() > lim.max_header_bytes + lim.max_body_bytes) break;
        continue;
      }
      if (n == 0) {
        c->peer_done = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return close_conn(c);
    }
    after_input(c);
  }

  void after_input(Conn* c) {
    if (c->in.empty()) {
      if (c->peer_done) return close_conn(c);
      return arm_reading(*c);
    }
    c->framing = frame_request(c->in, c->scanned, lim);
    switch (c->framing.kind) {
      case Framing::refuse:
        send_best_effort(c->fd, refusal(c->framing.status, c->framing.code, c->framing.message,
                                        c->addr, "request_refused"));
        return close_conn(c);
      case Framing::complete:
        return dispatch(c);
      case Framing::incomplete:
        break;
    }
    if (c->peer_done) return close_conn(c);
    if (c->framing.head) {
      // The head is in: the body gets time in proportion to its length.
      c->deadline = c->started + lim.header_timeout + lim.body_grace +
                    std::chrono::milliseconds(
                        static_cast<long long>(1000.0 * c->framing.body / lim.min_body_rate));
      if (c->framing.expect_at && !c->continued) {
        c->continued = true;
        send_best_effort(c->fd, "HTTP/1.1 100 Continue\r\n\r\n");
      }
    }
    arm_reading(*c);
  }

  void dispatch(Conn* c) {
    // The front answered "Expect: 100-continue" itself: cpp-httplib must not again.
    if (c->framing.expect_at) c->in[c->framing.expect_at] = 'X';
    c->state = State::busy;
    {
      std::lock_guard lock(jobs_mu);
      auto& queue = jobs[c->addr];
      if (queue.empty()) turns.push_back(c->addr);
      queue.push_back(c);
    }
    jobs_cv.notify_one();
  }

  // [SECTION] Workers

  void worker_loop() {
    for (;;) {
      Conn* c = nullptr;
      {
        std::unique_lock lock(jobs_mu);
        jobs_cv.wait(lock, [&] { return jobs_stopping || !turns.empty(); });
        if (turns.empty()) return;
        std::string addr = std::move(turns.front());
        turns.pop_front();
        auto it = jobs.find(addr);
        c = it->second.front();
        it->second.pop_front();
        if (it->second.empty())
          jobs.erase(it);
        else
          turns.push_back(std::move(addr));
      }
      const Outcome out = serve(c);
      post_returned(c, out);
    }
  }

  // Answers the complete request at the front of c->in, and any complete one behind it.
  Outcome serve(Conn* c) {
    for (;;) {
      const bool last = c->framing.close_after || c->peer_done ||
                        c->served + 1 >= lim.max_requests_per_connection;
      ConnStream strm(*c, lim);
      bool closed = false;
      t_handover = {};
      const bool ok = process(strm, last, closed);
      ++c->served;
      c->in.erase(0, c->framing.length);
      c->scanned = 0;
      c->framing = {};
      if (t_handover.sub) {
        c->stream = std::move(t_handover);
        t_handover = {};
        if (strm.failed()) {
          if (c->stream.release) c->stream.release();
          c->stream = {};
          return Outcome::close;
        }
        return Outcome::stream;
      }
      if (!ok || closed || last || strm.failed()) return Outcome::close;
      if (c->in.empty()) return Outcome::keep;
      // A pipelined request behind it.
      c->started = Clock::now();
      c->framing = frame_request(c->in, c->scanned, lim);
      if (c->framing.kind != Framing::complete) return Outcome::keep;
      if (c->framing.expect_at) c->in[c->framing.expect_at] = 'X';
    }
  }

  void on_returned(Conn* c, Outcome out) {
    if (stopping) return close_conn(c);
    switch (out) {
      case Outcome::close:
        return close_conn(c);
      case Outcome::stream:
        return start_stream(c);
      case Outcome::keep:
        c->state = State::reading;
        if (c->in.empty()) {
          c->deadline = Clock::now() + lim.idle_timeout;
          return arm_reading(*c);
        }
        // Part of the next request is in: it goes on under its own deadline.
        c->deadline = c->started + lim.header_timeout;
        return after_input(c);
    }
  }

  // [SECTION] Streams

  void start_stream(Conn* c) {
    c->state = State::streaming;
    c->last_write = Clock::now();
    c->in.clear();
    c->in.shrink_to_fit();
    const std::uint64_t id = c->id;
    {
      std::lock_guard lock(c->stream.sub->mu);
      c->stream.sub->notify = [this, id] { post_ready(id); };
    }
    // Level-triggered: a readable stream socket means the client sent something (ignored)
    // or went away.
    watch(*c, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    drain(c);
  }

  // Moves the subscription's frames into the connection's output and writes.
  void drain(Conn* c) {
    auto& sub = *c->stream.sub;
    std::deque<std::string> frames;
    bool closed;
    {
      std::lock_guard lock(sub.mu);
      frames.swap(sub.queue);
      closed = sub.closed;
    }
    for (const auto& f : frames) c->out += chunk(f);
    if (closed && !c->ending) {
      c->ending = true;
      c->out += "0\r\n\r\n";
    }
    flush(c);
  }

  void flush(Conn* c) {
    while (c->out_at < c->out.size()) {
      const ssize_t k = ::send(c->fd, c->out.data() + c->out_at, c->out.size() - c->out_at,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (k > 0) {
        c->out_at += static_cast<std::size_t>(k);
        c->last_write = Clock::now();
        continue;
      }
      if (k < 0 && errno == EINTR) continue;
      if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return close_conn(c);
    }
    if (c->out_at == c->out.size()) {
      c->out.clear();
      c->out_at = 0;
      if (c->ending) return close_conn(c);
      if (c->want_out) {
        c->want_out = false;
        watch(*c, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
      }
      return;
    }
    // A client that does not read loses its stream, not the server's memory.
    if (c->out.size() - c->out_at > lim.max_stream_backlog) return close_conn(c);
    if (!c->want_out) {
      c->want_out = true;
      watch(*c, EPOLLIN | EPOLLRDHUP | EPOLLOUT, EPOLL_CTL_MOD);
    }
  }

  void on_stream_event(Conn* c, std::uint32_t events) {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      char buf[512];
      for (;;) {
        const ssize_t n = ::recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return close_conn(c);  // the client went away
      }
    }
    if (events & EPOLLOUT) flush(c);
  }

  // [SECTION] Deadlines

  void sweep(Clock::time_point now) {
    std::vector<Conn*> expired, quiet;
    for (auto& [id, c] : conns) {
      if (c->state == State::reading && c->deadline <= now) expired.push_back(c.get());
      if (c->state == State::streaming && c->out.empty() &&
          now - c->last_write >= lim.stream_keepalive)
        quiet.push_back(c.get());
    }
    for (Conn* c : expired) {
      // A request begun and not finished in time is told so; an idle one just closes.
      if (!c->in.empty())
        send_best_effort(c->fd, refusal(408, "request_timeout", "request not received in time",
                                        c->addr, "request_timeout"));
      close_conn(c);
    }
    for (Conn* c : quiet) {
      c->out = chunk(": keep-alive\n\n");
      flush(c);
    }
    if (accept_paused && now >= accept_paused_until) {
      accept_paused = false;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kListenTag;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
    }
  }

  // [SECTION] The loop

  void run() {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, lim.workers); ++i)
      workers.emplace_back([this] { worker_loop(); });
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenTag;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
    ev.data.u64 = kWakeTag;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, wake_fd, &ev);

    std::vector<epoll_event> events(1024);
    auto next_sweep = Clock::now();
    while (!stopping) {
      const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 250);
      for (int i = 0; i < n; ++i) {
        const std::uint64_t tag = events[i].data.u64;
        if (tag == kListenTag) {
          accept_all();
          continue;
        }
        if (tag == kWakeTag) {
          std::uint64_t v;
          (void)!::read(wake_fd, &v, sizeof v);
          on_wake();
          continue;
        }
        auto it = conns.find(tag);
        if (it == conns.end()) continue;
        Conn* c = it->second.get();
        if (c->state == State::reading)
          on_readable(c);
        else if (c->state == State::streaming)
          on_stream_event(c, events[i].events);
      }
      const auto now = Clock::now();
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + std::chrono::milliseconds(250);
      }
    }
    shutdown();
  }

  void on_wake() {
    std::vector<std::pair<Conn*, Outcome>> back;
    std::vector<std::uint64_t> ids;
    {
      std::lock_guard lock(back_mu);
      back.swap(returned);
      ids.swap(ready);
      woken = false;
    }
    for (auto [c, out] : back) on_returned(c, out);
    for (std::uint64_t id : ids) {
      auto it = conns.find(id);
      if (it != conns.end() && it->second->state == State::streaming) drain(it->second.get());
    }
  }

  void shutdown() {
    {
      std::lock_guard lock(jobs_mu);
      jobs_stopping = true;
    }
    jobs_cv.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
    // Every connection is the loop's again.
    std::vector<Conn*> all;
    for (auto& [id, c] : conns) all.push_back(c.get());
    for (Conn* c : all) {
      if (c->state == State::streaming) {
        std::lock_guard lock(c->stream.sub->mu);
        c->stream.sub->notify = nullptr;
        send_best_effort(c->fd, "0\r\n\r\n");
      }
      close_conn(c);
    }
  }
};

Front::Front(int listen_fd, FrontLimits limits, ProcessRequest process,
             std::function<bool(const std::string&)> is_trusted_proxy)
    : impl_(new Impl) {
  impl_->listen_fd = listen_fd;
  impl_->lim = limits;
  impl_->process = std::move(process);
  impl_->trusted = std::move(is_trusted_proxy);
  impl_->ep = ::epoll_create1(EPOLL_CLOEXEC);
  impl_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  // The listening socket is shared with the loop only; accept never blocks.
  const int flags = ::fcntl(listen_fd, F_GETFL, 0);
  ::fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK);
}

Front::~Front() {
  if (impl_->ep >= 0) ::close(impl_->ep);
  if (impl_->wake_fd >= 0) ::close(impl_->wake_fd);
}

void Front::run() {
  impl_->run();
}

void Front::stop() {
  impl_->stopping = true;
  impl_->wake();
}

}  // namespace portal::server::http
