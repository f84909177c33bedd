// Drafts and the outbox in the browser: the app's DeviceStore (app/drafts.hpp) over
// web/portal-store.js (IndexedDB, shared with the service worker).
#pragma once

#include <functional>
#include <string>

#include "app/drafts.hpp"

namespace portal::client {

class WebDeviceStore final : public DeviceStore {
 public:
  // False where the page has no IndexedDB (a private window of some browsers): the app
  // then keeps drafts in localStorage and sends reports directly.
  static bool available();

  void load(std::string_view name, std::function<void(std::string, double)> done) override;
  void save(std::string_view name, std::string_view json,
            const std::vector<std::string>& photo_uids) override;
  void old(std::function<void(int, double)> done) override;
  void drop_old(bool keep) override;
  bool has_outbox() const override { return true; }
  void outbox_add(std::string_view item_json, std::function<void(bool, bool)> done) override;
  void outbox_drop(std::string_view key) override;
  void outbox_send() override;
};

// Reports the outbox to the app through the exported portal_outbox (JSON: the whole
// queue as an array, or one report that changed as an object) now and whenever it
// changes, in this tab, another or the service worker; sends what waits now if online,
// on every online event, and after back-off (web/portal-store.js).
void watch_outbox();

// An answer of web/portal-store.js to the request `id` (from the exported
// portal_store_answer).
void store_answer(int id, const std::string& text, double a, double b);

}  // namespace portal::client
