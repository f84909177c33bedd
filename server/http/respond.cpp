#include "server/http/respond.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include "server/service/idempotency.hpp"

namespace portal::server::http {

void send_json(httplib::Response& res, int status, const core::Json& body) {
  res.status = status;
  // Replace invalid UTF-8 rather than throw: stored text is validated, this is a last guard.
  res.set_content(body.dump(-1, ' ', false, core::Json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void send_json_text(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);
  res.set_header("Content-Type", "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, const core::Error& e) {
  send_json(res, e.status, core::error_body(e));
}

core::Result<core::Json> read_json_body(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  const std::string mime = type.substr(0, type.find(';'));
  if (mime != "application/json")
    return core::Error{"unsupported_media_type", "Content-Type must be application/json",
                       "Content-Type", 415};
  if (req.body.size() > kMaxJsonBody)
    return core::Error{"payload_too_large", "JSON body larger than 64 KiB", {}, 413};
  return core::parse_json(req.body);
}

core::Result<Actor> actor_of(const httplib::Request& req, Services& services) {
  if (!req.has_header("Authorization")) return Actor{};
  const std::string h = req.get_header_value("Authorization");
  static constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.compare(0, kBearer.size(), kBearer) != 0)
    return core::Error{"unauthorized", "use Authorization: Bearer <token>", "Authorization", 401};
  return services.auth.authenticate(h.substr(kBearer.size()));
}

core::Result<Actor> signed_in_actor(const httplib::Request& req, Services& services) {
  auto a = actor_of(req, services);
  if (a && !a->signed_in()) return core::Error{"unauthorized", "sign in first", {}, 401};
  return a;
}

std::optional<std::string> access_code_of(const httplib::Request& req) {
  if (!req.has_header("X-Access-Code")) return std::nullopt;
  return req.get_header_value("X-Access-Code");
}

core::Result<std::optional<std::string>> idempotency_key_of(const httplib::Request& req) {
  if (!req.has_header("Idempotency-Key")) return std::optional<std::string>();
  std::string key = req.get_header_value("Idempotency-Key");
  if (auto ok = check_idempotency_key(key); !ok) return ok.error();
  return std::optional<std::string>(std::move(key));
}

void once_per_key(const httplib::Request& req, httplib::Response& res, Services& services,
                  const Actor& actor, const std::function<void()>& handle) {
  auto key = idempotency_key_of(req);
  if (!key) return send_error(res, key.error());
  if (!*key || !services.idempotency) return handle();
  auto& keys = *services.idempotency;
  auto claim = keys.claim(idempotency_scope(actor.user_id, access_code_of(req)), **key,
                          request_fingerprint(req.method, req.path, req.body));
  if (!claim) return send_error(res, claim.error());
  if (claim->replay) return send_json_text(res, claim->replay->status, claim->replay->body);
  // Given up unless answered with a success, also when `handle` throws.
  struct Settle {
    IdempotencyService& keys;
    const IdempotencyService::Claim& claim;
    httplib::Response& res;
    bool ran = false;
    ~Settle() {
      if (ran && res.status >= 200 && res.status < 300)
        keys.finish(claim, res.status, res.body);
      else
        keys.release(claim);
    }
  } settle{keys, *claim, res};
  handle();
  settle.ran = true;
}

namespace {
std::optional<int> small_int(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}
}  // namespace

core::Result<std::pair<int, int>> paging(const httplib::Request& req) {
  int page = 1, size = 50;
  if (req.has_param("page")) {
    auto v = small_int(req.get_param_value("page"));
    if (!v || *v < 1) return core::Error::invalid("page", "out_of_range", "must be 1 or more");
    page = *v;
  }
  if (req.has_param("page_size")) {
    auto v = small_int(req.get_param_value("page_size"));
    if (!v || *v < 1 || *v > 200)
      return core::Error::invalid("page_size", "out_of_range", "must be 1 to 200");
    size = *v;
  }
  return std::pair{page, size};
}

namespace {
std::vector<std::string>& trusted_proxies() {
  static std::vector<std::string> addresses;  // set once at start, before serving
  return addresses;
}
}  // namespace

void set_trusted_proxies(std::vector<std::string> addresses) {
  trusted_proxies() = std::move(addresses);
}

bool is_trusted_proxy(const std::string& socket_address) {
  const auto& trusted = trusted_proxies();
  return std::find(trusted.begin(), trusted.end(), socket_address) != trusted.end();
}

std::string client_address(const httplib::Request& req) {
  if (!is_trusted_proxy(req.remote_addr)) return req.remote_addr;
  std::string xff = req.get_header_value("X-Forwarded-For");
  const auto comma = xff.rfind(',');
  std::string last = comma == std::string::npos ? xff : xff.substr(comma + 1);
  const auto b = last.find_first_not_of(' ');
  const auto e = last.find_last_not_of(' ');
  if (b == std::string::npos || e - b + 1 > 64) return req.remote_addr;
  return last.substr(b, e - b + 1);
}

std::string address_key(std::string_view address) {
  std::string text(address.substr(0, address.find('%')));  // without an IPv6 zone
  in6_addr v6{};
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), &v6) != 1)
    return std::string(address);
  char out[INET6_ADDRSTRLEN] = {0};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    inet_ntop(AF_INET, &v6.s6_addr[12], out, sizeof out);
    return out;
  }
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), std::uint8_t{0});
  inet_ntop(AF_INET6, &v6, out, sizeof out);
  return std::string(out) + "/64";
}

std::string client_key(const httplib::Request& req) {
  return address_key(client_address(req));
}

namespace {
bool refuse_when_empty(const RateLimiter::Decision& d, httplib::Response& res) {
  if (d.allowed) return false;
  res.set_header("Retry-After", std::to_string(d.retry_after_seconds));
  send_error(res, {"rate_limited", "too many requests; try again later", {}, 429});
  return true;
}
}  // namespace

bool rate_limited(RateLimiter& limiter, const httplib::Request& req, httplib::Response& res) {
  return refuse_when_empty(limiter.take(client_key(req)), res);
}

bool rate_limited(RateLimiter& limiter, const std::string& key, httplib::Response& res) {
  return refuse_when_empty(limiter.take(key), res);
}

CountedAttempt::CountedAttempt(RateLimiter& limiter, std::string key, httplib::Response& res)
    : key_(std::move(key)) {
  refused_ = refuse_when_empty(limiter.take(key_), res);
  if (!refused_) limiter_ = &limiter;
}

CountedAttempt::CountedAttempt(CountedAttempt&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)),
      key_(std::move(other.key_)),
      refused_(other.refused_) {}

CountedAttempt::~CountedAttempt() {
  if (limiter_) limiter_->give_back(key_);
}

CountedAttempt access_code_attempt(Services& services, const httplib::Request& req,
                                   httplib::Response& res) {
  if (!services.limits) return CountedAttempt();
  return CountedAttempt(services.limits->access_code, client_key(req), res);
}

CountedAttempt x_access_code_attempt(Services& services, const httplib::Request& req,
                                     httplib::Response& res) {
  if (!req.has_header("X-Access-Code")) return CountedAttempt();
  return access_code_attempt(services, req, res);
}

void send_error(httplib::Response& res, const core::Error& e, CountedAttempt& guess) {
  if (e.status == 404) guess.fail();
  send_error(res, e);
}

std::string new_request_id() {
  unsigned char b[8];
  randombytes_buf(b, sizeof b);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

std::string request_id(const httplib::Response& res) {
  return res.get_header_value("X-Request-Id");
}

}  // namespace portal::server::http
