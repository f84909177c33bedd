/*
 * 任诚办 — glyphs for the canvas UI, drawn by the device's own fonts.
 *
 * The Wasm app (client/ui/glyph_cache.cpp) asks for the characters text first needs,
 * a batch per size at a time, at the device pixel size; this file draws them on one 2D
 * canvas with the platform's UI font stack, reads the pixels back once, and hands
 * back each glyph's pixels and metrics:
 *   - the baseline of every size is placed so that an ideograph sits in the middle of
 *     the line; the advance is the font's, rounded to a device pixel;
 *   - colour emoji come back in colour (the app does not tint them);
 *   - a tofu check compares each glyph with the box the device draws for a code point
 *     no font has; a character the device cannot draw is drawn from a piece of the
 *     fallback font (fonts/cjk-XXXX.woff2, 1,024 code points each, fetched with the
 *     FontFace API only then), and the app is woken when the piece arrives.
 * Nothing here draws before the first frame asks for a glyph, and no font file is
 * fetched on a device that can draw every character shown.
 *
 * Kept glyphs: the glyphs a visit drew first (the first screen's, then on until
 * KEPT_BYTES of pixels) are kept in localStorage ("portal.glyphs", one entry) and a
 * later visit hands them back without drawing them: drawing was the longest step of
 * the first frame (the font stack is resolved and every glyph rasterised on a slow
 * CPU). The app asks for the kept glyphs before it builds its first frame, which is
 * then built once. The entry is read when the app first asks for glyphs (IndexedDB and
 * Cache Storage answered only after the first frame on a busy phone-speed page;
 * localStorage is read at once), and used only when it was kept for the same release
 * (the versions of this file and of portal.wasm), device pixel ratio, font stack,
 * document language and browser (user agent), and when it is whole (a checksum over
 * its pixels, which are run-length coded). Once the first frame is up, an ideograph and
 * another kept glyph of each size are drawn again and compared: the device's fonts may
 * have changed under the same browser (and Chromium on Linux may pick another font for
 * a weight in another page); if one differs, the entry is dropped and the app draws
 * every glyph again (takeStale). Glyphs drawn from the fallback pieces, and missing
 * ones, are never kept.
 * window.portalGlyphs.report() says what happened (for tests and benchmarks);
 * `?glyphs=fallback` in the page's address draws every CJK character from the
 * fallback pieces, to test them on a machine that has CJK fonts.
 */
