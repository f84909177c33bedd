#include "platform/web_offline.hpp"

#include <emscripten.h>

// clang-format off
EM_JS(void, portal_js_watch_network, (), {
  var tell = function () { _portal_online(navigator.onLine ? 1 : 0); };
  window.addEventListener('online', tell);
  window.addEventListener('offline', tell);
  tell();
});
EM_JS(void, portal_js_register_worker, (), {
  if (!('serviceWorker' in navigator) || (window.portalBridge && portalBridge.embedded)) return;
  var register = function () {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function (err) {
      console.warn('任诚办: the app shell is not kept on this device:', err && err.message);
    });
  };
  if (document.readyState === 'complete') setTimeout(register, 0);
  else window.addEventListener('load', register, { once: true });
});
// clang-format on

namespace portal::client {

void watch_network() {
  portal_js_watch_network();
}

void register_shell_worker() {
  portal_js_register_worker();
}

}  // namespace portal::client
