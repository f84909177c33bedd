#include "app/api.hpp"

#include <cstdio>

#include "portal/core/json.hpp"

namespace portal::client {

namespace {
constexpr char kHex[] = "0123456789ABCDEF";
}  // namespace

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

namespace {

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
  req.url = "/api/v1/categories";
  req.headers = {{"Accept", "application/json"}};
  send(std::move(req), [done = std::move(done)](net::Response r) {
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

void Api::submit(const core::Json& body, const std::string& idempotency_key,
                 Done<core::TicketReceipt> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/tickets";
  req.headers = {{"Content-Type", "application/json"},
                 {"Accept", "application/json"},
                 {"Idempotency-Key", idempotency_key}};
  req.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req),
       [done = std::move(done)](net::Response r) { done(read_answer<core::TicketReceipt>(r)); });
}

// [SECTION] Reading the answers of the calls below
namespace {

std::string str(const core::Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double num(const core::Json& j, const char* key, double fallback = 0) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
const core::Json& sub(const core::Json& j, const char* key) {
  static const core::Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

User user_of(const core::Json& j) {
  User u;
  u.id = str(j, "id");
  u.name = str(j, "name");
  u.role = str(j, "role");
  u.unit_id = str(j, "unit_id");
  return u;
}

core::Result<Session> session_of(const net::Response& r) {
  if (!is_success(r.status)) return Api::error_from(r);
  auto json = core::parse_json(r.body);
  if (!json.ok() || !json->is_object() || str(*json, "token").empty())
    return core::Error{"bad_answer", "no token in the answer", {}, 502};
  Session s;
  s.token = str(*json, "token");
  s.expires_at = str(*json, "expires_at");
  s.user = user_of(sub(*json, "user"));
  return s;
}

core::Result<TicketDetail> detail_of(const net::Response& r) {
  if (!is_success(r.status)) return Api::error_from(r);
  auto json = core::parse_json(r.body);
  if (!json.ok() || !json->is_object())
    return core::Error{"bad_answer", "the server's answer is not a JSON object", {}, 502};
  TicketDetail d;
  from_json(*json, d.view);
  for (const auto& w : sub(*json, "whistles")) {
    if (!w.is_object()) continue;
    d.whistles.push_back({str(w, "unit_name"), str(w, "status"), str(w, "summoned_at"),
                          str(w, "checked_in_at"), str(w, "done_at"), str(w, "id"),
                          str(w, "unit_id")});
  }
  for (const auto& a : sub(*json, "attachments")) {
    if (!a.is_object()) continue;
    d.photos.push_back(
        {str(a, "id"), static_cast<int>(num(a, "width")), static_cast<int>(num(a, "height"))});
  }
  const core::Json& rating = sub(*json, "rating");
  if (rating.is_object()) {
    Rating x;
    auto res = rating.find("resolved");
    x.resolved = res != rating.end() && res->is_boolean() && res->get<bool>();
    x.satisfaction = static_cast<int>(num(rating, "satisfaction"));
    x.comment = str(rating, "comment");
    x.rated_at = str(rating, "rated_at");
    d.rating = x;
  }
  d.followers = static_cast<int>(num(*json, "followers"));
  if (const core::Json& f = sub(*json, "following"); f.is_boolean()) d.following = f.get<bool>();
  return d;
}

// The items of {"items": [...]} (or a bare array) mapped by fn.
template <class T, class Fn>
core::Result<std::vector<T>> items_of(const net::Response& r, Fn fn) {
  if (!is_success(r.status)) return Api::error_from(r);
  auto json = core::parse_json(r.body);
  if (!json.ok()) return core::Error{"bad_answer", "the answer is not JSON", {}, 502};
  const core::Json& list = json->is_array() ? *json : sub(*json, "items");
  std::vector<T> out;
  if (!list.is_array()) return out;
  for (const auto& item : list)
    if (item.is_object()) out.push_back(fn(item));
  return out;
}

}  // namespace

// [SECTION] Accounts, tickets, map, units, stream

void Api::send(net::Request req, std::function<void(net::Response)> done) {
  if (req.url.rfind("http", 0) != 0) req.url = base_ + req.url;
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  bool typed = false;
  for (const auto& h : req.headers) typed = typed || h.first == "Content-Type";
  if ((req.method == "POST" || req.method == "PUT") && !req.body.empty() && !typed)
    req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", "application/json");
  http_.send(std::move(req), std::move(done));
}

void Api::ticket(const std::string& number, const std::string& access_code,
                 Done<TicketDetail> done) {
  net::Request req;
  req.url = "/api/v1/tickets/" + url_encode(number);
  if (!access_code.empty()) req.headers.emplace_back("X-Access-Code", access_code);
  send(std::move(req), [done = std::move(done)](net::Response r) { done(detail_of(r)); });
}

void Api::login(const std::string& login, const std::string& password, Done<Session> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/auth/login";
  req.body = core::Json{{"login", login}, {"password", password}}.dump(
      -1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req), [done = std::move(done)](net::Response r) { done(session_of(r)); });
}

void Api::register_account(const std::string& phone, const std::string& password,
                           const std::string& name, Done<Session> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/auth/register";
  req.body = core::Json{{"phone", phone}, {"password", password}, {"name", name}}.dump(
      -1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req), [done = std::move(done)](net::Response r) { done(session_of(r)); });
}

void Api::logout() {
  if (token_.empty()) return;
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/auth/logout";
  send(std::move(req), [](net::Response) {});
}

void Api::me(Done<User> done) {
  net::Request req;
  req.url = "/api/v1/me";
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || !json->is_object())
      return done(core::Error{"bad_answer", "not an object", {}, 502});
    done(user_of(*json));
  });
}