(function () {
  'use strict';

  const STACK = 'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "HarmonyOS Sans SC", ' +
    '"MiSans", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", ' +
    'sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"';
  const FALLBACK = 'portal-cjk';
  const PAD = 1;
  const NO_GLYPH = 0x0378;  // unassigned: every font lacks it, so it shows the device's box
  const force = /[?&]glyphs=fallback(&|$)/.test(location.search);

  let canvas = null, g = null, font = '';
  const lines = new Map();    // 'weight px' -> {baseline, box: {sys, fallback}}
  const pieces = new Map();   // piece name -> 'loading' | 'loaded' | 'failed'
  let fontsChanged = false;
  const stats = { glyphs: 0, batches: 0, ms: 0, maxMs: 0, missing: 0, fallback: 0, piecesLoaded: [], systemCJK: null };
  const seen = new Map();     // code point -> {status, hash, colored, w, h} of the last draw
  let stale = false;          // kept glyphs turned out wrong: the app draws them all again

  function context(w, h) {
    if (!g) {
      canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(128, 128)
        : document.createElement('canvas');
      canvas.width = canvas.height = 128;
      g = canvas.getContext('2d', { willReadFrequently: true });
      font = '';
    }
    if (canvas.width < w || canvas.height < h) {
      canvas.width = Math.max(canvas.width, w);
      canvas.height = Math.max(canvas.height, h);
      font = '';  // resizing resets the context's state
    }
    return g;
  }
  function setFont(f) {
    if (f === font) return;
    g.font = f;
    g.fillStyle = '#fff';
    g.textBaseline = 'alphabetic';
    g.textAlign = 'left';
    font = f;
  }

  // Draws one character; {w, h, x0, y0, adv, data} with data null when it has no ink.
  function raster(ch, f, baseline, px, capacity) {
    context(8, 8);
    setFont(f);
    const m = g.measureText(ch);
    const left = Math.ceil(m.actualBoundingBoxLeft || 0);
    const right = Math.ceil(m.actualBoundingBoxRight || 0);
    const ascent = Math.ceil(m.actualBoundingBoxAscent || 0);
    const descent = Math.ceil(m.actualBoundingBoxDescent || 0);
    const adv = Math.round(m.width);
    if (left + right <= 0 || ascent + descent <= 0)
      return { w: 0, h: 0, x0: 0, y0: 0, adv: adv, data: null };
    const limit = Math.ceil(px * 4);
    let w = Math.min(left + right + 2 * PAD, limit);
    let h = Math.min(ascent + descent + 2 * PAD, limit);
    while (w * h * 4 > capacity) { w = Math.floor(w * 0.9); h = Math.floor(h * 0.9); }
    context(w, h);
    setFont(f);
    g.clearRect(0, 0, w, h);
    g.fillText(ch, PAD + left, PAD + ascent);
    const data = g.getImageData(0, 0, w, h).data;
    return { w: w, h: h, x0: -left - PAD, y0: baseline - ascent - PAD, adv: adv, data: data };
  }

  // An FNV-1a hash of the alpha channel, with the size.
  function hash(r) {
    if (!r.data) return 'empty';
    let x = 0x811c9dc5;
    for (let i = 3; i < r.data.length; i += 4) x = Math.imul(x ^ r.data[i], 0x01000193);
    return r.w + 'x' + r.h + ':' + (x >>> 0).toString(16);
  }
  function blank(cp) {
    return cp === 0x20 || cp === 0xA0 || cp === 0x3000 || (cp >= 0x2000 && cp <= 0x200A) ||
      cp === 0x205F || cp === 0x2800 || cp === 0x1680;
  }
  // True when r is what the device draws for a character no font has.
  function tofu(cp, r, box) {
    if (blank(cp)) return false;
    if (!r.data) return true;  // no ink where ink belongs
    return hash(r) === box;
  }

  function line(px, weight) {
    const key = weight + ' ' + px;
    let l = lines.get(key);
    if (l) return l;
    context(8, 8);
    const sys = weight + ' ' + px + 'px ' + STACK;
    setFont(sys);
    const m = g.measureText('中');
    const a = m.actualBoundingBoxAscent || px * 0.8, d = m.actualBoundingBoxDescent || px * 0.1;
    const baseline = Math.round(px / 2 + (a - d) / 2);
    l = { baseline: baseline, sys: sys, fallback: weight + ' ' + px + 'px "' + FALLBACK + '", ' + STACK };
    l.box = hash(raster(String.fromCodePoint(NO_GLYPH), sys, baseline, px, 1 << 22));
    lines.set(key, l);
    if (stats.systemCJK === null) {
      // The measured check the report gives: can this device draw ideographs at all?
      const probe = raster('堃', sys, baseline, px, 1 << 22);
      stats.systemCJK = !tofu(0x5803, probe, l.box);
    }
    return l;
  }

  // The fallback piece holding cp: [name, unicode-range] or null.
  function pieceOf(cp) {
    if (cp >= 0x3400 && cp < 0xA000) {
      const start = 0x3400 + ((cp - 0x3400) & ~0x3FF);
      const hex = start.toString(16);
      return [hex, 'U+' + hex + '-' + (Math.min(start + 0x3FF, 0x9FFF)).toString(16)];
    }
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF))
      return ['sym', 'U+2000-206F, U+3000-303F, U+FF00-FFEF'];
    return null;
  }
  // 'loaded', or 'loading' (started now if it was not), or 'failed'.
  function piece(p) {
    const state = pieces.get(p[0]);
    if (state) return state;
    pieces.set(p[0], 'loading');
    const done = function (ok) {
      pieces.set(p[0], ok ? 'loaded' : 'failed');
      if (ok) stats.piecesLoaded.push(p[0]);
      fontsChanged = true;
      if (api.onFontsChanged) api.onFontsChanged();
    };
    try {
      const face = new FontFace(FALLBACK, 'url(/fonts/cjk-' + p[0] + '.woff2)',
        { unicodeRange: p[1], display: 'block' });
      document.fonts.add(face);
      face.load().then(function () { done(true); }, function () { done(false); });
    } catch (err) {
      done(false);
    }
    return 'loading';
  }

  function colored(data) {
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] < 16) continue;
      if (Math.abs(data[i] - data[i + 1]) > 24 || Math.abs(data[i + 1] - data[i + 2]) > 24) return true;
    }
    return false;
  }

  // One character the slow way: alone, through the tofu check and the fallback pieces.
  // {r, status}: r null when status is 1 (a piece is on its way).
  function drawOne(cp, px, l, capacity) {
    const ch = String.fromCodePoint(cp);
    const p = pieceOf(cp);
    let r = null, system = true;
    if (!(force && p)) {
      r = raster(ch, l.sys, l.baseline, px, capacity);
      if (tofu(cp, r, l.box)) r = null;
    }
    if (!r && p) {
      const state = piece(p);
      if (state === 'loading') return { r: null, status: 1 };
      if (state === 'loaded') {
        r = raster(ch, l.fallback, l.baseline, px, capacity);
        system = false;
        stats.fallback++;
        if (tofu(cp, r, l.box)) r = null;
      }
    }
    if (!r) {
      // Nothing here can draw it: the device's own box, honestly.
      stats.missing++;
      return { r: raster(ch, l.sys, l.baseline, px, capacity), status: 2 };
    }
    return { r: r, status: 0, system: system };
  }

  // The rectangle (x, y, w, h) of an RGBA image `width` pixels wide, copied out.
  function cut(data, width, x, y, w, h) {
    const out = new Uint8ClampedArray(w * h * 4);
    for (let row = 0; row < h; row++) {
      const from = ((y + row) * width + x) * 4;
      out.set(data.subarray(from, from + w * 4), row * w * 4);
    }
    return out;
  }

  // [Kept glyphs] What an earlier visit drew, handed back without drawing (see above).
  const KEPT_KEY = 'portal.glyphs';          // the localStorage entry
  const KEPT_MAGIC = 0x50474b33;             // 'PGK3'
  const KEPT_BYTES = 384 * 1024;             // pixels kept at most: alpha only, RGBA for colour
  const KEPT_DELAY = 1500;                   // ms after the last glyph drawn before keeping them

  // The release: the versions in this file's address and in portal.wasm's ("?v=HASH").
  // An unversioned document root keeps nothing (a rebuild would not be told apart).
  function versionOf(href) {
    const m = /[?&]v=([0-9a-f]+)/.exec(href || '');
    return m ? m[1] : '';
  }
  const release = (function () {
    const self = document.currentScript ? document.currentScript.getAttribute('src') : '';
    const link = document.querySelector('link[rel="preload"][href^="/portal.wasm"]');
    const a = versionOf(self), b = versionOf(link ? link.getAttribute('href') : '');
    return a && b ? a + '.' + b : '';
  })();
  // What kept glyphs must have been drawn under to be used.
  function keptKey() {
    return JSON.stringify([release, window.devicePixelRatio || 1, STACK,
      document.documentElement.lang || '', navigator.userAgent]);
  }
  function faceKey(px, weight) { return weight + ' ' + px; }
  function glyphKey(px, weight, cp) { return px + ' ' + weight + ' ' + cp; }

  const keptStats = { state: 'off', readMs: null, read: 0, used: 0, fresh: 0, saves: 0, savedGlyphs: 0, savedBytes: 0,
    checked: 0, reason: '', difference: 0 };
  let keptRead = null;     // the entry as read and found whole: {key, systemCJK, faces, glyphs}
  let keptMap = null;      // glyphKey -> kept glyph, once the entry is found to fit this page
  let keptDecided = false;
  const keptUsedFaces = new Map();  // faceKey -> [px, weight, [kept glyphs handed out]]
  let checkScheduled = false;

  // The entry in base64 and back (natively where the browser can: a loop over the
  // characters cost 10 ms at 4x slowdown).
  function toBase64(bytes) {
    if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
    const parts = [];
    for (let i = 0; i < bytes.length; i += 8192)
      parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 8192)));
    return btoa(parts.join(''));
  }
  function fromBase64(str) {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(str);
    const bin = atob(str);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  // The pixels, run-length coded: a run of 0 or 255 (most of a glyph's coverage) is the
  // value and its length (1-255), any other value is itself. A quarter of the size: the
  // page's storage is read whole by the first access, which the app makes in main().
  function pack(px) {
    const out = new Uint8Array(px.length * 2);
    let o = 0;
    for (let i = 0; i < px.length;) {
      const v = px[i];
      if (v === 0 || v === 255) {
        let j = i + 1;
        while (j < px.length && px[j] === v && j - i < 255) j++;
        out[o++] = v;
        out[o++] = j - i;
        i = j;
      } else {
        out[o++] = v;
        i++;
      }
    }
    return out.subarray(0, o);
  }
  // Null unless it unpacks to exactly n bytes.
  function unpack(packed, n) {
    const out = new Uint8Array(n);
    let o = 0;
    for (let i = 0; i < packed.length;) {
      const v = packed[i++];
      if (v === 0 || v === 255) {
        const c = packed[i++];
        if (!c || o + c > n) return null;
        if (v) out.fill(255, o, o + c);
        o += c;
      } else {
        if (o >= n) return null;
        out[o++] = v;
      }
    }
    return o === n ? out : null;
  }
  // FNV-1a over 32-bit words: the checksum of the packed pixels (whole or not).
  function checksum(words) {
    let x = 0x811c9dc5;
    for (let i = 0; i < words.length; i++) x = Math.imul(x ^ words[i], 0x01000193);
    return x >>> 0;
  }
  function storage() {
    try { return window.localStorage || null; } catch (err) { return null; }
  }

  // Reads the entry: magic, header length n, checksum of the packed pixels, their length
  // packed and unpacked, header (JSON, padded to 4 bytes), packed pixels (padded to 4
  // bytes). Null unless whole.
  function parseKept(bytes) {
    if (!bytes || bytes.byteLength < 20 || bytes.byteOffset % 4) return null;
    const buf = bytes.buffer;
    const dv = new DataView(buf, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(0) !== KEPT_MAGIC) return null;
    const n = dv.getUint32(4), packedLength = dv.getUint32(12), length = dv.getUint32(16);
    const padded = Math.ceil(packedLength / 4) * 4;
    if (n % 4 || 20 + n + padded !== bytes.byteLength || length > 4 * KEPT_BYTES) return null;
    const at = bytes.byteOffset + 20 + n;
    if (checksum(new Uint32Array(buf, at, padded / 4)) !== dv.getUint32(8)) return null;
    const pixels = unpack(new Uint8Array(buf, at, packedLength), length);
    if (!pixels) return null;
    const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, bytes.byteOffset + 20, n)));
    if (!head || typeof head.key !== 'string' || !Array.isArray(head.glyphs) || typeof head.faces !== 'object')
      return null;
    const glyphs = new Map();
    for (const g of head.glyphs) {
      if (!Array.isArray(g) || g.length !== 11) return null;
      const [px, weight, cp, w, h, x0, y0, adv, colored, hash, offset] = g;
      const len = w * h * (colored ? 4 : 1);
      const limit = Math.ceil(px * 4);
      if (!(px > 0) || !Number.isInteger(cp) || !Number.isInteger(w) || !Number.isInteger(h) || w < 0 || h < 0 ||
        w > limit || h > limit || !Number.isInteger(offset) || offset < 0 || offset + len > pixels.length ||
        ![x0, y0, adv].every(Number.isFinite) || typeof hash !== 'string' ||
        typeof head.faces[faceKey(px, weight)] !== 'string')
        return null;
      const data = pixels.subarray(offset, offset + len);
      glyphs.set(glyphKey(px, weight, cp), { px: px, weight: weight, cp: cp, w: w, h: h, x0: x0, y0: y0, adv: adv,
        colored: !!colored, hash: hash, data: data });
    }
    return { key: head.key, systemCJK: head.systemCJK === true ? true : head.systemCJK === false ? false : null,
      faces: head.faces, glyphs: glyphs };
  }

  // Reads the entry (synchronously: localStorage is in the page's memory once the app
  // has read its settings; IndexedDB and Cache Storage answered only after the first
  // frame while the page was busy loading, too late to be of use).
  function readKept() {
    if (!release || force) return;
    const t0 = performance.now();
    const ls = storage();
    let str = null;
    try { str = ls ? ls.getItem(KEPT_KEY) : null; } catch (err) { keptStats.state = 'unreadable'; }
    if (str) {
      try { keptRead = parseKept(fromBase64(str)); } catch (err) { keptRead = null; }
      keptStats.state = keptRead ? 'read' : 'damaged';
      keptStats.read = keptRead ? keptRead.glyphs.size : 0;
      if (!keptRead) drop();
    } else if (keptStats.state === 'off') {
      keptStats.state = 'none';
    }
    keptStats.readMs = performance.now() - t0;
  }
  function drop() {
    const ls = storage();
    try { if (ls) ls.removeItem(KEPT_KEY); } catch (err) { /* nothing kept then */ }
  }

  // The kept glyphs this page may use: null while the entry is read, or none fits.
  function keptGlyphs() {
    if (!keptDecided) {
      keptDecided = true;
      readKept();
      if (keptRead && keptRead.key === keptKey()) {
        keptMap = keptRead.glyphs;
        keptStats.state = 'used';
      } else if (keptRead) {
        keptStats.state = 'other';  // another release, pixel ratio, font stack, language or browser
      }
    }
    return keptMap;
  }

  // What this visit keeps: the glyphs it used, in the order it first used them.
  const keep = [];
  const keepIndex = new Set();
  let keepBytes = 0, keepDirty = false, keepTimer = 0, savePending = false;
  function remember(g, fresh) {
    const k = glyphKey(g.px, g.weight, g.cp);
    if (keepIndex.has(k) || !release || force) return;
    const bytes = g.data ? g.data.length : 0;
    if (keepBytes + bytes > KEPT_BYTES) return;
    keepIndex.add(k);
    keepBytes += bytes;
    keep.push(g);
    if (fresh) keepDirty = true;
  }
  // A glyph just drawn (RGBA, white when not coloured) as it is kept: alpha only unless coloured.
  function keptForm(px, weight, cp, r, isColored, h) {
    let data = null;
    if (r.data) {
      if (isColored) {
        data = new Uint8Array(r.data);
      } else {
        data = new Uint8Array(r.w * r.h);
        for (let i = 0, j = 3; i < data.length; i++, j += 4) data[i] = r.data[j];
      }
    }
    return { px: px, weight: weight, cp: cp, w: r.w, h: r.h, x0: r.x0, y0: r.y0, adv: r.adv, colored: isColored,
      hash: h, data: data };
  }
  // The first glyphs are kept at the first idle moment after they were drawn (the first
  // screen is up), those drawn later KEPT_DELAY ms after the last of them.
  function scheduleKeep() {
    if (!keepDirty || keepTimer) return;
    const idle = function () {
      if (typeof requestIdleCallback === 'function') requestIdleCallback(save, { timeout: 1000 });
      else setTimeout(save, 200);
    };
    if (keptStats.saves === 0 && !savePending) {
      savePending = true;
      idle();
      return;
    }
    keepTimer = setTimeout(function () {
      keepTimer = 0;
      idle();
    }, KEPT_DELAY);
  }
  // Writes the entry: this visit's glyphs first, then those kept before that it did not
  // use (another screen's), up to KEPT_BYTES.
  function save() {
    if (!keepDirty) {
      savePending = false;
      return;
    }
    keepDirty = false;
    const all = keep.slice();
    let bytes = keepBytes;
    if (keptMap) {
      for (const [k, g] of keptMap) {
        if (keepIndex.has(k)) continue;
        const b = g.data ? g.data.length : 0;
        if (bytes + b > KEPT_BYTES) continue;
        bytes += b;
        all.push(g);
      }
    }
    const faces = {};
    for (const [k, l] of lines) faces[k] = l.box;
    if (keptMap) for (const k in keptRead.faces) if (!(k in faces)) faces[k] = keptRead.faces[k];
    const glyphs = [];
    let offset = 0;
    const list = all.filter(function (g) { return typeof faces[faceKey(g.px, g.weight)] === 'string'; });
    for (const g of list) {
      glyphs.push([g.px, g.weight, g.cp, g.w, g.h, g.x0, g.y0, g.adv, g.colored ? 1 : 0, g.hash, offset]);
      offset += g.data ? g.data.length : 0;
    }
    const systemCJK = stats.systemCJK !== null ? stats.systemCJK : keptRead ? keptRead.systemCJK : null;
    let json = JSON.stringify({ key: keptKey(), systemCJK: systemCJK, faces: faces, glyphs: glyphs });
    json += '   '.slice(0, (4 - new TextEncoder().encode(json).length % 4) % 4);
    const head = new TextEncoder().encode(json);
    const pixels = new Uint8Array(offset);
    let at = 0;
    for (const g of list) if (g.data) { pixels.set(g.data, at); at += g.data.length; }
    const packed = pack(pixels);
    const out = new Uint8Array(20 + head.length + Math.ceil(packed.length / 4) * 4);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, KEPT_MAGIC);
    dv.setUint32(4, head.length);
    dv.setUint32(12, packed.length);
    dv.setUint32(16, pixels.length);
    out.set(head, 20);
    out.set(packed, 20 + head.length);
    dv.setUint32(8, checksum(new Uint32Array(out.buffer, 20 + head.length)));
    savePending = false;
    const ls = storage();
    try {
      if (!ls) return;
      ls.setItem(KEPT_KEY, toBase64(out));
    } catch (err) {
      drop();  // no room: the app's own entries (drafts) come first
      return;
    }
    keptStats.saves++;
    keptStats.savedGlyphs = list.length;
    keptStats.savedBytes = out.length;
  }

  // The kept glyphs were drawn with the fonts this device had then: once the first frame
  // is up, draw a kept glyph of each size again (an ideograph and another one) and
  // compare. A difference drops the entry; the app then draws every glyph again.
  function scheduleCheck() {
    if (checkScheduled) return;
    checkScheduled = true;
    const run = function () { setTimeout(check, 0); };
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
    else setTimeout(check, 500);
  }
  // How far a glyph drawn now is from the kept one: 0 the same pixels, 1 nothing in
  // common (the absolute difference of coverage over the ink of either, both placed at
  // their offsets, or a pixel apart if that is closer). Chromium on Linux may draw the
  // same outline a pixel or a fraction of one apart from one page to the next; another
  // font, or a glyph of another width, is far from it.
  const SAME_FONT = 0.2;  // measured: 0.13 between pages; a bold weight 0.34, another Latin face 0.26
  function difference(r, g) {
    if (hash(r) === g.hash && r.x0 === g.x0 && r.y0 === g.y0 && r.adv === g.adv) return 0;
    if (!r.data || !g.data || r.adv !== g.adv) return 1;
    const stride = g.colored ? 4 : 1, off = g.colored ? 3 : 0;
    let best = 1;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const rx0 = r.x0 + dx, ry0 = r.y0 + dy;
        const x0 = Math.min(rx0, g.x0), y0 = Math.min(ry0, g.y0);
        const x1 = Math.max(rx0 + r.w, g.x0 + g.w), y1 = Math.max(ry0 + r.h, g.y0 + g.h);
        let diff = 0, ink = 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const rx = x - rx0, ry = y - ry0, gx = x - g.x0, gy = y - g.y0;
            const p = rx >= 0 && ry >= 0 && rx < r.w && ry < r.h ? r.data[(ry * r.w + rx) * 4 + 3] : 0;
            const q = gx >= 0 && gy >= 0 && gx < g.w && gy < g.h ? g.data[(gy * g.w + gx) * stride + off] : 0;
            diff += Math.abs(p - q);
            ink += Math.max(p, q);
          }
        }
        if (ink > 0) best = Math.min(best, diff / ink);
      }
    }
    return best;
  }
  function check() {
    if (!keptMap) return;
    let ok = true;
    for (const [, face] of keptUsedFaces) {
      const px = face[0], weight = face[1], used = face[2];
      const inked = used.filter(function (g) { return g.data; });
      const probes = [inked.find(function (g) { return g.cp >= 0x2E80; }),
        inked.find(function (g) { return g.cp < 0x2E80; })].filter(Boolean);
      const l = line(px, weight);
      for (const g of probes) {
        const r = raster(String.fromCodePoint(g.cp), l.sys, l.baseline, px, 1 << 22);
        keptStats.checked++;
        const d = difference(r, g);
        keptStats.difference = Math.max(keptStats.difference, d);
        if (d > SAME_FONT) {
          ok = false;
          keptStats.reason = 'fonts changed: U+' + g.cp.toString(16).toUpperCase() + ' at ' + px + ' px ' + weight +
            ' [' + [hash(r), r.x0, r.y0, r.adv] + '] kept [' + [g.hash, g.x0, g.y0, g.adv] + '] differ by ' +
            d.toFixed(3);
        }
      }
    }
    if (ok) {
      keptStats.state = 'checked';
      return;
    }
    keptStats.state = 'stale';
    keptMap = null;
    keptUsedFaces.clear();
    keep.length = 0;
    keepIndex.clear();
    keepBytes = 0;
    seen.clear();
    stale = true;
    drop();
    if (api.onFontsChanged) api.onFontsChanged();
  }

  // Writes a kept glyph's pixels as RGBA into heap[at..] (white with coverage in alpha
  // unless coloured).
  function putKept(heap, at, g) {
    const d = g.data;
    if (!d) return;
    if (g.colored) {
      heap.set(d, at);
    } else if ((heap.byteOffset + at) % 4 === 0) {
      const px = new Uint32Array(heap.buffer, heap.byteOffset + at, d.length);
      for (let i = 0; i < d.length; i++) px[i] = ((d[i] << 24) | 0xFFFFFF) >>> 0;
    } else {
      for (let i = 0, j = at; i < d.length; i++, j += 4) {
        heap[j] = 255; heap[j + 1] = 255; heap[j + 2] = 255; heap[j + 3] = d[i];
      }
    }
  }

  const STRIP = 1024;  // width of the canvas a batch is drawn on

  const api = window.portalGlyphs = {
    onFontsChanged: null,

    // Draws n code points (u32[ci..]) at px device pixels and the weight. Their RGBA
    // pixels go one after another into heap[out..] (capacity bytes); 7 floats each into
    // f32[mi..]: width, height, x0, y0, advance, coloured, status (0 drawn, 1 later: a
    // font piece is on its way, 2 missing). Returns how many it drew (fewer when the
    // space ran out). Kept glyphs are copied; the others are all drawn on one canvas and
    // read back at once.
    drawMany: function (u32, ci, n, px, weight, heap, out, capacity, f32, mi) {
      const t0 = performance.now();
      const km = keptGlyphs();
      const limit = Math.ceil(px * 4);
      const items = [];
      let l = null;  // the line's font, measured only when something is drawn
      let used = 0, x = 0, y = 0, rowH = 0, fromKept = 0;
      for (let i = 0; i < n; i++) {
        const cp = u32[ci + i];
        const kg = km && km.get(glyphKey(px, weight, cp));
        if (kg) {
          const bytes = kg.w * kg.h * 4;
          if (used + bytes > capacity && items.length) break;
          items.push({ cp: cp, kept: kg });
          used += bytes;
          continue;
        }
        if (!l) {
          l = line(px, weight);
          context(8, 8);
          setFont(l.sys);
        }
        if (force && pieceOf(cp)) { items.push({ cp: cp, slow: true }); continue; }
        const m = g.measureText(String.fromCodePoint(cp));
        const left = Math.ceil(m.actualBoundingBoxLeft || 0);
        const right = Math.ceil(m.actualBoundingBoxRight || 0);
        const ascent = Math.ceil(m.actualBoundingBoxAscent || 0);
        const descent = Math.ceil(m.actualBoundingBoxDescent || 0);
        const adv = Math.round(m.width);
        if (left + right <= 0 || ascent + descent <= 0) {
          items.push({ cp: cp, w: 0, h: 0, adv: adv });
          continue;
        }
        const w = Math.min(left + right + 2 * PAD, limit, STRIP);
        const h = Math.min(ascent + descent + 2 * PAD, limit);
        if (used + w * h * 4 > capacity && items.length) break;
        if (x + w > STRIP) { x = 0; y += rowH + 1; rowH = 0; }
        items.push({ cp: cp, left: left, ascent: ascent, w: w, h: h, adv: adv, x: x, y: y });
        x += w + 1;
        rowH = Math.max(rowH, h);
        used += w * h * 4;
      }
      let data = null;
      const height = y + rowH;
      if (height > 0) {
        context(STRIP, height);
        setFont(l.sys);
        g.clearRect(0, 0, STRIP, height);
        for (const it of items)
          if (it.w) g.fillText(String.fromCodePoint(it.cp), it.x + PAD + it.left, it.y + PAD + it.ascent);
        data = g.getImageData(0, 0, STRIP, height).data;
      }
      let at = out;
      for (let k = 0; k < items.length; k++) {
        const it = items[k];
        const o = mi + k * 7;
        if (it.kept) {
          const kg = it.kept;
          putKept(heap, at, kg);
          at += kg.w * kg.h * 4;
          f32[o] = kg.w; f32[o + 1] = kg.h; f32[o + 2] = kg.x0; f32[o + 3] = kg.y0;
          f32[o + 4] = kg.adv; f32[o + 5] = kg.colored ? 1 : 0; f32[o + 6] = 0;
          seen.set(it.cp, { status: 'drawn', hash: kg.hash, box: keptRead.faces[faceKey(px, weight)],
            colored: kg.colored, w: kg.w, h: kg.h, adv: kg.adv, px: px, kept: true });
          const fk = faceKey(px, weight);
          if (!keptUsedFaces.has(fk)) keptUsedFaces.set(fk, [px, weight, []]);
          keptUsedFaces.get(fk)[2].push(kg);
          remember(kg, false);
          fromKept++;
          continue;
        }
        let r = null, status = 0, system = true;
        if (!it.slow) {
          r = it.w ? { w: it.w, h: it.h, x0: -it.left - PAD, y0: l.baseline - it.ascent - PAD, adv: it.adv,
            data: cut(data, STRIP, it.x, it.y, it.w, it.h) } : { w: 0, h: 0, x0: 0, y0: 0, adv: it.adv, data: null };
        }
        if (it.slow || tofu(it.cp, r, l.box)) {
          const one = drawOne(it.cp, px, l, Math.max(0, capacity - (at - out)));
          status = one.status;
          system = !!one.system;
          r = one.r || { w: 0, h: 0, x0: 0, y0: 0, adv: 0, data: null };
          if (r.w * r.h * 4 > capacity - (at - out)) r = { w: 0, h: 0, x0: 0, y0: 0, adv: r.adv, data: null };
        }
        let isColored = false;
        if (r.data) {
          const d = r.data;
          isColored = colored(d);
          if (!isColored) for (let i = 0; i < d.length; i += 4) { d[i] = 255; d[i + 1] = 255; d[i + 2] = 255; }
          heap.set(d, at);
          at += d.length;
        }
        f32[o] = r.w; f32[o + 1] = r.h; f32[o + 2] = r.x0; f32[o + 3] = r.y0;
        f32[o + 4] = r.adv; f32[o + 5] = isColored ? 1 : 0; f32[o + 6] = status;
        if (status !== 1) {
          const h = hash(r);
          seen.set(it.cp, { status: status === 2 ? 'missing' : 'drawn', hash: h, box: l.box,
            colored: isColored, w: r.w, h: r.h, adv: r.adv, px: px });
          if (status === 0 && system) remember(keptForm(px, weight, it.cp, r, isColored, h), true);
        }
      }
      const ms = performance.now() - t0;
      stats.glyphs += items.length;
      stats.batches++;
      stats.ms += ms;
      if (ms > stats.maxMs) stats.maxMs = ms;
      keptStats.used += fromKept;
      keptStats.fresh += items.length - fromKept;
      if (fromKept) scheduleCheck();
      scheduleKeep();
      return items.length;
    },

    // The code points kept for px and the weight, into u32[ci..] (at most max); returns
    // how many there are (more than max: ask again with room for them).
    kept: function (px, weight, u32, ci, max) {
      const km = keptGlyphs();
      if (!km) return 0;
      let count = 0;
      for (const [, g] of km) {
        if (g.px !== px || g.weight !== weight) continue;
        if (count < max) u32[ci + count] = g.cp;
        count++;
      }
      return count;
    },

    // True once when kept glyphs handed out turned out wrong (the device's fonts changed):
    // the app draws every glyph again.
    takeStale: function () {
      const s = stale;
      stale = false;
      return s;
    },

    takeFontsChanged: function () {
      const c = fontsChanged;
      fontsChanged = false;
      return c;
    },

    // What was drawn: counts, time per glyph, the pieces fetched, and for the code
    // points asked about, how each came out the last time it was drawn.
    report: function (text) {
      const out = {
        glyphs: stats.glyphs, batches: stats.batches, ms: stats.ms,
        msPerGlyph: stats.glyphs ? stats.ms / stats.glyphs : 0, maxBatchMs: stats.maxMs, missing: stats.missing, fallback: stats.fallback,
        piecesLoaded: stats.piecesLoaded.slice(), forced: force, chars: {},
        systemCJK: stats.systemCJK !== null ? stats.systemCJK : keptMap ? keptRead.systemCJK : null,
        kept: Object.assign({ pending: keepDirty || savePending }, keptStats),
      };
      if (text) for (const ch of text) out.chars[ch] = seen.get(ch.codePointAt(0)) || null;
      return out;
    },
  };
})();
