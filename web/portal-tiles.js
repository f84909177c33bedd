/*
 * 任诚办 — the basemap's tiles (serve --tiles) for the map of the canvas UI.
 *
 * Fetched by the Wasm app itself when the map first wants a tile
 * (client/platform/web_tiles.cpp), so a page without a basemap never loads it.
 * Each tile: fetch() from the tile server (cross-origin, no credentials, cancelled with
 * an AbortController when the map no longer wants it), decoded off the main thread
 * (createImageBitmap), uploaded into a WebGL texture (linear filtering, clamped to its
 * edge) registered in Emscripten's GL table so its name is a texture the app draws, and
 * the app is told (portal_tile_loaded / portal_tile_failed), which wakes it for a frame.
 * The app frees textures itself (glDeleteTextures). window.portalTiles.urls() lists the
 * last URLs asked for (for tests; window.portal.tiles() in web/portal-bridge.js).
 */
(function () {
  'use strict';

  const KEEP_URLS = 500;
  const inflight = new Map();  // request -> AbortController
  const urls = [];
  let hooks = null;            // {gl, register(texture) -> name, loaded(request, name), failed(request)}

  // The pixel-store state a texture upload reads, and what a tile needs of it.
  function unpackState(gl) {
    return [
      [gl.UNPACK_ALIGNMENT, 4], [gl.UNPACK_ROW_LENGTH, 0], [gl.UNPACK_SKIP_ROWS, 0],
      [gl.UNPACK_SKIP_PIXELS, 0], [gl.UNPACK_FLIP_Y_WEBGL, false],
      [gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false], [gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.BROWSER_DEFAULT_WEBGL],
    ];
  }

  // A texture of the image; its GL name, 0 when WebGL is gone.
  function upload(bitmap) {
    const gl = hooks.gl;
    if (!gl || gl.isContextLost()) return 0;
    const texture = gl.createTexture();
    if (!texture) return 0;
    // Leave the app's GL state as it was: the texture bound, the pixel store, an unpack
    // buffer (an image upload fails while one is bound).
    const bound = gl.getParameter(gl.TEXTURE_BINDING_2D);
    const buffer = gl.getParameter(gl.PIXEL_UNPACK_BUFFER_BINDING);
    const state = unpackState(gl);
    const saved = state.map(function (s) { return gl.getParameter(s[0]); });
    if (buffer) gl.bindBuffer(gl.PIXEL_UNPACK_BUFFER, null);
    state.forEach(function (s, i) { if (saved[i] !== s[1]) gl.pixelStorei(s[0], s[1]); });
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    const ok = gl.getError() === gl.NO_ERROR;
    gl.bindTexture(gl.TEXTURE_2D, bound);
    state.forEach(function (s, i) { if (saved[i] !== s[1]) gl.pixelStorei(s[0], saved[i]); });
    if (buffer) gl.bindBuffer(gl.PIXEL_UNPACK_BUFFER, buffer);
    if (!ok) {
      gl.deleteTexture(texture);
      return 0;
    }
    return hooks.register(texture);
  }

  function load(request, url) {
    urls.push(url);
    if (urls.length > KEEP_URLS) urls.splice(0, urls.length - KEEP_URLS);
    const abort = new AbortController();
    inflight.set(request, abort);
    fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer', signal: abort.signal })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.blob();
      })
      .then(function (blob) {
        return createImageBitmap(blob, { premultiplyAlpha: 'none' });
      })
      .then(function (bitmap) {
        if (inflight.get(request) !== abort) { bitmap.close(); return; }  // cancelled meanwhile
        inflight.delete(request);
        const name = upload(bitmap);
        bitmap.close();
        if (name) hooks.loaded(request, name);
        else hooks.failed(request);
      })
      .catch(function () {
        if (inflight.get(request) !== abort) return;  // cancelled: no answer is wanted
        inflight.delete(request);
        hooks.failed(request);
      });
  }

  window.portalTiles = {
    attached: false,
    attach: function (h) {
      hooks = h;
      this.attached = true;
    },
    load: load,
    cancel: function (request) {
      const abort = inflight.get(request);
      if (!abort) return;
      inflight.delete(request);
      abort.abort();
    },
    urls: function () { return urls.slice(); },
  };
})();
