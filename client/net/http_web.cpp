#include "net/http_web.hpp"

#include <emscripten.h>

#include "portal/core/json.hpp"

// clang-format off
EM_JS(void, portal_js_fetch, (int id, const char* method, const char* url, const char* headers,
                              const char* body, int body_len, int timeout_ms), {
  var init = { method: UTF8ToString(method), headers: JSON.parse(UTF8ToString(headers)),
               credentials: "same-origin", cache: "no-store" };
  if (body_len > 0) init.body = UTF8ToString(body, body_len);
  var ctrl = typeof AbortController !== "undefined" ? new AbortController() : null;
  if (ctrl) init.signal = ctrl.signal;
  var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, timeout_ms);
  var done = function (status, text, retryAfter) {
    clearTimeout(timer);
    var n = lengthBytesUTF8(text) + 1, p = _malloc(n);
    stringToUTF8(text, p, n);
    var rn = lengthBytesUTF8(retryAfter) + 1, rp = _malloc(rn);
    stringToUTF8(retryAfter, rp, rn);
    _portal_http_done(id, status, p, n - 1, rp);
    _free(p);
    _free(rp);
  };
  fetch(UTF8ToString(url), init).then(function (res) {
    return res.text().then(function (text) { done(res.status, text, res.headers.get("Retry-After") || ""); });
  }).catch(function () { done(0, "", ""); });
});
// clang-format on

namespace portal::client::net {

void WebHttp::send(Request request, std::function<void(Response)> done) {
  const int id = next_id_++;
  pending_.emplace(id, std::move(done));
  core::Json headers = core::Json::object();
  for (const auto& [name, value] : request.headers) headers[name] = value;
  const std::string h = headers.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  portal_js_fetch(id, request.method.c_str(), request.url.c_str(), h.c_str(), request.body.data(),
                  static_cast<int>(request.body.size()), request.timeout_ms);
}

void WebHttp::complete(int id, Response response) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  auto done = std::move(it->second);
  pending_.erase(it);
  done(std::move(response));
}

}  // namespace portal::client::net
