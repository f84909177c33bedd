// Typed calls of the HTTP API (API.md) on top of net::Http. Answers are parsed
// with core's JSON mapping; failures become core::Error values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/model.hpp"
#include "net/http.hpp"
#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

// Percent-encodes everything but RFC 3986 unreserved characters (a path segment or query value).
std::string url_encode(std::string_view s);

class Api {
 public:
  template <class T>
  using Done = std::function<void(core::Result<T>)>;

  Api(net::Http& http, std::string base) : http_(http), base_(std::move(base)) {}

  void categories(Done<std::vector<core::Category>> done);
  // `body`: a draft with what its submitter asks for (app/notify_settings.hpp submit_body).
  void submit(const core::Json& body, const std::string& idempotency_key,
              Done<core::TicketReceipt> done);
  void ticket(const std::string& number, const std::string& access_code, Done<TicketDetail> done);

  // The signed-in user's token, sent as a Bearer token with every call ("" when none).
  void set_token(std::string token) { token_ = std::move(token); }
  const std::string& token() const { return token_; }

  void login(const std::string& login, const std::string& password, Done<Session> done);
  void register_account(const std::string& phone, const std::string& password,
                        const std::string& name, Done<Session> done);
  void logout();
  void me(Done<User> done);
  void my_tickets(Done<std::vector<TicketSummary>> done);
  // The tickets the signed-in citizen follows (GET /tickets?scope=followed).
  void followed_tickets(Done<std::vector<TicketSummary>> done);
  // Open tickets of `category` near a point; at most five, nearest first.
  void nearby(double lat, double lng, const std::string& category,
              Done<std::vector<NearbyTicket>> done);
  // Follows (on) or stops following a ticket; the answer is its followers (-1: not said).
  void follow(const std::string& number, bool on, Done<int> done);
  // The categories a description suggests, with its place when known.
  void suggest(const std::string& description, const std::optional<std::pair<double, double>>& at,
               Done<std::vector<Suggestion>> done);
  // Handlers: the tickets of their scope (GET /tickets?scope=queue), and an action on one.
  void queue(Done<std::vector<TicketSummary>> done);
  // A list of tickets at a /api/v1/tickets address with its query (the desk's filters).
  void tickets_at(const std::string& url, Done<std::vector<TicketSummary>> done);
  void act(const std::string& number, const core::Json& body, Done<TicketDetail> done);
  // Hotline agents: a batch of work orders, CSV or a JSON array, as typed or pasted.
  void hotline_import(const std::string& body, bool csv, Done<core::Json> done);
  void events(const std::string& number, const std::string& access_code,
              Done<std::vector<TicketEvent>> done);
  void rate(const std::string& number, const std::string& access_code, bool resolved,
            int satisfaction, const std::string& comment, Done<TicketDetail> done);
  void grids(Done<GridsAnswer> done);
  // The names of streets and communities (GET /api/v1/org), for the map.
  void org_names(Done<OrgNames> done);
  void locate(double lat, double lng, Done<Located> done);
  // The district's places whose names contain q, best first.
  void places(const std::string& q, Done<std::vector<Place>> done);
  void units(Done<std::vector<Unit>> done);
  // A one-time ticket for EventSource (which cannot send an Authorization header).
  void stream_ticket(Done<std::string> done);

  // The error a failed answer stands for: the body's {"error":{...}} when there is
  // one, else a generic error for the status (status 0: "network").
  static core::Error error_from(const net::Response& r);

  // The cockpit's calls: JSON answers of many shapes (read by the cockpit's own
  // parsers), and text answers (CSV exports).
  void get_json(const std::string& path, Done<core::Json> done);
  void post_json(const std::string& path, const core::Json& body, Done<core::Json> done);
  void put_json(const std::string& path, const core::Json& body, Done<core::Json> done);
  void get_text(const std::string& path, Done<std::string> done);

 private:
  net::Http& http_;
  void send_json(const char* method, const std::string& path, const core::Json& body,
                 Done<core::Json> done);
  void send(net::Request req, std::function<void(net::Response)> done);

  std::string base_;  // "" or a prefix such as "https://host"
  std::string token_;
};

}  // namespace portal::client
