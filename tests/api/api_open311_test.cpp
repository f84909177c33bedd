// Open311 GeoReport v2 over real HTTP: every endpoint in JSON and XML, the XML parsed
// by a strict checker of our own (and by xmllint when it is installed), every filter of
// GET requests, the errors of POST, and a request created through Open311 followed
// through the ordinary workflow to closed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <variant>

#include "portal/core/json.hpp"
#include "portal/core/time.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"
#include "tests/common/digits.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

constexpr const char* kJurisdiction = "rencheng.jining.sd.cn";

// A 1×1 PNG.
const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00"
    "\x01\x08\x04\x00\x00\x00\xb5\x1c\x0c\x02\x00\x00\x00\x0b\x49\x44\x41\x54\x78\xda\x63\x64\x60"
    "\x00\x00\x00\x06\x00\x02\x30\x81\xd0\x2f\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    68);

// [SECTION] A strict little XML reader: elements, text and the five entities plus
// character references; anything malformed is an error naming where it went wrong.
struct XNode {
  std::string name, text;
  std::vector<XNode> kids;
  const XNode* child(const std::string& n) const {
    for (const auto& k : kids)
      if (k.name == n) return &k;
    return nullptr;
  }
  std::string text_of(const std::string& n) const {
    const XNode* c = child(n);
    return c ? c->text : std::string("<missing " + n + ">");
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& k : kids) out.push_back(k.name);
    return out;
  }
};

class XmlReader {
 public:
  explicit XmlReader(std::string_view s) : s_(s) {}

  // The root element, or an error message.
  std::variant<XNode, std::string> parse() {
    static constexpr std::string_view kProlog = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    if (s_.substr(0, kProlog.size()) != kProlog) return std::string("no XML declaration");
    i_ = kProlog.size();
    if (!chars_ok()) return err_;
    skip_ws();
    XNode root;
    if (!element(root)) return err_;
    skip_ws();
    if (i_ != s_.size()) return std::string("content after the root element at ") + pos();
    return root;
  }

 private:
  std::string pos() const { return std::to_string(i_); }
  bool fail(const std::string& m) {
    if (err_.empty()) err_ = m + " at byte " + pos();
    return false;
  }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  static bool name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  }
  bool name(std::string& out) {
    if (i_ >= s_.size() || !name_start(s_[i_])) return fail("bad element name");
    const std::size_t b = i_;
    while (i_ < s_.size() && name_char(s_[i_])) ++i_;
    out = std::string(s_.substr(b, i_ - b));
    return true;
  }
  // Valid UTF-8 holding only characters XML 1.0 allows.
  bool chars_ok() {
    for (std::size_t k = 0; k < s_.size();) {
      const auto c = static_cast<unsigned char>(s_[k]);
      long cp;
      int len;
      if (c < 0x80)
        cp = c, len = 1;
      else if ((c & 0xE0) == 0xC0)
        cp = c & 0x1F, len = 2;
      else if ((c & 0xF0) == 0xE0)
        cp = c & 0x0F, len = 3;
      else if ((c & 0xF8) == 0xF0)
        cp = c & 0x07, len = 4;
      else
        return i_ = k, fail("invalid UTF-8");
      if (k + len > s_.size()) return i_ = k, fail("truncated UTF-8");
      for (int j = 1; j < len; ++j) {
        const auto cc = static_cast<unsigned char>(s_[k + j]);
        if ((cc & 0xC0) != 0x80) return i_ = k, fail("invalid UTF-8");
        cp = (cp << 6) | (cc & 0x3F);
      }
      const bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                      (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
      if (!ok) return i_ = k, fail("character not allowed in XML 1.0");
      k += len;
    }
    return true;
  }
  bool reference(std::string& out) {
    const auto semi = s_.find(';', i_);
    if (semi == std::string_view::npos || semi - i_ > 10) return fail("unterminated reference");
    const std::string ref(s_.substr(i_ + 1, semi - i_ - 1));
    static const std::map<std::string, std::string> kEntities = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    if (auto it = kEntities.find(ref); it != kEntities.end()) {
      out += it->second;
    } else if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string digits = ref.substr(hex ? 2 : 1);
      if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF"
                                                         : "0123456789") != std::string::npos)
        return fail("bad character reference");
      const long cp = std::stol(digits, nullptr, hex ? 16 : 10);
      if (cp == 13)
        out += '\r';
      else if (cp == 10)
        out += '\n';
      else if (cp < 0x80 && cp >= 0x20)
        out += static_cast<char>(cp);
      else
        return fail("unexpected character reference");
    } else {
      return fail("unknown entity &" + ref + ";");
    }
    i_ = semi + 1;
    return true;
  }
  bool element(XNode& n) {
    if (i_ >= s_.size() || s_[i_] != '<') return fail("expected '<'");
    ++i_;
    if (!name(n.name)) return false;
    skip_ws();
    if (s_.substr(i_, 2) == "/>") return i_ += 2, true;
    if (i_ >= s_.size() || s_[i_] != '>') return fail("attributes or junk in <" + n.name + ">");
    ++i_;
    for (;;) {
      if (i_ >= s_.size()) return fail("unclosed <" + n.name + ">");
      if (s_.substr(i_, 2) == "</") {
        i_ += 2;
        std::string end;
        if (!name(end)) return false;
        if (end != n.name) return fail("</" + end + "> closes <" + n.name + ">");
        skip_ws();
        if (i_ >= s_.size() || s_[i_] != '>') return fail("bad end tag");
        ++i_;
        return true;
      }
      if (s_[i_] == '<') {
        XNode kid;
        if (!element(kid)) return false;
        n.kids.push_back(std::move(kid));
        continue;
      }
      if (s_[i_] == '&') {
        if (!reference(n.text)) return false;
        continue;
      }
      if (s_.substr(i_, 3) == "]]>") return fail("']]>' in text");
      n.text += s_[i_++];
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::string err_;
};

// [SECTION] HTTP helpers

struct Got {
  int status = -1;
  std::string type, body;
};

Got got_of(const httplib::Result& r) {
  if (!r) return {};
  return {r->status, r->get_header_value("Content-Type"), r->body};
}

Got get(const std::string& path) {
  return got_of(g->client().Get(path.c_str()));
}

Got post_form(const std::string& path, const httplib::Params& form) {
  return got_of(g->client().Post(path.c_str(), form));
}

Json json_of(const Got& r) {
  EXPECT_EQ(r.type.rfind("application/json", 0), 0u) << r.type;
  return Json::parse(r.body, nullptr, false);
}

bool xmllint_ok(const std::string& text, std::string& why) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) return true;  // not installed
  char path[] = "/tmp/open311-xml-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return true;
  close(fd);
  std::ofstream(path, std::ios::binary) << text;
  const std::string cmd = std::string("xmllint --noout ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) why += buf;
  const int rc = p ? pclose(p) : -1;
  std::remove(path);
  return rc == 0;
}

