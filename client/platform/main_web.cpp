// The browser entry point: WebGL2 context, the frame loop and the C functions the
// page's JavaScript (web/portal-bridge.js) calls with DOM events.
//
// Frames are drawn only when something changed: an input event, an answer from
// the server, a basemap tile that arrived, a running animation, or a timed change.
// Otherwise nothing runs.
//
// Index
//   [SECTION] Runtime and frame scheduling
//   [SECTION] Calls into the page (EM_JS)
//   [SECTION] Calls from the page (exported)
//   [SECTION] main
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "net/http_web.hpp"
#include "platform/web_glyphs.hpp"
#include "platform/web_offline.hpp"
#include "platform/web_services.hpp"
#include "platform/web_store.hpp"
#include "platform/web_tiles.hpp"
#include "ui/host.hpp"

// [SECTION] Calls into the page (EM_JS)
// clang-format off
EM_JS(void, portal_js_start, (), {
  portalBridge.start({
    call: function (name, ret, types, args) { return ccall(name, ret, types, args); },
    copyIn: function (bytes) { var p = _malloc(bytes.length); HEAPU8.set(bytes, p); return p; }
  });
});
EM_JS(void, portal_js_after_frame, (int frame, int want_text, int multiline, const char* mode,
                                    float x, float y, float h, const char* cursor, double ms, double ui_ms,
                                    int complete, float content_h), {
  portalBridge.afterFrame(frame, !!want_text, !!multiline, UTF8ToString(mode), x, y, h,
                          UTF8ToString(cursor), ms, ui_ms, !!complete, content_h);
});
EM_JS(void, portal_js_glyphs_added, (int glyphs, int drawn, double ms, int texture, int resets), {
  portalBridge.glyphsAdded(glyphs, drawn, ms, texture, resets);
});
EM_JS(void, portal_js_semantics, (const char* changes, double ms, int nodes), {
  portalSemantics.apply(UTF8ToString(changes), ms, nodes);
});
EM_JS(void, portal_js_focus, (const char* id), {
  portalSemantics.focus(UTF8ToString(id));
});
EM_JS(void, portal_js_mark, (const char* name), {
  portalBridge.mark(UTF8ToString(name));
});
EM_JS(void, portal_js_fatal, (const char* what), {
  portalBridge.fatal(UTF8ToString(what));
});
// clang-format on

