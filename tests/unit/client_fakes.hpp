// A fake of the client's HTTP layer for tests of client/app: it keeps every request
// and answers them when a test says so.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "app/services.hpp"
#include "net/http.hpp"

namespace portal::client::fakes {

// Answers each request with the next canned response for its path, and keeps them.
class FakeHttp : public net::Http {
 public:
  struct Sent {
    net::Request request;
    std::function<void(net::Response)> done;
  };
  void send(net::Request request, std::function<void(net::Response)> done) override {
    sent.push_back({std::move(request), std::move(done)});
  }
  // Answers every request sent so far whose URL starts with `prefix`.
  int answer(const std::string& prefix, int status, const std::string& body) {
    int n = 0;
    for (auto& s : sent)
      if (s.done && s.request.url.rfind(prefix, 0) == 0) {
        auto done = std::move(s.done);
        s.done = nullptr;
        done({status, body, {}});
        ++n;
      }
    return n;
  }
  const Sent* last(const std::string& prefix) const {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it)
      if (it->request.url.rfind(prefix, 0) == 0) return &*it;
    return nullptr;
  }
  static std::string header(const net::Request& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
  std::vector<Sent> sent;
};

// The browser's history as a list of entries and a position, and its storage.
class FakeBrowser : public Services {
 public:
  struct Entry {
    int depth;
    std::string path, screen;
  };
  std::vector<Entry> entries{{-1, "/", ""}};
  std::size_t at = 0;
  std::map<std::string, std::string, std::less<>> storage, session;

  double now_ms() override { return now; }
  void copy_to_clipboard(std::string_view text) override { clipboard = std::string(text); }
  void history_push(int depth, std::string_view path, std::string_view screen) override {
    entries.resize(at + 1);
    entries.push_back({depth, std::string(path), std::string(screen)});
    at = entries.size() - 1;
  }
  void history_replace(int depth, std::string_view path, std::string_view screen) override {
    entries[at] = {depth, std::string(path), std::string(screen)};
  }
  void history_back(int steps) override { pending_back += steps; }
  PageLocation location() override {
    return {entries[at].path, entries[at].depth, entries[at].screen};
  }
  std::string load(std::string_view key) override {
    auto it = storage.find(key);
    return it == storage.end() ? std::string() : it->second;
  }
  void save(std::string_view key, std::string_view value) override {
    storage[std::string(key)] = std::string(value);
  }
  std::string session_load(std::string_view key) override {
    auto it = session.find(key);
    return it == session.end() ? std::string() : it->second;
  }
  void session_save(std::string_view key, std::string_view value) override {
    session[std::string(key)] = std::string(value);
  }
  std::string random_token() override { return "00112233445566778899aabbccddeeff"; }
  void set_document_language(std::string_view, std::string_view) override {}

  // Opens an address typed or linked: a fresh entry.
  void open(const std::string& path) {
    entries.resize(at + 1);
    entries.push_back({-1, path, ""});
    at = entries.size() - 1;
  }
  // Moves as the browser's buttons do; returns the entry the app is told about.
  const Entry& go(int delta) {
    at = static_cast<std::size_t>(static_cast<int>(at) + delta);
    return entries[at];
  }
  const Entry& current() const { return entries[at]; }
  int pending_back = 0;
  double now = 0;
  std::string clipboard;
};

}  // namespace portal::client::fakes