// The document, checked well-formed by both readers, with the root element expected.
XNode xml_of(const Got& r, const std::string& root) {
  EXPECT_EQ(r.type.rfind("text/xml", 0), 0u) << r.type;
  XmlReader reader(r.body);
  auto parsed = reader.parse();
  if (auto* e = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << "not well-formed: " << *e << "\n" << r.body.substr(0, 2000);
    return {};
  }
  std::string why;
  EXPECT_TRUE(xmllint_ok(r.body, why)) << why;
  XNode n = std::get<XNode>(std::move(parsed));
  EXPECT_EQ(n.name, root) << r.body.substr(0, 500);
  return n;
}

Json api_get(const std::string& token, const std::string& path) {
  auto r = g->client().Get(path.c_str(), bearer(token));
  EXPECT_TRUE(r && r->status == 200) << path << ": " << (r ? r->body : "no answer");
  return r ? Json::parse(r->body, nullptr, false) : Json();
}

Json act(const std::string& token, const std::string& number, const Json& body) {
  auto r = g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(token),
                            body.dump(), "application/json");
  EXPECT_TRUE(r && r->status == 200) << body.dump() << ": " << (r ? r->body : "no answer");
  return r ? Json::parse(r->body, nullptr, false) : Json();
}

// A key issued by the administrator, and its id (to revoke it).
std::pair<std::string, std::string> new_api_key(const std::string& name) {
  const std::string admin = login(*g, "admin");
  auto r = g->client().Post("/api/v1/apikeys", bearer(admin), Json{{"name", name}}.dump(),
                            "application/json");
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  if (!r || r->status != 201) return {};
  auto j = Json::parse(r->body);
  return {j["key"].get<std::string>(), j["id"].get<std::string>()};
}

GridSpot spot_of(const std::string& grid_id) {
  return portal::test::grid_spot(*g, grid_id);
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

// A valid request in gw0001's grid; callers add or change fields.
httplib::Params request_form(const std::string& key, const std::string& code,
                             const std::string& description) {
  static const GridSpot spot = [] {
    const std::string gw = login(*g, "gw0001");
    return spot_of(api_get(gw, "/api/v1/me")["grid_ids"][0]);
  }();
  return {{"api_key", key},          {"service_code", code},       {"lat", fixed(spot.lat)},
          {"long", fixed(spot.lng)}, {"description", description}, {"address_string", "测试路口"}};
}

// Creates a request through Open311 and returns its id.
std::string create(const httplib::Params& form) {
  auto r = post_form("/open311/v2/requests.json", form);
  EXPECT_EQ(r.status, 200) << r.body;
  auto j = json_of(r);
  if (!j.is_array() || j.empty()) return "";
  return j[0]["service_request_id"].get<std::string>();
}

std::set<std::string> ids_of(const Json& list) {
  std::set<std::string> out;
  for (const auto& r : list) out.insert(r["service_request_id"].get<std::string>());
  return out;
}

std::string iso_now_plus(std::chrono::seconds d) {
  return portal::core::format_iso(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) + d);
}

// Open311 errors: [{code, description}] in JSON, errors/error in XML; a POST when a
// form is given.
void expect_error(const std::string& path, const httplib::Params* form, int status,
                  const std::string& says = "") {
  for (const char* ext : {".json", ".xml"}) {
    const std::string url = path + ext;
    Got r = form ? post_form(url, *form) : get(url);
    EXPECT_EQ(r.status, status) << url << ": " << r.body;
    if (std::string(ext) == ".json") {
      auto j = json_of(r);
      ASSERT_TRUE(j.is_array() && j.size() == 1) << r.body;
      EXPECT_EQ(j[0]["code"], status);
      EXPECT_NE(j[0]["description"].get<std::string>().find(says), std::string::npos) << r.body;
    } else {
      XNode n = xml_of(r, "errors");
      ASSERT_EQ(n.kids.size(), 1u) << r.body;
      EXPECT_EQ(n.kids[0].name, "error");
      EXPECT_EQ(n.kids[0].text_of("code"), std::to_string(status));
      EXPECT_NE(n.kids[0].text_of("description").find(says), std::string::npos) << r.body;
    }
  }
}

// The GET error of a path with a query: path "requests" and query "?..." stay apart.
void expect_get_error(const std::string& path, const std::string& query, int status,
                      const std::string& says = "") {
  for (const char* ext : {".json", ".xml"}) {
    const std::string url = path + ext + query;
    Got r = get(url);
    EXPECT_EQ(r.status, status) << url << ": " << r.body;
    if (std::string(ext) == ".json") {
      auto j = json_of(r);
      ASSERT_TRUE(j.is_array() && j.size() == 1) << r.body;
      EXPECT_EQ(j[0]["code"], status);
      EXPECT_NE(j[0]["description"].get<std::string>().find(says), std::string::npos) << r.body;
    } else {
      XNode n = xml_of(r, "errors");
      ASSERT_EQ(n.kids.size(), 1u);
      EXPECT_EQ(n.kids[0].text_of("code"), std::to_string(status));
      EXPECT_NE(n.kids[0].text_of("description").find(says), std::string::npos) << r.body;
    }
  }
}

// Every request of a named ticket carries these (an anonymous one has no address);
// address_id, lat and long only when it was located.
const std::vector<std::string> kRequestFields = {
    "service_request_id", "status",           "status_notes",       "service_name",
    "service_code",       "description",      "agency_responsible", "service_notice",
    "requested_datetime", "updated_datetime", "expected_datetime",  "address"};

}  // namespace

// [SECTION] Discovery, services, definitions

TEST(Open311, XmlCheckerRefusesWhatIsNotWellFormed) {
  const std::string prolog = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  auto ok = [&](const std::string& body) {
    return std::holds_alternative<XNode>(XmlReader(prolog + body).parse());
  };
  EXPECT_TRUE(ok("<a><b>x &amp; y</b><c/></a>"));
  EXPECT_FALSE(ok("<a><b></a></b>"));
  EXPECT_FALSE(ok("<a>x & y</a>"));
  EXPECT_FALSE(ok("<a>&nbsp;</a>"));
  EXPECT_FALSE(ok("<a>x < y</a>"));
  EXPECT_FALSE(ok("<a>\x01</a>"));
  EXPECT_FALSE(ok("<a>\xff</a>"));
  EXPECT_FALSE(ok("<a></a><b></b>"));
  EXPECT_FALSE(std::holds_alternative<XNode>(XmlReader("<a></a>").parse()));
}