namespace portal::client {

namespace {

// [SECTION] Runtime and frame scheduling
struct Runtime {
  net::WebHttp http;
  WebServices services;
  WebGlyphSource glyphs;
  // The basemap's tiles: at most 64 textures (64 MB of 512 px @2x tiles).
  WebTileLoader tile_loader;
  ui::TileCache tiles{&tile_loader, 64};
  App app{http, services};
  ui::Host host;
  bool frame_pending = false;
  int settle_frames = 0;  // frames still to draw after a change, so Dear ImGui settles
  int frame_count = 0;
  bool shell_kept = false;  // the service worker was registered (after the first screen)
  long wake_timer = 0;
  double wake_at = 0;
  std::string widgets_json, selection, tiles_json;
};

// The one instance behind the exported C functions.
Runtime* runtime = nullptr;

void request_frame(int settle);

EM_BOOL on_animation_frame(double now, void*) {
  Runtime& rt = *runtime;
  rt.frame_pending = false;

  // The frame's own cost: applying answers, building and drawing the UI, WebGL calls.
  const double started = emscripten_get_now();
  rt.app.begin_frame();
  const ui::FrameOutput out = rt.host.frame(rt.app, now);
  const double frame_ms = emscripten_get_now() - started;
  ++rt.frame_count;
  if (out.has_clipboard) rt.services.copy_to_clipboard(out.clipboard);
  if (!out.semantics.empty())
    portal_js_semantics(out.semantics.c_str(), out.semantics_ms, rt.host.semantics_stats().nodes);
  if (!out.focus.empty()) portal_js_focus(out.focus.c_str());
  if (out.glyphs_added) {
    const ui::GlyphStats& g = rt.host.glyph_stats();
    portal_js_glyphs_added(g.glyphs, g.drawn, g.draw_ms, g.texture_size, g.resets);
  }

  if (out.more_frames)
    rt.settle_frames = 2;
  else if (rt.settle_frames > 0)
    --rt.settle_frames;
  if (out.more_frames || rt.settle_frames > 0) request_frame(0);

  // A timed change (a notice that goes away) wakes the loop once, later.
  const double wake = rt.app.wake_at_ms();
  const double now_ms = rt.services.now_ms();
  if (wake > now_ms && wake != rt.wake_at) {
    if (rt.wake_timer) emscripten_clear_timeout(rt.wake_timer);
    rt.wake_at = wake;
    rt.wake_timer = emscripten_set_timeout(
        [](void*) {
          runtime->wake_timer = 0;
          request_frame(1);
        },
        wake - now_ms + 20, nullptr);
  }

  portal_js_after_frame(rt.frame_count, out.want_text_input, out.multiline, out.input_mode.c_str(),
                        out.caret_x, out.caret_y, out.caret_h, out.cursor, frame_ms, out.ui_ms,
                        out.complete, out.content_h);
  if (out.complete && !rt.shell_kept) {
    rt.shell_kept = true;
    register_shell_worker();
  }
  return EM_FALSE;
}

void request_frame(int settle) {
  if (!runtime) return;
  if (settle > runtime->settle_frames) runtime->settle_frames = settle;
  if (runtime->frame_pending) return;
  runtime->frame_pending = true;
  emscripten_request_animation_frame(on_animation_frame, nullptr);
}

void queue(ui::InputEvent e) {
  if (!runtime) return;
  runtime->host.queue(std::move(e));
  request_frame(2);
}

}  // namespace

}  // namespace portal::client

// [SECTION] Calls from the page (exported)
using portal::client::runtime;
using portal::client::ui::InputEvent;

