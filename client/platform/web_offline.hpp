// The page offline: the browser's network state for the app, and the service worker
// (web/sw.js) that keeps the app shell on this device.
#pragma once

namespace portal::client {

// Tells the app navigator.onLine now (through the exported portal_online) and again on
// every online and offline event of the window.
void watch_network();

// Registers web/sw.js for the whole portal (scope /) once the page has loaded: its
// install fetches the shell again, which must not compete with the first screen. Not
// in an embedding frame (the host page's site keeps its own storage), nor where the
// browser has no service workers.
void register_shell_worker();

}  // namespace portal::client
