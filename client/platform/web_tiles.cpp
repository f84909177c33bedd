#include "platform/web_tiles.hpp"

#include <GLES3/gl3.h>
#include <emscripten.h>

#include <string>

// Request ids travel as doubles (exact up to 2^53). The first load fetches
// web/portal-tiles.js and hands it the WebGL context and a way to register textures in
// Emscripten's GL object table, so that a texture's GL name is an ImTextureID; loads
// asked for meanwhile wait for it.
// clang-format off
EM_JS(void, portal_js_tile_load, (double request, const char* url), {
  var u = UTF8ToString(url);
  var t = window.portalTiles;
  if (t && t.attached) { t.load(request, u); return; }
  if (!Module.portalTileQueue) {
    var q = Module.portalTileQueue = [];
    var fail = function () {
      Module.portalTileQueue = null;
      q.forEach(function (it) { if (!it[2]) _portal_tile_failed(it[0]); });
    };
    var s = document.createElement('script');
    s.src = '/portal-tiles.js';
    s.async = true;
    s.onerror = fail;
    s.onload = function () {
      var tiles = window.portalTiles;
      if (!tiles) return fail();
      tiles.attach({
        gl: GLctx,
        register: function (texture) {
          var id = GL.getNewId(GL.textures);
          texture.name = id;
          GL.textures[id] = texture;
          return id;
        },
        loaded: function (r, id) { _portal_tile_loaded(r, id); },
        failed: function (r) { _portal_tile_failed(r); }
      });
      Module.portalTileQueue = null;
      q.forEach(function (it) { if (!it[2]) tiles.load(it[0], it[1]); });
    };
    document.head.appendChild(s);
  }
  Module.portalTileQueue.push([request, u, false]);
});
EM_JS(void, portal_js_tile_cancel, (double request), {
  var t = window.portalTiles;
  if (t && t.attached) t.cancel(request);
  var q = Module.portalTileQueue;
  if (q) q.forEach(function (it) { if (it[0] === request) it[2] = true; });
});
// clang-format on

namespace portal::client {

void WebTileLoader::load(std::uint64_t request, std::string_view url) {
  const std::string u(url);
  portal_js_tile_load(static_cast<double>(request), u.c_str());
}

void WebTileLoader::cancel(std::uint64_t request) {
  portal_js_tile_cancel(static_cast<double>(request));
}

void WebTileLoader::release(std::uint32_t texture) {
  const GLuint name = texture;
  glDeleteTextures(1, &name);
}

}  // namespace portal::client