TEST(Open311, DiscoveryInBothFormats) {
  auto j = json_of(get("/open311/v2/discovery.json"));
  EXPECT_FALSE(j["changeset"].get<std::string>().empty());
  EXPECT_FALSE(j["contact"].get<std::string>().empty());
  EXPECT_FALSE(j["key_service"].get<std::string>().empty());
  EXPECT_EQ(j["jurisdiction_id"], kJurisdiction);
  ASSERT_EQ(j["endpoints"].size(), 1u);
  const auto& e = j["endpoints"][0];
  EXPECT_EQ(e["specification"], "http://wiki.open311.org/GeoReport_v2");
  EXPECT_EQ(e["url"], "http://127.0.0.1:" + std::to_string(g->port()) + "/open311/v2");
  EXPECT_EQ(e["type"], "production");
  EXPECT_EQ(e["formats"], Json::array({"text/xml", "application/json"}));

  XNode x = xml_of(get("/open311/v2/discovery.xml"), "discovery");
  EXPECT_EQ(x.names(), (std::vector<std::string>{"changeset", "contact", "key_service",
                                                 "jurisdiction_id", "endpoints"}));
  const XNode* eps = x.child("endpoints");
  ASSERT_TRUE(eps);
  ASSERT_EQ(eps->kids.size(), 1u);
  EXPECT_EQ(eps->kids[0].name, "endpoint");
  EXPECT_EQ(eps->kids[0].names(),
            (std::vector<std::string>{"specification", "url", "changeset", "type", "formats"}));
  const XNode* formats = eps->kids[0].child("formats");
  ASSERT_TRUE(formats);
  ASSERT_EQ(formats->kids.size(), 2u);
  EXPECT_EQ(formats->kids[0].name, "format");
  EXPECT_EQ(formats->kids[0].text, "text/xml");
  EXPECT_EQ(formats->kids[1].text, "application/json");
}

TEST(Open311, ServicesListEveryCategory) {
  auto cats = Json::parse(get("/api/v1/categories").body);
  auto j = json_of(get("/open311/v2/services.json"));
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), cats.size());
  std::map<std::string, Json> by_code;
  for (const auto& s : j) by_code[s["service_code"]] = s;
  ASSERT_TRUE(by_code.count("city.road"));
  const auto& road = by_code["city.road"];
  EXPECT_EQ(road["service_name"], "道路破损");
  EXPECT_EQ(road["metadata"], true);  // it asks whether the road is unsafe
  EXPECT_EQ(road["type"], "realtime");
  EXPECT_EQ(road["group"], "城市管理");
  EXPECT_NE(road["keywords"].get<std::string>().find("Damaged road"), std::string::npos);
  EXPECT_NE(road["description"].get<std::string>().find("5 个工作日"), std::string::npos);
  EXPECT_EQ(by_code["env.garbage"]["metadata"], false);

  XNode x = xml_of(get("/open311/v2/services.xml"), "services");
  EXPECT_EQ(x.kids.size(), cats.size());
  for (const auto& s : x.kids) {
    EXPECT_EQ(s.name, "service");
    EXPECT_EQ(s.names(), (std::vector<std::string>{"service_code", "service_name", "description",
                                                   "metadata", "type", "keywords", "group"}));
  }
  EXPECT_EQ(x.kids[0].text_of("metadata") == "true" || x.kids[0].text_of("metadata") == "false",
            true);
}

TEST(Open311, ServiceDefinitionsAndUnknownServices) {
  auto j = json_of(get("/open311/v2/services/city.road.json"));
  EXPECT_EQ(j["service_code"], "city.road");
  ASSERT_EQ(j["attributes"].size(), 1u);
  const auto& a = j["attributes"][0];
  EXPECT_EQ(a["variable"], true);
  EXPECT_EQ(a["code"], "hazard");
  EXPECT_EQ(a["datatype"], "singlevaluelist");
  EXPECT_EQ(a["required"], true);
  EXPECT_EQ(a["order"], 1);
  EXPECT_FALSE(a["description"].get<std::string>().empty());
  ASSERT_EQ(a["values"].size(), 2u);
  EXPECT_EQ(a["values"][0]["key"], "yes");
  EXPECT_EQ(a["values"][0]["name"], "是");

  auto water = json_of(get("/open311/v2/services/water.outage.json"));
  ASSERT_GE(water["attributes"].size(), 1u);
  EXPECT_EQ(water["attributes"][0]["datatype"], "number");
  EXPECT_FALSE(water["attributes"][0].contains("values"));
  auto plain = json_of(get("/open311/v2/services/env.garbage.json"));
  EXPECT_EQ(plain["attributes"], Json::array());

  XNode x = xml_of(get("/open311/v2/services/city.road.xml"), "service_definition");
  EXPECT_EQ(x.text_of("service_code"), "city.road");
  const XNode* attrs = x.child("attributes");
  ASSERT_TRUE(attrs);
  ASSERT_EQ(attrs->kids.size(), 1u);
  const XNode& at = attrs->kids[0];
  EXPECT_EQ(at.name, "attribute");
  EXPECT_EQ(at.names(),
            (std::vector<std::string>{"variable", "code", "datatype", "required",
                                      "datatype_description", "order", "description", "values"}));
  EXPECT_EQ(at.text_of("required"), "true");
  const XNode* values = at.child("values");
  ASSERT_TRUE(values);
  ASSERT_EQ(values->kids.size(), 2u);
  EXPECT_EQ(values->kids[0].name, "value");
  EXPECT_EQ(values->kids[0].text_of("key"), "yes");
  EXPECT_EQ(values->kids[1].text_of("key"), "no");

  expect_get_error("/open311/v2/services/no.such", "", 404, "service_code");
  expect_get_error("/open311/v2/nothing_here", "", 404);
}

TEST(Open311, JurisdictionIsHonoured) {
  const std::string ours = std::string("?jurisdiction_id=") + kJurisdiction;
  for (const char* path : {"/open311/v2/discovery", "/open311/v2/services",
                           "/open311/v2/services/city.road", "/open311/v2/requests"}) {
    EXPECT_EQ(get(std::string(path) + ".json" + ours).status, 200) << path;
    EXPECT_EQ(get(std::string(path) + ".xml" + ours).status, 200) << path;
    expect_get_error(path, "?jurisdiction_id=beijing.gov.cn", 404, "jurisdiction_id");
  }
  auto [key, id] = new_api_key("jurisdiction test");
  auto form = request_form(key, "env.garbage", "小区门口垃圾堆放三天没人清运");
  form.emplace("jurisdiction_id", "qufu.jining.sd.cn");
  expect_error("/open311/v2/requests", &form, 404, "jurisdiction_id");
}

// [SECTION] Creating requests and their errors

