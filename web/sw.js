/*
 * 任诚办 — the service worker (scope /): the app shell from this device.
 *
 * A repeat visit starts without waiting on the network, and a visit without network
 * opens the app (which then says it is offline):
 *   - install: the release's app shell (index.html and every file it references, by
 *     their versioned addresses "/NAME?v=HASH") is fetched into the cache
 *     "portal-shell-VERSION", all or nothing; then this worker takes over at once,
 *   - activate: the caches of other releases are deleted,
 *   - the portal's addresses (API.md "Client routes") are answered with the cached
 *     index.html, its files from the cache (cache first); a new release is found by the
 *     browser's own check of this script and used from the next visit on,
 *   - fallback font pieces (fonts/cjk-*.woff2) are kept once fetched, in a cache named
 *     after the pieces' own version,
 *   - the API is never answered from a cache, except the public category list, the
 *     organisation and the grid map: from the cache, refreshed behind (stale while
 *     revalidate). Nothing but successful same-origin GET answers is ever kept,
 *   - Background Sync (Chromium): reports written without network wait in the device's
 *     outbox (web/portal-store.js, imported here); the "portal-outbox" sync sends them
 *     once the network is back, even with no page open.
 *
 * No page runs two releases: a page asks for its files by versioned addresses, which
 * name exactly one content each; an address of an older release that is no longer
 * cached is not found on the server either (404), and the page offers a reload.
 * RELEASE is written by the build (scripts/shell_version.py).
 */
'use strict';

const RELEASE = { version: '', shell: [], fonts: '' };

const SHELL_CACHE = 'portal-shell-' + RELEASE.version;
const FONT_CACHE = 'portal-fonts-' + RELEASE.fonts;
const API_CACHE = 'portal-api';
const API_CACHE_ENTRIES = 16;
const INDEX = RELEASE.shell[0] || '';
const SHELL = new Set(RELEASE.shell);
// API.md "Client routes": the server answers these with index.html.
const PAGE = /^\/(?:|submit|track|me|board|services|work|cockpit)$|^\/(?:work\/)?t\/[Rr][Cc][0-9]{16}$/;
const FONT_PIECE = /^\/fonts\/cjk-[0-9a-z]+\.woff2$/;
const SHARED = new Set(['/api/v1/categories', '/api/v1/org', '/api/v1/grids']);

// The device's store, this release's (its versioned address is in the shell).
const STORE_SCRIPT = RELEASE.shell.find(function (url) { return url.split('?')[0] === '/portal-store.js'; });
if (STORE_SCRIPT) importScripts(STORE_SCRIPT);

self.addEventListener('sync', function (event) {
  if (event.tag !== 'portal-outbox' || !self.portalStore) return;
  event.waitUntil(self.portalStore.send().then(function (done) {
    // Still waiting for the network: the browser fires the sync again later.
    if (!done) throw new Error('reports are still waiting for the network');
  }));
});

// A same-origin answer worth keeping: 200 and not the result of a redirect.
function keepable(res) {
  return res && res.status === 200 && res.type === 'basic' && !res.redirected;
}

self.addEventListener('install', function (event) {
  if (!INDEX) return;  // a document root the build did not version: nothing to keep
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return Promise.all(RELEASE.shell.map(function (url) {
      return fetch(url).then(function (res) {
        if (!keepable(res)) throw new Error(url + ': HTTP ' + res.status);
        return cache.put(url, res);
      });
    }));
  }).then(function () {
    return self.skipWaiting();
  }).catch(function (err) {
    // A half-filled cache is never used: this release installs again on the next check.
    return caches.delete(SHELL_CACHE).then(function () { throw err; });
  }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return (name.startsWith('portal-shell-') && name !== SHELL_CACHE) ||
        (name.startsWith('portal-fonts-') && name !== FONT_CACHE);
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () {
    return self.clients.claim();
  }));
});

self.addEventListener('fetch', function (event) {
  const req = event.request;
  if (req.method !== 'GET' || !INDEX) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    if (PAGE.test(url.pathname)) event.respondWith(page(req));
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    if (SHARED.has(url.pathname)) event.respondWith(staleWhileRevalidate(event));
    return;
  }
  if (FONT_PIECE.test(url.pathname)) {
    event.respondWith(cacheFirst(FONT_CACHE, req));
    return;
  }
  if (SHELL.has(url.pathname + url.search)) event.respondWith(cacheFirst(SHELL_CACHE, req));
});

// The portal page: this release's index.html, from the network only if it is not cached.
function page(req) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(INDEX);
  }).then(function (hit) {
    return hit || fetch(req);
  });
}

function cacheFirst(name, req) {
  return caches.open(name).then(function (cache) {
    return cache.match(req).then(function (hit) {
      if (hit) return hit;
      return fetch(req).then(function (res) {
        if (keepable(res)) return cache.put(req, res.clone()).then(function () { return res; }, function () { return res; });
        return res;
      });
    });
  });
}

// Public, slowly changing data: the kept answer at once, a fresh one kept for next time.
function staleWhileRevalidate(event) {
  const req = event.request;
  return caches.open(API_CACHE).then(function (cache) {
    const fresh = fetch(req).then(function (res) {
      if (!keepable(res)) return res;
      return cache.put(req, res.clone()).then(function () {
        return trim(cache);
      }).then(function () { return res; }, function () { return res; });
    });
    // Offline with a kept answer, the failed refresh is nobody's error.
    const settled = fresh.catch(function () {});
    return cache.match(req).then(function (hit) {
      if (!hit) return fresh;
      event.waitUntil(settled);
      return hit;
    });
  });
}

// The oldest answers go first once there are more than API_CACHE_ENTRIES (a query
// string makes another entry).
function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - API_CACHE_ENTRIES)).map(function (k) {
      return cache.delete(k);
    }));
  });
}
