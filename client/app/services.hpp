// What the app needs from the platform it runs on (the browser, or a test double).
#pragma once

#include <string>
#include <string_view>

namespace portal::client {

// Where the page was opened: its path with the fragment ("/t/RC...#c=..."), and the
// history entry's depth and screen when the browser kept them (a reload; Back or
// Forward into the page); depth -1 for a fresh entry.
struct PageLocation {
  std::string path = "/";
  int depth = -1;
  std::string screen;
};

class Services {
 public:
  virtual ~Services() = default;
  virtual double now_ms() = 0;  // monotonic milliseconds
  virtual void copy_to_clipboard(std::string_view text) = 0;
  // Browser history mirrors the screen stack, so the address bar, Back and Forward and
  // reload follow the screens: each entry has its depth in the stack, the screen's
  // address (app/routes.hpp) and the screen's name. Moves come back through
  // App::on_history.
  virtual void history_push(int depth, std::string_view path, std::string_view screen) = 0;
  virtual void history_replace(int depth, std::string_view path, std::string_view screen) = 0;
  virtual void history_back(int steps) = 0;
  virtual PageLocation location() { return {}; }
  // Small persistent key/value storage (localStorage).
  virtual std::string load(std::string_view key) = 0;
  virtual void save(std::string_view key, std::string_view value) = 0;
  virtual std::string random_token() = 0;  // >= 128 bits, hex
  // The page's lang attribute and title.
  virtual void set_document_language(std::string_view tag, std::string_view title) = 0;

  // The rest has browser-only effects; the defaults do nothing (native tests).
  // Per-tab storage (sessionStorage): the sign-in token lives there and in memory only.
  virtual std::string session_load(std::string_view) { return {}; }
  virtual void session_save(std::string_view, std::string_view) {}
  // Opens the file picker for up to `max` photos; each is downscaled and uploaded by the
  // page, which reports back through App::on_photo. `token` authorises the upload.
  virtual void pick_photos(int /*max*/, int /*first_slot*/, std::string_view /*token*/) {}
  // Asks the browser for the position; the answer comes through App::on_geolocation.
  virtual void geolocate() {}
  // Opens (or, with an empty url, closes) the live stream; events come through
  // App::on_stream_event.
  virtual void stream(std::string_view /*url*/) {}
  // In an embedding frame: posts an event to the host page.
  virtual bool embedded() { return false; }
  virtual void post_to_host(std::string_view /*json*/) {}
  // Saves a file the app made (a CSV export) through the browser's download.
  virtual void download(std::string_view /*filename*/, std::string_view /*mime*/,
                        std::string_view /*content*/) {}
  // Follows a link the page cannot draw as one: tel: numbers (tap to call).
  virtual void open_link(std::string_view /*url*/) {}
};

}  // namespace portal::client
