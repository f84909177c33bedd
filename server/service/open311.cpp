// [SECTION] Index
// - XML writer and rendering
// - Text helpers: masking, times, parameters
// - Service definitions (built-in questions)
// - Discovery, services, definitions
// - Service requests: mapping and filters
// - Creating a request (POST)

#include "server/service/open311.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "portal/core/phone_mask.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/service/tokens.hpp"

namespace portal::server {

namespace open311 {

// [SECTION] XML writer and rendering

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or
// returns -1 (and advances one byte) for bytes that are not valid UTF-8.
long next_code_point(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return s[i++];
  int len = 0;
  long cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0)
    len = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    len = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    len = 4, cp = c & 0x07, min = 0x10000;
  else {
    ++i;
    return -1;
  }
  if (i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return -1;
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

// XML 1.0 Char production.
bool xml_allowed(long cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

std::string_view item_name(std::string_view parent) {
  static const std::map<std::string_view, std::string_view> kItems = {
      {"services", "service"}, {"service_requests", "request"}, {"attributes", "attribute"},
      {"values", "value"},     {"endpoints", "endpoint"},       {"formats", "format"},
      {"errors", "error"},
  };
  auto it = kItems.find(parent);
  return it == kItems.end() ? std::string_view("item") : it->second;
}

void write_element(std::string& out, std::string_view name, const Doc& v, int depth) {
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  const auto open = [&] { out.append("<").append(name).append(">"); };
  const auto close = [&] { out.append("</").append(name).append(">\n"); };
  if (v.is_null() || ((v.is_object() || v.is_array()) && v.empty())) {
    out.append("<").append(name).append("/>\n");
    return;
  }
  if (v.is_object() || v.is_array()) {
    open();
    out += '\n';
    if (v.is_object()) {
      for (const auto& [key, child] : v.items()) write_element(out, key, child, depth + 1);
    } else {
      for (const auto& child : v) write_element(out, item_name(name), child, depth + 1);
    }
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    close();
    return;
  }
  open();
  if (v.is_string())
    out += xml_text(v.get_ref<const std::string&>());
  else if (v.is_boolean())
    out += v.get<bool>() ? "true" : "false";
  else
    out += v.dump();
  close();
}

}  // namespace

std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const long cp = next_code_point(s, i);
    if (cp < 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for bytes that are not UTF-8
      continue;
    }
    if (!xml_allowed(cp)) continue;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";  // parsers would turn a bare CR into LF
        break;
      default:
        out.append(s.substr(start, i - start));
    }
  }
  return out;
}

std::string to_xml(const Doc& body, std::string_view root) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  write_element(out, root, body, 0);
  return out;
}

Reply error(int status, std::string description) {
  Doc e = Doc::object();
  e["code"] = status;
  e["description"] = std::move(description);
  return {status, "errors", Doc::array({e})};
}

std::string render(const Reply& reply, Format format) {
  if (format == Format::xml) return to_xml(reply.body, reply.root);
  return reply.body.dump(-1, ' ', false, Doc::error_handler_t::replace);
}

const char* content_type(Format format) {
  return format == Format::xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

// [SECTION] Text helpers: masking, times, parameters

Coarse coarsen(double lat, double lng) {
  // Cells of 0.001° latitude (111 m) and the same ground distance in longitude at the
  // cell's latitude; a point is published as its cell's centre, at most ~80 m away.
  constexpr double kStep = 0.001;
  constexpr double kPi = 3.14159265358979323846;
  const double row = std::floor(lat / kStep);
  const double centre_lat = (row + 0.5) * kStep;
  const double lng_step = kStep / std::max(0.01, std::cos(centre_lat * kPi / 180));
  const double centre_lng = (std::floor(lng / lng_step) + 0.5) * lng_step;
  // Six decimals (0.1 m) keep the document short; the cell stays the same.
  auto six = [](double v) { return std::round(v * 1e6) / 1e6; };
  return {six(centre_lat), six(centre_lng)};
}

std::string format_local(core::TimePoint t) {
  std::string s = core::format_iso(t + std::chrono::seconds(core::kShanghaiOffset));
  s.pop_back();  // the "Z"
  return s + "+08:00";
}

}  // namespace open311

