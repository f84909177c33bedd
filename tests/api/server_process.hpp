// Starts the real portal-server binary on a free port with a fresh SQLite file and
// demo data, and stops it at the end. Shared by every API test.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace portal::test {

// A field of /proc/PID/status in KiB ("VmRSS:" now, "VmHWM:" the peak); -1 if absent.
inline long proc_status_kib(pid_t pid, const std::string& field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}

// Runs a shell command; returns what it wrote (stdout and stderr) and its wait status.
inline std::pair<std::string, int> run_command(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {"popen failed", -1};
  std::string out;
  char buf[1024];
  while (fgets(buf, sizeof buf, p)) out += buf;
  return {out, pclose(p)};
}

class ServerProcess {
 public:
  // Tests come from one address: rate limits are raised unless a test asks otherwise.
  explicit ServerProcess(std::vector<std::string> extra_args = {"--rate-limit-scale", "1000"}) {
    const char* bin = std::getenv("PORTAL_SERVER");
    if (!bin) throw std::runtime_error("PORTAL_SERVER is not set");
    bin_ = bin;
    char tmpl[] = "/tmp/portal-api-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    www_ = dir_ / "www";
    std::filesystem::create_directories(www_);
    db_ = (dir_ / "portal.db").string();
    run({"seed", "--db", db_, "--demo"});
    start(std::move(extra_args));
  }

  ~ServerProcess() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& db() const { return db_; }
  const std::filesystem::path& www() const { return www_; }
  const std::string& bin() const { return bin_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }
  // What the server wrote to stdout so far (its request log).
  std::string log() const {
    std::lock_guard lock(log_->mu);
    return log_->text;
  }
  bool alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }

  // Runs a portal-server subcommand to completion; returns its exit status.
  int run(const std::vector<std::string>& args) const {
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv{const_cast<char*>(bin_.c_str())};
      for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      freopen("/dev/null", "w", stdout);
      execv(bin_.c_str(), argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
  }
  int exit_status() const { return exit_status_; }
  // Kills the server as a power cut would: no chance to finish anything.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  // Starts the server again on the same database (after stop() or kill_hard()).
  void restart(std::vector<std::string> extra) { start(std::move(extra)); }

 private:
  void start(std::vector<std::string> extra) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    // A client writing to a socket the server closed must not kill the test process.
    ::signal(SIGPIPE, SIG_IGN);
    const pid_t parent = ::getpid();
    pid_ = fork();
    if (pid_ == 0) {
      // The server goes with the test process, however that one ends.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) _exit(127);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<std::string> args{bin_,        "serve", "--port", "0",     "--host",
                                    "127.0.0.1", "--db",  db_,      "--www", www_.string()};
      for (auto& e : extra) args.push_back(e);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin_.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    // The first line says where it listens; the rest (request logs) is drained.
    FILE* f = fdopen(out[0], "r");
    char line[512] = {0};
    if (!fgets(line, sizeof line, f)) throw std::runtime_error("server printed nothing");
    if (std::sscanf(std::strstr(line, "localhost:") ? std::strstr(line, "localhost:") : "",
                    "localhost:%d", &port_) != 1)
      throw std::runtime_error(std::string("unexpected first line: ") + line);
    std::thread([f, log = log_] {
      char buf[4096];
      while (fgets(buf, sizeof buf, f)) {
        std::lock_guard lock(log->mu);
        if (log->text.size() < (8u << 20)) log->text += buf;
      }
      fclose(f);
    }).detach();
    // Ready when /readyz answers.
    for (int i = 0; i < 100; ++i) {
      auto r = client().Get("/readyz");
      if (r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("server did not become ready");
  }

  struct Log {
    std::mutex mu;
    std::string text;
  };
  std::shared_ptr<Log> log_ = std::make_shared<Log>();
  std::string bin_;
  std::filesystem::path dir_, www_;
  std::string db_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
};

// A test file's server, started when its first test asks for it and stopped when the
// program ends. Under ctest every test is its own process, so a process starts only
// the server its test uses, not one for every file linked into the binary.
class LazyServer {
 public:
  using Setup = std::function<void(ServerProcess&)>;
  explicit LazyServer(std::vector<std::string> args = {"--rate-limit-scale", "1000"},
                      Setup setup = {})
      : args_(std::move(args)), setup_(std::move(setup)) {}
  ServerProcess& get() {
    if (!server_) {
      server_ = std::make_unique<ServerProcess>(args_);
      if (setup_) setup_(*server_);
    }
    return *server_;
  }
  ServerProcess* operator->() { return &get(); }
  ServerProcess& operator*() { return get(); }

 private:
  std::vector<std::string> args_;
  Setup setup_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace portal::test
