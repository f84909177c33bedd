#include "server/service/topic_service.hpp"

#include <cstdio>
#include <set>

#include "portal/core/utf8.hpp"

namespace portal::server {

using core::Error;
using core::Json;
using core::Result;
using core::Role;

namespace {

constexpr std::size_t kTitleMaxChars = 100;
constexpr std::size_t kTextMaxChars = 2000;

Error forbidden_writer() {
  return Error{"forbidden_role", "only district staff open and resolve topics", {}, 403};
}

core::Outcome check_writer(const Actor& a) {
  if (!a.signed_in()) return Error{"unauthorized", "sign in first", {}, 401};
  if (a.role != Role::district_staff) return forbidden_writer();
  return core::Unit{};
}

// A text field: a string of valid UTF-8 without control characters (newlines are
// allowed in long texts), at most `max` characters.
Result<std::string> text_of(const Json& body, const char* field, bool required, std::size_t max,
                            bool multiline) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) return Error::invalid(field, "required", "is required");
    return std::string();
  }
  if (!it->is_string()) return Error::malformed(field, "wrong_type", "must be a string");
  std::string s = it->get<std::string>();
  auto len = core::utf8_length(s);
  if (!len) return Error::invalid(field, "invalid_utf8", "must be valid UTF-8 text");
  std::string checked = s;
  if (multiline)
    for (char& c : checked)
      if (c == '\n' || c == '\r') c = ' ';
  if (core::has_control_chars(checked))
    return Error::invalid(field, "control_characters", "must not hold control characters");
  bool blank = true;
  for (char c : s) blank = blank && (c == ' ' || c == '\n' || c == '\r');
  if (required && blank) return Error::invalid(field, "required", "is required");
  if (*len > max)
    return Error::invalid(field, "too_long",
                          "must have at most " + std::to_string(max) + " characters");
  return s;
}

std::string month_of(core::TimePoint t) {
  const auto d = core::civil_date(t, core::kShanghaiOffset);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  return buf;
}

// Topic ids are positive decimal integers; anything else names no topic.
std::optional<std::int64_t> id_of(const std::string& s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

}  // namespace

TopicService::TopicService(Store& store, TicketService& tickets,
                           std::shared_ptr<const OrgDirectory> org, NowFn now)
    : store_(store), tickets_(tickets), org_(std::move(org)), now_(std::move(now)) {}

std::string TopicService::category_name(const std::string& code) {
  auto c = store_.category(code);
  if (c && *c) return (*c)->name;
  return code;
}

Json TopicService::topic_json(const TopicRecord& t) {
  const StreetRow* street = t.street_id ? org_->street(*t.street_id) : nullptr;
  return Json{
      {"id", t.id},
      {"title", t.title},
      {"category", t.category},
      {"category_name", category_name(t.category)},
      {"street_id", t.street_id ? Json(*t.street_id) : Json(nullptr)},
      {"street_name", street ? Json(street->name) : Json(nullptr)},
      {"month", t.month},
      {"note", t.note},
      {"status", t.status},
      {"created_at", core::format_iso(t.created_at)},
      {"ticket_count", t.ticket_count},
      {"open_count", t.open_count},
      {"resolved_count", t.ticket_count - t.open_count},
      {"reply", t.reply ? Json(*t.reply) : Json(nullptr)},
      {"resolved_at", t.resolved_at ? Json(core::format_iso(*t.resolved_at)) : Json(nullptr)}};
}

Json TopicService::ticket_json(const TicketRecord& t) const {
  const StreetRow* street = t.street_id ? org_->street(*t.street_id) : nullptr;
  const CommunityRow* community = t.community_id ? org_->community(*t.community_id) : nullptr;
  return Json{
      {"number", t.number},
      {"status", core::to_string(t.status)},
      {"level", core::to_string(t.level)},
      {"category", t.draft.category},
      {"street_name", street ? Json(street->name) : Json(nullptr)},
      {"community_name", community ? Json(community->name) : Json(nullptr)},
      {"created_at", core::format_iso(t.created_at)},
      {"resolved_at", t.resolved_at ? Json(core::format_iso(*t.resolved_at)) : Json(nullptr)},
      {"overdue", t.overdue}};
}