namespace {
TicketSummary summary_of(const core::Json& j) {
  TicketSummary t;
  t.number = str(j, "number");
  t.status = str(j, "status");
  t.level = str(j, "level");
  t.category = str(j, "category");
  t.description = str(j, "description");
  t.created_at = str(j, "created_at");
  t.updated_at = str(j, "updated_at");
  t.response_due_at = str(j, "response_due_at");
  t.resolve_due_at = str(j, "resolve_due_at");
  t.handler = str(sub(j, "assignee"), "name");
  t.grid_id = str(j, "grid_id");
  auto o = j.find("overdue");
  t.overdue = o != j.end() && o->is_boolean() && o->get<bool>();
  t.followers = static_cast<int>(num(j, "followers"));
  return t;
}
}  // namespace

void Api::my_tickets(Done<std::vector<TicketSummary>> done) {
  net::Request req;
  req.url = "/api/v1/tickets?scope=mine&page_size=200";
  send(std::move(req),
       [done = std::move(done)](net::Response r) { done(items_of<TicketSummary>(r, summary_of)); });
}

void Api::followed_tickets(Done<std::vector<TicketSummary>> done) {
  net::Request req;
  req.url = "/api/v1/tickets?scope=followed&page_size=200";
  send(std::move(req),
       [done = std::move(done)](net::Response r) { done(items_of<TicketSummary>(r, summary_of)); });
}

void Api::nearby(double lat, double lng, const std::string& category,
                 Done<std::vector<NearbyTicket>> done) {
  net::Request req;
  char q[96];
  std::snprintf(q, sizeof q, "/api/v1/tickets/nearby?lat=%.6f&lng=%.6f&category=", lat, lng);
  req.url = q + url_encode(category);
  send(std::move(req), [done = std::move(done)](net::Response r) {
    done(items_of<NearbyTicket>(r, [](const core::Json& j) {
      NearbyTicket t;
      t.number = str(j, "number");
      t.status = str(j, "status");
      t.category = str(j, "category");
      t.summary = str(j, "summary");
      t.created_at = str(j, "created_at");
      t.distance_m = num(j, "distance_m");
      t.followers = static_cast<int>(num(j, "followers"));
      return t;
    }));
  });
}

void Api::follow(const std::string& number, bool on, Done<int> done) {
  net::Request req;
  req.method = on ? "POST" : "DELETE";
  req.url = "/api/v1/tickets/" + url_encode(number) + "/follow";
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    done(json.ok() && json->is_object() && sub(*json, "followers").is_number()
             ? static_cast<int>(num(*json, "followers"))
             : -1);
  });
}

void Api::suggest(const std::string& description,
                  const std::optional<std::pair<double, double>>& at,
                  Done<std::vector<Suggestion>> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/suggest";
  core::Json body{{"description", description}};
  if (at) {
    body["lat"] = at->first;
    body["lng"] = at->second;
  }
  req.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || !json->is_object())
      return done(core::Error{"bad_answer", "not an object", {}, 502});
    std::vector<Suggestion> out;
    for (const auto& c : sub(*json, "categories")) {
      if (!c.is_object() || str(c, "code").empty()) continue;
      out.push_back({str(c, "code"), str(c, "name"), num(c, "score")});
    }
    done(std::move(out));
  });
}