namespace {

using open311::Doc;
using open311::Params;
using open311::Reply;

constexpr int kPageMax = 100000;
// Tickets given only an address_string have an unknown location (core::Location::
// unknown): they go to the district hotline centre for dispatch, and Open311 answers
// leave lat/long out for them.

std::optional<std::string> param(const Params& p, const std::string& key) {
  auto it = p.find(key);
  if (it == p.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    const auto end = comma == std::string_view::npos ? s.size() : comma;
    std::string item = trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<int> small_int(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> decimal(const std::string& raw) {
  const std::string s = trim(raw);
  if (s.empty() || s.size() > 32) return std::nullopt;
  double v = 0;
  const char* b = s.data() + (s[0] == '+' ? 1 : 0);
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A time with its zone; a clear 400 for one without (GeoReport v2 asks for W3C times).
core::Result<core::TimePoint> parse_time(const std::string& name, const std::string& raw) {
  const std::string s = trim(raw);
  if (auto t = core::parse_iso(s)) return *t;
  const bool zone_missing = s.size() <= 40 && core::parse_iso(s + "Z").has_value();
  return core::Error::malformed(
      name, "invalid_time",
      zone_missing ? name + " has no time zone: add one, e.g. " + s + "+08:00 or " + s + "Z"
                   : name +
                         " must be an ISO 8601 date and time with a zone, e.g. "
                         "2026-11-25T08:00:00+08:00");
}

std::string label_of(core::Status s) {
  switch (s) {
    case core::Status::submitted:
      return "已提交";
    case core::Status::assigned:
      return "已派单";
    case core::Status::accepted:
      return "已受理";
    case core::Status::in_progress:
      return "办理中";
    case core::Status::resolved:
      return "已办结，待评价";
    case core::Status::closed:
      return "已办结";
    case core::Status::returned:
      return "已退回，重新派单中";
    case core::Status::rejected:
      return "不予受理";
    case core::Status::merged:
      return "已合并";
  }
  return "";
}

std::string label_of(core::Level l) {
  switch (l) {
    case core::Level::grid:
      return "网格";
    case core::Level::community:
      return "社区（村）";
    case core::Level::street:
      return "街道（镇）";
    case core::Level::district:
      return "区";
  }
  return "";
}

std::string status_notes(const Open311Row& r) {
  std::string s = label_of(r.status) + "（" + std::string(core::to_string(r.status)) + "）";
  switch (r.status) {
    case core::Status::merged:
      if (r.merged_into) s += "，并入 " + *r.merged_into;
      break;
    case core::Status::resolved:
    case core::Status::closed:
    case core::Status::rejected:
      if (r.reply && !r.reply->empty()) s += "。答复：" + core::mask_phones_in_text(*r.reply);
      break;
    default:
      s += "，当前办理层级：" + label_of(r.level);
      break;
  }
  return s;
}

std::string span_text(const core::SlaSpan& s) {
  if (s.working_days > 0) return std::to_string(s.working_days) + " 个工作日";
  if (s.seconds % 3600 == 0) return std::to_string(s.seconds / 3600) + " 小时";
  if (s.seconds % 60 == 0) return std::to_string(s.seconds / 60) + " 分钟";
  return std::to_string(s.seconds) + " 秒";
}

std::string internal_description() {
  return "internal error; try again later";
}

Reply from_error(const core::Error& e) {
  if (e.status >= 500) return open311::error(500, internal_description());
  return open311::error(e.status, e.message);
}

}  // namespace

// [SECTION] Service definitions (built-in questions)

namespace open311 {

const std::vector<Attribute>& attributes_of(std::string_view service_code) {
  static const std::vector<AttributeValue> kYesNo = {{"yes", "是"}, {"no", "否"}};
  static const std::map<std::string_view, std::vector<Attribute>> kQuestions = {
      {"water.outage",
       {{"affected_households", "number", false, "整数，0 至 100000", "大约多少户受影响？", {}},
        {"notified", "singlevaluelist", false, "", "是否提前收到停水通知？", kYesNo}}},
      {"power.outage",
       {{"affected_households", "number", false, "整数，0 至 100000", "大约多少户受影响？", {}}}},
      {"city.road", {{"hazard", "singlevaluelist", true, "", "是否影响通行安全？", kYesNo}}},
      {"env.noise",
       {{"period",
         "singlevaluelist",
         false,
         "",
         "噪声主要出现在什么时段？",
         {{"day", "白天（6:00–22:00）"}, {"night", "夜间（22:00–6:00）"}, {"all_day", "全天"}}}}},
      {"safety.gas_leak",
       {{"smell", "singlevaluelist", true, "", "现场是否有明显燃气气味？", kYesNo}}},
  };
  static const std::vector<Attribute> kNone;
  auto it = kQuestions.find(service_code);
  return it == kQuestions.end() ? kNone : it->second;
}

}  // namespace open311

// [SECTION] Discovery, services, definitions

Open311Service::Open311Service(Open311Store& store, TicketService& tickets, AuthService& auth,
                               open311::Config config, NowFn now)
    : store_(store),
      tickets_(tickets),
      auth_(auth),
      config_(std::move(config)),
      now_(std::move(now)) {}

std::optional<Reply> Open311Service::check_jurisdiction(const Params& p) const {
  auto j = param(p, "jurisdiction_id");
  if (!j || *j == config_.jurisdiction_id) return std::nullopt;
  return open311::error(
      404, "jurisdiction_id was not found: this endpoint serves only " + config_.jurisdiction_id);
}

core::Result<std::map<std::string, core::Category, std::less<>>> Open311Service::catalogue() {
  auto cats = tickets_.categories();
  if (!cats) return cats.error();
  std::map<std::string, core::Category, std::less<>> out;
  for (auto& c : *cats) out.emplace(c.code, std::move(c));
  return out;
}

std::string Open311Service::sla_notice(const std::string& category) {
  const auto policy = tickets_.policy_for(category);
  return "响应时限 " + span_text(policy.respond) + "，办结时限 " + span_text(policy.resolve);
}

Reply Open311Service::discovery(const Params& p, const std::string& base_url) const {
  if (auto j = check_jurisdiction(p)) return *j;
  // The date this endpoint's behaviour last changed.
  static constexpr const char* kChangeset = "2026-01-01T00:00:00+08:00";
  Doc endpoint = Doc::object();
  endpoint["specification"] = "http://wiki.open311.org/GeoReport_v2";
  endpoint["url"] = base_url + "/open311/v2";
  endpoint["changeset"] = kChangeset;
  endpoint["type"] = "production";
  endpoint["formats"] = Doc::array({"text/xml", "application/json"});
  Doc d = Doc::object();
  d["changeset"] = kChangeset;
  d["contact"] = config_.contact;
  d["key_service"] = config_.key_service;
  d["jurisdiction_id"] = config_.jurisdiction_id;
  d["endpoints"] = Doc::array({endpoint});
  return {200, "discovery", d};
}

Reply Open311Service::services(const Params& p) {
  if (auto j = check_jurisdiction(p)) return *j;
  auto cats = tickets_.categories();
  if (!cats) return from_error(cats.error());
  Doc list = Doc::array();
  for (const auto& c : *cats) {
    Doc s = Doc::object();
    s["service_code"] = c.code;
    s["service_name"] = c.name;
    s["description"] = c.name_en + ". " + sla_notice(c.code) + "。";
    s["metadata"] = !open311::attributes_of(c.code).empty();
    s["type"] = "realtime";
    s["keywords"] = c.name + ", " + c.name_en + ", " + c.group;
    s["group"] = c.group;
    list.push_back(std::move(s));
  }
  return {200, "services", list};
}

Reply Open311Service::service_definition(const std::string& code, const Params& p) {
  if (auto j = check_jurisdiction(p)) return *j;
  auto cats = catalogue();
  if (!cats) return from_error(cats.error());
  if (!cats->count(code))
    return open311::error(404, core::is_valid_category_code(code)
                                   ? "service_code " + code + " was not found"
                                   : "service_code was not found");
  Doc attrs = Doc::array();
  int order = 0;
  for (const auto& a : open311::attributes_of(code)) {
    Doc d = Doc::object();
    d["variable"] = true;
    d["code"] = a.code;
    d["datatype"] = a.datatype;
    d["required"] = a.required;
    d["datatype_description"] = a.datatype_description;
    d["order"] = ++order;
    d["description"] = a.description;
    if (!a.values.empty()) {
      Doc values = Doc::array();
      for (const auto& v : a.values) values.push_back(Doc{{"key", v.key}, {"name", v.name}});
      d["values"] = values;
    }
    attrs.push_back(std::move(d));
  }
  Doc def = Doc::object();
  def["service_code"] = code;
  def["attributes"] = attrs;
  return {200, "service_definition", def};
}

// [SECTION] Service requests: mapping and filters

std::string Open311Service::agency_of(const Open311Row& r) const {
  const OrgDirectory& org = tickets_.org();
  if (r.assignee_kind == "user") {
    // The grid's worker, named by the grid: Open311 never names a person.
    if (r.grid_id)
      if (const auto* g = org.grid(*r.grid_id)) return g->name + "（网格员）";
    return "网格员";
  }
  if (r.assignee_kind == "unit") {
    if (const auto* u = org.unit(r.assignee_id)) return u->name;
    return r.assignee_id;
  }
  if (r.assignee_id.empty() || r.assignee_id == "district") return org.hotline_centre_name();
  if (const auto* c = org.community(r.assignee_id)) return c->name;
  if (const auto* s = org.street(r.assignee_id)) return s->name;
  return org.hotline_centre_name();
}

Doc Open311Service::request_doc(const Open311Row& r,
                                const std::map<std::string, core::Category, std::less<>>& cats,
                                std::map<std::string, std::string>& notices,
                                const std::string& base_url) {
  Doc d = Doc::object();
  d["service_request_id"] = r.number;
  d["status"] = open311_closed(r.status) ? "closed" : "open";
  d["status_notes"] = status_notes(r);
  auto c = cats.find(r.category);
  d["service_name"] = c == cats.end() ? r.category : c->second.name;
  d["service_code"] = r.category;
  d["description"] = core::mask_phones_in_text(r.description);
  d["agency_responsible"] = agency_of(r);
  auto notice = notices.find(r.category);
  if (notice == notices.end()) notice = notices.emplace(r.category, sla_notice(r.category)).first;
  d["service_notice"] = notice->second;
  d["requested_datetime"] = open311::format_local(r.created_at);
  d["updated_datetime"] = open311::format_local(r.updated_at);
  d["expected_datetime"] = open311::format_local(r.resolve_due_at);
  // An anonymous ticket: no address, and its position only to about 100 m.
  if (!r.anonymous) d["address"] = core::mask_phones_in_text(r.address);
  if (r.grid_id) d["address_id"] = *r.grid_id;
  if (core::Location{r.lat, r.lng, {}}.known()) {
    const auto at = r.anonymous ? open311::coarsen(r.lat, r.lng) : open311::Coarse{r.lat, r.lng};
    d["lat"] = at.lat;
    d["long"] = at.lng;
  }
  // The photo keeps the portal's visibility: staff in scope and the submitter.
  if (r.photo_id) d["media_url"] = base_url + "/api/v1/attachments/" + *r.photo_id;
  return d;
}

Reply Open311Service::requests(const Params& p, const std::string& base_url) {
  if (auto j = check_jurisdiction(p)) return *j;
  Open311Query q;
  int page = 1, size = config_.max_results;
  if (auto v = param(p, "page")) {
    auto n = small_int(*v);
    if (!n || *n < 1 || *n > kPageMax) return open311::error(400, "page must be 1 or more");
    page = *n;
  }
  if (auto v = param(p, "page_size")) {
    auto n = small_int(*v);
    if (!n || *n < 1 || *n > config_.max_results)
      return open311::error(400, "page_size must be 1 to " + std::to_string(config_.max_results));
    size = *n;
  }
  q.limit = size;
  q.offset = (page - 1) * size;
  const Reply empty{200, "service_requests", Doc::array()};

  if (auto ids = param(p, "service_request_id")) {
    // A list of ids overrides every other filter (GeoReport v2).
    const auto list = split_list(*ids);
    if (list.size() > static_cast<std::size_t>(config_.max_results))
      return open311::error(400, "at most " + std::to_string(config_.max_results) +
                                     " service_request_id values at once");
    for (const auto& id : list)
      if (core::is_ticket_number(id)) q.numbers.push_back(id);
    if (q.numbers.empty()) return empty;
  } else {
    if (auto codes = param(p, "service_code")) {
      const auto list = split_list(*codes);
      if (list.size() > 200) return open311::error(400, "at most 200 service_code values at once");
      for (const auto& c : list)
        if (core::is_valid_category_code(c)) q.categories.push_back(c);
      if (q.categories.empty()) return empty;
    }
    if (auto st = param(p, "status")) {
      std::set<std::string> wanted;
      for (const auto& s : split_list(*st)) {
        if (s != "open" && s != "closed")
          return open311::error(400, "status must be open, closed or open,closed");
        wanted.insert(s);
      }
      if (wanted.size() == 1) q.open = *wanted.begin() == "open";
    }
    std::optional<core::TimePoint> from, to;
    if (auto s = param(p, "start_date")) {
      auto t = parse_time("start_date", *s);
      if (!t) return open311::error(400, t.error().message);
      from = *t;
    }
    if (auto s = param(p, "end_date")) {
      auto t = parse_time("end_date", *s);
      if (!t) return open311::error(400, t.error().message);
      to = *t;
    }
    const auto window = std::chrono::hours(24) * config_.window_days;
    if (!from && !to) {
      to = now_();
      from = *to - window;
    } else if (!to) {
      to = *from + window;
    } else if (!from) {
      from = *to - window;
    }
    if (*to < *from) return open311::error(400, "end_date is before start_date");
    if (*to - *from > window)
      return open311::error(400, "start_date and end_date may not span more than " +
                                     std::to_string(config_.window_days) + " days");
    q.from = from;
    q.to = to;
  }
  auto rows = store_.requests(q);
  if (!rows) return from_error(rows.error());
  auto cats = catalogue();
  if (!cats) return from_error(cats.error());
  std::map<std::string, std::string> notices;
  Doc list = Doc::array();
  for (const auto& r : *rows) list.push_back(request_doc(r, *cats, notices, base_url));
  return {200, "service_requests", list};
}

Reply Open311Service::request(const std::string& id, const Params& p, const std::string& base_url) {
  if (auto j = check_jurisdiction(p)) return *j;
  const Reply not_found = open311::error(404, "service_request_id was not found");
  if (!core::is_ticket_number(id)) return not_found;
  auto row = store_.request(id);
  if (!row) return from_error(row.error());
  if (!*row) return not_found;
  auto cats = catalogue();
  if (!cats) return from_error(cats.error());
  std::map<std::string, std::string> notices;
  return {200, "service_requests", Doc::array({request_doc(**row, *cats, notices, base_url)})};
}

// Requests are created at once, so a token is the request's own id: a client that
// keeps tokens finds its request through them all the same.
Reply Open311Service::token(const std::string& token, const Params& p) {
  if (auto j = check_jurisdiction(p)) return *j;
  const Reply not_found = open311::error(404, "token was not found");
  if (!core::is_ticket_number(token)) return not_found;
  auto row = store_.request(token);
  if (!row) return from_error(row.error());
  if (!*row) return not_found;
  Doc d = Doc::object();
  d["service_request_id"] = (*row)->number;
  d["token"] = token;
  return {200, "service_requests", Doc::array({d})};
}

// [SECTION] Creating a request (POST)

namespace {

// The Open311 parameter behind a field of the ticket draft.
std::string param_of_field(const std::string& field) {
  static const std::map<std::string, std::string, std::less<>> kParams = {
      {"category", "service_code"},
      {"description", "description"},
      {"location.lat", "lat"},
      {"location.lng", "long"},
      {"location.address", "address_string"},
      {"contact.name", "first_name/last_name"},
      {"contact.phone", "phone"},
      {"grid_id", "address_id"},
      {"attachments", "media_url"},
  };
  auto it = kParams.find(field);
  return it == kParams.end() ? field : it->second;
}

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Chinese names read family name first, without a space; others "first last".
std::string full_name(const std::string& first, const std::string& last) {
  if (first.empty()) return last;
  if (last.empty()) return first;
  if (has_non_ascii(first) || has_non_ascii(last)) return last + first;
  return first + " " + last;
}

// "+86 138 1234 5678" → "13812345678"; landlines keep their dash.
std::string normalise_phone(std::string_view raw) {
  std::string p;
  for (char c : raw)
    if (c != ' ') p += c;
  if (p.rfind("+86", 0) == 0)
    p.erase(0, 3);
  else if (p.rfind("0086", 0) == 0)
    p.erase(0, 4);
  if (!p.empty() && p[0] == '-') p.erase(0, 1);
  return p;
}

// Our own attachment URL (absolute or not): its id; nullopt for anything else.
std::optional<std::string> attachment_of(const std::string& url) {
  static constexpr std::string_view kPath = "/api/v1/attachments/";
  const auto at = url.find(kPath);
  if (at == std::string::npos) return std::nullopt;
  const std::string id = url.substr(at + kPath.size());
  if (!looks_like_attachment_id(id)) return std::nullopt;
  return id;
}

}  // namespace

Reply Open311Service::create(const Params& p) {
  if (auto j = check_jurisdiction(p)) return *j;

  // [who] an API key issued by the administrator, not revoked
  auto key = param(p, "api_key");
  if (!key)
    return open311::error(403, "api_key was not provided: ask the district administrator for one");
  auto live = key->size() <= 256 ? auth_.api_key_valid(*key) : core::Result<bool>(false);
  if (!live) return from_error(live.error());
  if (!*live) return open311::error(403, "api_key is not valid or has been revoked");

  // [what]
  auto code = param(p, "service_code");
  if (!code) return open311::error(400, "service_code was not provided");
  auto cats = catalogue();
  if (!cats) return from_error(cats.error());
  if (!cats->count(*code))
    return open311::error(404, core::is_valid_category_code(*code)
                                   ? "service_code " + *code + " was not found"
                                   : "service_code was not found");

  core::TicketDraft d;
  d.category = *code;
  d.channel = core::Channel::open311;

  // [where] lat+long, a grid id as address_id, or an address_string
  const auto lat_raw = param(p, "lat"), lng_raw = param(p, "long");
  const auto address = param(p, "address_string");
  const auto address_id = param(p, "address_id");
  if (!(lat_raw || lng_raw) && !address && !address_id)
    return open311::error(
        400, "a location is required: lat and long, address_string or address_id (a grid id)");
  bool located = false;
  if (lat_raw || lng_raw) {
    auto lat = lat_raw ? decimal(*lat_raw) : std::nullopt;
    auto lng = lng_raw ? decimal(*lng_raw) : std::nullopt;
    if (!lat || !lng)
      return open311::error(400, "lat and long must both be given, in decimal degrees (WGS84)");
    d.location.lat = *lat;
    d.location.lng = *lng;
    located = true;
  }
  if (address_id) {
    const GridRow* g = tickets_.org().grid(*address_id);
    if (!g) return open311::error(400, "address_id is not a grid of the district");
    d.grid_id = g->id;
    if (!located) {
      d.location.lat = (g->min_lat + g->max_lat) / 2;
      d.location.lng = (g->min_lng + g->max_lng) / 2;
      located = true;
    }
  }
  if (!located) {
    // Only an address: the district hotline centre reads it and dispatches.
    d.location = core::Location::unknown();
  }
  if (address) d.location.address = trim(*address);

  // [the matter] the description, then the answers to the service's questions
  const std::string description = p.count("description") ? p.find("description")->second : "";
  const auto chars = core::utf8_length(description);
  if (!chars) return open311::error(400, "description must be UTF-8 text");
  if (*chars > core::limits::kDescriptionMaxChars)
    return open311::error(
        400, "description has " + std::to_string(*chars) + " characters; at most 4000 are allowed");
  if (trim(description).empty())
    return open311::error(400, "description is required (5 to 4000 characters)");
  d.description = description;
  std::string answers;
  for (const auto& a : open311::attributes_of(*code)) {
    const std::string name = "attribute[" + a.code + "]";
    auto v = param(p, name);
    if (v) *v = trim(*v);
    if (!v || v->empty()) {
      if (a.required)
        return open311::error(400,
                              name + " is required for service " + *code + ": " + a.description);
      continue;
    }
    std::string shown = *v;
    if (a.datatype == "number") {
      auto n = decimal(*v);
      if (!n || *n < 0 || *n > 100000 || std::floor(*n) != *n)
        return open311::error(400, name + " must be a whole number from 0 to 100000");
    } else if (a.datatype == "singlevaluelist") {
      auto it = std::find_if(a.values.begin(), a.values.end(),
                             [&](const auto& x) { return x.key == *v; });
      if (it == a.values.end()) {
        std::string keys;
        for (const auto& x : a.values) keys += (keys.empty() ? "" : ", ") + x.key;
        return open311::error(400, name + " must be one of: " + keys);
      }
      shown = it->name;
    } else if (a.datatype == "datetime") {
      auto t = parse_time(name, *v);
      if (!t) return open311::error(400, t.error().message);
      shown = open311::format_local(*t);
    } else {
      auto len = core::utf8_length(*v);
      if (!len || *len > 200 || core::has_control_chars(*v))
        return open311::error(400, name + " must be text of at most 200 characters");
    }
    answers += "\n" + a.description + shown;
  }
  if (!answers.empty()) {
    d.description += "\n\n【补充信息】" + answers;
    if (core::utf8_length(d.description).value_or(0) > core::limits::kDescriptionMaxChars)
      return open311::error(
          400, "description and the attribute answers together exceed 4000 characters");
  }

  // [who to call back] never published through Open311
  const std::string first = trim(p.count("first_name") ? p.find("first_name")->second : "");
  const std::string last = trim(p.count("last_name") ? p.find("last_name")->second : "");
  d.contact.name = full_name(first, last);
  if (d.contact.name.empty()) d.contact.name = config_.default_name;
  if (auto phone = param(p, "phone")) {
    d.contact.phone = normalise_phone(*phone);
    if (!core::is_valid_phone(d.contact.phone))
      return open311::error(400,
                            "phone must be a mainland mobile (11 digits) or a landline with its "
                            "area code, e.g. 0537-2345678");
  } else {
    d.contact.phone = config_.no_phone;
  }

  // [photo] one uploaded to this server first (POST /api/v1/attachments); other hosts'
  // URLs are not fetched.
  std::string photo_note;
  if (auto media = param(p, "media_url")) {
    if (auto id = attachment_of(*media))
      d.attachments.push_back(*id);
    else
      photo_note = "；media_url 未附上：请先通过 POST /api/v1/attachments 上传图片，再填写其地址";
  }

  Actor via;
  via.name = "Open311";
  auto receipt = tickets_.submit(d, via);
  if (!receipt) {
    const auto& e = receipt.error();
    // Another caller's photo, or one a ticket has already.
    if (e.field == "attachments" && (e.status == 403 || e.status == 409))
      return open311::error(e.status, "media_url " + e.message);
    if (e.status == 422 || e.status == 400) {
      const std::string field = e.field.empty() ? "request" : param_of_field(e.field);
      if (e.field == "location.lat" || e.field == "location.lng")
        return open311::error(400, "lat/long is outside the district");
      if (e.field == "attachments")
        return open311::error(400, "media_url names a photo this server does not have");
      return open311::error(400, field + " " + e.message);
    }
    return from_error(e);
  }

  std::string notice;
  if (auto row = store_.request(receipt->number); row && *row)
    notice = "已派至" + agency_of(**row) + "；";
  notice += sla_notice(*code) + photo_note;
  Doc r = Doc::object();
  r["service_request_id"] = receipt->number;
  r["service_notice"] = notice;
  r["account_id"] = nullptr;
  return {200, "service_requests", Doc::array({r})};
}

}  // namespace portal::server