Result<TopicRecord> TopicService::visible(const Actor& actor, const std::string& id_text) {
  if (auto ok = StatsService::check_reader(actor); !ok) return ok.error();
  const Error not_found = Error::not_found("no such topic");
  auto id = id_of(id_text);
  if (!id) return not_found;
  auto t = store_.find_topic(*id);
  if (!t) return t.error();
  if (!*t) return not_found;
  if (actor.role == Role::street_staff || actor.role == Role::community_staff) {
    if (!(*t)->street_id || actor.street_id.empty() || *(*t)->street_id != actor.street_id)
      return not_found;
  }
  return std::move(**t);
}

Result<Json> TopicService::create(const Actor& actor, const Json& body) {
  if (auto ok = check_writer(actor); !ok) return ok.error();
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  TopicRecord t;
  auto title = text_of(body, "title", true, kTitleMaxChars, false);
  if (!title) return title.error();
  t.title = *title;
  auto cat = text_of(body, "category", true, 64, false);
  if (!cat) return cat.error();
  auto known = store_.category(*cat);
  if (!known) return known.error();
  if (!*known) return Error::invalid("category", "unknown_category", "is not a category");
  t.category = *cat;
  if (auto it = body.find("street_id"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return Error::malformed("street_id", "wrong_type", "must be a string");
    if (!org_->street(it->get<std::string>()))
      return Error::invalid("street_id", "unknown_street", "is not a street");
    t.street_id = it->get<std::string>();
  }
  t.month = month_of(now_());
  if (auto it = body.find("month"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return Error::malformed("month", "wrong_type", "must be a string");
    auto m = StatsService::parse_month(it->get<std::string>());
    if (!m) return m.error();
    t.month = it->get<std::string>();
  }
  auto note = text_of(body, "note", false, kTextMaxChars, true);
  if (!note) return note.error();
  t.note = *note;
  t.created_by = *actor.user_id;
  t.created_at = now_();
  auto made = store_.create_topic(std::move(t));
  if (!made) return made.error();
  return topic_json(*made);
}

Result<StatsAnswer> TopicService::list(const Actor& actor, const std::string& month,
                                       const std::string& status) {
  if (auto ok = StatsService::check_reader(actor); !ok) return ok.error();
  TopicFilter f;
  if (!month.empty()) {
    auto m = StatsService::parse_month(month);
    if (!m) return m.error();
    f.month = month;
  }
  if (!status.empty() && status != "open" && status != "resolved")
    return Error::invalid("status", "unknown_status", "must be open or resolved");
  f.status = status;
  if (actor.role == Role::street_staff || actor.role == Role::community_staff)
    f.street_id = actor.street_id;
  auto rows = store_.topics(f);
  if (!rows) return rows.error();
  StatsAnswer a;
  Json items = Json::array();
  CsvTable table{
      "topics",
      {"id", "title", "category", "category_name", "street_id", "street_name", "month", "status",
       "ticket_count", "open_count", "resolved_count", "created_at", "resolved_at"},
      {}};
  for (const auto& t : *rows) {
    Json j = topic_json(t);
    auto str = [&j](const char* k) -> CsvCell {
      return j[k].is_string() ? CsvCell(j[k].get<std::string>()) : CsvCell();
    };
    table.rows.push_back({CsvCell(t.id), str("title"), str("category"), str("category_name"),
                          str("street_id"), str("street_name"), str("month"), str("status"),
                          CsvCell(t.ticket_count), CsvCell(t.open_count),
                          CsvCell(t.ticket_count - t.open_count), str("created_at"),
                          str("resolved_at")});
    items.push_back(std::move(j));
  }
  a.json = Json{{"items", items}, {"total", rows->size()}};
  a.tables.push_back(std::move(table));
  return a;
}

Result<Json> TopicService::get(const Actor& actor, const std::string& id) {
  auto t = visible(actor, id);
  if (!t) return t.error();
  return topic_json(*t);
}

Result<StatsAnswer> TopicService::tickets(const Actor& actor, const std::string& id) {
  auto t = visible(actor, id);
  if (!t) return t.error();
  auto numbers = store_.topic_ticket_numbers(t->id);
  if (!numbers) return numbers.error();
  StatsAnswer a;
  Json items = Json::array();
  CsvTable table{"topic_tickets",
                 {"number", "status", "level", "category", "street_name", "community_name",
                  "created_at", "resolved_at", "overdue"},
                 {}};
  for (const auto& n : *numbers) {
    auto rec = store_.find_ticket(n);
    if (!rec) return rec.error();
    if (!*rec) continue;
    Json j = ticket_json(**rec);
    auto str = [&j](const char* k) -> CsvCell {
      return j[k].is_string() ? CsvCell(j[k].get<std::string>()) : CsvCell();
    };
    table.rows.push_back({str("number"), str("status"), str("level"), str("category"),
                          str("street_name"), str("community_name"), str("created_at"),
                          str("resolved_at"), CsvCell(std::int64_t{(*rec)->overdue ? 1 : 0})});
    items.push_back(std::move(j));
  }
  a.json = Json{{"topic", topic_json(*t)}, {"items", items}};
  a.tables.push_back(std::move(table));
  return a;
}

Result<Json> TopicService::candidates(const Actor& actor, const std::string& id) {
  auto t = visible(actor, id);
  if (!t) return t.error();
  auto linked = store_.topic_ticket_numbers(t->id);
  if (!linked) return linked.error();
  const std::set<std::string> have(linked->begin(), linked->end());
  TicketFilter f;
  f.category = t->category;
  if (t->street_id) f.street_id = *t->street_id;
  f.open_only = true;
  f.page = 1;
  f.page_size = kMaxLink;
  auto page = store_.list_tickets(f);
  if (!page) return page.error();
  Json items = Json::array();
  for (const auto& r : page->items)
    if (!have.count(r.number)) items.push_back(ticket_json(r));
  return Json{{"items", items}};
}

Result<Json> TopicService::link(const Actor& actor, const std::string& id, const Json& body) {
  if (auto ok = check_writer(actor); !ok) return ok.error();
  auto t = visible(actor, id);
  if (!t) return t.error();
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto it = body.find("numbers");
  if (it == body.end() || it->is_null())
    return Error::invalid("numbers", "required", "name at least one ticket");
  if (!it->is_array()) return Error::malformed("numbers", "wrong_type", "must be an array");
  if (it->empty()) return Error::invalid("numbers", "required", "name at least one ticket");
  if (it->size() > static_cast<std::size_t>(kMaxLink))
    return Error::invalid("numbers", "too_many",
                          "at most " + std::to_string(kMaxLink) + " tickets at once");
  if (t->status != "open") return Error::conflict("topic_resolved", "the topic is resolved");
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    const std::string field = "numbers." + std::to_string(i);
    if (!v.is_string()) return Error::malformed(field, "wrong_type", "must be a string");
    const std::string n = v.get<std::string>();
    auto rec = core::is_ticket_number(n) ? store_.find_ticket(n)
                                         : Result<std::optional<TicketRecord>>(std::nullopt);
    if (!rec) return rec.error();
    if (!*rec) return Error::invalid(field, "unknown_ticket", "is not a ticket");
    if (t->street_id && (*rec)->street_id != t->street_id)
      return Error::invalid(field, "outside_topic", "lies outside the topic's street");
    ids.push_back((*rec)->id);
  }
  auto added = store_.link_topic_tickets(t->id, ids, *actor.user_id, now_());
  if (!added) return added.error();
  auto fresh = store_.find_topic(t->id);
  if (!fresh) return fresh.error();
  return Json{{"linked", *added}, {"topic", topic_json(fresh->value_or(*t))}};
}

Result<Json> TopicService::resolve(const Actor& actor, const std::string& id, const Json& body) {
  if (auto ok = check_writer(actor); !ok) return ok.error();
  auto t = visible(actor, id);
  if (!t) return t.error();
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto reply = text_of(body, "reply", true, kTextMaxChars, true);
  if (!reply) return reply.error();
  if (t->status != "open") return Error::conflict("topic_resolved", "the topic is resolved");
  auto numbers = store_.topic_ticket_numbers(t->id);
  if (!numbers) return numbers.error();
  if (numbers->empty()) return Error::conflict("no_tickets", "link tickets to the topic first");
  Json resolved = Json::array(), skipped = Json::array();
  int still_open = 0;
  for (const auto& n : *numbers) {
    auto r = tickets_.resolve_in_package(n, actor, *reply, t->id);
    if (r) {
      resolved.push_back(n);
      continue;
    }
    if (r.error().status >= 500) return r.error();
    if (r.error().code != "action_not_allowed") ++still_open;
    skipped.push_back(Json{{"number", n}, {"code", r.error().code}});
  }
  if (still_open == 0) {
    auto done = store_.resolve_topic(t->id, *reply, *actor.user_id, now_());
    if (!done) return done.error();
  }
  auto fresh = store_.find_topic(t->id);
  if (!fresh) return fresh.error();
  return Json{
      {"topic", topic_json(fresh->value_or(*t))}, {"resolved", resolved}, {"skipped", skipped}};
}

}  // namespace portal::server