TEST(Open311, PostNeedsALiveApiKey) {
  auto [key, id] = new_api_key("城市服务聚合平台");
  ASSERT_FALSE(key.empty());
  auto form = request_form(key, "env.garbage", "小区门口垃圾堆放三天没人清运");

  // A good key: the answer in both formats.
  auto ok = post_form("/open311/v2/requests.json", form);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto j = json_of(ok);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["service_request_id"].get<std::string>().rfind("RC", 0), 0u);
  EXPECT_NE(j[0]["service_notice"].get<std::string>().find("网格"), std::string::npos)
      << j[0]["service_notice"];
  EXPECT_TRUE(j[0].contains("account_id"));
  EXPECT_TRUE(j[0]["account_id"].is_null());
  XNode x = xml_of(post_form("/open311/v2/requests.xml", form), "service_requests");
  ASSERT_EQ(x.kids.size(), 1u);
  EXPECT_EQ(x.kids[0].name, "request");
  EXPECT_EQ(x.kids[0].names(),
            (std::vector<std::string>{"service_request_id", "service_notice", "account_id"}));
  EXPECT_EQ(x.kids[0].text_of("service_request_id").size(), 18u);

  // Multipart forms count too.
  httplib::MultipartFormDataItems items;
  for (const auto& [name, value] : form) items.push_back({name, value, "", ""});
  auto multi = g->client().Post("/open311/v2/requests.json", items);
  ASSERT_TRUE(multi);
  EXPECT_EQ(multi->status, 200) << multi->body;

  // Missing, wrong, then revoked.
  auto none = form;
  none.erase("api_key");
  expect_error("/open311/v2/requests", &none, 403, "api_key");
  auto bad = form;
  bad.erase("api_key");
  bad.emplace("api_key", "rk_notarealkey0000000000000000000000000000000");
  expect_error("/open311/v2/requests", &bad, 403, "api_key");
  const std::string admin = login(*g, "admin");
  auto del = g->client().Delete(("/api/v1/apikeys/" + id).c_str(), bearer(admin));
  ASSERT_TRUE(del);
  ASSERT_EQ(del->status, 204);
  expect_error("/open311/v2/requests", &form, 403, "revoked");
}

TEST(Open311, PostRefusesBadInput) {
  auto [key, id] = new_api_key("input checks");
  const std::string desc = "路灯不亮已经一个星期了";

  auto unknown = request_form(key, "no.such", desc);
  expect_error("/open311/v2/requests", &unknown, 404, "service_code");
  auto no_code = request_form(key, "x", desc);
  no_code.erase("service_code");
  expect_error("/open311/v2/requests", &no_code, 400, "service_code");

  auto nowhere = request_form(key, "city.streetlight", desc);
  nowhere.erase("lat");
  nowhere.erase("long");
  nowhere.erase("address_string");
  expect_error("/open311/v2/requests", &nowhere, 400, "location");
  auto half = request_form(key, "city.streetlight", desc);
  half.erase("long");
  expect_error("/open311/v2/requests", &half, 400, "lat and long");
  auto far = request_form(key, "city.streetlight", desc);
  far.erase("lat");
  far.emplace("lat", "39.9");
  expect_error("/open311/v2/requests", &far, 400, "outside the district");
  auto bad_grid = request_form(key, "city.streetlight", desc);
  bad_grid.emplace("address_id", "nope");
  expect_error("/open311/v2/requests", &bad_grid, 400, "address_id");

  // 4,000 characters are accepted, 4,001 are not.
  std::string long_text;
  for (int i = 0; i < 4000; ++i) long_text += "灯";
  EXPECT_FALSE(create(request_form(key, "city.streetlight", long_text)).empty());
  auto too_long = request_form(key, "city.streetlight", long_text + "灯");
  expect_error("/open311/v2/requests", &too_long, 400, "4000");
  auto empty = request_form(key, "city.streetlight", "   ");
  expect_error("/open311/v2/requests", &empty, 400, "description");

  // The service's questions: required, and answered from the list.
  auto no_answer = request_form(key, "city.road", "路面塌陷一个大坑");
  expect_error("/open311/v2/requests", &no_answer, 400, "attribute[hazard]");
  auto wrong_answer = no_answer;
  wrong_answer.emplace("attribute[hazard]", "maybe");
  expect_error("/open311/v2/requests", &wrong_answer, 400, "yes, no");
  auto households = request_form(key, "water.outage", "整栋楼停水");
  households.emplace("attribute[affected_households]", "很多");
  expect_error("/open311/v2/requests", &households, 400, "whole number");

  auto phone = request_form(key, "city.streetlight", desc);
  phone.emplace("phone", "12345");
  expect_error("/open311/v2/requests", &phone, 400, "phone");

  // Form-encoded only.
  for (const char* ext : {".json", ".xml"}) {
    auto r = g->client().Post((std::string("/open311/v2/requests") + ext).c_str(),
                              Json{{"api_key", key}}.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
  }
}

TEST(Open311, LocationByGridOrAddressAndPrivacy) {
  auto [key, id] = new_api_key("locations");
  const std::string gw = login(*g, "gw0002");
  const std::string grid = api_get(gw, "/api/v1/me")["grid_ids"][0];

  // A grid id as address_id: routed to that grid's worker.
  auto by_grid = request_form(key, "env.garbage", "楼下垃圾桶满了 电话13912345678 请联系");
  by_grid.erase("lat");
  by_grid.erase("long");
  by_grid.emplace("address_id", grid);
  by_grid.emplace("first_name", "三");
  by_grid.emplace("last_name", "张");
  by_grid.emplace("phone", "+86 139 1234 5678");
  by_grid.emplace("email", "zhang@example.com");
  const std::string n1 = create(by_grid);
  ASSERT_FALSE(n1.empty());
  auto t1 = api_get(gw, "/api/v1/tickets/" + n1);
  EXPECT_EQ(t1["grid"]["id"], grid);
  EXPECT_EQ(t1["channel"], "open311");
  EXPECT_EQ(t1["contact"]["name"], "张三");
  EXPECT_EQ(t1["contact"]["phone"], "13912345678");

  // Nothing personal leaves through Open311; typed numbers are masked.
  for (const char* ext : {".json", ".xml"}) {
    Got r = get("/open311/v2/requests/" + n1 + ext);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("张三"), std::string::npos);
    EXPECT_EQ(r.body.find("13912345678"), std::string::npos);
    EXPECT_EQ(r.body.find("zhang@example.com"), std::string::npos);
    EXPECT_NE(r.body.find("139****5678"), std::string::npos);
  }
  auto j1 = json_of(get("/open311/v2/requests/" + n1 + ".json"))[0];
  EXPECT_EQ(j1["address_id"], grid);
  EXPECT_NE(j1["agency_responsible"].get<std::string>().find("网格"), std::string::npos);

  // A photo uploaded here first is attached through media_url; other hosts are not fetched.
  auto up = g->client().Post("/api/v1/attachments", kPng, "image/png");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 201) << up->body;
  const std::string photo = Json::parse(up->body)["id"];
  const std::string base = "http://127.0.0.1:" + std::to_string(g->port());
  auto with_photo = request_form(key, "env.garbage", "垃圾桶旁边堆满了装修垃圾");
  with_photo.emplace("media_url", base + "/api/v1/attachments/" + photo);
  const std::string n4 = create(with_photo);
  auto j4 = json_of(get("/open311/v2/requests/" + n4 + ".json"))[0];
  EXPECT_EQ(j4["media_url"], base + "/api/v1/attachments/" + photo);
  auto elsewhere = request_form(key, "env.garbage", "垃圾桶旁边堆满了装修垃圾");
  elsewhere.emplace("media_url", "http://example.com/photo.jpg");
  auto r5 = json_of(post_form("/open311/v2/requests.json", elsewhere));
  ASSERT_EQ(r5.size(), 1u);
  EXPECT_NE(r5[0]["service_notice"].get<std::string>().find("media_url"), std::string::npos);
  EXPECT_FALSE(json_of(get("/open311/v2/requests/" +
                           r5[0]["service_request_id"].get<std::string>() + ".json"))[0]
                   .contains("media_url"));

  // Only an address: the district hotline centre dispatches it; no invented coordinates.
  auto by_address = request_form(key, "env.garbage", "解放路与建设路交叉口垃圾成堆");
  by_address.erase("lat");
  by_address.erase("long");
  const std::string n2 = create(by_address);
  ASSERT_FALSE(n2.empty());
  auto j2 = json_of(get("/open311/v2/requests/" + n2 + ".json"))[0];
  EXPECT_EQ(j2["agency_responsible"], "任城区政务热线服务中心");
  EXPECT_EQ(j2["address"], "测试路口");
  EXPECT_FALSE(j2.contains("lat"));
  EXPECT_FALSE(j2.contains("long"));
  EXPECT_NE(j2["status_notes"].get<std::string>().find("区"), std::string::npos);
  const std::string ds = login(*g, "ds01");
  auto t2 = api_get(ds, "/api/v1/tickets/" + n2);
  EXPECT_EQ(t2["level"], "district");
  EXPECT_EQ(t2["contact"]["name"], "Open311 用户");

  // XML escaping: what citizens type arrives intact.
  auto tricky = request_form(key, "env.garbage", "垃圾桶 <满了> & \"没人管\" 'A&B' ]]> 结束");
  const std::string n3 = create(tricky);
  XNode x = xml_of(get("/open311/v2/requests/" + n3 + ".xml"), "service_requests");
  ASSERT_EQ(x.kids.size(), 1u);
  EXPECT_EQ(x.kids[0].text_of("description"), "垃圾桶 <满了> & \"没人管\" 'A&B' ]]> 结束");
}

