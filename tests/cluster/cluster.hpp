// Parts of the cluster tests: portal-server instances over one database, nginx in
// front of them, and a raw SSE reader. All real processes on free ports of 127.0.0.1,
// with their files in one temporary directory removed at the end.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace portal::test {

inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline httplib::Client client_on(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  c.set_connection_timeout(2, 0);
  return c;
}

inline bool ready(int port) {
  auto r = client_on(port).Get("/readyz");
  return r && r->status == 200;
}

inline bool wait_ready(int port, std::chrono::seconds within = std::chrono::seconds(15)) {
  const auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (ready(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Starts a program with its output into `log`; returns its pid.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::fflush(nullptr);  // or the child would write our buffered output again
  const pid_t parent = ::getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // The program goes with the test process, however that one ends.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);
    std::FILE* f = std::freopen(log.c_str(), "a", stdout);
    (void)f;
    dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Runs a program to completion; its exit status.
inline int run(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = spawn(args, log);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline void stop(pid_t& pid, int sig = SIGTERM) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  int status = 0;
  waitpid(pid, &status, 0);
  pid = -1;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/portal-cluster-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
    std::filesystem::permissions(path_, std::filesystem::perms::all);  // nginx workers write here
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// One portal-server serve process.
class Instance {
 public:
  Instance(const std::string& db, const TempDir& dir, const std::string& name,
           std::vector<std::string> extra = {})
      : port_(free_port()), log_(dir.file(name + ".log")) {
    const char* bin = std::getenv("PORTAL_SERVER");
    if (!bin) throw std::runtime_error("PORTAL_SERVER is not set");
    std::filesystem::create_directories(dir.path() / "www");
    std::vector<std::string> args{
        bin, "serve", "--port",        std::to_string(port_), "--host", "127.0.0.1", "--db",
        db,  "--www", dir.file("www"), "--rate-limit-scale",  "1000"};
    for (auto& e : extra) args.push_back(e);
    pid_ = spawn(args, log_);
    if (!wait_ready(port_)) throw std::runtime_error("instance did not start: see " + log_);
  }
  ~Instance() { stop(pid_); }
  int port() const { return port_; }
  void kill(int sig) { stop(pid_, sig); }
  bool alive() const { return pid_ > 0; }
  std::string log() const {
    std::ifstream in(log_);
    return {std::istreambuf_iterator<char>(in), {}};
  }

 private:
  int port_;
  std::string log_;
  pid_t pid_ = -1;
};

// nginx balancing over instances, from a configuration of its own; the master runs
// as the current user (as root its workers drop to nobody).
class Balancer {
 public:
  Balancer(const TempDir& dir, const std::vector<int>& upstreams) : port_(free_port()) {
    const auto root = dir.path() / "nginx";
    std::filesystem::create_directories(root);
    std::filesystem::permissions(root, std::filesystem::perms::all);
    std::string servers;
    for (int p : upstreams)
      servers += "    server 127.0.0.1:" + std::to_string(p) + " max_fails=1 fail_timeout=5s;\n";
    const std::string r = root.string();
    std::ofstream(r + "/nginx.conf")
        << "worker_processes 1;\n"
        << "daemon off;\n"
        << "pid " << r << "/nginx.pid;\n"
        << "error_log " << r << "/error.log warn;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n"
        << "  access_log off;\n"
        << "  client_body_temp_path " << r << "/body;\n"
        << "  proxy_temp_path " << r << "/proxy;\n"
        << "  fastcgi_temp_path " << r << "/fastcgi;\n"
        << "  uwsgi_temp_path " << r << "/uwsgi;\n"
        << "  scgi_temp_path " << r << "/scgi;\n"
        << "  upstream portal {\n"
        << servers << "    keepalive 16;\n"
        << "  }\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port_ << ";\n"
        << "    location / {\n"
        << "      proxy_pass http://portal;\n"
        << "      proxy_http_version 1.1;\n"
        << "      proxy_set_header Connection \"\";\n"
        << "      proxy_set_header X-Forwarded-For $remote_addr;\n"
        << "      proxy_buffering off;\n"
        << "      proxy_read_timeout 1h;\n"
        << "      proxy_connect_timeout 2s;\n"
        << "      proxy_next_upstream error timeout http_502 http_503;\n"
        << "    }\n"
        << "  }\n"
        << "}\n";
    pid_ = spawn({"nginx", "-e", r + "/error.log", "-p", r, "-c", r + "/nginx.conf"},
                 r + "/stdout.log");
    if (!wait_ready(port_))
      throw std::runtime_error("nginx did not start: see " + r + "/error.log");
  }
  ~Balancer() { stop(pid_, SIGQUIT); }
  int port() const { return port_; }

 private:
  int port_;
  pid_t pid_ = -1;
};

// A raw-socket SSE reader: opens the stream, then collects what arrives.
class Sse {
 public:
  Sse(int port, const std::string& target, const std::string& headers = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    timeval tv{0, 200000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n";
    ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL);
  }
  ~Sse() { ::close(fd_); }
  bool wait_for(const std::string& needle, std::chrono::milliseconds within) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end) {
      if (text_.find(needle) != std::string::npos) return true;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) text_.append(buf, static_cast<std::size_t>(n));
      if (n == 0) break;
    }
    return text_.find(needle) != std::string::npos;
  }
  const std::string& text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
};

}  // namespace portal::test
