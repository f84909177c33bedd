/*
 * 任诚办 — what this device keeps for the portal, in IndexedDB, for the page and for the
 * service worker (web/sw.js imports this file) alike:
 *   - drafts: the report form and the handlers' action forms as typed, by name
 *     ("report", "action:RC...:accept"), each with the time it last changed;
 *   - photos: the downscaled JPEG bytes of the photos of drafts and of queued reports,
 *     by a uid the page gives each photo when it is picked;
 *   - outbox: reports waiting to be sent, by their Idempotency-Key.
 *
 * The outbox sends each report exactly once:
 *   - the report, its key and its photos are written here before the first attempt,
 *     so a closed tab, a crash or a lost answer only ever leads to the same request
 *     again, which the server answers with the first answer (Idempotency-Key, API.md);
 *   - photos not uploaded yet go first, each under a key of its own derived from the
 *     report's ("KEY.pN.R"), and their ids are written back before the report is sent;
 *   - one sender at a time across tabs and the service worker (Web Locks API), which
 *     reads the queue again under the lock, so a report another tab sent is not sent
 *     twice;
 *   - a network failure, 408, 409 (the same request still under way), 425, 429 or 5xx
 *     leave the report waiting (tried again with back-off, on the browser's online
 *     event, by Background Sync where the browser has it, and on the next visit); any
 *     other 4xx marks it failed with the server's error, and it is never sent again as
 *     it is; a 2xx marks it sent with the receipt until the app has shown it (drop).
 *
 * Storage bound: photos are downscaled to at most 1600 px (JPEG 0.85, typically
 * 0.1 to 0.5 MB) and a report has at most 9; the outbox holds at most MAX_OUTBOX
 * reports; drafts are one per form; photos no draft or report refers to are deleted.
 * Drafts untouched for 30 days are offered for deletion by the app (old / dropOld).
 *
 * Changes are announced on the BroadcastChannel "portal-store", so every tab shows the
 * same queue.
 */