// [SECTION] Reading requests: every filter

TEST(Open311, RequestsFilters) {
  auto [key, id] = new_api_key("filters");
  auto road = request_form(key, "city.road", "路面破损严重，车辆经过颠簸");
  road.emplace("attribute[hazard]", "yes");
  const std::string a = create(request_form(key, "env.noise", "夜间施工噪声很大影响休息"));
  const std::string b = create(road);
  auto water = request_form(key, "water.outage", "整栋楼从早上开始停水");
  water.emplace("attribute[affected_households]", "48");
  water.emplace("attribute[notified]", "no");
  const std::string c = create(water);
  ASSERT_FALSE(a.empty() || b.empty() || c.empty());

  // b is resolved by the grid worker: closed for Open311.
  const std::string gw = login(*g, "gw0001");
  act(gw, b, {{"action", "accept"}});
  act(gw, b, {{"action", "resolve"}, {"reply", "已修补路面"}});

  // An old hotline work order, received 120 days ago.
  const std::string ha = login(*g, "ha01");
  const std::string old_at = iso_now_plus(std::chrono::hours(-24 * 120));
  const std::string csv =
      "received_at,category,description,lat,lng,contact_name,contact_phone\n" + old_at +
      ",dispute.land,宅基地边界纠纷多年未解决,35.41,116.58,钱女士,13600001111\n";
  auto imp = g->client().Post("/api/v1/hotline/import", bearer(ha), csv, "text/csv");
  ASSERT_TRUE(imp);
  ASSERT_EQ(imp->status, 201) << imp->body;
  const std::string old = Json::parse(imp->body)["numbers"][0];

  auto list = [](const std::string& query) {
    Got r = get("/open311/v2/requests.json" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json_of(r);
  };

  // Default: the last 90 days, newest first, every field of the specification.
  auto all = list("");
  auto ids = ids_of(all);
  EXPECT_TRUE(ids.count(a) && ids.count(b) && ids.count(c));
  EXPECT_FALSE(ids.count(old));
  for (std::size_t i = 1; i < all.size(); ++i)
    EXPECT_GE(all[i - 1]["requested_datetime"].get<std::string>(),
              all[i]["requested_datetime"].get<std::string>());
  for (const auto& r : all)
    for (const auto& f : kRequestFields) EXPECT_TRUE(r.contains(f)) << f << " in " << r.dump();
  for (const auto& r : list("?service_request_id=" + a + "," + b + "," + c))
    for (const char* f : {"address_id", "lat", "long"}) EXPECT_TRUE(r.contains(f)) << f;

  // service_request_id: a comma list, and it overrides the other filters.
  auto two = list("?service_request_id=" + a + "," + b + "&status=closed&service_code=x.y");
  EXPECT_EQ(ids_of(two), (std::set<std::string>{a, b}));
  EXPECT_EQ(ids_of(list("?service_request_id=" + old)), (std::set<std::string>{old}));
  EXPECT_TRUE(list("?service_request_id=nonsense,RC0000").empty());

  // service_code: one or several.
  for (const auto& r : list("?service_code=env.noise")) EXPECT_EQ(r["service_code"], "env.noise");
  EXPECT_TRUE(ids_of(list("?service_code=env.noise")).count(a));
  auto codes = ids_of(list("?service_code=env.noise,water.outage"));
  EXPECT_TRUE(codes.count(a) && codes.count(c));
  EXPECT_FALSE(codes.count(b));
  EXPECT_TRUE(list("?service_code=no.such").empty());

  // status: open, closed, both.
  auto open = list("?status=open");
  for (const auto& r : open) EXPECT_EQ(r["status"], "open");
  EXPECT_TRUE(ids_of(open).count(a));
  EXPECT_FALSE(ids_of(open).count(b));
  auto closed = list("?status=closed");
  EXPECT_EQ(ids_of(closed).count(b), 1u);
  for (const auto& r : closed) EXPECT_EQ(r["status"], "closed");
  EXPECT_EQ(list("?status=open,closed").size(), all.size());
  expect_get_error("/open311/v2/requests", "?status=pending", 400, "status");

  // start_date and end_date, with zones.
  const std::string from = iso_now_plus(std::chrono::hours(-24 * 125));
  const std::string to = iso_now_plus(std::chrono::hours(-24 * 115));
  EXPECT_EQ(ids_of(list("?start_date=" + from + "&end_date=" + to)), (std::set<std::string>{old}));
  auto recent = ids_of(list("?start_date=" + iso_now_plus(std::chrono::hours(-1))));
  EXPECT_TRUE(recent.count(a) && !recent.count(old));
  EXPECT_TRUE(ids_of(list("?end_date=" + iso_now_plus(std::chrono::hours(1)))).count(c));
  EXPECT_TRUE(
      list("?start_date=2020-01-01T00:00:00%2B08:00&end_date=2020-02-01T00:00:00Z").empty());
  expect_get_error("/open311/v2/requests", "?start_date=2026-01-01T00:00:00", 400, "time zone");
  expect_get_error("/open311/v2/requests", "?end_date=2026-01-01T00:00:00", 400, "time zone");
  expect_get_error("/open311/v2/requests", "?start_date=yesterday", 400, "ISO 8601");
  expect_get_error("/open311/v2/requests",
                   "?start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400, "before");
  expect_get_error("/open311/v2/requests",
                   "?start_date=2025-01-01T00:00:00Z&end_date=2025-12-01T00:00:00Z", 400,
                   "90 days");

  // Pages.
  auto p1 = list("?page_size=2");
  auto p2 = list("?page_size=2&page=2");
  ASSERT_EQ(p1.size(), 2u);
  ASSERT_GE(p2.size(), 1u);
  EXPECT_NE(p1[0]["service_request_id"], p2[0]["service_request_id"]);
  EXPECT_EQ(p1[0]["service_request_id"], all[0]["service_request_id"]);
  EXPECT_EQ(p2[0]["service_request_id"], all[2]["service_request_id"]);
  expect_get_error("/open311/v2/requests", "?page_size=1001", 400, "page_size");
  expect_get_error("/open311/v2/requests", "?page=0", 400, "page");

  // The same answers in XML, with the specification's element names.
  XNode x =
      xml_of(get("/open311/v2/requests.xml?service_request_id=" + a + "," + b), "service_requests");
  ASSERT_EQ(x.kids.size(), 2u);
  std::set<std::string> xml_ids;
  for (const auto& r : x.kids) {
    EXPECT_EQ(r.name, "request");
    std::vector<std::string> names = r.names();
    for (const auto& f : kRequestFields)
      EXPECT_NE(std::find(names.begin(), names.end(), f), names.end()) << f;
    xml_ids.insert(r.text_of("service_request_id"));
  }
  EXPECT_EQ(xml_ids, (std::set<std::string>{a, b}));
  XNode none = xml_of(get("/open311/v2/requests.xml?service_code=no.such"), "service_requests");
  EXPECT_TRUE(none.kids.empty());

  // The answers to the service's questions are kept with the description.
  auto cj = list("?service_request_id=" + c)[0];
  EXPECT_NE(cj["description"].get<std::string>().find("48"), std::string::npos);
  EXPECT_NE(cj["description"].get<std::string>().find("否"), std::string::npos);
}

TEST(Open311, AtMostAThousandRequestsPerAnswer) {
  // 1,005 hotline work orders, all received now, beside what the window already holds.
  const auto before = json_of(get("/open311/v2/requests.json")).size();
  ASSERT_LT(before, 100u);
  const std::string ha = login(*g, "ha01");
  std::string csv = "category,description,lat,lng,contact_name,contact_phone\n";
  for (int i = 0; i < 1005; ++i)
    csv +=
        "city.streetlight,第" + std::to_string(i) + "号路灯不亮,35.41,116.58,孙先生,13600002222\n";
  auto imp = g->client().Post("/api/v1/hotline/import", bearer(ha), csv, "text/csv");
  ASSERT_TRUE(imp);
  ASSERT_EQ(imp->status, 201) << imp->body.substr(0, 500);

  auto first = json_of(get("/open311/v2/requests.json"));
  EXPECT_EQ(first.size(), 1000u);
  auto rest = json_of(get("/open311/v2/requests.json?page=2"));
  EXPECT_EQ(rest.size(), before + 5);
  auto ids = ids_of(first);
  for (const auto& r : rest) EXPECT_FALSE(ids.count(r["service_request_id"]));
  XNode x = xml_of(get("/open311/v2/requests.xml"), "service_requests");
  EXPECT_EQ(x.kids.size(), 1000u);
}

// [SECTION] One request, tokens, and a request followed to closed

TEST(Open311, OneRequestAndTokens) {
  auto [key, id] = new_api_key("tokens");
  const std::string n = create(request_form(key, "env.garbage", "垃圾清运不及时，气味很大"));
  ASSERT_FALSE(n.empty());
  auto j = json_of(get("/open311/v2/requests/" + n + ".json"));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["service_request_id"], n);
  XNode x = xml_of(get("/open311/v2/requests/" + n + ".xml"), "service_requests");
  ASSERT_EQ(x.kids.size(), 1u);
  EXPECT_EQ(x.kids[0].text_of("service_request_id"), n);
  expect_get_error("/open311/v2/requests/RC2020010100000001", "", 404, "service_request_id");
  expect_get_error("/open311/v2/requests/garbage", "", 404);

  auto t = json_of(get("/open311/v2/tokens/" + n + ".json"));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0]["service_request_id"], n);
  EXPECT_EQ(t[0]["token"], n);
  XNode tx = xml_of(get("/open311/v2/tokens/" + n + ".xml"), "service_requests");
  ASSERT_EQ(tx.kids.size(), 1u);
  EXPECT_EQ(tx.kids[0].name, "request");
  EXPECT_EQ(tx.kids[0].names(), (std::vector<std::string>{"service_request_id", "token"}));
  expect_get_error("/open311/v2/tokens/unknown-token", "", 404, "token");
}

