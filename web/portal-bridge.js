/*
 * 任诚办 — the page side of the canvas UI.
 *
 * The Wasm app draws everything into #canvas with Dear ImGui. This file connects it
 * to the browser:
 *   - pointer, wheel and key events go to the app as plain calls (portal_pointer,
 *     portal_key, ...); keys only for editing and shortcuts,
 *   - ALL text comes from the hidden #portal-input field: typing (input events), IME
 *     compositions (compositionupdate/compositionend) and pastes, so every character
 *     reaches the app exactly once,
 *   - the hidden field follows the caret so the IME window opens next to it, and gets
 *     focus inside the tap that activates a text field so phones show their keyboard,
 *   - canvas size x devicePixelRatio, the clipboard, browser history and the address bar,
 *   - glyphs: drawn by the device's fonts in web/portal-glyphs.js (no font download),
 *   - photos (picker, canvas downscale, upload with progress), geolocation, the live
 *     stream (EventSource) and, inside an embedding frame, postMessage to the host,
 * For tests it exposes window.portal: ready, frame, firstFrameMs, frameMs, widgets(), idle(),
 * glyphs(text), tiles() (the basemap's tile cache: counts and the URLs asked for), and
 * benchList(n) (the list of my tickets filled with n made-up rows, for benchmarks).
 * Start-up steps leave performance marks named portal:* (bench/first-frame.sh reads them).
 */
