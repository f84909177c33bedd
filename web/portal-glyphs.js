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
 * Nothing here runs before the first frame asks for a glyph, and no font file is
 * fetched on a device that can draw every character shown.
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
    let r = null;
    if (!(force && p)) {
      r = raster(ch, l.sys, l.baseline, px, capacity);
      if (tofu(cp, r, l.box)) r = null;
    }
    if (!r && p) {
      const state = piece(p);
      if (state === 'loading') return { r: null, status: 1 };
      if (state === 'loaded') {
        r = raster(ch, l.fallback, l.baseline, px, capacity);
        stats.fallback++;
        if (tofu(cp, r, l.box)) r = null;
      }
    }
    if (!r) {
      // Nothing here can draw it: the device's own box, honestly.
      stats.missing++;
      return { r: raster(ch, l.sys, l.baseline, px, capacity), status: 2 };
    }
    return { r: r, status: 0 };
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

  const STRIP = 1024;  // width of the canvas a batch is drawn on

  const api = window.portalGlyphs = {
    onFontsChanged: null,

    // Draws n code points (u32[ci..]) at px device pixels and the weight. Their RGBA
    // pixels go one after another into heap[out..] (capacity bytes); 7 floats each into
    // f32[mi..]: width, height, x0, y0, advance, coloured, status (0 drawn, 1 later: a
    // font piece is on its way, 2 missing). Returns how many it drew (fewer when the
    // space ran out). All of them are drawn on one canvas and read back at once.
    drawMany: function (u32, ci, n, px, weight, heap, out, capacity, f32, mi) {
      const t0 = performance.now();
      const l = line(px, weight);
      const limit = Math.ceil(px * 4);
      const items = [];
      let used = 0, x = 0, y = 0, rowH = 0;
      context(8, 8);
      setFont(l.sys);
      for (let i = 0; i < n; i++) {
        const cp = u32[ci + i];
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
        let r = null, status = 0;
        if (!it.slow) {
          r = it.w ? { w: it.w, h: it.h, x0: -it.left - PAD, y0: l.baseline - it.ascent - PAD, adv: it.adv,
            data: cut(data, STRIP, it.x, it.y, it.w, it.h) } : { w: 0, h: 0, x0: 0, y0: 0, adv: it.adv, data: null };
        }
        if (it.slow || tofu(it.cp, r, l.box)) {
          const one = drawOne(it.cp, px, l, Math.max(0, capacity - (at - out)));
          status = one.status;
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
        const o = mi + k * 7;
        f32[o] = r.w; f32[o + 1] = r.h; f32[o + 2] = r.x0; f32[o + 3] = r.y0;
        f32[o + 4] = r.adv; f32[o + 5] = isColored ? 1 : 0; f32[o + 6] = status;
        if (status !== 1)
          seen.set(it.cp, { status: status === 2 ? 'missing' : 'drawn', hash: hash(r), box: l.box,
            colored: isColored, w: r.w, h: r.h, adv: r.adv, px: px });
      }
      const ms = performance.now() - t0;
      stats.glyphs += items.length;
      stats.batches++;
      stats.ms += ms;
      if (ms > stats.maxMs) stats.maxMs = ms;
      return items.length;
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
        piecesLoaded: stats.piecesLoaded.slice(), systemCJK: stats.systemCJK, forced: force, chars: {},
      };
      if (text) for (const ch of text) out.chars[ch] = seen.get(ch.codePointAt(0)) || null;
      return out;
    },
  };
})();
