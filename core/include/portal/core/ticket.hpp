// Ticket types of the HTTP contract (API.md) and the enums of the lifecycle (SPEC §4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portal::core {

// [SECTION] Enums and their wire names
enum class Status {
  submitted,
  assigned,
  accepted,
  in_progress,
  resolved,
  closed,
  returned,
  rejected,
  merged
};
enum class Level { grid, community, street, district };
enum class Channel { web, embed, hotline, patrol, open311 };
enum class SlaClass { urgent, utility, normal, complex };

std::string_view to_string(Status s);
std::string_view to_string(Level l);
std::string_view to_string(Channel c);
std::string_view to_string(SlaClass c);
std::optional<Status> parse_status(std::string_view s);
std::optional<Level> parse_level(std::string_view s);
std::optional<Channel> parse_channel(std::string_view s);
std::optional<SlaClass> parse_sla_class(std::string_view s);

// [SECTION] Catalogue
struct Category {
  std::string code;  // e.g. "env.noise"
  std::string name;  // Chinese
  std::string name_en;
  std::string group;  // e.g. "环境保护"
  SlaClass sla_class = SlaClass::normal;
  std::string default_unit_id;
};

// A matter about a person rather than a shared place (a family or a neighbour's dispute,
// unpaid wages, care, assistance, insurance, health): it is never shown to neighbours as
// "已有人反映？" and never followed by anyone but its submitter.
bool is_personal_matter(const Category& c);

// [SECTION] Submission
// Where a matter is. A submitter who does not know where exactly gives no point (only,
// perhaps, an address in words): the location is then `unknown()`, stored as a point
// inside the bounds validation accepts and outside every grid, so that it routes as
// any point outside the grids does, to the district hotline centre (SPEC §4 Routing).
// On the wire such a location has no lat and lng.
struct Location {
  static constexpr double kUnknownLat = 34.5, kUnknownLng = 115.5;

  double lat = 0;
  double lng = 0;
  std::string address;

  static Location unknown(std::string address = {}) {
    return {kUnknownLat, kUnknownLng, std::move(address)};
  }
  bool known() const { return !(lat == kUnknownLat && lng == kUnknownLng); }
};

struct Contact {
  std::string name;
  std::string phone;
};

// What a citizen (or an agent for a caller) submits: POST /api/v1/tickets.
struct TicketDraft {
  std::string category;
  std::string description;
  Location location;
  std::optional<std::string> grid_id;
  Contact contact;
  bool anonymous = false;
  Channel channel = Channel::web;
  std::vector<std::string> attachments;
};

// The answer to a submission.
struct TicketReceipt {
  std::string number;
  std::optional<std::string> access_code;  // only for submitters without an account
  Status status = Status::submitted;
  Level level = Level::grid;
  std::string grid_id;
  std::string response_due_at;
  std::string resolve_due_at;
};

// [SECTION] The ticket as a reader sees it
struct NamedRef {
  std::string id;
  std::string name;
};

struct Assignee {
  std::string kind;  // "user" | "unit"
  std::string id;
  std::string name;
};

struct TicketView {
  std::string number;
  Status status = Status::submitted;
  Level level = Level::grid;
  std::string category;
  std::string description;
  Channel channel = Channel::web;
  Location location;
  std::optional<NamedRef> grid, community, street;
  std::optional<Assignee> assignee;
  Contact contact;  // masked unless the reader handles the ticket
  std::string created_at, updated_at, response_due_at, resolve_due_at;
  bool overdue = false;
  std::optional<std::string> reply;
  int reopen_count = 0;
  std::vector<std::string> allowed_actions;
};

// [SECTION] Helpers
// "RC" + yyyymmdd + 8-digit daily sequence, e.g. RC2026112500000123.
std::string format_ticket_number(int year, int month, int day, std::int64_t seq);
bool is_ticket_number(std::string_view s);

// 138****1234 for an 11-digit mobile; keeps the first 3 and last 4 otherwise too.
std::string mask_phone(std::string_view phone);
// 张* : keeps the first character (code point) of a name.
std::string mask_name(std::string_view name);

}  // namespace portal::core