void Api::queue(Done<std::vector<TicketSummary>> done) {
  net::Request req;
  req.url = "/api/v1/tickets?scope=queue&page_size=200";
  send(std::move(req),
       [done = std::move(done)](net::Response r) { done(items_of<TicketSummary>(r, summary_of)); });
}

void Api::tickets_at(const std::string& url, Done<std::vector<TicketSummary>> done) {
  net::Request req;
  req.url = url;
  send(std::move(req),
       [done = std::move(done)](net::Response r) { done(items_of<TicketSummary>(r, summary_of)); });
}

void Api::act(const std::string& number, const core::Json& body, Done<TicketDetail> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/tickets/" + url_encode(number) + "/actions";
  req.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req), [done = std::move(done)](net::Response r) { done(detail_of(r)); });
}

void Api::hotline_import(const std::string& body, bool csv, Done<core::Json> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/hotline/import";
  req.body = body;
  req.headers.emplace_back("Content-Type", csv ? "text/csv" : "application/json");
  send(std::move(req), [done = std::move(done)](net::Response r) {
    // A batch with bad rows is refused whole (422) with the problem of each row.
    auto json = core::parse_json(r.body);
    const bool rows = r.status == 422 && json.ok() && json->is_object() &&
                      json->contains("errors") && (*json)["errors"].is_array();
    if (!is_success(r.status) && !rows) return done(error_from(r));
    if (!json.ok() || !json->is_object())
      return done(core::Error{"bad_answer", "not an object", {}, 502});
    done(std::move(*json));
  });
}

void Api::events(const std::string& number, const std::string& access_code,
                 Done<std::vector<TicketEvent>> done) {
  net::Request req;
  req.url = "/api/v1/tickets/" + url_encode(number) + "/events";
  if (!access_code.empty()) req.headers.emplace_back("X-Access-Code", access_code);
  send(std::move(req), [done = std::move(done)](net::Response r) {
    done(items_of<TicketEvent>(r, [](const core::Json& j) {
      TicketEvent e;
      e.seq = static_cast<int>(num(j, "seq"));
      e.at = str(j, "at");
      e.actor_name = str(sub(j, "actor"), "name");
      e.actor_role = str(sub(j, "actor"), "role");
      e.action = str(j, "action");
      e.from_status = str(j, "from_status");
      e.to_status = str(j, "to_status");
      e.level = str(j, "level");
      e.note = str(j, "note");
      return e;
    }));
  });
}

void Api::rate(const std::string& number, const std::string& access_code, bool resolved,
               int satisfaction, const std::string& comment, Done<TicketDetail> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/tickets/" + url_encode(number) + "/rating";
  if (!access_code.empty()) req.headers.emplace_back("X-Access-Code", access_code);
  core::Json body{{"resolved", resolved}, {"satisfaction", satisfaction}};
  if (!comment.empty()) body["comment"] = comment;
  req.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req), [done = std::move(done)](net::Response r) { done(detail_of(r)); });
}

void Api::grids(Done<GridsAnswer> done) {
  net::Request req;
  req.url = "/api/v1/grids";
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || !json->is_object())
      return done(core::Error{"bad_answer", "not GeoJSON", {}, 502});
    GridsAnswer out;
    const core::Json& basemap = sub(*json, "basemap");
    if (basemap.is_object()) {
      out.basemap.tile_template = str(basemap, "template");
      out.basemap.attribution = str(basemap, "attribution");
      const core::Json& retina = sub(basemap, "retina");
      out.basemap.retina = retina.is_boolean() && retina.get<bool>();
      for (const auto& d : sub(basemap, "subdomains"))
        if (d.is_string()) out.basemap.subdomains.push_back(d.get<std::string>());
    }
    for (const auto& f : sub(*json, "features")) {
      const core::Json& props = sub(f, "properties");
      const core::Json& coords = sub(sub(f, "geometry"), "coordinates");
      if (!coords.is_array() || coords.empty() || !coords[0].is_array()) continue;
      GridShape g;
      g.id = str(props, "grid_id");
      g.name = str(props, "name");
      g.kind = str(props, "kind");
      g.community_id = str(props, "community_id");
      g.street_id = str(props, "street_id");
      for (const auto& p : coords[0])
        if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number())
          g.ring.emplace_back(p[0].get<double>(), p[1].get<double>());
      if (g.ring.size() >= 3) out.grids.push_back(std::move(g));
    }
    done(std::move(out));
  });
}