(function (scope) {
  'use strict';

  const DB_NAME = 'portal';
  const DB_VERSION = 1;
  const MAX_OUTBOX = 20;
  const DAY = 24 * 3600 * 1000;
  const RETRY_MIN = 2000, RETRY_MAX = 5 * 60 * 1000;

  let opening = null;
  function db() {
    if (!scope.indexedDB) return Promise.reject(new Error('no IndexedDB'));
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        const req = scope.indexedDB.open(DB_NAME, DB_VERSION);
        req.onupgradeneeded = function () {
          const d = req.result;
          if (!d.objectStoreNames.contains('drafts')) d.createObjectStore('drafts', { keyPath: 'name' });
          if (!d.objectStoreNames.contains('photos')) d.createObjectStore('photos', { keyPath: 'uid' });
          if (!d.objectStoreNames.contains('outbox')) d.createObjectStore('outbox', { keyPath: 'key' });
        };
        req.onsuccess = function () {
          const d = req.result;
          // Another tab of a newer release upgrades the database: let it.
          d.onversionchange = function () { d.close(); opening = null; };
          resolve(d);
        };
        req.onerror = function () { opening = null; reject(req.error); };
        req.onblocked = function () { opening = null; reject(new Error('IndexedDB blocked')); };
      });
    }
    return opening;
  }

  // Runs fn(stores...) in one transaction; resolves with what fn's last request gave
  // (through the `out` object fn fills) once the transaction has committed.
  function tx(names, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        const t = d.transaction(names, mode);
        const out = {};
        fn.apply(null, names.map(function (n) { return t.objectStore(n); }).concat([out]));
        t.oncomplete = function () { resolve(out.value); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error('aborted')); };
      });
    });
  }
  function all(store, out) {
    const req = store.getAll();
    req.onsuccess = function () { out.value = req.result || []; };
  }
  function one(store, key, out) {
    const req = store.get(key);
    req.onsuccess = function () { out.value = req.result || null; };
  }

  // [SECTION] Announcing changes to the other tabs (and to this one through onChange).
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('portal-store') : null;
  const listeners = [];
  // item: the report whose state changed (without its caller's token), so that every
  // tab learns of it even when another tab has dropped it by the time it reads the queue.
  function changed(what, item) {
    let bare = null;
    if (item) {
      bare = Object.assign({}, item);
      delete bare.token;
    }
    listeners.forEach(function (fn) { try { fn(what, bare); } catch (e) { /* a listener's own problem */ } });
    if (channel) channel.postMessage({ what: what, item: bare });
  }
  if (channel) {
    channel.onmessage = function (e) {
      const what = e.data && e.data.what, item = e.data && e.data.item;
      listeners.forEach(function (fn) { try { fn(what, item || null); } catch (err) { /* ditto */ } });
    };
  }

  // [SECTION] Drafts
  function draftGet(name) {
    return tx(['drafts'], 'readonly', function (s, out) { one(s, name, out); });
  }
  // json "" deletes the draft. photos: the uids of its photos.
  function draftPut(name, json, photos) {
    return tx(['drafts'], 'readwrite', function (s) {
      if (!json) s.delete(name);
      else s.put({ name: name, json: json, photos: photos || [], at: Date.now() });
    });
  }
  // The drafts untouched for `days`: their number and the bytes they and their photos take.
  function old(days) {
    const before = Date.now() - days * DAY;
    return tx(['drafts', 'photos'], 'readonly', function (drafts, photos, out) {
      out.value = { count: 0, bytes: 0 };
      const req = drafts.getAll();
      req.onsuccess = function () {
        (req.result || []).forEach(function (d) {
          if (d.at >= before) return;
          out.value.count++;
          out.value.bytes += d.json.length;
          (d.photos || []).forEach(function (uid) {
            const p = photos.get(uid);
            p.onsuccess = function () { if (p.result) out.value.bytes += p.result.blob.size; };
          });
        });
      };
    });
  }
  // Deletes them (keep: marks them as touched now instead, asked again in 30 days).
  function dropOld(days, keep) {
    const before = Date.now() - days * DAY;
    return tx(['drafts'], 'readwrite', function (drafts) {
      const req = drafts.getAll();
      req.onsuccess = function () {
        (req.result || []).forEach(function (d) {
          if (d.at >= before) return;
          if (keep) {
            d.at = Date.now();
            drafts.put(d);
          } else {
            drafts.delete(d.name);
          }
        });
      };
    }).then(sweep);
  }

  // [SECTION] Photos
  function photoPut(uid, blob, width, height) {
    return tx(['photos'], 'readwrite', function (s) {
      s.put({ uid: uid, blob: blob, width: width, height: height, at: Date.now() });
    });
  }
  function photoGet(uid) {
    return tx(['photos'], 'readonly', function (s, out) { one(s, uid, out); });
  }
  // Deletes the photos no draft and no queued report refers to, once an hour old (a
  // photo being picked in another tab is not in its draft yet).
  function sweep() {
    const before = Date.now() - 3600 * 1000;
    return tx(['drafts', 'photos', 'outbox'], 'readwrite', function (drafts, photos, outbox) {
      const used = new Set();
      const d = drafts.getAll();
      d.onsuccess = function () {
        (d.result || []).forEach(function (x) { (x.photos || []).forEach(function (u) { used.add(u); }); });
        const o = outbox.getAll();
        o.onsuccess = function () {
          (o.result || []).forEach(function (x) {
            if (x.state !== 'sent') (x.photos || []).forEach(function (p) { used.add(p.uid); });
          });
          const p = photos.getAll();
          p.onsuccess = function () {
            (p.result || []).forEach(function (x) {
              if (!used.has(x.uid) && x.at < before) photos.delete(x.uid);
            });
          };
        };
      };
    });
  }

  // What the portal keeps on this device: bytes of drafts, photos and queued reports.
  function usage() {
    return tx(['drafts', 'photos', 'outbox'], 'readonly', function (drafts, photos, outbox, out) {
      out.value = { drafts: 0, photos: 0, photoBytes: 0, outbox: 0, bytes: 0 };
      const d = drafts.getAll();
      d.onsuccess = function () {
        (d.result || []).forEach(function (x) { out.value.drafts++; out.value.bytes += x.json.length; });
      };
      const p = photos.getAll();
      p.onsuccess = function () {
        (p.result || []).forEach(function (x) {
          out.value.photos++;
          out.value.photoBytes += x.blob.size;
          out.value.bytes += x.blob.size;
        });
      };
      const o = outbox.getAll();
      o.onsuccess = function () {
        (o.result || []).forEach(function (x) { out.value.outbox++; out.value.bytes += JSON.stringify(x).length; });
      };
    });
  }

  // [SECTION] The outbox
  // item: {key, body (the ticket's JSON without attachments), photos: [{uid, id}],
  // token, label, after}; the store adds created, state, attempts, next_at.
  function outboxAdd(item) {
    return tx(['outbox'], 'readwrite', function (s, out) {
      const count = s.count();
      count.onsuccess = function () {
        const existing = s.get(item.key);
        existing.onsuccess = function () {
          // The same submission again (a second tap, a reload): one entry. One refused
          // before is queued again as it is now (the server kept nothing of it).
          if (existing.result && existing.result.state !== 'failed') {
            out.value = { ok: true };
            return;
          }
          if (!existing.result && count.result >= MAX_OUTBOX) {
            out.value = { ok: false, error: 'outbox_full' };
            return;
          }
          item.created = Date.now();
          item.state = 'waiting';
          item.attempts = 0;
          item.next_at = 0;
          item.round = 0;
          s.put(item);
          out.value = { ok: true };
        };
      };
    }).then(function (r) {
      changed('outbox');
      return r;
    });
  }
  function outboxList() {
    return tx(['outbox'], 'readonly', function (s, out) { all(s, out); }).then(function (items) {
      return items.sort(function (a, b) { return a.created - b.created; });
    });
  }
  function outboxDrop(key) {
    return tx(['outbox'], 'readwrite', function (s) { s.delete(key); }).then(function () {
      changed('outbox');
      return sweep();
    });
  }
  // Writes the report back unless it was dropped meanwhile (cancelled in another tab).
  function save(item) {
    return tx(['outbox'], 'readwrite', function (s) {
      const there = s.get(item.key);
      there.onsuccess = function () { if (there.result) s.put(item); };
    });
  }

  function retryable(status) {
    return status === 0 || status === 408 || status === 409 || status === 425 || status === 429 ||
      status >= 500;
  }
  function failure(status, body) {
    let error = {};
    try { error = (JSON.parse(body) || {}).error || {}; } catch (e) { /* not JSON */ }
    const err = new Error('HTTP ' + status);
    err.status = status;
    err.error = { status: status, code: error.code || '', field: error.field || '', message: error.message || '' };
    return err;
  }
  function post(url, headers, body) {
    return fetch(url, { method: 'POST', headers: headers, body: body, credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        return res.text().then(function (text) {
          if (res.status >= 200 && res.status < 300) return JSON.parse(text);
          throw failure(res.status, text);
        });
      }, function () {
        const err = new Error('network');
        err.status = 0;
        throw err;
      });
  }

  // Sends one report: its photos that have no id yet, then the report. Resolves when
  // it is sent; rejects with err.status (0 for the network).
  function sendOne(item) {
    const auth = item.token ? { Authorization: 'Bearer ' + item.token } : {};
    let chain = Promise.resolve();
    item.photos.forEach(function (p, i) {
      chain = chain.then(function () {
        if (p.id) return;
        return photoGet(p.uid).then(function (kept) {
          if (!kept) {
            const err = new Error('photo missing');
            err.status = 422;
            err.error = { status: 422, code: 'photo_missing', field: 'attachments',
              message: 'a photo of this report is no longer on this device' };
            throw err;
          }
          const headers = Object.assign({ 'Content-Type': kept.blob.type || 'image/jpeg',
            'Idempotency-Key': item.key + '.p' + i + '.' + item.round }, auth);
          return post('/api/v1/attachments', headers, kept.blob).then(function (a) {
            p.id = String(a.id);
            return save(item);
          });
        });
      });
    });
    return chain.then(function () {
      const body = Object.assign({}, item.body, {
        attachments: item.photos.map(function (p) { return p.id; }),
      });
      const headers = Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json',
        'Idempotency-Key': item.key }, auth);
      return post('/api/v1/tickets', headers, JSON.stringify(body));
    });
  }

  let timer = null;
  // Sends what is waiting, one sender at a time across tabs and the worker. Resolves
  // true when nothing is left waiting for the network.
  function send() {
    const run = function () { return sendAll(); };
    const locked = scope.navigator && scope.navigator.locks
      ? scope.navigator.locks.request('portal-outbox', run) : run();
    return locked.then(function (r) {
      if (timer) clearTimeout(timer);
      timer = null;
      if (r.next_at && typeof setTimeout === 'function' && scope.document) {
        timer = setTimeout(function () { timer = null; send(); }, Math.max(0, r.next_at - Date.now()));
      }
      return r.done;
    });
  }
  function sendAll() {
    return outboxList().then(function (items) {
      // "sending" is what a tab left that closed in the middle: the same request again.
      const due = items.filter(function (x) { return x.state === 'waiting' || x.state === 'sending'; });
      let next = 0, done = true;
      let chain = Promise.resolve();
      due.forEach(function (item) {
        chain = chain.then(function () {
          if (!done) return;  // the network is away: the rest waits too
          item.state = 'sending';
          return save(item).then(function () {
            changed('outbox', item);
            return sendOne(item);
          }).then(function (receipt) {
            item.state = 'sent';
            item.receipt = receipt;
            item.error = null;
            delete item.token;
          }, function (err) {
            const status = err && typeof err.status === 'number' ? err.status : 0;
            if (status === 422 && err.error && /^attachments/.test(err.error.field) && item.round < 1 &&
                item.photos.length) {
              // Photos uploaded long ago may be gone from the server: upload them again.
              item.round++;
              item.photos.forEach(function (p) { p.id = ''; });
              item.state = 'waiting';
              next = Date.now();
              done = false;
            } else if (retryable(status)) {
              item.state = 'waiting';
              item.attempts++;
              const wait = Math.min(RETRY_MAX, RETRY_MIN * Math.pow(2, item.attempts - 1));
              item.next_at = Date.now() + wait * (0.75 + Math.random() * 0.5);
              item.error = { status: status, code: err.error ? err.error.code : 'network', field: '', message: '' };
              next = next ? Math.min(next, item.next_at) : item.next_at;
              done = false;
            } else {
              item.state = 'failed';
              item.error = err.error || { status: status, code: 'failed', field: '', message: '' };
              delete item.token;
            }
          }).then(function () {
            return save(item);
          }).then(function () {
            // Sent: its photos are on the server now, not needed here any more.
            if (item.state !== 'sent') return;
            return tx(['photos'], 'readwrite', function (s) {
              item.photos.forEach(function (p) { s.delete(p.uid); });
            });
          }).then(function () {
            changed('outbox', item);
          });
        });
      });
      return chain.then(function () {
        return { done: done, next_at: next };
      });
    });
  }

  scope.portalStore = {
    MAX_OUTBOX: MAX_OUTBOX,
    draftGet: draftGet,
    draftPut: draftPut,
    old: old,
    dropOld: dropOld,
    photoPut: photoPut,
    photoGet: photoGet,
    sweep: sweep,
    usage: usage,
    outboxAdd: outboxAdd,
    outboxList: outboxList,
    outboxDrop: outboxDrop,
    send: send,
    onChange: function (fn) { listeners.push(fn); },
  };
})(typeof self !== 'undefined' ? self : window);