extern "C" {

// kind: 0 move, 1 down, 2 up, 3 leave. Coordinates in CSS px relative to the canvas.
EMSCRIPTEN_KEEPALIVE void portal_pointer(int kind, float x, float y, int button, int touch,
                                         int mods) {
  InputEvent e;
  e.kind = kind == 1   ? InputEvent::Kind::pointer_down
           : kind == 2 ? InputEvent::Kind::pointer_up
           : kind == 3 ? InputEvent::Kind::pointer_leave
                       : InputEvent::Kind::pointer_move;
  e.x = x;
  e.y = y;
  e.button = button;
  e.touch = touch != 0;
  e.mods = mods;
  portal::client::queue(std::move(e));
}

// In lines; positive dy scrolls the page down.
EMSCRIPTEN_KEEPALIVE void portal_wheel(float dx, float dy) {
  InputEvent e;
  e.kind = InputEvent::Kind::wheel;
  e.dx = dx;
  e.dy = dy;
  portal::client::queue(std::move(e));
}

EMSCRIPTEN_KEEPALIVE void portal_key(const char* key, int mods) {
  InputEvent e;
  e.kind = InputEvent::Kind::key;
  e.key = key ? key : "";
  e.mods = mods;
  portal::client::queue(std::move(e));
}

EMSCRIPTEN_KEEPALIVE void portal_text(const char* text) {
  if (!text || !*text) return;
  InputEvent e;
  e.kind = InputEvent::Kind::text;
  e.text = text;
  portal::client::queue(std::move(e));
}

EMSCRIPTEN_KEEPALIVE void portal_composition(const char* text) {
  InputEvent e;
  e.kind = InputEvent::Kind::composition;
  e.text = text ? text : "";
  portal::client::queue(std::move(e));
}

EMSCRIPTEN_KEEPALIVE void portal_focus(int focused) {
  InputEvent e;
  e.kind = InputEvent::Kind::focus;
  e.down = focused != 0;
  portal::client::queue(std::move(e));
}

EMSCRIPTEN_KEEPALIVE void portal_resize(float css_width, float css_height, float dpr) {
  if (!runtime) return;
  runtime->host.set_viewport(css_width, css_height, dpr);
  portal::client::request_frame(2);
}

EMSCRIPTEN_KEEPALIVE void portal_http_done(int id, int status, const char* body, int size,
                                           const char* retry_after) {
  if (!runtime) return;
  portal::client::net::Response r;
  r.status = status;
  r.body.assign(body, static_cast<std::size_t>(size));
  r.retry_after = retry_after ? retry_after : "";
  runtime->http.complete(id, std::move(r));  // the app only queues it; the frame applies it
}

// The browser moved in its history (Back, Forward) to the entry of this depth, at this
// address ("" in an embedding frame), whose state names this screen.
EMSCRIPTEN_KEEPALIVE void portal_history(int depth, const char* path, const char* screen) {
  if (!runtime) return;
  runtime->app.on_history(depth, path ? path : "", screen ? screen : "");
  portal::client::request_frame(2);
}

EMSCRIPTEN_KEEPALIVE const char* portal_widgets_json() {
  if (!runtime) return "[]";
  runtime->widgets_json = runtime->host.widgets_json();
  return runtime->widgets_json.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* portal_selected_text() {
  if (!runtime) return "";
  runtime->selection = runtime->host.selected_text();
  return runtime->selection.c_str();
}

// Two fingers on the canvas: zoom by `scale` around (x, y).
EMSCRIPTEN_KEEPALIVE void portal_pinch(float x, float y, float scale, float dx, float dy) {
  InputEvent e;
  e.kind = InputEvent::Kind::pinch;
  e.x = x;
  e.y = y;
  e.dx = dx;
  e.dy = dy;
  e.scale = scale;
  portal::client::queue(std::move(e));
}

// A photo slot: state 0 uploading (progress 0..1), 1 uploaded (id, size), 2 failed, 4 kept
// on this device only; uid names its bytes there.
EMSCRIPTEN_KEEPALIVE void portal_photo(int slot, int state, double progress, const char* id,
                                       int width, int height, const char* uid) {
  if (!runtime) return;
  runtime->app.on_photo(slot, state, progress, id ? id : "", width, height, uid ? uid : "");
}

// An answer of the device's store (web/portal-store.js) to request `id`.
EMSCRIPTEN_KEEPALIVE void portal_store_answer(int id, const char* text, double a, double b) {
  portal::client::store_answer(id, text ? text : "", a, b);
  portal::client::request_frame(2);
}

// The outbox changed: the whole queue (a JSON array) or one report (an object).
EMSCRIPTEN_KEEPALIVE void portal_outbox(const char* json) {
  if (!runtime) return;
  runtime->app.on_outbox(json ? json : "");
}

EMSCRIPTEN_KEEPALIVE void portal_geolocation(int ok, double lat, double lng) {
  if (!runtime) return;
  runtime->app.on_geolocation(ok != 0, lat, lng);
}

// The data of one `event: ticket`; "" when the stream opened, "closed" when it closed.
EMSCRIPTEN_KEEPALIVE void portal_stream_event(const char* data) {
  if (!runtime) return;
  runtime->app.on_stream_event(data ? data : "");
}

// A message of the host page (embedding), as JSON text.
EMSCRIPTEN_KEEPALIVE void portal_host_message(const char* json) {
  if (!runtime) return;
  runtime->app.on_host_message(json ? json : "");
}

// The basemap's tile of this request is a texture now (web/portal-tiles.js), or could not
// be had; either way the map draws again (another load may start).
EMSCRIPTEN_KEEPALIVE void portal_tile_loaded(double request, int texture) {
  if (!runtime) return;
  if (runtime->tiles.loaded(static_cast<std::uint64_t>(request),
                            static_cast<std::uint32_t>(texture)))
    portal::client::request_frame(1);
}
EMSCRIPTEN_KEEPALIVE void portal_tile_failed(double request) {
  if (!runtime) return;
  runtime->tiles.failed(static_cast<std::uint64_t>(request));
  portal::client::request_frame(1);
}
// The tile cache's counts, as JSON (window.portal.tiles()).
EMSCRIPTEN_KEEPALIVE const char* portal_tiles_json() {
  if (!runtime) return "{}";
  const portal::client::ui::TileStats& s = runtime->tiles.stats();
  runtime->tiles_json =
      "{\"requested\":" + std::to_string(s.requested) + ",\"loaded\":" + std::to_string(s.loaded) +
      ",\"failed\":" + std::to_string(s.failed) + ",\"cancelled\":" + std::to_string(s.cancelled) +
      ",\"released\":" + std::to_string(s.released) +
      ",\"resident\":" + std::to_string(s.resident) + ",\"loading\":" + std::to_string(s.loading) +
      "}";
  return runtime->tiles_json.c_str();
}

// The browser's network state: 1 online, 0 offline (navigator.onLine and its events).
EMSCRIPTEN_KEEPALIVE void portal_online(int online) {
  if (!runtime) return;
  runtime->app.on_online(online != 0);
  portal::client::request_frame(2);
}

EMSCRIPTEN_KEEPALIVE void portal_wake() {
  portal::client::request_frame(2);
}

// Benchmarks: the list of my tickets filled with `rows` made-up rows, shown at once.
EMSCRIPTEN_KEEPALIVE void portal_bench_list(int rows) {
  if (!runtime) return;
  runtime->app.bench_fill_my_tickets(rows);
  portal::client::request_frame(2);
}

// The accessibility mirror (web/portal-semantics.js): its node for widget `id` got focus
// ("" when focus left the mirror), or was activated.
EMSCRIPTEN_KEEPALIVE void portal_semantic_focus(const char* id) {
  if (!runtime) return;
  runtime->host.semantic_focus(id ? id : "");
  portal::client::request_frame(1);
}
EMSCRIPTEN_KEEPALIVE void portal_semantic_activate(const char* id) {
  if (!runtime || !id) return;
  runtime->host.semantic_activate(id);
  portal::client::request_frame(2);
}

// 1 while a frame is scheduled (the app is still reacting to something), else 0.
EMSCRIPTEN_KEEPALIVE int portal_pending() {
  return runtime && runtime->frame_pending ? 1 : 0;
}

}  // extern "C"

// [SECTION] main
int main() {
  portal_js_mark("main-entry");
  // The page created this context already (web/portal-bridge.js): keep both in step.
  EmscriptenWebGLContextAttributes attrs;
  emscripten_webgl_init_context_attributes(&attrs);
  attrs.majorVersion = 2;
  attrs.minorVersion = 0;
  attrs.alpha = EM_FALSE;
  attrs.depth = EM_FALSE;
  attrs.stencil = EM_FALSE;
  attrs.antialias = EM_FALSE;
  attrs.preserveDrawingBuffer = EM_FALSE;
  // Dear ImGui needs no WebGL extension; turning every one on costs tens of ms at start.
  attrs.enableExtensionsByDefault = EM_FALSE;
  const EMSCRIPTEN_WEBGL_CONTEXT_HANDLE gl = emscripten_webgl_create_context("#canvas", &attrs);
  if (gl <= 0) {
    portal_js_fatal("webgl2");
    return 1;
  }
  emscripten_webgl_make_context_current(gl);
  portal_js_mark("webgl");

  runtime = new portal::client::Runtime();
  if (!runtime->host.init(&runtime->glyphs)) {
    portal_js_fatal("renderer");
    return 1;
  }
  runtime->host.set_tiles(&runtime->tiles);
  runtime->app.set_wake([] { portal::client::request_frame(2); });
  if (portal::client::WebDeviceStore::available())
    runtime->app.set_device_store(std::make_unique<portal::client::WebDeviceStore>());
  runtime->app.start();
  portal::client::watch_network();
  if (portal::client::WebDeviceStore::available()) portal::client::watch_outbox();
  portal_js_start();
  return 0;
}
