// What the app needs from the platform it runs on (the browser, or a test double).
#pragma once

#include <string>
#include <string_view>

namespace portal::client {

class Services {
 public:
  virtual ~Services() = default;
  virtual double now_ms() = 0;  // monotonic milliseconds
  virtual void copy_to_clipboard(std::string_view text) = 0;
  // Browser history mirrors the screen stack so the system back button works.
  virtual void history_push(int depth) = 0;
  virtual void history_replace(int depth) = 0;
  virtual void history_back(int steps) = 0;
  // Small persistent key/value storage (localStorage).
  virtual std::string load(std::string_view key) = 0;
  virtual void save(std::string_view key, std::string_view value) = 0;
  virtual std::string random_token() = 0;  // >= 128 bits, hex
  // The page's lang attribute and title.
  virtual void set_document_language(std::string_view tag, std::string_view title) = 0;
};

}  // namespace portal::client
