#include "platform/web_store.hpp"

#include <emscripten.h>

#include <map>

#include "portal/core/json.hpp"

// clang-format off
EM_JS(int, portal_js_store_available, (), {
  return self.portalStore && self.indexedDB ? 1 : 0;
});
// Every answer comes back through portal_store_answer(id, text, a, b).
EM_JS(void, portal_js_store_load, (int id, const char* name), {
  var answer = function (json, age) {
    ccall('portal_store_answer', null, ['number', 'string', 'number', 'number'], [id, json, age, 0]);
  };
  portalStore.draftGet(UTF8ToString(name)).then(function (d) {
    answer(d ? d.json : '', d ? (Date.now() - d.at) / 86400000 : 0);
  }, function () { answer('', 0); });
});
EM_JS(void, portal_js_store_save, (const char* name, const char* json, const char* uids), {
  portalStore.draftPut(UTF8ToString(name), UTF8ToString(json), JSON.parse(UTF8ToString(uids)))
    .catch(function (err) { console.warn('任诚办: a draft was not kept:', err && err.message); });
});
EM_JS(void, portal_js_store_old, (int id, int days), {
  var answer = function (count, bytes) {
    ccall('portal_store_answer', null, ['number', 'string', 'number', 'number'], [id, '', count, bytes]);
  };
  portalStore.old(days).then(function (r) { answer(r.count, r.bytes); }, function () { answer(0, 0); });
});
EM_JS(void, portal_js_store_drop_old, (int days, int keep), {
  portalStore.dropOld(days, !!keep).catch(function () {});
});
EM_JS(void, portal_js_outbox_add, (int id, const char* json), {
  var answer = function (ok, sending) {
    ccall('portal_store_answer', null, ['number', 'string', 'number', 'number'],
      [id, '', ok ? 1 : 0, sending ? 1 : 0]);
  };
  portalStore.outboxAdd(JSON.parse(UTF8ToString(json))).then(function (r) {
    answer(r.ok, r.ok && navigator.onLine);
    if (!r.ok) return;
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    if (navigator.onLine) return portalStore.send();
    // Chromium sends it from the service worker once the network is back, even with
    // the page closed; elsewhere the online event and the next visit do.
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.ready.then(function (reg) {
        if (reg.sync) return reg.sync.register('portal-outbox');
      }).catch(function () {});
    }
  }, function () { answer(false, false); });
});
EM_JS(void, portal_js_outbox_drop, (const char* key), {
  portalStore.outboxDrop(UTF8ToString(key)).catch(function () {});
});
EM_JS(void, portal_js_outbox_send, (), {
  if (navigator.onLine) portalStore.send().catch(function () {});
});
EM_JS(void, portal_js_outbox_watch, (), {
  // What the app sees of a report: everything but the caller's token.
  var bare = function (item) {
    var copy = Object.assign({}, item);
    delete copy.token;
    return copy;
  };
  var tell = function (json) { ccall('portal_outbox', null, ['string'], [json]); };
  var list = function () {
    portalStore.outboxList().then(function (items) {
      tell(JSON.stringify(items.map(bare)));
    }).catch(function () {});
  };
  portalStore.onChange(function (what, item) {
    if (what !== 'outbox') return;
    if (item) tell(JSON.stringify(bare(item)));
    list();
  });
  var send = function () {
    if (navigator.onLine) portalStore.send().catch(function () {});
  };
  window.addEventListener('online', send);
  list();
  portalStore.sweep().catch(function () {});
  send();
});
// clang-format on

namespace portal::client {

namespace {
struct Pending {
  std::function<void(std::string, double)> loaded;
  std::function<void(int, double)> counted;
  std::function<void(bool, bool)> kept;
};
std::map<int, Pending>& pending() {
  static std::map<int, Pending> calls;
  return calls;
}
int next_id() {
  static int id = 0;
  return ++id;
}
}  // namespace

bool WebDeviceStore::available() {
  return portal_js_store_available() != 0;
}

void WebDeviceStore::load(std::string_view name, std::function<void(std::string, double)> done) {
  const int id = next_id();
  pending()[id].loaded = std::move(done);
  portal_js_store_load(id, std::string(name).c_str());
}

void WebDeviceStore::save(std::string_view name, std::string_view json,
                          const std::vector<std::string>& photo_uids) {
  portal_js_store_save(std::string(name).c_str(), std::string(json).c_str(),
                       core::Json(photo_uids).dump().c_str());
}

void WebDeviceStore::old(std::function<void(int, double)> done) {
  const int id = next_id();
  pending()[id].counted = std::move(done);
  portal_js_store_old(id, kOldDraftDays);
}

void WebDeviceStore::drop_old(bool keep) {
  portal_js_store_drop_old(kOldDraftDays, keep ? 1 : 0);
}

void WebDeviceStore::outbox_add(std::string_view item_json, std::function<void(bool, bool)> done) {
  const int id = next_id();
  pending()[id].kept = std::move(done);
  portal_js_outbox_add(id, std::string(item_json).c_str());
}

void WebDeviceStore::outbox_drop(std::string_view key) {
  portal_js_outbox_drop(std::string(key).c_str());
}

void WebDeviceStore::outbox_send() {
  portal_js_outbox_send();
}

void watch_outbox() {
  portal_js_outbox_watch();
}

void store_answer(int id, const std::string& text, double a, double b) {
  auto it = pending().find(id);
  if (it == pending().end()) return;
  Pending p = std::move(it->second);
  pending().erase(it);
  if (p.loaded) p.loaded(text, a);
  if (p.counted) p.counted(static_cast<int>(a), b);
  if (p.kept) p.kept(a != 0, b != 0);
}

}  // namespace portal::client