TEST(Open311, RequestFollowedThroughTheWorkflowToClosed) {
  auto [key, id] = new_api_key("lifecycle");
  const std::string gw = login(*g, "gw0001");
  auto me = api_get(gw, "/api/v1/me");
  const std::string grid = me["grid_ids"][0];
  const GridSpot spot = spot_of(grid);
  httplib::Params form = {{"api_key", key},
                          {"service_code", "city.road"},
                          {"lat", fixed(spot.lat)},
                          {"long", fixed(spot.lng)},
                          {"address_string", "古槐路 18 号门前"},
                          {"description", "路面塌陷一个大坑，电动车经过很危险"},
                          {"attribute[hazard]", "yes"},
                          {"first_name", "大爷"},
                          {"last_name", "赵"},
                          {"phone", "13512345678"}};
  const std::string n = create(form);
  ASSERT_FALSE(n.empty());

  auto read = [&] {
    auto j = json_of(get("/open311/v2/requests/" + n + ".json"));
    EXPECT_EQ(j.size(), 1u);
    return j.empty() ? Json() : j[0];
  };
  auto r0 = read();
  EXPECT_EQ(r0["status"], "open");
  EXPECT_NE(r0["status_notes"].get<std::string>().find("assigned"), std::string::npos);
  EXPECT_EQ(r0["agency_responsible"], spot.name + "（网格员）");
  EXPECT_EQ(r0["service_code"], "city.road");
  EXPECT_EQ(r0["service_name"], "道路破损");
  EXPECT_EQ(r0["address"], "古槐路 18 号门前");
  EXPECT_NEAR(r0["lat"].get<double>(), spot.lat, 1e-6);
  EXPECT_NEAR(r0["long"].get<double>(), spot.lng, 1e-6);
  EXPECT_NE(r0["description"].get<std::string>().find("是否影响通行安全？是"), std::string::npos);
  const std::string requested = r0["requested_datetime"];
  EXPECT_EQ(requested.substr(19), "+08:00");
  ASSERT_TRUE(portal::core::parse_iso(requested));
  ASSERT_TRUE(portal::core::parse_iso(r0["expected_datetime"].get<std::string>()));
  EXPECT_GT(*portal::core::parse_iso(r0["expected_datetime"].get<std::string>()),
            *portal::core::parse_iso(requested));

  // The same ticket in the portal: channel open311, in the grid worker's queue.
  auto t = api_get(gw, "/api/v1/tickets/" + n);
  EXPECT_EQ(t["channel"], "open311");
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(portal::core::parse_iso(t["resolve_due_at"].get<std::string>()),
            portal::core::parse_iso(r0["expected_datetime"].get<std::string>()));

  auto updated = [](const Json& r) {
    return *portal::core::parse_iso(r["updated_datetime"].get<std::string>());
  };
  // Accepted by the grid worker.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  act(gw, n, {{"action", "accept"}});
  auto r1 = read();
  EXPECT_EQ(r1["status"], "open");
  EXPECT_NE(r1["status_notes"].get<std::string>().find("accepted"), std::string::npos);
  EXPECT_GT(updated(r1), updated(r0));

  // Escalated to the community, which now answers for it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto esc = act(gw, n, {{"action", "escalate"}, {"reason", "需要社区协调施工单位"}});
  const std::string community = esc["community"]["name"];
  auto r2 = read();
  EXPECT_EQ(r2["agency_responsible"], community);
  EXPECT_NE(r2["status_notes"].get<std::string>().find("社区"), std::string::npos);
  EXPECT_GT(updated(r2), updated(r1));

  // The community accepts and resolves; the reply shows, numbers masked.
  const std::string cs = login(*g, "cs001");
  ASSERT_EQ(api_get(cs, "/api/v1/me")["community_id"], me["community_id"])
      << "cs001 is not gw0001's community";
  act(cs, n, {{"action", "accept"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  act(cs, n, {{"action", "resolve"}, {"reply", "已联系施工单位回填修复，监督电话05372345678"}});
  auto r3 = read();
  EXPECT_EQ(r3["status"], "closed");
  EXPECT_NE(r3["status_notes"].get<std::string>().find("resolved"), std::string::npos);
  EXPECT_NE(r3["status_notes"].get<std::string>().find("已联系施工单位回填修复"),
            std::string::npos);
  EXPECT_EQ(r3["status_notes"].get<std::string>().find("05372345678"), std::string::npos);
  EXPECT_GT(updated(r3), updated(r2));

  // The hotline calls the citizen back and records the rating: closed for good.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string ha = login(*g, "ha01");
  act(ha, n, {{"action", "record_rating"}, {"resolved", true}, {"satisfaction", 5}});
  auto r4 = read();
  EXPECT_EQ(r4["status"], "closed");
  EXPECT_NE(r4["status_notes"].get<std::string>().find("（closed）"), std::string::npos);
  EXPECT_GT(updated(r4), updated(r3));
  EXPECT_EQ(r4["requested_datetime"], requested);

  XNode x = xml_of(get("/open311/v2/requests/" + n + ".xml"), "service_requests");
  ASSERT_EQ(x.kids.size(), 1u);
  EXPECT_EQ(x.kids[0].text_of("status"), "closed");
  EXPECT_EQ(x.kids[0].text_of("agency_responsible"), community);
  auto closed = json_of(get("/open311/v2/requests.json?status=closed&service_code=city.road"));
  EXPECT_TRUE(ids_of(closed).count(n));
  for (const auto& r : closed) EXPECT_EQ(r["status"], "closed");

  // Its trail: submitted through Open311, then the people who handled it.
  auto events = api_get(gw, "/api/v1/tickets/" + n + "/events");
  ASSERT_GE(events["items"].size(), 2u);
  EXPECT_EQ(events["items"][0]["action"], "submit");
  EXPECT_EQ(events["items"][0]["actor"]["name"], "Open311");
  EXPECT_EQ(g->run({"audit", "verify", "--db", g->db()}), 0);
}

// [SECTION] Privacy: anonymous positions and phone numbers in every spelling

namespace {

double metres_between(double lat1, double lng1, double lat2, double lng2) {
  constexpr double kPi = 3.14159265358979323846, kEarth = 6371000;
  const double dy = (lat2 - lat1) * kPi / 180 * kEarth;
  const double dx = (lng2 - lng1) * kPi / 180 * kEarth * std::cos((lat1 + lat2) / 2 * kPi / 180);
  return std::sqrt(dx * dx + dy * dy);
}

}  // namespace

TEST(Open311, AnonymousTicketsShowNoAddressACoarsePositionAndNoPhone) {
  const std::string gw = login(*g, "gw0001");
  const GridSpot spot = spot_of(api_get(gw, "/api/v1/me")["grid_ids"][0]);
  // Off any cell centre, so that publishing it unchanged would show.
  const double lat = spot.lat + 0.000321, lng = spot.lng + 0.000417;
  // The subscriber number 1234 5678 (or the landline's 1234567) in every spelling.
  const std::vector<std::string> spellings = {
      "13812345678",        "138 1234 5678",
      "138-1234-5678",      "１３８１２３４５６７８",
      "+86 138 1234 5678",  "+86-138-1234-5678",
      "0086 138 1234 5678", "86 138 1234 5678",
      "138 1234-5678",      "＋８６ １３８－１２３４－５６７８",
      "0537-1234567",       "(0537)1234567",
      "（0537）1234567"};
  std::vector<std::string> numbers;
  for (const auto& phone : spellings) {
    Json t = {{"category", "city.streetlight"},
              {"description", "楼下路灯坏了一个月，有事打我电话 " + phone + " 谢谢"},
              {"location", {{"lat", lat}, {"lng", lng}, {"address", "古槐路 18 号 3 单元 502"}}},
              {"contact", {{"name", "王小明"}, {"phone", "13900001111"}}},
              {"anonymous", true}};
    auto r = g->client().Post("/api/v1/tickets", t.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
    numbers.push_back(Json::parse(r->body)["number"]);
  }

  auto check_description = [&](const std::string& text, const std::string& where) {
    const std::string d = digits_of(text);
    EXPECT_EQ(d.find("12345678"), std::string::npos) << where << ": " << text;
    EXPECT_EQ(d.find("1234567"), std::string::npos) << where << ": " << text;
    EXPECT_EQ(d.find("1234"), std::string::npos) << where << ": " << text;
    EXPECT_NE(text.find("谢谢"), std::string::npos) << where << ": " << text;
  };
  auto check_position = [&](double plat, double plng, const std::string& where) {
    EXPECT_LE(metres_between(lat, lng, plat, plng), 100) << where;
    EXPECT_GT(metres_between(lat, lng, plat, plng), 1) << where << ": published as it is";
    // Snapped: the centre of a 0.001° row, whatever the true point.
    const double row = plat * 1000;
    EXPECT_NEAR(row - std::floor(row), 0.5, 1e-3) << where;
  };

  std::string ids;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const std::string& n = numbers[i];
    ids += (ids.empty() ? "" : ",") + n;
    Got one = get("/open311/v2/requests/" + n + ".json");
    ASSERT_EQ(one.status, 200) << one.body;
    const Json r = json_of(one)[0];
    EXPECT_FALSE(r.contains("address")) << r.dump();
    EXPECT_EQ(one.body.find("古槐路 18 号"), std::string::npos);
    EXPECT_EQ(one.body.find("王小明"), std::string::npos);
    EXPECT_EQ(one.body.find("13900001111"), std::string::npos);
    check_description(r["description"], spellings[i] + " (requests/{id}.json)");
    check_position(r["lat"], r["long"], spellings[i]);
    // The same on every read: repeated reads cannot be averaged back to the point.
    EXPECT_EQ(json_of(get("/open311/v2/requests/" + n + ".json"))[0]["lat"], r["lat"]);
    EXPECT_EQ(json_of(get("/open311/v2/requests/" + n + ".json"))[0]["long"], r["long"]);

    XNode x = xml_of(get("/open311/v2/requests/" + n + ".xml"), "service_requests");
    ASSERT_EQ(x.kids.size(), 1u);
    EXPECT_EQ(x.kids[0].child("address"), nullptr);
    check_description(x.kids[0].text_of("description"), spellings[i] + " (requests/{id}.xml)");
    check_position(std::stod(x.kids[0].text_of("lat")), std::stod(x.kids[0].text_of("long")),
                   spellings[i] + " (xml)");
  }

  // The lists: requests.json and requests.xml.
  Json list = json_of(get("/open311/v2/requests.json?service_request_id=" + ids));
  ASSERT_EQ(list.size(), numbers.size());
  for (const auto& r : list) {
    EXPECT_FALSE(r.contains("address"));
    check_description(r["description"], "requests.json " + r["service_request_id"].dump());
    check_position(r["lat"], r["long"], "requests.json");
  }
  XNode xl = xml_of(get("/open311/v2/requests.xml?service_request_id=" + ids), "service_requests");
  ASSERT_EQ(xl.kids.size(), numbers.size());
  for (const auto& r : xl.kids) {
    EXPECT_EQ(r.child("address"), nullptr);
    check_description(r.text_of("description"), "requests.xml " + r.text_of("service_request_id"));
  }

  // The ticket's handlers still see the true point and the whole description.
  auto t = api_get(gw, "/api/v1/tickets/" + numbers[0]);
  EXPECT_NEAR(t["location"]["lat"].get<double>(), lat, 1e-9);
  EXPECT_NE(t["description"].get<std::string>().find("13812345678"), std::string::npos);
}

TEST(Open311, AddressesAndRepliesOfNamedTicketsAreMaskedToo) {
  auto [key, id] = new_api_key("masking");
  auto form = request_form(key, "env.garbage", "垃圾桶满了");
  form.erase("address_string");
  form.emplace("address_string", "古槐路 18 号，门卫电话 138 1234 5678");
  const std::string n = create(form);
  ASSERT_FALSE(n.empty());
  const Json r = json_of(get("/open311/v2/requests/" + n + ".json"))[0];
  // Not anonymous: the address and the exact position stay, the phone does not.
  ASSERT_TRUE(r.contains("address"));
  EXPECT_NE(r["address"].get<std::string>().find("古槐路 18 号"), std::string::npos);
  EXPECT_EQ(digits_of(r["address"].get<std::string>()).find("1234"), std::string::npos)
      << r["address"];

  // The reply, published in status_notes.
  const std::string gw = login(*g, "gw0001");
  act(gw, n, {{"action", "accept"}});
  act(gw, n,
      {{"action", "resolve"},
       {"reply", "已清运。监督电话 +86 (0537) 123-4567，或 １３８－１２３４－５６７８"}});
  for (const char* ext : {".json", ".xml"}) {
    Got got = get("/open311/v2/requests/" + n + ext);
    ASSERT_EQ(got.status, 200);
    const std::string notes = std::string(ext) == ".json"
                                  ? json_of(got)[0]["status_notes"].get<std::string>()
                                  : xml_of(got, "service_requests").kids[0].text_of("status_notes");
    EXPECT_NE(notes.find("已清运"), std::string::npos) << notes;
    EXPECT_EQ(digits_of(notes).find("1234"), std::string::npos) << notes;
  }
}

// Characters beyond GB2312, outside the BMP and emoji sequences pass through Open311 in
// both formats as raw UTF-8: the XML well-formed to both readers, with no character
// references; the description limit counts characters.
TEST(Open311, EveryCharacterInJsonAndXml) {
  auto [key, id] = new_api_key("every-character");
  const std::string ji = "\xF0\xA0\xAE\xB7";  // 𠮷 U+20BB7
  const std::string description =
      ji + "野家门口路灯坏了👍，李堃、王玥、张喆一家👨\u200D👩\u200D👧都摔过 🇨🇳 朱镕基路";
  auto form = request_form(key, "env.garbage", description);
  form.erase("address_string");
  form.emplace("address_string", ji + "野家 朱镕基路");
  const std::string n = create(form);
  ASSERT_FALSE(n.empty());

  auto j = json_of(get("/open311/v2/requests/" + n + ".json"));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["description"], description);
  const Got xml = get("/open311/v2/requests.xml?service_request_id=" + n);
  EXPECT_NE(xml.body.find(description), std::string::npos) << xml.body;
  EXPECT_EQ(xml.body.find("&#"), std::string::npos) << xml.body;
  XNode x = xml_of(xml, "service_requests");
  ASSERT_EQ(x.kids.size(), 1u);
  EXPECT_EQ(x.kids[0].text_of("description"), description);

  std::string longest;
  for (int i = 0; i < 4000; ++i) longest += ji;
  EXPECT_EQ(
      post_form("/open311/v2/requests.json", request_form(key, "env.garbage", longest)).status,
      200);
  EXPECT_EQ(
      post_form("/open311/v2/requests.json", request_form(key, "env.garbage", longest + ji)).status,
      400);
}