(function () {
  'use strict';

  function mark(name) {
    if (window.performance && performance.mark) performance.mark('portal:' + name);
  }
  mark('bridge');

  const canvas = document.getElementById('canvas');
  const input = document.getElementById('portal-input');
  const splash = document.getElementById('splash');
  const isMac = /Mac|iPhone|iPad|iPod/.test(navigator.platform || '');
  const KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown',
    'Home', 'End', 'Insert', 'Delete', 'Backspace', 'Enter', 'Escape']);
  const SHORTCUTS = 'acvxyz';

  let api = null;          // {call, copyIn} handed over by the Wasm side at start
  let composing = false;
  let textActive = false;  // a text field of the app is being edited
  let multiline = false;
  let cursor = 'default';

  const portal = window.portal = {
    ready: false,        // true once the first frame with all its text is on screen
    frame: 0,            // frames drawn so far
    frameMs: [],         // CPU time of the last frames drawn (ms, at most 600 kept)
    frameUiMs: [],       // ... of which building the UI (view-models, widgets, draw lists)
    firstFrameMs: null,  // performance.now() of the first frame (ms since navigation start)
    glyphAtlas: null,    // the glyph texture: {glyphs, drawn, ms, texture, resets}
    firstGlyphAtlas: null,  // ... as the first frame left it
    lastCopied: null,    // the last text put on the clipboard
    widgets: function () {
      return api ? JSON.parse(api.call('portal_widgets_json', 'string', [], [])) : [];
    },
    // What the device's fonts drew: counts, time per glyph, fallback pieces fetched, and
    // for each character of text how it came out (null: never drawn).
    glyphs: function (text) {
      return window.portalGlyphs ? window.portalGlyphs.report(text || '') : null;
    },
    // The basemap's tiles: {requested, loaded, failed, cancelled, released, resident,
    // loading, urls} (web/portal-tiles.js, loaded with the first tile).
    tiles: function () {
      const out = api ? JSON.parse(api.call('portal_tiles_json', 'string', [], [])) : {};
      out.urls = window.portalTiles ? window.portalTiles.urls() : [];
      return out;
    },
    widget: function (id) {
      return portal.widgets().find(function (w) { return w.id === id; }) || null;
    },
    benchList: function (rows) {
      if (api) api.call('portal_bench_list', null, ['number'], [rows]);
    },
    // True when the app has drawn everything it has to: no frame is scheduled.
    idle: function () {
      return portal.ready && !!api && api.call('portal_pending', 'number', [], []) === 0;
    },
  };

  function call(name, types, args) {
    if (api) api.call(name, null, types, args);
  }

  function mods(e) {
    return (e.shiftKey ? 1 : 0) | ((e.ctrlKey || (isMac && e.metaKey)) ? 2 : 0) |
      (e.altKey ? 4 : 0) | ((!isMac && e.metaKey) ? 8 : 0);
  }

  // [SECTION] Size: CSS pixels for layout, device pixels for the backing store.
  let dprQuery = null;
  // Sets the backing store to the CSS size x devicePixelRatio; returns [w, h, dpr].
  function sizeCanvas() {
    return window.portalBoot ? window.portalBoot.sizeCanvas(canvas) : [1, 1, 1];
  }
  function resize() {
    const size = sizeCanvas();
    const dpr = size[2];
    call('portal_resize', ['number', 'number', 'number'], size);
    if (dprQuery) dprQuery.removeEventListener('change', resize);
    dprQuery = window.matchMedia('(resolution: ' + dpr + 'dppx)');
    dprQuery.addEventListener('change', resize);
  }

  // [SECTION] Pointer: mouse, touch and pen alike.
  function where(e) {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }
  function pointer(kind, e) {
    const p = where(e);
    const button = e.button === 2 ? 1 : e.button === 1 ? 2 : 0;
    const touch = e.pointerType !== undefined && e.pointerType !== 'mouse';
    call('portal_pointer', ['number', 'number', 'number', 'number', 'number', 'number'],
      [kind, p[0], p[1], button, touch ? 1 : 0, mods(e)]);
    return p;
  }
  // Focus the hidden field inside the user's gesture when it lands on a text field:
  // only then do phones open the keyboard.
  function focusIfTextField(p) {
    const hit = portal.widgets().some(function (w) {
      return (w.kind === 'input' || w.kind === 'textarea') &&
        p[0] >= w.x && p[0] < w.x + w.w && p[1] >= w.y && p[1] < w.y + w.h;
    });
    if (hit && document.activeElement !== input) input.focus({ preventScroll: true });
  }

  // Two fingers move and zoom the map (one finger scrolls the page); while they are
  // down, single-pointer events stop.
  const touches = new Map();
  let pinchDist = 0, pinchX = 0, pinchY = 0;
  function pinchState() {
    const pts = Array.from(touches.values());
    const dx = pts[0][0] - pts[1][0], dy = pts[0][1] - pts[1][1];
    return { d: Math.max(1, Math.hypot(dx, dy)), x: (pts[0][0] + pts[1][0]) / 2, y: (pts[0][1] + pts[1][1]) / 2 };
  }
  function trackTouch(kind, e) {
    if (e.pointerType !== 'touch') return false;
    if (kind === 'down') touches.set(e.pointerId, where(e));
    else if (kind === 'move' && touches.has(e.pointerId)) touches.set(e.pointerId, where(e));
    else if (kind === 'up') touches.delete(e.pointerId);
    if (kind === 'down' && touches.size === 2) {
      pointer(3, e);  // the first finger's press is not a tap
      const s = pinchState();
      pinchDist = s.d;
      pinchX = s.x;
      pinchY = s.y;
      return true;
    }
    if (touches.size >= 2 && kind === 'move') {
      const s = pinchState();
      call('portal_pinch', ['number', 'number', 'number', 'number', 'number'],
        [s.x, s.y, s.d / pinchDist, s.x - pinchX, s.y - pinchY]);
      pinchDist = s.d;
      pinchX = s.x;
      pinchY = s.y;
      return true;
    }
    if (pinchDist && kind === 'up') {
      if (touches.size === 0) pinchDist = 0;
      if (touches.size >= 2) {  // a third finger lifted: measure from the two left
        const s = pinchState();
        pinchDist = s.d;
        pinchX = s.x;
        pinchY = s.y;
      }
      return true;
    }
    return pinchDist > 0;
  }

  function attachPointer() {
    canvas.addEventListener('pointerdown', function (e) {
      try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* not capturable */ }
      if (trackTouch('down', e)) return;
      const p = pointer(1, e);
      if (e.pointerType === 'mouse') focusIfTextField(p);
    });
    canvas.addEventListener('pointermove', function (e) {
      if (trackTouch('move', e)) return;
      if (e.pointerType === 'mouse' || e.buttons) pointer(0, e);
    });
    canvas.addEventListener('pointerup', function (e) {
      if (trackTouch('up', e)) return;
      const p = pointer(2, e);
      if (e.pointerType !== 'mouse') {
        focusIfTextField(p);
        pointer(3, e);  // a finger that lifts hovers nothing
      }
    });
    canvas.addEventListener('pointercancel', function (e) { touches.delete(e.pointerId); pointer(3, e); });
    canvas.addEventListener('pointerleave', function (e) {
      if (e.pointerType === 'mouse' && !e.buttons) pointer(3, e);
    });
    // Keep the hidden field focused while the canvas is clicked, and keep the browser
    // from scrolling, zooming or synthesising mouse events for touches.
    canvas.addEventListener('mousedown', function (e) { e.preventDefault(); });
    canvas.addEventListener('touchstart', function (e) { e.preventDefault(); }, { passive: false });
    canvas.addEventListener('touchmove', function (e) { e.preventDefault(); }, { passive: false });
    canvas.addEventListener('contextmenu', function (e) { e.preventDefault(); });
    canvas.addEventListener('wheel', function (e) {
      if (e.ctrlKey) return;  // browser zoom (Ctrl+wheel, a trackpad pinch): the page reflows
      e.preventDefault();
      const k = e.deltaMode === 1 ? 1 / 3 : e.deltaMode === 2 ? 3 : 1 / 100;
      pointer(0, e);
      call('portal_wheel', ['number', 'number'], [e.deltaX * k, e.deltaY * k]);
    }, { passive: false });
  }

  // [SECTION] Keys: editing keys and shortcuts only; text comes from the field below.
  function key(name, m) {
    if (api) api.call('portal_key', null, ['string', 'number'], [name, m]);
  }
  const semantics = window.portalSemantics || null;
  const layer = document.getElementById('portal-semantics');
  function attachKeys() {
    window.addEventListener('keydown', function (e) {
      if (!api || e.isComposing || e.keyCode === 229 || composing) return;
      const m = mods(e);
      // Tab moves through the accessibility mirror, from the field being edited too.
      if (e.key === 'Tab') {
        if (textActive && semantics && document.activeElement === input) {
          const field = semantics.activeField();
          const next = field ? semantics.step(field.id, e.shiftKey) : null;
          if (next) {
            e.preventDefault();
            next.focus();
          }
        }
        return;
      }
      // On a node of the mirror the browser acts (Enter and Space click it); Escape goes
      // back, arrows move between nodes.
      if (layer && layer.contains(document.activeElement)) {
        const el = document.activeElement;
        if (e.key === 'Escape') {
          key('Escape', m);
          e.preventDefault();
        } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && el.tagName !== 'TEXTAREA') {
          const next = semantics && semantics.step(el.dataset.id, e.key === 'ArrowUp');
          if (next) {
            e.preventDefault();
            next.focus();
          }
        }
        return;
      }
      // No field is being typed in: a plain letter, '/' or '?' is a shortcut (the desk's).
      if (!textActive && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey &&
          /^[a-z/?]$/i.test(e.key)) {
        key(e.key, m);
        e.preventDefault();
        return;
      }
      const lower = e.key.length === 1 ? e.key.toLowerCase() : '';
      const shortcut = (m & 2) !== 0 && lower !== '' && SHORTCUTS.indexOf(lower) >= 0;
      if (!KEYS.has(e.key) && !shortcut) return;
      if (shortcut && lower === 'v') return;  // the paste event brings the text
      key(e.key, m);
      // Copy and cut go on to the browser's copy/cut events, which take the selection.
      if (!(shortcut && (lower === 'c' || lower === 'x'))) e.preventDefault();
    }, true);
  }

  // [SECTION] Text: typing, IME and paste, through the hidden field.
  function sendText(text) {
    text = multiline ? text.replace(/\r\n?/g, '\n') : text.replace(/\r?\n/g, ' ');
    if (text) call('portal_text', ['string'], [text]);
  }
  function flush() {
    const v = input.value;
    if (!v) return;
    input.value = '';
    sendText(v);
  }
  function attachText() {
    input.addEventListener('compositionstart', function () { composing = true; });
    input.addEventListener('compositionupdate', function (e) {
      call('portal_composition', ['string'], [e.data || '']);
    });
    input.addEventListener('compositionend', function () {
      composing = false;
      call('portal_composition', ['string'], ['']);
      flush();
    });
    input.addEventListener('input', function (e) {
      if (e.isComposing || composing) return;
      flush();
    });
    // Soft keyboards report Backspace and Enter as edits of the (empty) field.
    input.addEventListener('beforeinput', function (e) {
      if (e.isComposing || composing) return;
      if (e.inputType === 'deleteContentBackward' && !input.value) {
        e.preventDefault();
        key('Backspace', 0);
      } else if (e.inputType === 'deleteContentForward' && !input.value) {
        e.preventDefault();
        key('Delete', 0);
      } else if (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') {
        e.preventDefault();
        key('Enter', 0);
      }
    });
    input.addEventListener('paste', function (e) {
      const t = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
      e.preventDefault();
      if (t) sendText(t);
    });
    const takeSelection = function (e) {
      if (!textActive || !api) return;
      const s = api.call('portal_selected_text', 'string', [], []);
      if (!s || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', s);
      portal.lastCopied = s;
      e.preventDefault();
    };
    document.addEventListener('copy', takeSelection);
    document.addEventListener('cut', takeSelection);
  }

  // [SECTION] Clipboard for the app's copy buttons.
  function fallbackCopy(text) {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.cssText = 'position:fixed;left:-1000px;top:0;opacity:0';
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand('copy'); } catch (err) { /* nothing else to try */ }
    document.body.removeChild(ta);
    if (textActive) input.focus({ preventScroll: true });
  }

  // [SECTION] Photos: the file picker, downscaling with a canvas (which drops EXIF and
  // anything else in the file), upload with progress.
  const MAX_SIDE = 1600;
  const photoInput = document.createElement('input');
  photoInput.type = 'file';
  photoInput.accept = 'image/*';
  photoInput.multiple = true;
  photoInput.id = 'portal-photos';
  photoInput.tabIndex = -1;
  photoInput.setAttribute('aria-hidden', 'true');
  photoInput.style.cssText = 'position:absolute;left:-1000px;top:0;width:1px;height:1px;opacity:0';
  document.body.appendChild(photoInput);
  let photoPick = null;  // {max, slot, token} of the open picker

  function photoReport(slot, state, progress, id, w, h, uid) {
    if (api) api.call('portal_photo', null, ['number', 'number', 'number', 'string', 'number', 'number', 'string'],
      [slot, state, progress, id || '', w || 0, h || 0, uid || '']);
  }
  function downscale(file) {
    return createImageBitmap(file).then(function (bmp) {
      const k = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
      const w = Math.max(1, Math.round(bmp.width * k)), h = Math.max(1, Math.round(bmp.height * k));
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      c.getContext('2d').drawImage(bmp, 0, 0, w, h);
      if (bmp.close) bmp.close();
      return new Promise(function (resolve, reject) {
        c.toBlob(function (b) {
          if (b) resolve({ blob: b, width: w, height: h });
          else reject(new Error('encode'));
        }, 'image/jpeg', 0.85);
      });
    });
  }
  function upload(blob, slot, token) {
    return new Promise(function (resolve, reject) {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/attachments');
      xhr.setRequestHeader('Content-Type', 'image/jpeg');
      if (token) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) photoReport(slot, 0, e.loaded / e.total);
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          try { resolve(JSON.parse(xhr.responseText)); } catch (err) { reject(err); }
        } else {
          const err = new Error('HTTP ' + xhr.status);
          err.status = xhr.status;
          reject(err);
        }
      };
      xhr.onerror = function () { const err = new Error('network'); err.status = 0; reject(err); };
      xhr.send(blob);
    });
  }
  function uid() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, function (x) { return x.toString(16).padStart(2, '0'); }).join('');
  }
  // Each photo is kept on this device (web/portal-store.js) before it is uploaded: a
  // report written without network takes its photos along, and a reload keeps them.
  // Without network, or with the server busy, the photo stays on the device only (4)
  // and goes up with the report; a photo the server refuses is marked failed (2).
  photoInput.addEventListener('change', function () {
    const pick = photoPick;
    const files = Array.from(photoInput.files || []).slice(0, pick ? pick.max : 0);
    photoInput.value = '';
    if (!pick) return;
    files.forEach(function (file, i) {
      const slot = pick.slot + i;
      const id = uid();
      photoReport(slot, 0, 0);
      downscale(file).then(function (small) {
        const keep = window.portalStore
          ? portalStore.photoPut(id, small.blob, small.width, small.height).then(function () { return true; },
            function () { return false; })
          : Promise.resolve(false);
        return keep.then(function (kept) {
          const local = kept ? id : '';
          if (!navigator.onLine && kept) return photoReport(slot, 4, 1, '', small.width, small.height, local);
          return upload(small.blob, slot, pick.token).then(function (a) {
            photoReport(slot, 1, 1, String(a.id), a.width, a.height, local);
          }, function (err) {
            const later = kept && (!err.status || err.status === 408 || err.status === 429 || err.status >= 500);
            photoReport(slot, later ? 4 : 2, later ? 1 : 0, '', small.width, small.height, local);
          });
        });
      }).catch(function () { photoReport(slot, 2, 0); });
    });
  });

  // [SECTION] Live updates: EventSource on a one-time ticket (it cannot send headers).
  let source = null;
  function streamEvent(data) {
    if (api) api.call('portal_stream_event', null, ['string'], [data]);
  }

  // [SECTION] Embedding: the host page talks to the frame with postMessage only.
  const embedded = document.documentElement.hasAttribute('data-portal-embed');
  let hostOrigin = null;
  if (embedded) {
    const m = /[#&]host=([^&]+)/.exec(location.hash);
    hostOrigin = m ? decodeURIComponent(m[1]) : null;
    window.addEventListener('message', function (e) {
      if (e.source !== window.parent || !hostOrigin || e.origin !== hostOrigin) return;
      const msg = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      if (api) api.call('portal_host_message', null, ['string'], [msg]);
    });
  }
  function postToHost(obj) {
    if (!embedded || !hostOrigin || window.parent === window) return;
    window.parent.postMessage(obj, hostOrigin);
  }
  // The first word to the host, as soon as this script runs (long before the app is
  // ready): the SDK tells a frame that loaded and spoke from one the browser refused to
  // show (frame-ancestors), which loads an error page that says nothing.
  postToHost({ type: 'hello' });
  // Script errors in the frame reach the host's developer (its console cannot show them:
  // the frame is another origin). A few per page: a failing loop would flood the host.
  let errorsPosted = 0;
  function postError(message, where) {
    if (errorsPosted >= 5) return;
    errorsPosted++;
    const e = { type: 'error', reason: 'script', message: String(message || 'error').slice(0, 500) };
    if (where) e.where = where;
    postToHost(e);
  }
  if (embedded) {
    window.addEventListener('error', function (e) {
      if (!e.error && !e.message) return;  // a resource that failed to load, not a script
      postError(e.message || String(e.error), e.filename ? e.filename + ':' + e.lineno + ':' + e.colno : '');
    });
    window.addEventListener('unhandledrejection', function (e) {
      const r = e.reason;
      postError('unhandled rejection: ' + (r && r.message ? r.message : String(r)), '');
    });
  }
  // The height the current screen's content needs (from the app's layout, CSS px), not
  // the frame's own: an autoHeight host sizes the frame to it. At most one message per
  // 100 ms, and the last value always goes out.
  let contentHeight = 0, sentWidth = 0, sentHeight = 0, sizeTimer = 0, sizeAt = 0;
  function reportSize() {
    if (!portal.ready || contentHeight <= 0) return;
    if (contentHeight === sentHeight && window.innerWidth === sentWidth) return;
    const wait = sizeAt + 100 - performance.now();
    if (wait > 0) {
      if (!sizeTimer) sizeTimer = setTimeout(function () { sizeTimer = 0; reportSize(); }, wait);
      return;
    }
    sizeAt = performance.now();
    sentWidth = window.innerWidth;
    sentHeight = contentHeight;
    postToHost({ type: 'resize', width: sentWidth, height: sentHeight, frameHeight: window.innerHeight });
  }

  // [SECTION] History: the entry the browser is on (its state is ours or null). An
  // embedding frame has no address of its own (path '').
  function entry(state) {
    const ours = state && typeof state.portalDepth === 'number';
    return {
      path: embedded ? '' : location.pathname + location.hash,
      depth: ours ? state.portalDepth : -1,
      screen: ours && typeof state.portalScreen === 'string' ? state.portalScreen : '',
    };
  }

  // [SECTION] Start-up and the calls the Wasm side makes.
  // The app's files by their versioned addresses (web/portal-boot.js).
  function asset(name) {
    return window.portalBoot ? window.portalBoot.asset(name) : '/' + name;
  }
  // [SECTION] Downloads (the cockpit's CSV exports): a Blob saved under its name.
  // Tests read portal.lastDownload.
  function download(name, mime, text) {
    portal.lastDownload = { name: name, mime: mime, bytes: text.length, text: text };
    const blob = new Blob([text], { type: mime });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  const bridge = window.portalBridge = {
    embedded: embedded,
    download: download,
    pickPhotos: function (max, slot, token) {
      photoPick = { max: max, slot: slot, token: token };
      photoInput.click();
    },
    geolocate: function () {
      const answer = function (ok, lat, lng) {
        if (api) api.call('portal_geolocation', null, ['number', 'number', 'number'], [ok ? 1 : 0, lat, lng]);
      };
      if (!navigator.geolocation) return answer(false, 0, 0);
      navigator.geolocation.getCurrentPosition(function (p) {
        answer(true, p.coords.latitude, p.coords.longitude);
      }, function () { answer(false, 0, 0); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    },
    stream: function (url) {
      if (source) { source.close(); source = null; }
      if (!url || typeof EventSource === 'undefined') return;
      source = new EventSource(url);
      source.onopen = function () { streamEvent(''); };
      source.addEventListener('ticket', function (e) { streamEvent(e.data || '{}'); });
      source.onerror = function () {
        // The browser reconnects by itself unless the server refused (a spent ticket).
        if (source && source.readyState === EventSource.CLOSED) streamEvent('closed');
      };
    },
    postToHost: function (json) {
      try { postToHost(JSON.parse(json)); } catch (err) { /* not JSON */ }
    },
    boot: function () {
      mark('script');
      if (typeof window.createPortal !== 'function') return bridge.fatal('load');
      window.createPortal({
        canvas: canvas,
        locateFile: function (path) { return asset(path); },
        // The module compiling since the page started (below), instantiated here.
        instantiateWasm: function (imports, receive) {
          wasm.then(function (module) {
            return WebAssembly.instantiate(module, imports).then(function (instance) {
              receive(instance, module);
            });
          }).catch(function () { bridge.fatal('load'); });
          return {};
        },
        onRuntimeInitialized: function () { mark('wasm'); },
      }).catch(function () { bridge.fatal('load'); });
    },

    // Called once from main() when the app is ready for events.
    start: function (wasmApi) {
      mark('main');
      api = wasmApi;
      attachPointer();
      attachKeys();
      attachText();
      window.addEventListener('resize', resize);
      if (embedded) window.addEventListener('resize', reportSize);
      if (window.visualViewport) window.visualViewport.addEventListener('resize', resize);
      window.addEventListener('popstate', function (e) {
        const at = entry(e.state);
        call('portal_history', ['number', 'string', 'string'], [at.depth, at.path, at.screen]);
      });
      window.addEventListener('focus', function () {
        call('portal_focus', ['number'], [1]);
        if (textActive) input.focus({ preventScroll: true });
      });
      window.addEventListener('blur', function () { call('portal_focus', ['number'], [0]); });
      document.addEventListener('visibilitychange', function () {
        if (!document.hidden) call('portal_wake', [], []);
      });
      if (semantics) semantics.attach(call);
      // A fallback font piece arrived for characters this device could not draw.
      if (window.portalGlyphs) window.portalGlyphs.onFontsChanged = function () { call('portal_wake', [], []); };
      resize();
      mark('resized');
    },

    afterFrame: function (frame, wantText, isMultiline, mode, x, y, h, cssCursor, ms, uiMs, complete, contentH) {
      portal.frame = frame;
      portal.contentHeight = contentH;
      portal.frameMs.push(ms);
      portal.frameUiMs.push(uiMs);
      if (portal.frameMs.length > 600) portal.frameMs.splice(0, portal.frameMs.length - 600);
      if (portal.frameUiMs.length > 600) portal.frameUiMs.splice(0, portal.frameUiMs.length - 600);
      if (!portal.ready && complete) {
        portal.ready = true;
        portal.firstGlyphAtlas = portal.glyphAtlas;
        portal.firstFrameMs = performance.now();
        mark('first-frame');
        if (splash && splash.parentNode) splash.parentNode.removeChild(splash);
      }
      if (embedded && contentH > 0 && contentH !== contentHeight) {
        contentHeight = contentH;
        reportSize();
      } else if (embedded && !sentHeight) {
        reportSize();
      }
      if (cssCursor !== cursor) canvas.style.cursor = cursor = cssCursor;
      multiline = isMultiline;
      if (wantText) {
        // The field being edited is named for screen readers by its mirror node.
        const field = semantics && semantics.activeField();
        if (field) {
          input.setAttribute('aria-label', field.name);
          if (field.error) input.setAttribute('aria-description', field.error);
          else input.removeAttribute('aria-description');
          input.removeAttribute('aria-hidden');
        }
        // Sit on the caret: the IME window opens there.
        input.style.left = Math.round(x) + 'px';
        input.style.top = Math.round(y) + 'px';
        input.style.height = Math.max(16, Math.round(h)) + 'px';
        if (input.getAttribute('inputmode') !== mode) input.setAttribute('inputmode', mode);
        input.setAttribute('enterkeyhint', isMultiline ? 'enter' : 'done');
        // Focus on a field's node in the accessibility mirror starts editing it: the text
        // goes on through the hidden field.
        const onMirror = layer && layer.contains(document.activeElement);
        if ((!textActive || onMirror) && document.activeElement !== input) input.focus({ preventScroll: true });
        textActive = true;
      } else if (textActive) {
        input.setAttribute('aria-hidden', 'true');
        input.removeAttribute('aria-label');
        textActive = false;
        composing = false;
        input.value = '';
        if (document.activeElement === input) input.blur();
      }
    },

    glyphsAdded: function (glyphs, drawn, ms, texture, resets) {
      if (!portal.glyphAtlas) mark('glyphs');
      portal.glyphAtlas = { glyphs: glyphs, drawn: drawn, ms: ms, texture: texture, resets: resets };
    },

    copy: function (text) {
      portal.lastCopied = text;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).catch(function () { fallbackCopy(text); });
      } else {
        fallbackCopy(text);
      }
    },

    // op 0: a new screen (push), 1: replace the current one, 2: go back n screens. Each
    // entry has the screen's address (path) and keeps its depth and screen in its state;
    // an embedding frame keeps its own address (embed.html#host=...).
    history: function (op, n, path, screen) {
      const state = { portalDepth: n, portalScreen: screen };
      const url = embedded || !path ? undefined : path;
      if (op === 0) window.history.pushState(state, '', url);
      else if (op === 1) window.history.replaceState(state, '', url);
      else if (n > 0) window.history.go(-n);
    },
    // Where the page is: "path#fragment\ndepth\nscreen" (depth -1: a fresh entry).
    where: function () {
      const at = entry(window.history.state);
      return at.path + '\n' + at.depth + '\n' + at.screen;
    },

    mark: mark,

    fatal: function (what) {
      const text = {
        webgl2: '您的浏览器不支持 WebGL2，请升级浏览器后再试。Your browser lacks WebGL2.',
        renderer: '页面无法绘制，请刷新重试。The page could not start drawing.',
        load: '页面文件下载失败，请检查网络后重试。The portal could not be downloaded.',
      }[what] || what;
      portal.error = what;
      postError('the portal could not start: ' + text, what);
      if (!splash) return;
      splash.classList.add('failed');
      const m = splash.querySelector('.message');
      if (m) m.textContent = text;
      if (what === 'load' && !splash.querySelector('button')) {
        const retry = document.createElement('button');
        retry.type = 'button';
        retry.textContent = '重试 Retry';
        retry.addEventListener('click', function () { window.location.reload(); });
        splash.appendChild(retry);
        retry.focus();
      }
    },
  };

  // On a slow network the splash says it is still working.
  setTimeout(function () {
    if (portal.ready || portal.error || !splash) return;
    const m = splash.querySelector('.message');
    if (m) m.textContent = '网络较慢，仍在加载… Still loading on a slow network…';
  }, 6000);

  // portal.wasm compiling, portal.js loading and the WebGL context were started by
  // web/portal-boot.js, before the other scripts: boot once portal.js is there.
  const early = window.portalBoot;
  const wasm = early ? early.wasm : Promise.reject(new Error('no portal-boot.js'));
  wasm.catch(function () { /* reported by instantiateWasm */ });
  function scriptSettled() {
    if (!early || early.script === 'failed') bridge.fatal('load');
    else if (early.script === 'loaded') bridge.boot();
  }
  if (early) early.onScript = scriptSettled;
  scriptSettled();
})();
