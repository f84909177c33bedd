// Raw sockets for the tests that talk HTTP the way an attacker or a browser's
// EventSource does: partial requests, many connections, streams read as they come.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <string_view>

namespace portal::test {

// A connection to 127.0.0.1:port, from `source` (any address of 127.0.0.0/8) when
// given; -1 when it fails. Reads and writes time out after `timeout`.
inline int connect_to(int port, const char* source = nullptr,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (source) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &s.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&s), sizeof s) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

// Sends as much of `data` as the peer takes; returns the bytes sent.
inline std::size_t send_all(int fd, std::string_view data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

// Reads one answer (up to the end of a Content-Length body), or until the peer closes.
inline std::string read_all(int fd, std::size_t limit = 1 << 20) {
  std::string out;
  char buf[8192];
  while (out.size() < limit) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos) {
      auto cl = out.find("Content-Length: ");
      auto end = out.find("\r\n\r\n");
      if (cl != std::string::npos && cl < end) {
        const std::size_t len = std::stoul(out.substr(cl + 16));
        if (out.size() >= end + 4 + len) break;
      }
    }
  }
  return out;
}

inline long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// An EventSource as a browser opens it: the request, then whatever arrives.
class Sse {
 public:
  Sse(int port, const std::string& target, const std::string& headers = "",
      const char* source = nullptr)
      : fd_(connect_to(port, source, std::chrono::milliseconds(200))) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
    if (fd_ >= 0) send_all(fd_, req);
  }
  ~Sse() {
    if (fd_ >= 0) ::close(fd_);
  }
  Sse(const Sse&) = delete;
  Sse& operator=(const Sse&) = delete;
  // Reads until `needle` shows up, the peer closes or the time is over.
  bool wait_for(const std::string& needle, std::chrono::milliseconds within) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end) {
      if (text_.find(needle) != std::string::npos) return true;
      if (!read_some()) break;
    }
    return text_.find(needle) != std::string::npos;
  }
  // Waits until the server ends the stream (closes the connection).
  bool wait_closed(std::chrono::milliseconds within) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end)
      if (!read_some() && closed_) return true;
    return closed_;
  }
  const std::string& text() const { return text_; }
  bool connected() const { return fd_ >= 0; }

 private:
  // False when nothing came (time-out or close).
  bool read_some() {
    if (fd_ < 0 || closed_) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      text_.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) closed_ = true;
    return false;
  }
  int fd_ = -1;
  bool closed_ = false;
  std::string text_;
};

}  // namespace portal::test
