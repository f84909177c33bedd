#include "platform/web_services.hpp"

#include <emscripten.h>

#include <cstdlib>
#include <string>

// clang-format off
EM_JS(void, portal_js_copy, (const char* text), {
  if (window.portalBridge) portalBridge.copy(UTF8ToString(text));
});
EM_JS(void, portal_js_open_link, (const char* url), {
  const u = UTF8ToString(url);
  if (/^tel:[+0-9]+$/.test(u)) window.location.href = u;
});
EM_JS(void, portal_js_history, (int op, int n, const char* path, const char* screen), {
  if (window.portalBridge) portalBridge.history(op, n, UTF8ToString(path), UTF8ToString(screen));
});
// The page's path and fragment, then the history entry's depth and screen: one string,
// "path\ndepth\nscreen" (a path has no line breaks).
EM_JS(char*, portal_js_location, (), {
  var v = window.portalBridge ? portalBridge.where() : '/\n-1\n';
  var n = lengthBytesUTF8(v) + 1, p = _malloc(n);
  stringToUTF8(v, p, n);
  return p;
});
EM_JS(char*, portal_js_storage_get, (const char* key), {
  var v = null;
  try { v = window.localStorage.getItem(UTF8ToString(key)); } catch (e) {}
  if (v === null) return 0;
  var n = lengthBytesUTF8(v) + 1, p = _malloc(n);
  stringToUTF8(v, p, n);
  return p;
});
EM_JS(void, portal_js_storage_set, (const char* key, const char* value), {
  try { window.localStorage.setItem(UTF8ToString(key), UTF8ToString(value)); } catch (e) {}
});
EM_JS(void, portal_js_random, (unsigned char* out, int n), {
  crypto.getRandomValues(HEAPU8.subarray(out, out + n));
});
EM_JS(void, portal_js_set_lang, (const char* tag, const char* title), {
  document.documentElement.lang = UTF8ToString(tag);
  document.title = UTF8ToString(title);
});
EM_JS(char*, portal_js_session_get, (const char* key), {
  var v = null;
  try { v = window.sessionStorage.getItem(UTF8ToString(key)); } catch (e) {}
  if (v === null) return 0;
  var n = lengthBytesUTF8(v) + 1, p = _malloc(n);
  stringToUTF8(v, p, n);
  return p;
});
EM_JS(void, portal_js_session_set, (const char* key, const char* value), {
  try {
    var v = UTF8ToString(value);
    if (v) window.sessionStorage.setItem(UTF8ToString(key), v);
    else window.sessionStorage.removeItem(UTF8ToString(key));
  } catch (e) {}
});
EM_JS(void, portal_js_pick_photos, (int max, int first_slot, const char* token), {
  portalBridge.pickPhotos(max, first_slot, UTF8ToString(token));
});
EM_JS(void, portal_js_geolocate, (), { portalBridge.geolocate(); });
EM_JS(void, portal_js_stream, (const char* url), { portalBridge.stream(UTF8ToString(url)); });
EM_JS(int, portal_js_embedded, (), { return portalBridge.embedded ? 1 : 0; });
EM_JS(void, portal_js_post_to_host, (const char* json), {
  portalBridge.postToHost(UTF8ToString(json));
});
EM_JS(void, portal_js_download, (const char* name, const char* mime, const char* text), {
  portalBridge.download(UTF8ToString(name), UTF8ToString(mime), UTF8ToString(text));
});
// clang-format on

namespace portal::client {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

double WebServices::now_ms() {
  return emscripten_get_now();
}

void WebServices::open_link(std::string_view url) {
  portal_js_open_link(std::string(url).c_str());
}

void WebServices::copy_to_clipboard(std::string_view text) {
  portal_js_copy(std::string(text).c_str());
}

// 0 push, 1 replace, 2 back by n.
void WebServices::history_push(int depth, std::string_view path, std::string_view screen) {
  portal_js_history(0, depth, std::string(path).c_str(), std::string(screen).c_str());
}
void WebServices::history_replace(int depth, std::string_view path, std::string_view screen) {
  portal_js_history(1, depth, std::string(path).c_str(), std::string(screen).c_str());
}
void WebServices::history_back(int steps) {
  portal_js_history(2, steps, "", "");
}

PageLocation WebServices::location() {
  char* p = portal_js_location();
  const std::string all = p ? p : "";
  std::free(p);
  PageLocation at;
  const auto a = all.find('\n');
  const auto b = a == std::string::npos ? std::string::npos : all.find('\n', a + 1);
  if (b == std::string::npos) return at;
  at.path = all.substr(0, a);
  at.depth = std::atoi(all.substr(a + 1, b - a - 1).c_str());
  at.screen = all.substr(b + 1);
  return at;
}

std::string WebServices::load(std::string_view key) {
  char* p = portal_js_storage_get(std::string(key).c_str());
  if (!p) return {};
  std::string out(p);
  std::free(p);
  return out;
}

void WebServices::save(std::string_view key, std::string_view value) {
  portal_js_storage_set(std::string(key).c_str(), std::string(value).c_str());
}

std::string WebServices::random_token() {
  unsigned char bytes[16];
  portal_js_random(bytes, sizeof bytes);
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

void WebServices::set_document_language(std::string_view tag, std::string_view title) {
  portal_js_set_lang(std::string(tag).c_str(), std::string(title).c_str());
}

std::string WebServices::session_load(std::string_view key) {
  char* p = portal_js_session_get(std::string(key).c_str());
  if (!p) return {};
  std::string out(p);
  std::free(p);
  return out;
}

void WebServices::session_save(std::string_view key, std::string_view value) {
  portal_js_session_set(std::string(key).c_str(), std::string(value).c_str());
}

void WebServices::pick_photos(int max, int first_slot, std::string_view token) {
  portal_js_pick_photos(max, first_slot, std::string(token).c_str());
}

void WebServices::geolocate() {
  portal_js_geolocate();
}

void WebServices::stream(std::string_view url) {
  portal_js_stream(std::string(url).c_str());
}

bool WebServices::embedded() {
  return portal_js_embedded() != 0;
}

void WebServices::post_to_host(std::string_view json) {
  portal_js_post_to_host(std::string(json).c_str());
}

void WebServices::download(std::string_view filename, std::string_view mime,
                           std::string_view content) {
  portal_js_download(std::string(filename).c_str(), std::string(mime).c_str(),
                     std::string(content).c_str());
}

}  // namespace portal::client
