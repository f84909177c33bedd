/*
 * 任诚办 — the first script of the page, right after the canvas: it starts at once what
 * takes longest, beside the download and parsing of the other scripts:
 *   - portal.wasm compiles (streaming, on the browser's own threads, taking up the
 *     preloaded download),
 *   - portal.js loads (async),
 *   - the WebGL2 context is created on the canvas, sized first (it blocks the page for
 *     50-400 ms under software GL; resizing a WebGL canvas reallocates its buffer).
 *     main() asks for a webgl2 context on the same canvas and gets this one, so the
 *     attributes must be those it asks for (client/platform/main_web.cpp).
 * web/portal-bridge.js takes them over through window.portalBoot: it boots the app once
 * both portal.js and the bridge are there, and reports a failed download.
 */
(function () {
  'use strict';

  function mark(name) {
    if (window.performance && performance.mark) performance.mark('portal:' + name);
  }
  mark('boot');

  // The app's files by their addresses in the page's preload links: versioned by the
  // build ("/portal.wasm?v=HASH"), so that the page gets the files of its own release.
  function asset(name) {
    const link = document.querySelector('link[rel="preload"][href^="/' + name + '"]');
    const href = link ? link.getAttribute('href') : '';
    return href.split('?')[0] === '/' + name ? href : '/' + name;
  }

  // The canvas's drawing buffer at the CSS size times the pixel ratio; [w, h, dpr].
  function sizeCanvas(canvas) {
    const r = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, r.width), h = Math.max(1, r.height);
    const bw = Math.round(w * dpr), bh = Math.round(h * dpr);
    if (canvas.width !== bw) canvas.width = bw;
    if (canvas.height !== bh) canvas.height = bh;
    return [w, h, dpr];
  }

  const boot = window.portalBoot = {
    asset: asset,
    sizeCanvas: sizeCanvas,
    wasm: null,           // the compiled module (a promise)
    script: 'loading',    // portal.js: 'loading', 'loaded' or 'failed'
    onScript: null,       // the bridge's: called when portal.js loaded or failed
  };

  const wasmUrl = asset('portal.wasm');
  boot.wasm = typeof WebAssembly !== 'object' ? Promise.reject(new Error('no WebAssembly'))
    : typeof WebAssembly.compileStreaming === 'function'
      ? WebAssembly.compileStreaming(fetch(wasmUrl, { credentials: 'same-origin' }))
      : fetch(wasmUrl, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.arrayBuffer();
      }).then(function (bytes) { return WebAssembly.compile(bytes); });
  boot.wasm.catch(function () { /* reported when portal.js instantiates it */ });

  // No inline handlers: the server's CSP forbids them.
  const script = document.createElement('script');
  script.src = asset('portal.js');
  script.async = true;
  const settled = function (state) {
    boot.script = state;
    if (boot.onScript) boot.onScript();
  };
  script.onload = function () { settled('loaded'); };
  script.onerror = function () { settled('failed'); };
  document.head.appendChild(script);

  const canvas = document.getElementById('canvas');
  try {
    sizeCanvas(canvas);
    canvas.getContext('webgl2', {
      alpha: false, depth: false, stencil: false, antialias: false, premultipliedAlpha: true,
      preserveDrawingBuffer: false, powerPreference: 'default', failIfMajorPerformanceCaveat: false,
    });
    mark('webgl-early');
  } catch (err) { /* main() reports the missing WebGL2 */ }
})();