void Api::org_names(Done<OrgNames> done) {
  net::Request req;
  req.url = "/api/v1/org";
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || !json->is_object())
      return done(core::Error{"bad_answer", "not an object", {}, 502});
    OrgNames out;
    for (const auto& st : sub(*json, "streets")) {
      out.streets[str(st, "id")] = str(st, "name");
      for (const auto& c : sub(st, "communities")) out.communities[str(c, "id")] = str(c, "name");
    }
    done(std::move(out));
  });
}

void Api::locate(double lat, double lng, Done<Located> done) {
  net::Request req;
  char q[96];
  std::snprintf(q, sizeof q, "/api/v1/grids/locate?lat=%.6f&lng=%.6f", lat, lng);
  req.url = q;
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || !json->is_object())
      return done(core::Error{"bad_answer", "not an object", {}, 502});
    done(Located{str(*json, "grid_id"), str(*json, "grid_name"),
                 str(sub(*json, "community"), "name"), str(sub(*json, "street"), "name")});
  });
}

void Api::places(const std::string& q, Done<std::vector<Place>> done) {
  net::Request req;
  req.url = "/api/v1/places?limit=6&q=" + url_encode(q);
  send(std::move(req), [done = std::move(done)](net::Response r) {
    done(items_of<Place>(r, [](const core::Json& j) {
      Place p;
      p.name = str(j, "name");
      p.kind = str(j, "kind");
      p.lat = num(j, "lat");
      p.lng = num(j, "lng");
      const core::Json& street = sub(j, "street");
      p.street = street.is_object() ? str(street, "name") : str(j, "street");
      const core::Json& community = sub(j, "community");
      p.community = community.is_object() ? str(community, "name") : str(j, "community");
      return p;
    }));
  });
}

void Api::units(Done<std::vector<Unit>> done) {
  net::Request req;
  req.url = "/api/v1/units";
  send(std::move(req), [done = std::move(done)](net::Response r) {
    done(items_of<Unit>(r, [](const core::Json& j) {
      Unit u;
      u.id = str(j, "id");
      u.kind = str(j, "kind");
      u.subkind = str(j, "subkind");
      u.name = str(j, "name");
      u.name_en = str(j, "name_en");
      u.contact = str(j, "contact");
      u.address = str(j, "address");
      u.street_id = str(j, "street_id");
      const core::Json& loc = sub(j, "location");
      if (loc.is_object()) u.location = std::make_pair(num(loc, "lat"), num(loc, "lng"));
      return u;
    }));
  });
}

void Api::stream_ticket(Done<std::string> done) {
  net::Request req;
  req.method = "POST";
  req.url = "/api/v1/stream/ticket";
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok() || str(*json, "ticket").empty())
      return done(core::Error{"bad_answer", "no ticket", {}, 502});
    done(str(*json, "ticket"));
  });
}

// [SECTION] Cockpit

void Api::get_json(const std::string& path, Done<core::Json> done) {
  net::Request req;
  req.url = path;
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok()) return done(core::Error{"bad_answer", "not JSON", {}, 502});
    done(std::move(*json));
  });
}

void Api::post_json(const std::string& path, const core::Json& body, Done<core::Json> done) {
  send_json("POST", path, body, std::move(done));
}

void Api::put_json(const std::string& path, const core::Json& body, Done<core::Json> done) {
  send_json("PUT", path, body, std::move(done));
}

void Api::send_json(const char* method, const std::string& path, const core::Json& body,
                    Done<core::Json> done) {
  net::Request req;
  req.method = method;
  req.url = path;
  req.body = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    auto json = core::parse_json(r.body);
    if (!json.ok()) return done(core::Error{"bad_answer", "not JSON", {}, 502});
    done(std::move(*json));
  });
}

void Api::get_text(const std::string& path, Done<std::string> done) {
  net::Request req;
  req.url = path;
  send(std::move(req), [done = std::move(done)](net::Response r) {
    if (!is_success(r.status)) return done(error_from(r));
    done(std::move(r.body));
  });
}

}  // namespace portal::client
