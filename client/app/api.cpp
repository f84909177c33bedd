#include "app/api.hpp"

#include "portal/core/json.hpp"

namespace portal::client {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// Parses a successful answer into T, or maps the failure.
template <class T>
core::Result<T> read_answer(const net::Response& r) {
  if (!is_success(r.status)) return Api::error_from(r);
  auto json = core::parse_json(r.body);
  if (!json.ok() || !json->is_object())
    return core::Error{"bad_answer", "the server's answer is not a JSON object", {}, 502};
  T value{};
  from_json(*json, value);
  return value;
}

}  // namespace

core::Error Api::error_from(const net::Response& r) {
  if (r.status == 0) return core::Error{"network", "no answer from the server", {}, 0};
  core::Error e{"http_" + std::to_string(r.status), "request failed", {}, r.status};
  auto json = core::parse_json(r.body);
  if (json.ok() && json->is_object()) {
    auto it = json->find("error");
    if (it != json->end() && it->is_object()) {
      auto str = [&](const char* key) {
        auto f = it->find(key);
        return f != it->end() && f->is_string() ? f->get<std::string>() : std::string();
      };
      if (auto code = str("code"); !code.empty()) e.code = code;
      e.message = str("message");
      e.field = str("field");
    }
  }
  return e;
}

void Api::categories(Done<std::vector<core::Category>> done) {
  net::Request req;
  req.url = base_ + "/api/v1/categories";
  req.headers = {{"Accept", "application/json"}};
  http_.send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || !json->is_array())
      return done(core::Error{"bad_answer", "categories are not a JSON array", {}, 502});
    std::vector<core::Category> out;
    for (const auto& item : *json) {
      if (!item.is_object()) continue;
      core::Category c;
      from_json(item, c);
      if (!c.code.empty()) out.push_back(std::move(c));
    }
    done(std::move(out));
  });
}

void Api::submit(const core::TicketDraft& draft, const std::string& idempotency_key,
                 Done<core::TicketReceipt> done) {
  net::Request req;
  req.method = "POST";
  req.url = base_ + "/api/v1/tickets";
  req.headers = {{"Content-Type", "application/json"},
                 {"Accept", "application/json"},
                 {"Idempotency-Key", idempotency_key}};
  core::Json body = draft;
  req.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  http_.send(std::move(req), [done = std::move(done)](net::Response r) {
    done(read_answer<core::TicketReceipt>(r));
  });
}

void Api::ticket(const std::string& number, const std::string& access_code,
                 Done<core::TicketView> done) {
  net::Request req;
  req.url = base_ + "/api/v1/tickets/" + url_encode(number);
  req.headers = {{"Accept", "application/json"}};
  if (!access_code.empty()) req.headers.emplace_back("X-Access-Code", access_code);
  http_.send(std::move(req),
             [done = std::move(done)](net::Response r) { done(read_answer<core::TicketView>(r)); });
}

}  // namespace portal::client
