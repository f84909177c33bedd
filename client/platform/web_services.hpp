// app::Services in the browser: clipboard, history and location, localStorage, randomness.
#pragma once

#include "app/services.hpp"

namespace portal::client {

class WebServices : public Services {
 public:
  double now_ms() override;
  void copy_to_clipboard(std::string_view text) override;
  void history_push(int depth, std::string_view path, std::string_view screen) override;
  void history_replace(int depth, std::string_view path, std::string_view screen) override;
  void history_back(int steps) override;
  PageLocation location() override;
  std::string load(std::string_view key) override;
  void save(std::string_view key, std::string_view value) override;
  std::string random_token() override;
  void set_document_language(std::string_view tag, std::string_view title) override;
  std::string session_load(std::string_view key) override;
  void session_save(std::string_view key, std::string_view value) override;
  void pick_photos(int max, int first_slot, std::string_view token) override;
  void geolocate() override;
  void stream(std::string_view url) override;
  bool embedded() override;
  void post_to_host(std::string_view json) override;
  void download(std::string_view filename, std::string_view mime,
                std::string_view content) override;
  void open_link(std::string_view url) override;
};

}  // namespace portal::client
