// Open311 GeoReport v2 (SPEC §9): discovery, services and their definitions, service
// requests (list, one, create) and tokens, as documents that render to the
// specification's JSON or XML. Knows no HTTP: the routes pass the request's parameters
// and the server's public base URL, and send the Reply as it comes.
//
// Mapping: service_code = category code; service_request_id = ticket number; status
// open|closed (closed = resolved, closed, rejected, merged); status_notes = the current
// state and the reply; agency_responsible = the current handler (grid, community,
// street, unit or the hotline centre, never a person's name); expected_datetime = the
// resolve deadline; times in ISO 8601 at +08:00 (Asia/Shanghai). No contact data ever
// leaves through Open311: phone numbers in free text (description, reply, address) are
// masked in every spelling (core::mask_phones_in_text), and an anonymous ticket shows
// no address and its position only to about 100 m (coarsen).
//
// Creating (POST requests): api_key (issued by the administrator) → 403 when missing,
// unknown or revoked; service_code → 400 missing, 404 unknown; a location: lat+long,
// address_id (a grid id of the district) or address_string → 400 when none; description
// 5..4,000 characters; first_name/last_name → the contact name (default "Open311 用户");
// phone → the contact phone (a mainland mobile or landline; see Config::no_phone when
// none is given); attribute[code] answers are checked against the service definition
// and recorded under the description. The ticket enters the ordinary workflow with
// channel open311.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/service/auth_service.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/open311_store.hpp"

namespace portal::server {

namespace open311 {

// Documents keep their members in the order of the specification's examples.
using Doc = nlohmann::ordered_json;

enum class Format { json, xml };

// The answer to one call: its HTTP status and its document. XML needs the name of the
// root element (discovery, services, service_definition, service_requests, errors);
// JSON is the document itself (arrays bare, as the specification shows them).
struct Reply {
  int status = 200;
  std::string root;
  Doc body;
};

// [{code, description}] with root "errors".
Reply error(int status, std::string description);

std::string render(const Reply& reply, Format format);
const char* content_type(Format format);

// XML 1.0, UTF-8: members become elements in order; array items are named after their
// parent (services/service, service_requests/request, attributes/attribute,
// values/value, endpoints/endpoint, formats/format, errors/error); null is an empty
// element. Text is escaped (& < > " ') and stripped of what XML 1.0 does not allow.
std::string to_xml(const Doc& body, std::string_view root);
std::string xml_text(std::string_view s);

// An anonymous ticket's position as published: the centre of its cell in a grid of
// 0.001° latitude by the same ground distance in longitude (about 100 m square).
// Deterministic, so that repeated reads cannot be averaged back to the true point.
struct Coarse {
  double lat = 0, lng = 0;
};
Coarse coarsen(double lat, double lng);

// ISO 8601 at +08:00, e.g. 2026-11-25T11:04:05+08:00.
std::string format_local(core::TimePoint t);

// [SECTION] Service definitions: the extra questions of some services.
struct AttributeValue {
  std::string key, name;
};
struct Attribute {
  std::string code;
  std::string datatype;  // string | number | datetime | text | singlevaluelist
  bool required = false;
  std::string datatype_description;
  std::string description;  // the question, as shown to the citizen
  std::vector<AttributeValue> values;
};
// The built-in questions of a service; empty for most.
const std::vector<Attribute>& attributes_of(std::string_view service_code);

// Parameters of a call: the query string and, for POST, the form fields.
using Params = std::multimap<std::string, std::string>;

struct Config {
  // The one jurisdiction served; a call naming another gets 404.
  std::string jurisdiction_id = "rencheng.jining.sd.cn";
  // Open311 clients often send no phone, and the portal keeps one on every ticket.
  // A number that reaches nobody, recognisable at a glance by handlers, who then reply
  // through status_notes (read back by the client). A district may set its hotline
  // centre's callback line here instead.
  std::string no_phone = "0537-0000000";
  std::string default_name = "Open311 用户";
  // Shown in discovery.
  std::string contact = "任城区政务热线服务中心，电话 12345";
  std::string key_service =
      "API keys are issued by the district administrator (POST /api/v1/apikeys); "
      "apply through the 任城区政务热线服务中心.";
  // The server's public address for links (discovery, media_url), e.g.
  // "https://12345.rencheng.gov.cn"; empty: taken from the request's Host.
  std::string public_url;
  int window_days = 90;    // GET requests without dates: the last 90 days
  int max_results = 1000;  // at most this many requests per answer
};

}  // namespace open311

class Open311Service {
 public:
  Open311Service(Open311Store& store, TicketService& tickets, AuthService& auth,
                 open311::Config config = {}, NowFn now = system_now());

  const open311::Config& config() const { return config_; }

  // base_url: where the server is reached, e.g. "https://12345.rencheng.gov.cn".
  open311::Reply discovery(const open311::Params& p, const std::string& base_url) const;
  open311::Reply services(const open311::Params& p);
  open311::Reply service_definition(const std::string& code, const open311::Params& p);
  open311::Reply requests(const open311::Params& p, const std::string& base_url);
  open311::Reply request(const std::string& id, const open311::Params& p,
                         const std::string& base_url);
  open311::Reply token(const std::string& token, const open311::Params& p);
  // POST requests.
  open311::Reply create(const open311::Params& p);

 private:
  std::optional<open311::Reply> check_jurisdiction(const open311::Params& p) const;
  core::Result<std::map<std::string, core::Category, std::less<>>> catalogue();
  // Builds one request; `notices` caches the SLA notice of each service for one answer.
  open311::Doc request_doc(const Open311Row& row,
                           const std::map<std::string, core::Category, std::less<>>& cats,
                           std::map<std::string, std::string>& notices,
                           const std::string& base_url);
  std::string agency_of(const Open311Row& row) const;
  std::string sla_notice(const std::string& category);

  Open311Store& store_;
  TicketService& tickets_;
  AuthService& auth_;
  open311::Config config_;
  NowFn now_;
};

}  // namespace portal::server
