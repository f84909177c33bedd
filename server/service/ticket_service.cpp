// [SECTION] Index
// - Helpers: clock, access codes, actors
// - Submission and routing
// - Reading: visibility, views, events, lists
// - Actions and ratings
// - Scheduler and audit verification

#include "server/service/ticket_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "portal/core/phone_mask.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/service/hotline_import.hpp"
#include "server/service/images.hpp"
#include "server/service/tokens.hpp"

namespace portal::server {

using core::Action;
using core::Error;
using core::Json;
using core::Level;
using core::Result;
using core::Role;
using core::Status;

// [SECTION] Helpers

NowFn system_now() {
  return [] { return std::chrono::time_point_cast<std::chrono::seconds>(core::Clock::now()); };
}

std::string new_access_code() {
  static constexpr char kAlphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  std::string code(8, ' ');
  for (auto& c : code) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return code;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

namespace {
// The access code of an anonymous submitter, kept with an idempotent ticket so that
// a retry can answer it again: XORed with a pad that only the key itself gives.
std::string seal_code(std::string_view code, const std::string& pad_hex) {
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < code.size() && 2 * i + 1 < pad_hex.size(); ++i) {
    const auto pad = static_cast<unsigned char>(std::stoi(pad_hex.substr(2 * i, 2), nullptr, 16));
    const auto b = static_cast<unsigned char>(static_cast<unsigned char>(code[i]) ^ pad);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}
std::string unseal_code(const std::string& sealed_hex, const std::string& pad_hex) {
  std::string out;
  for (std::size_t i = 0; 2 * i + 1 < sealed_hex.size() && 2 * i + 1 < pad_hex.size(); ++i) {
    const int b = std::stoi(sealed_hex.substr(2 * i, 2), nullptr, 16) ^
                  std::stoi(pad_hex.substr(2 * i, 2), nullptr, 16);
    out += static_cast<char>(b);
  }
  return out;
}
}  // namespace

Actor Actor::from_user(const UserRow& u) {
  Actor a;
  a.user_id = u.id;
  a.role = u.role;
  a.name = u.name;
  a.unit_id = u.unit_id;
  a.street_id = u.street_id;
  a.community_id = u.community_id;
  a.grid_ids = u.grid_ids;
  return a;
}

Actor Actor::system() {
  Actor a;
  a.role = Role::system;
  a.name = "系统";
  return a;
}

namespace {

constexpr std::size_t kNoteMaxChars = 2000;

bool contains(const std::vector<std::string>& v, const std::optional<std::string>& s) {
  return s && std::find(v.begin(), v.end(), *s) != v.end();
}

// People retype codes: accept lower case and ignore spaces and dashes.
std::string normalise_code(std::string_view code) {
  std::string typed;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    typed += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return typed;
}

bool code_matches(const TicketRecord& t, const std::optional<std::string>& code) {
  if (!code || t.access_code_hash.empty()) return false;
  const std::string h = sha256_hex(normalise_code(*code));
  return h.size() == t.access_code_hash.size() &&
         sodium_memcmp(h.data(), t.access_code_hash.data(), h.size()) == 0;
}

core::AuditEvent event_of(const Actor& actor, Action action, Status from, Status to, Level level,
                          core::TimePoint at, std::string note = {}, std::string data = {}) {
  core::AuditEvent e;
  e.at = core::format_iso(at);
  e.actor_id = actor.user_id ? std::to_string(*actor.user_id) : "";
  e.actor_role = actor.user_id || actor.role == Role::system
                     ? std::string(core::to_string(actor.role))
                     : "anonymous";
  e.actor_name = actor.name;
  e.action = std::string(core::to_string(action));
  e.from_status = std::string(core::to_string(from));
  e.to_status = std::string(core::to_string(to));
  e.level = std::string(core::to_string(level));
  e.note = std::move(note);
  e.data = std::move(data);
  return e;
}

// A required free-text field of an action body.
Result<std::string> text_field(const Json& body, const char* field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
    if (required) return Error::invalid(field, "required", "is required");
    return std::string();
  }
  if (!it->is_string()) return Error::malformed(field, "wrong_type", "must be a string");
  std::string s = it->get<std::string>();
  auto len = core::utf8_length(s);
  if (!len) return Error::invalid(field, "invalid_utf8", "must be valid UTF-8 text");
  if (core::has_control_chars(s))
    return Error::invalid(field, "control_characters", "must not hold control characters");
  if (*len > kNoteMaxChars)
    return Error::invalid(field, "too_long", "must have at most 2000 characters");
  return s;
}

bool is_open_status(Status s) {
  return core::is_open(s);
}

}  // namespace

TicketService::TicketService(Store& store, std::shared_ptr<const OrgDirectory> org, NowFn now)
    : store_(store), org_(std::move(org)), now_(std::move(now)) {}

core::SlaPolicy TicketService::policy_for(const std::string& category) {
  auto c = store_.category(category);
  const auto cls = c && *c ? (*c)->sla_class : core::SlaClass::normal;
  return sla_.policy_for(cls, category);
}

// [SECTION] Submission and routing

void TicketService::route_to_level(TicketRecord& t, Level level) const {
  t.level = level;
  switch (level) {
    case Level::grid:
      if (t.draft.grid_id) {
        if (const auto* w = org_->worker_of(*t.draft.grid_id)) {
          t.assignee_kind = "user";
          t.assignee_id = std::to_string(w->user_id);
          return;
        }
      }
      // A grid without a worker: the community takes it.
      t.level = Level::community;
      [[fallthrough]];
    case Level::community:
      if (t.community_id) {
        t.assignee_kind = "org";
        t.assignee_id = *t.community_id;
        return;
      }
      t.level = Level::street;
      [[fallthrough]];
    case Level::street:
      if (t.street_id) {
        t.assignee_kind = "org";
        t.assignee_id = *t.street_id;
        return;
      }
      t.level = Level::district;
      [[fallthrough]];
    case Level::district:
      t.assignee_kind = "org";
      t.assignee_id = "district";
      return;
  }
}

Result<std::pair<TicketRecord, std::vector<core::AuditEvent>>> TicketService::prepare(
    const core::TicketDraft& draft, const Actor& actor, core::TimePoint at,
    std::optional<std::string>* access_code) {
  if (auto errors = core::validate(draft); !errors.empty()) return errors.front();
  auto category = store_.category(draft.category);
  if (!category) return category.error();
  if (!*category) return Error::invalid("category", "unknown_category", "is not a known category");

  TicketRecord t;
  t.draft = draft;
  // A grid the citizen picked on the map wins; otherwise the location decides. A place
  // the submitter does not know is in no grid: like a point outside every grid, the
  // ticket goes to the district hotline centre, which reads the address and dispatches.
  if (draft.grid_id) {
    if (!org_->grid(*draft.grid_id))
      return Error::invalid("grid_id", "unknown_grid", "is not a grid of the district");
  } else if (draft.location.known()) {
    t.draft.grid_id = org_->locate(draft.location.lat, draft.location.lng);
  }
  if (t.draft.grid_id) {
    const GridRow* g = org_->grid(*t.draft.grid_id);
    t.community_id = g->community_id;
    t.street_id = g->street_id;
  }
  if (actor.signed_in() && actor.role == Role::citizen) t.submitter_id = actor.user_id;
  t.created_at = t.updated_at = at;
  const auto due = core::due_times(sla_.policy_for((*category)->sla_class, draft.category), at,
                                   org_->calendar());
  t.response_due_at = due.response_due_at;
  t.resolve_due_at = due.resolve_due_at;
  route_to_level(t, t.draft.grid_id ? Level::grid : Level::district);
  t.status = Status::assigned;
  t.assigned_at = at;

  if (access_code && !t.submitter_id) {
    *access_code = new_access_code();
    t.access_code_hash = sha256_hex(**access_code);
  }
  std::vector<core::AuditEvent> events;
  events.push_back(event_of(actor, Action::submit, Status::submitted, Status::submitted, t.level,
                            at, {}, Json{{"channel", core::to_string(draft.channel)}}.dump()));
  Json route = {{"assignee_kind", t.assignee_kind}, {"assignee_id", t.assignee_id}};
  if (t.draft.grid_id) route["grid_id"] = *t.draft.grid_id;
  if (!t.draft.grid_id && !draft.location.known()) route["reason"] = "location_unknown";
  events.push_back(event_of(Actor::system(), Action::assign, Status::submitted, Status::assigned,
                            t.level, at, {}, route.dump()));
  return std::pair{std::move(t), std::move(events)};
}

Result<core::TicketReceipt> TicketService::submit(const core::TicketDraft& draft,
                                                  const Actor& actor,
                                                  const std::optional<std::string>& idempotency_key,
                                                  const SubmitOptions& options) {
  core::TicketDraft d = draft;
  // Channels that only staff may claim.
  if ((d.channel == core::Channel::hotline && actor.role != Role::hotline_agent) ||
      (d.channel == core::Channel::patrol && actor.role != Role::grid_worker))
    return Error{"forbidden_channel", "this channel needs a staff account", "channel", 403};
  if (actor.role == Role::hotline_agent && d.channel == core::Channel::web)
    d.channel = core::Channel::hotline;
  if (auto e = check_claimable(d.attachments, actor, idempotency_key.has_value())) return *e;
  if (idempotency_key)
    if (auto ok = check_idempotency_key(*idempotency_key); !ok) return ok.error();
  std::optional<std::string> code;
  auto prepared = prepare(d, actor, now_(), &code);
  if (!prepared) return prepared.error();
  std::string fingerprint, pad;
  std::optional<InFlightKeys::Hold> in_flight;
  if (idempotency_key) {
    // The key in its submitter's scope, and the fingerprint of the ticket as read (its
    // canonical JSON: every field of the draft, members sorted).
    const std::string scope = idempotency_scope(actor.user_id);
    const std::string key_hash = sha256_hex("ticket create\n" + scope + "\n" + *idempotency_key);
    fingerprint =
        sha256_hex("ticket\n" + Json(draft).dump(-1, ' ', false, Json::error_handler_t::replace));
    auto hold = submitting_.hold(key_hash, fingerprint);
    if (!hold) return hold.error();
    in_flight.emplace(std::move(*hold));
    prepared->first.idempotency_key = key_hash;
    prepared->first.idempotency_fingerprint = fingerprint;
    // The access code is sealed with what only the same request brings.
    pad = sha256_hex("access code seal\n" + scope + "\n" + fingerprint + "\n" + *idempotency_key);
    if (code) prepared->first.sealed_access_code = seal_code(*code, pad);
  }
  // The messages go in with the ticket: a crash loses neither, nor sends one alone.
  std::vector<NotificationRecord> messages;
  if (notes_ && notes_->enabled()) {
    prepared->first.notify = notes_->settings_for_new(options.lang, options.notify, code);
    auto m = notes_->for_new_ticket(prepared->first, code);
    if (!m) return m.error();
    messages = std::move(*m);
  }
  const bool tell = !messages.empty();
  auto created = store_.create_ticket(std::move(prepared->first), std::move(prepared->second),
                                      std::move(messages));
  if (!created) return created.error();
  if (tell && !created->replayed) notes_->written();
  if (created->replayed) {
    // Another request under the same key: nothing of the first is answered.
    if (created->idempotency_fingerprint != fingerprint) return idempotency_key_reused();
    code.reset();
    if (!created->sealed_access_code.empty()) code = unseal_code(created->sealed_access_code, pad);
  }
  if (listener_ && !created->replayed) listener_(*created, "submit");

  core::TicketReceipt r;
  r.number = created->number;
  r.access_code = code;
  r.status = created->status;
  r.level = created->level;
  r.grid_id = created->draft.grid_id.value_or("");
  r.response_due_at = core::format_iso(created->response_due_at);
  r.resolve_due_at = core::format_iso(created->resolve_due_at);
  return r;
}

// [SECTION] Reading

struct TicketService::Loaded {
  TicketRecord ticket;
  std::vector<WhistleRecord> whistles;
  std::vector<AttachmentRecord> attachments;
  bool code_ok = false;
  // The reader follows the ticket and sees it for no other reason: the public view.
  bool follower = false;
};

Result<TicketService::Loaded> TicketService::load(const std::string& number, const Actor& actor,
                                                  const std::optional<std::string>& access_code) {
  const Error not_found = Error::not_found("no such ticket");
  if (!core::is_ticket_number(number)) return not_found;
  auto found = store_.find_ticket_bundle(number);
  if (!found) return found.error();
  if (!*found) return not_found;
  Loaded l{std::move((*found)->ticket), std::move((*found)->whistles),
           std::move((*found)->attachments)};
  l.code_ok = code_matches(l.ticket, access_code);
  const auto f = facts_of(l, actor);
  if (!f.in_scope && !f.is_submitter) {
    // A citizen who follows the ticket (附议) reads it too, as the public would.
    if (!actor.user_id || actor.role != Role::citizen) return not_found;
    auto follows = store_.is_follower(l.ticket.id, *actor.user_id);
    if (!follows) return follows.error();
    if (!*follows) return not_found;
    l.follower = true;
  }
  return l;
}

core::TicketFacts TicketService::facts_of(const Loaded& l, const Actor& actor) const {
  const TicketRecord& t = l.ticket;
  core::TicketFacts f;
  f.status = t.status;
  f.level = t.level;
  f.assignee_is_unit = t.assignee_kind == "unit";
  f.reopen_count = t.reopen_count;
  f.is_submitter = l.code_ok || (actor.user_id && t.submitter_id == actor.user_id);
  for (const auto& w : l.whistles) {
    if (core::is_open(w.status)) ++f.open_whistles;
    if (actor.role == Role::unit_staff && !actor.unit_id.empty() && w.unit_id == actor.unit_id) {
      if (w.status == core::WhistleState::summoned) ++f.actor_unit_summoned;
      if (w.status == core::WhistleState::checked_in) ++f.actor_unit_checked_in;
    }
  }
  if (!actor.signed_in() && actor.role != Role::system) return f;
  switch (actor.role) {
    case Role::grid_worker:
      f.in_scope = contains(actor.grid_ids, t.draft.grid_id);
      f.is_handler = f.in_scope && t.level == Level::grid && !f.assignee_is_unit;
      break;
    case Role::community_staff:
      f.in_scope = !actor.community_id.empty() && t.community_id == actor.community_id;
      f.is_handler = f.in_scope && t.level == Level::community && !f.assignee_is_unit;
      break;
    case Role::street_staff:
      f.in_scope = !actor.street_id.empty() && t.street_id == actor.street_id;
      f.is_handler = f.in_scope && t.level == Level::street && !f.assignee_is_unit;
      break;
    case Role::district_staff:
      f.in_scope = true;
      f.is_handler = t.level == Level::district && !f.assignee_is_unit;
      break;
    case Role::unit_staff: {
      const bool holds = f.assignee_is_unit && t.assignee_id == actor.unit_id;
      bool whistled = false;
      for (const auto& w : l.whistles) whistled = whistled || w.unit_id == actor.unit_id;
      f.in_scope = !actor.unit_id.empty() && (holds || whistled);
      f.is_handler = !actor.unit_id.empty() && holds;
      break;
    }
    case Role::hotline_agent:
    case Role::admin:
    case Role::auditor:
    case Role::system:
      f.in_scope = true;
      break;
    case Role::citizen:
      break;
  }
  return f;
}

namespace {

std::string assignee_name(const OrgDirectory& org, const TicketRecord& t) {
  if (t.assignee_kind == "user") {
    if (t.draft.grid_id)
      if (const auto* w = org.worker_of(*t.draft.grid_id)) return w->name + "（网格员）";
    return "网格员";
  }
  if (t.assignee_kind == "unit") {
    if (const auto* u = org.unit(t.assignee_id)) return u->name;
    return t.assignee_id;
  }
  if (t.assignee_id == "district") return org.hotline_centre_name();
  if (const auto* c = org.community(t.assignee_id)) return c->name;
  if (const auto* s = org.street(t.assignee_id)) return s->name;
  return t.assignee_id;
}

void write_assignee(core::JsonWriter& w, const OrgDirectory& org, const TicketRecord& t) {
  w.begin_object()
      .field("id", t.assignee_id)
      .field("kind", t.assignee_kind == "user" ? "user" : "unit")
      .field("name", assignee_name(org, t))
      .end_object();
}

std::optional<std::string> iso_of(const std::optional<core::TimePoint>& p) {
  if (!p) return std::nullopt;
  return core::format_iso(*p);
}

}  // namespace

// One row of a list, written into the list's JSON (keys in sorted order).
void TicketService::write_summary(core::JsonWriter& w, const TicketRecord& t) const {
  w.begin_object();
  write_assignee(w.key("assignee"), *org_, t);
  w.field("category", t.draft.category);
  w.field("channel", core::to_string(t.draft.channel));
  w.field("created_at", core::format_iso(t.created_at));
  // A short excerpt: lists never carry contact details.
  w.field("description", core::utf8_cut(t.draft.description, 60));
  w.field("followers", t.followers);
  w.field("grid_id", t.draft.grid_id);
  w.field("level", core::to_string(t.level));
  w.field("number", t.number);
  w.field("overdue", t.overdue);
  w.field("resolve_due_at", core::format_iso(t.resolve_due_at));
  w.field("response_due_at", core::format_iso(t.response_due_at));
  w.field("status", core::to_string(t.status));
  w.field("updated_at", core::format_iso(t.updated_at));
  w.end_object();
}

// The ticket page's JSON, written directly: it is the most read answer, and building
// a Json of it first cost more than reading the ticket. Keys in sorted order, as
// Json::dump() prints them (a test checks parse-and-dump leaves it unchanged).
std::string TicketService::view_of(const Loaded& l, const Actor& actor) {
  const TicketRecord& t = l.ticket;
  const auto facts = facts_of(l, actor);
  const Role role = actor.signed_in() ? actor.role : Role::citizen;
  const auto iso = [](core::TimePoint p) { return core::format_iso(p); };
  const auto named = [](core::JsonWriter& w, const auto* ref) {
    if (!ref) return w.null();
    return w.begin_object().field("id", ref->id).field("name", ref->name).end_object();
  };
  const GridRow* grid = t.draft.grid_id ? org_->grid(*t.draft.grid_id) : nullptr;
  const auto* community = t.community_id ? org_->community(*t.community_id) : nullptr;
  const auto* street = t.street_id ? org_->street(*t.street_id) : nullptr;

  core::JsonWriter w;
  w.str().reserve(1024);
  w.begin_object();
  w.key("allowed_actions").begin_array();
  for (const auto& a : core::allowed_actions(facts, role)) w.value(a);
  w.end_array();
  w.field("anonymous", t.draft.anonymous);
  write_assignee(w.key("assignee"), *org_, t);
  w.key("attachments").begin_array();
  for (const auto& x : l.attachments)
    w.begin_object()
        .field("height", x.height)
        .field("id", x.id)
        .field("mime", x.mime)
        .field("width", x.width)
        .end_object();
  w.end_array();
  w.field("category", t.draft.category);
  w.field("channel", core::to_string(t.draft.channel));
  named(w.key("community"), community);
  // The whole phone number only for the ticket's current handlers; a follower is not
  // told who submitted it at all.
  w.key("contact").begin_object();
  if (facts.is_handler)
    w.field("name", t.draft.contact.name).field("phone", t.draft.contact.phone);
  else if (l.follower)
    w.field("name", "").field("phone", "");
  else
    w.field("name", core::mask_name(t.draft.contact.name))
        .field("phone", core::mask_phone(t.draft.contact.phone));
  w.end_object();
  w.field("created_at", iso(t.created_at));
  w.field("description",
          l.follower ? core::mask_phones_in_text(t.draft.description) : t.draft.description);
  w.field("followers", t.followers);
  if (actor.user_id && actor.role == Role::citizen) w.field("following", l.follower);
  named(w.key("grid"), grid);
  w.field("level", core::to_string(t.level));
  // A place the submitter did not know has no point: the address alone.
  w.key("location").begin_object().field("address", t.draft.location.address);
  if (t.draft.location.known())
    w.field("lat", t.draft.location.lat).field("lng", t.draft.location.lng);
  w.end_object();
  if (t.merged_into) w.field("merged_into", *t.merged_into);
  w.field("number", t.number);
  w.field("overdue", t.overdue || (is_open_status(t.status) && now_() > t.resolve_due_at));
  w.key("rating");
  if (t.rating_satisfaction) {
    w.begin_object()
        .field("comment", t.rating_comment.value_or(""))
        .field("rated_at", iso_of(t.rated_at))
        .field("resolved", t.rating_resolved.value_or(false))
        .field("satisfaction", *t.rating_satisfaction)
        .end_object();
  } else {
    w.null();
  }
  w.field("reopen_count", t.reopen_count);
  w.field("reply", t.reply);
  w.field("resolve_due_at", iso(t.resolve_due_at));
  w.field("response_due_at", iso(t.response_due_at));
  w.field("status", core::to_string(t.status));
  named(w.key("street"), street);
  w.field("updated_at", iso(t.updated_at));
  w.key("whistles").begin_array();
  for (const auto& x : l.whistles) {
    w.begin_object()
        .field("checked_in_at", iso_of(x.checked_in_at))
        .field("done_at", iso_of(x.done_at))
        .field("id", std::to_string(x.id))
        .field("note", x.note)
        .field("status", core::to_string(x.status))
        .field("summoned_at", iso(x.summoned_at))
        .field("unit_id", x.unit_id)
        .field("unit_name", x.unit_name)
        .end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w.str());
}

Result<std::string> TicketService::get_json(const std::string& number, const Actor& actor,
                                            const std::optional<std::string>& access_code) {
  auto l = load(number, actor, access_code);
  if (!l) return l.error();
  return view_of(*l, actor);
}

Result<Json> TicketService::get(const std::string& number, const Actor& actor,
                                const std::optional<std::string>& access_code) {
  auto text = get_json(number, actor, access_code);
  if (!text) return text.error();
  return Json::parse(*text);
}

Result<Json> TicketService::events(const std::string& number, const Actor& actor,
                                   const std::optional<std::string>& access_code) {
  auto l = load(number, actor, access_code);
  if (!l) return l.error();
  auto evs = store_.events(l->ticket.id);
  if (!evs) return evs.error();
  const bool staff = actor.signed_in() && actor.role != Role::citizen;
  Json items = Json::array();
  for (const auto& e : *evs) {
    Json actor_j = {{"role", e.actor_role}, {"name", e.actor_name}};
    // Citizens see who acted by role and name; account ids only for staff.
    if (staff && !e.actor_id.empty()) actor_j["id"] = e.actor_id;
    Json ev = {{"seq", e.seq},
               {"at", e.at},
               {"actor", actor_j},
               {"action", e.action},
               {"from_status", e.from_status},
               {"to_status", e.to_status},
               {"level", e.level},
               {"prev_hash", e.prev_hash},
               {"hash", e.hash}};
    if (!e.note.empty()) ev["note"] = e.note;
    if (!e.data.empty()) {
      auto d = core::parse_json(e.data);
      if (d) ev["data"] = *d;
    }
    items.push_back(std::move(ev));
  }
  return Json{{"items", items}};
}

Result<std::string> TicketService::list_json(const ListQuery& q, const Actor& actor) {
  if (!actor.signed_in()) return Error{"unauthorized", "sign in to list tickets", {}, 401};
  TicketFilter f;
  f.status = q.status;
  f.level = q.level;
  f.category = q.category;
  f.overdue_only = q.overdue;
  f.q = q.q;
  f.page = q.page;
  f.page_size = q.page_size;
  const std::string scope = q.scope;
  if (scope != "mine" && scope != "queue" && scope != "all" && scope != "followed")
    return Error::invalid("scope", "unknown_scope", "must be mine, queue, all or followed");
  if (scope == "followed") {
    // What the caller follows, in any state (a merged one's followers moved on with it).
    f.followed_by = actor.user_id;
  } else if (actor.role == Role::citizen) {
    f.submitter_id = actor.user_id;
  } else {
    // Everyone else sees their area; "\x01" matches nothing when the scope is missing.
    switch (actor.role) {
      case Role::grid_worker:
        f.grid_ids = actor.grid_ids.empty() ? std::vector<std::string>{"\x01"} : actor.grid_ids;
        break;
      case Role::community_staff:
        f.community_id = actor.community_id.empty() ? "\x01" : actor.community_id;
        break;
      case Role::street_staff:
        f.street_id = actor.street_id.empty() ? "\x01" : actor.street_id;
        break;
      case Role::unit_staff:
        f.unit_id = actor.unit_id.empty() ? "\x01" : actor.unit_id;
        break;
      default:
        break;  // district, hotline, admin, auditor: everything
    }
    // "queue" and "mine" are open work; "all" is the whole history of the scope.
    if (scope != "all" && !q.status) f.open_only = true;
    if (scope == "queue" && !q.level) {
      switch (actor.role) {
        case Role::grid_worker:
          f.level = Level::grid;
          break;
        case Role::community_staff:
          f.level = Level::community;
          break;
        case Role::street_staff:
          f.level = Level::street;
          break;
        case Role::district_staff:
          f.level = Level::district;
          break;
        default:
          break;
      }
    }
  }
  auto page = store_.list_tickets(f);
  if (!page) return page.error();
  // Written directly, as the ticket page is: a page of rows built as Json cost ten
  // times the query.
  core::JsonWriter w;
  w.str().reserve(512 * page->items.size() + 64);
  w.begin_object().key("items").begin_array();
  for (const auto& t : page->items) write_summary(w, t);
  w.end_array();
  w.field("page", q.page).field("page_size", q.page_size).field("total", page->total);
  w.end_object();
  return std::move(w.str());
}

Result<Json> TicketService::list(const ListQuery& q, const Actor& actor) {
  auto text = list_json(q, actor);
  if (!text) return text.error();
  return Json::parse(*text);
}

// [SECTION] Nearby and followers

namespace {

// Metres between two points on a sphere of the Earth's mean radius (haversine).
double metres_between(double lat1, double lng1, double lat2, double lng2) {
  constexpr double kRad = 3.14159265358979323846 / 180, kEarth = 6371008.8;
  const double dlat = (lat2 - lat1) * kRad, dlng = (lng2 - lng1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarth * std::asin(std::min(1.0, std::sqrt(a)));
}

// What the public may read of a description: one line, phone numbers masked, at most
// kNearbySummaryChars characters ("…" marks a cut).
std::string public_summary(const std::string& description) {
  std::string line;
  bool space = false;
  for (char c : core::mask_phones_in_text(description)) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !line.empty();
      continue;
    }
    if (space) line += ' ';
    space = false;
    line += c;
  }
  if (core::utf8_length(line).value_or(0) <= kNearbySummaryChars) return line;
  return std::string(core::utf8_cut(line, kNearbySummaryChars - 1)) + "…";
}

}  // namespace

Result<std::string> TicketService::nearby_json(const NearbyRequest& r) {
  if (!core::is_valid_category_code(r.category))
    return Error::invalid("category", "unknown_category", "is not a known category");
  auto category = store_.category(r.category);
  if (!category) return category.error();
  if (!*category) return Error::invalid("category", "unknown_category", "is not a known category");
  // A box around the circle; the store orders what is in it by distance.
  constexpr double kMetresPerDegree = 111320;
  const double dlat = r.radius_m / kMetresPerDegree;
  const double dlng = r.radius_m / (kMetresPerDegree *
                                    std::max(0.01, std::cos(r.lat * 3.14159265358979323846 / 180)));
  NearbyQuery q;
  q.category = r.category;
  q.lat = r.lat;
  q.lng = r.lng;
  q.min_lat = r.lat - dlat;
  q.max_lat = r.lat + dlat;
  q.min_lng = r.lng - dlng;
  q.max_lng = r.lng + dlng;
  q.since = now_() - std::chrono::hours(24 * kNearbyDays);
  q.limit = kNearbyMaxItems;
  auto found = store_.nearby_tickets(q);
  if (!found) return found.error();
  // Only what the submit screen shows: no names, contact, coordinates or address.
  core::JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& t : *found) {
    const double d = metres_between(r.lat, r.lng, t.draft.location.lat, t.draft.location.lng);
    if (d > r.radius_m) continue;  // a corner of the box
    w.begin_object()
        .field("category", t.draft.category)
        .field("created_at", core::format_iso(t.created_at))
        .field("distance_m", static_cast<std::int64_t>(std::lround(d)))
        .field("followers", t.followers)
        .field("number", t.number)
        .field("status", core::to_string(t.status))
        .field("summary", public_summary(t.draft.description))
        .end_object();
  }
  w.end_array().end_object();
  return std::move(w.str());
}

Result<TicketRecord> TicketService::followable(const std::string& number, const Actor& actor) {
  if (!actor.signed_in()) return Error{"unauthorized", "sign in to follow a ticket", {}, 401};
  if (actor.role != Role::citizen)
    return Error{"forbidden_role", "only citizens follow tickets", {}, 403};
  const Error not_found = Error::not_found("no such ticket");
  if (!core::is_ticket_number(number)) return not_found;
  auto t = store_.find_ticket(number);
  if (!t) return t.error();
  if (!*t) return not_found;
  return std::move(**t);
}

Result<Json> TicketService::follow(const std::string& number, const Actor& actor) {
  auto t = followable(number, actor);
  if (!t) return t.error();
  if (t->submitter_id == actor.user_id)
    return Error::conflict("own_ticket", "you submitted this ticket: it is yours already");
  auto already = store_.is_follower(t->id, *actor.user_id);
  if (!already) return already.error();
  // Following again is answered as the first time, even once the ticket has closed.
  if (!*already && !core::is_open(t->status))
    return Error::conflict("not_open", "the ticket is no longer open");
  auto n = store_.follow(t->id, *actor.user_id, now_());
  if (!n) return n.error();
  return Json{{"followers", *n}, {"following", true}};
}

Result<Json> TicketService::unfollow(const std::string& number, const Actor& actor) {
  auto t = followable(number, actor);
  if (!t) return t.error();
  auto n = store_.unfollow(t->id, *actor.user_id);
  if (!n) return n.error();
  return Json{{"followers", *n}, {"following", false}};
}

// [SECTION] Actions and ratings

Result<TicketRecord> TicketService::valid_merge_target(const std::string& into,
                                                       const Actor& actor) {
  const Error refused =
      Error::invalid("into", "invalid_merge_target", "is not a ticket you may merge into");
  if (!core::is_ticket_number(into)) return refused;
  auto found = store_.find_ticket_bundle(into);
  if (!found) return found.error();
  if (!*found || (*found)->ticket.status == Status::merged) return refused;
  Loaded target{std::move((*found)->ticket), std::move((*found)->whistles), {}};
  if (!facts_of(target, actor).in_scope) return refused;
  return std::move(target.ticket);
}

Result<TicketRecord> TicketService::apply_action(Loaded& l, const Actor& actor, Action action,
                                                 const Json& body, core::TimePoint now) {
  TicketRecord t = l.ticket;
  const Role role = actor.role;
  core::ActionInput input;
  TicketChange change;
  std::string note;
  Json data = Json::object();
  WhistleRecord* named = nullptr;
  std::optional<TicketRecord> merge_target;
  std::optional<core::Category> new_category;

  // Fields each action needs, validated before the rules run.
  switch (action) {
    case Action::contact:
    case Action::progress: {
      auto n = text_field(body, "note", true);
      if (!n) return n.error();
      note = *n;
      break;
    }
    case Action::escalate:
    case Action::return_ticket:
    case Action::reject: {
      auto n = text_field(body, "reason", true);
      if (!n) return n.error();
      note = *n;
      break;
    }
    case Action::resolve: {
      auto n = text_field(body, "reply", true);
      if (!n) return n.error();
      note = *n;
      break;
    }
    case Action::checkin:
    case Action::whistle_done:
    case Action::withdraw_whistle: {
      auto it = body.find("whistle_id");
      std::string id;
      if (it != body.end() && it->is_string()) id = it->get<std::string>();
      if (it != body.end() && it->is_number_integer()) id = std::to_string(it->get<std::int64_t>());
      if (id.empty()) return Error::invalid("whistle_id", "required", "is required");
      for (auto& w : l.whistles)
        if (std::to_string(w.id) == id) named = &w;
      if (!named)
        return Error::invalid("whistle_id", "unknown_whistle", "is not a whistle of this ticket");
      input.whistle = named->status;
      input.whistle_of_actor_unit = role == Role::unit_staff && named->unit_id == actor.unit_id;
      auto n = text_field(body, "note", false);
      if (!n) return n.error();
      note = *n;
      data["whistle_id"] = id;
      data["unit_id"] = named->unit_id;
      break;
    }
    case Action::whistle: {
      auto it = body.find("unit_ids");
      if (it == body.end() || !it->is_array() || it->empty())
        return Error::invalid("unit_ids", "required", "name at least one unit");
      if (it->size() > 20)
        return Error::invalid("unit_ids", "too_many", "at most 20 units at once");
      std::set<std::string> open_units;
      for (const auto& w : l.whistles)
        if (core::is_open(w.status)) open_units.insert(w.unit_id);
      std::set<std::string> seen;
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& u = (*it)[i];
        const std::string field = "unit_ids." + std::to_string(i);
        if (!u.is_string()) return Error::malformed(field, "wrong_type", "must be a string");
        const std::string id = u.get<std::string>();
        const UnitRow* unit = org_->unit(id);
        if (!unit ||
            (unit->kind != "department" && unit->kind != "utility" && unit->kind != "legal"))
          return Error::invalid(field, "unknown_unit", "is not a unit that can be whistled");
        if (open_units.count(id) || !seen.insert(id).second)
          return Error::invalid(field, "already_whistled", "this unit is already summoned");
        WhistleRecord w;
        w.unit_id = id;
        w.summoned_by = actor.user_id;
        w.summoned_at = now;
        change.new_whistles.push_back(std::move(w));
      }
      auto n = text_field(body, "note", false);
      if (!n) return n.error();
      note = *n;
      data["unit_ids"] = std::vector<std::string>(seen.begin(), seen.end());
      break;
    }
    case Action::merge: {
      auto it = body.find("into");
      if (it == body.end() || !it->is_string())
        return Error::invalid("into", "required", "name the ticket to merge into");
      const std::string into = it->get<std::string>();
      if (into == t.number)
        return Error::invalid("into", "same_ticket", "cannot merge into itself");
      // Only into a ticket the actor may act on; one they may not, one that does not
      // exist and one already merged get the same answer, which tells nothing of the rest.
      auto target = valid_merge_target(into, actor);
      if (!target) return target.error();
      t.merged_into = into;
      data["into"] = into;
      merge_target = std::move(*target);
      break;
    }
    case Action::recategorize: {
      auto it = body.find("category");
      if (it == body.end() || it->is_null())
        return Error::invalid("category", "required", "name the right category");
      if (!it->is_string()) return Error::malformed("category", "wrong_type", "must be a string");
      const std::string code = it->get<std::string>();
      std::optional<core::Category> c;
      if (core::is_valid_category_code(code)) {
        auto found = store_.category(code);
        if (!found) return found.error();
        c = *found;
      }
      if (!c) return Error::invalid("category", "unknown_category", "is not a known category");
      if (c->code == t.draft.category)
        return Error::invalid("category", "same_category", "is the ticket's category already");
      auto n = text_field(body, "reason", true);
      if (!n) return n.error();
      // The note says what changed and why; data keeps both codes for those who learn
      // from corrections (portal-server train).
      note = t.draft.category + " → " + c->code + "：" + *n;
      data["from"] = t.draft.category;
      data["to"] = c->code;
      data["reason"] = *n;
      new_category = std::move(c);
      break;
    }
    case Action::assign: {
      if (auto it = body.find("unit_id"); it != body.end() && it->is_string()) {
        const UnitRow* unit = org_->unit(it->get<std::string>());
        if (!unit || (unit->kind != "department" && unit->kind != "utility"))
          return Error::invalid("unit_id", "unknown_unit", "is not a department or utility");
        input.target_is_unit = true;
        input.target_level = t.level;
        data["unit_id"] = unit->id;
      } else if (auto lv = body.find("level"); lv != body.end() && lv->is_string()) {
        input.target_level = core::parse_level(lv->get<std::string>());
        if (!input.target_level) return Error::invalid("level", "unknown_level", "is not a level");
        data["level"] = lv->get<std::string>();
      } else {
        return Error::invalid("level", "required", "name a level or a unit_id");
      }
      break;
    }
    case Action::record_rating:
    case Action::rate: {
      auto r = body.find("resolved");
      if (r == body.end() || !r->is_boolean())
        return Error::invalid("resolved", "required", "must be true or false");
      auto s = body.find("satisfaction");
      if (s == body.end() || !s->is_number_integer() || s->get<int>() < 1 || s->get<int>() > 5)
        return Error::invalid("satisfaction", "out_of_range", "must be 1 to 5");
      input.resolved = r->get<bool>();
      input.satisfaction = s->get<int>();
      auto c = text_field(body, "comment", false);
      if (!c) return c.error();
      note = *c;
      data = {{"resolved", input.resolved}, {"satisfaction", input.satisfaction}};
      break;
    }
    default:
      break;
  }

  auto tr = core::apply(facts_of(l, actor), role, action, input);
  if (!tr) return tr.error();

  // [the ticket row]
  t.status = tr->to_status;
  t.updated_at = now;
  if (tr->responds && !t.responded_at) t.responded_at = now;
  if (tr->new_handler) {
    if (action == Action::assign && input.target_is_unit) {
      t.level = tr->to_level;
      t.assignee_kind = "unit";
      t.assignee_id = data["unit_id"].get<std::string>();
    } else {
      route_to_level(t, tr->to_level);
    }
    // The new holder gets a fresh response clock.
    const auto due = core::due_times(policy_for(t.draft.category), now, org_->calendar());
    t.response_due_at = due.response_due_at;
    t.responded_at.reset();
    t.assigned_at = now;
  } else {
    t.level = tr->to_level;
  }
  switch (action) {
    case Action::resolve:
      t.reply = note;
      t.resolved_at = now;
      if (auto it = body.find("attachments"); it != body.end() && !it->is_null()) {
        if (!it->is_array() || it->size() > core::limits::kMaxAttachments ||
            !std::all_of(it->begin(), it->end(), [](const Json& a) { return a.is_string(); }))
          return Error::invalid("attachments", "wrong_type", "must be at most 9 photo ids");
        for (const auto& a : *it) change.attachments.emplace_back(a.get<std::string>(), "reply");
      }
      break;
    case Action::rate:
    case Action::record_rating:
      t.rating_resolved = input.resolved;
      t.rating_satisfaction = input.satisfaction;
      t.rating_comment = note.empty() ? std::nullopt : std::optional<std::string>(note);
      t.rated_at = now;
      t.reopen_count = tr->reopen_count;
      if (t.status == Status::closed) t.closed_at = now;
      if (tr->reopened) t.resolved_at.reset();
      break;
    case Action::auto_close:
    case Action::close:
      t.closed_at = now;
      break;
    case Action::flag_overdue:
      t.overdue = true;
      break;
    case Action::recategorize: {
      // The deadlines are those the ticket would have had in the right category: the
      // resolve limit from its submission, the response limit from when its holder got
      // it (its submission, or the escalation or dispatch since), as prepare() and
      // new_handler count them.
      t.draft.category = new_category->code;
      const auto policy = sla_.policy_for(new_category->sla_class, new_category->code);
      const auto& cal = org_->calendar();
      t.resolve_due_at = core::due_times(policy, t.created_at, cal).resolve_due_at;
      t.response_due_at =
          core::due_times(policy, t.assigned_at.value_or(t.created_at), cal).response_due_at;
      // A flag the old limit raised goes when the new one has not passed.
      if (t.overdue && now <= t.resolve_due_at) t.overdue = false;
      data["response_due_at"] = core::format_iso(t.response_due_at);
      data["resolve_due_at"] = core::format_iso(t.resolve_due_at);
      break;
    }
    default:
      break;
  }
  if (named && tr->whistle_to) {
    named->status = *tr->whistle_to;
    if (*tr->whistle_to == core::WhistleState::checked_in) named->checked_in_at = now;
    if (*tr->whistle_to == core::WhistleState::done) named->done_at = now;
    if (!note.empty()) named->note = note;
    change.updated_whistles.push_back(*named);
  }
  if (!change.attachments.empty()) {
    std::vector<std::string> ids;
    for (const auto& [id, role_name] : change.attachments) ids.push_back(id);
    if (auto e = check_claimable(ids, actor)) return *e;
  }

  // [the events: the actor's step, then its consequences, taken by the system]
  for (std::size_t i = 0; i < tr->steps.size(); ++i) {
    const auto& s = tr->steps[i];
    change.events.push_back(event_of(i == 0 ? actor : Actor::system(), s.action, s.from_status,
                                     s.to_status, s.to_level, now, i == 0 ? note : std::string(),
                                     i == 0 && !data.empty() ? data.dump() : std::string()));
  }
  if (merge_target) {
    // The duplicate's followers, and its submitter with an account, follow the ticket it
    // joined from now on, in the same transaction (its submitter follows it already).
    change.move_followers =
        TicketChange::MoveFollowers{merge_target->id, t.submitter_id, merge_target->submitter_id};
  }
  if (notes_) {
    auto m = notes_->for_change(l.ticket, t, action);
    if (!m) return m.error();
    change.notifications = std::move(*m);
    if (merge_target) {
      auto told = notes_->for_merge(t, *merge_target);
      if (!told) return told.error();
      change.notifications.insert(change.notifications.end(), told->begin(), told->end());
    }
  }
  const bool tell = !change.notifications.empty();
  change.ticket = std::move(t);
  auto committed = store_.commit_change(std::move(change));
  if (!committed) return committed.error();
  if (tell) notes_->written();
  if (listener_) listener_(*committed, std::string(core::to_string(action)));
  return committed;
}

Result<Json> TicketService::act(const std::string& number, const Actor& actor, const Json& body) {
  if (!actor.signed_in()) return Error{"unauthorized", "sign in to act on tickets", {}, 401};
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto a = body.find("action");
  if (a == body.end() || !a->is_string())
    return Error::invalid("action", "required", "is required");
  auto action = core::parse_action(a->get<std::string>());
  if (!action || !core::is_request_action(*action))
    return Error::invalid("action", "unknown_action", "is not an action");
  auto l = load(number, actor, std::nullopt);
  if (!l) return l.error();
  auto t = apply_action(*l, actor, *action, body, now_());
  if (!t) return t.error();
  auto fresh = load(number, actor, std::nullopt);
  if (!fresh) return fresh.error();
  return Json::parse(view_of(*fresh, actor));
}

Result<Json> TicketService::rate(const std::string& number, const Actor& actor,
                                 const std::optional<std::string>& access_code, const Json& body) {
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto l = load(number, actor, access_code);
  if (!l) return l.error();
  // The submitter rates as a citizen, whether signed in or proven by the access code.
  Actor rater = actor;
  if (!rater.signed_in() || rater.role != Role::citizen) {
    rater = Actor{};
    rater.role = Role::citizen;
    rater.name = "群众";
  }
  auto t = apply_action(*l, rater, Action::rate, body, now_());
  if (!t) return t.error();
  auto fresh = load(number, actor, access_code);
  if (!fresh) return fresh.error();
  return Json::parse(view_of(*fresh, actor));
}

// [SECTION] Attachments and hotline import

Result<Json> TicketService::upload_attachment(std::string_view bytes, std::string_view content_type,
                                              const Actor& actor, const std::string& address,
                                              UploadRefusal* refusal) {
  const auto now = now_();
  const UploadLimits& lim = upload_limits_;
  // Bounded before anything is decoded: what a caller holds unclaimed, with this upload.
  const auto size = static_cast<std::int64_t>(bytes.size());
  auto over = [&](const Result<UploadUsage>& u, std::int64_t count, std::int64_t max_bytes,
                  const char* who) -> std::optional<Error> {
    if (u->count + 1 <= count && u->bytes + size <= max_bytes) return std::nullopt;
    if (refusal) {
      const auto free_at = u->oldest.value_or(now) + lim.unclaimed_for;
      refusal->retry_after_seconds = static_cast<int>(std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::seconds>(free_at - now).count()));
    }
    return Error{"too_many_unclaimed_uploads",
                 std::string("photos not yet used by a ticket are limited per ") + who + " to " +
                     std::to_string(count) + " (" + std::to_string(max_bytes >> 20) +
                     " MiB); use them in a report or wait until they expire",
                 {},
                 429};
  };
  if (actor.user_id) {
    auto mine = store_.unclaimed_by_uploader(*actor.user_id);
    if (!mine) return mine.error();
    if (auto e = over(mine, lim.per_account_count, lim.per_account_bytes, "account")) return *e;
  }
  auto here = store_.unclaimed_by_address(address);
  if (!here) return here.error();
  if (auto e = over(here, lim.per_address_count, lim.per_address_bytes, "address")) return *e;

  auto img = prepare_upload(bytes, content_type);
  if (!img) return img.error();
  AttachmentRecord a;
  a.id = new_attachment_id();
  a.sha256 = img->info.sha256;
  a.mime = img->info.mime;
  a.width = img->info.width;
  a.height = img->info.height;
  a.bytes = static_cast<std::int64_t>(img->bytes.size());
  a.data = std::move(img->bytes);
  a.uploader = actor.user_id;
  a.uploader_addr = address;
  a.created_at = now;
  if (auto ok = store_.put_attachment(a); !ok) return ok.error();
  return Json{{"id", a.id},
              {"sha256", a.sha256},
              {"width", a.width},
              {"height", a.height},
              {"bytes", a.bytes},
              {"mime", a.mime},
              {"expires_at", core::format_iso(now + lim.unclaimed_for)}};
}

std::optional<Error> TicketService::check_claimable(const std::vector<std::string>& ids,
                                                    const Actor& actor, bool claimed_ok) {
  std::set<std::string> seen;
  const auto now = now_();
  for (const auto& id : ids) {
    if (!seen.insert(id).second)
      return Error::invalid("attachments", "duplicate_attachment", "names the same photo twice");
    const Error unknown =
        Error::invalid("attachments", "unknown_attachment", "names an unknown photo");
    if (!looks_like_attachment_id(id)) return unknown;
    auto a = store_.attachment(id);
    if (!a) return a.error();
    if (!*a) return unknown;
    const AttachmentRecord& r = **a;
    // Whose it is comes first: a stranger learns nothing about the photo's state.
    if (r.uploader && r.uploader != actor.user_id)
      return Error{"attachment_not_yours", "names a photo that another account uploaded",
                   "attachments", 403};
    if (r.claimed_at) {
      if (claimed_ok) continue;
      return attachment_already_used();
    }
    if (now - r.created_at >= upload_limits_.unclaimed_for)
      return Error::invalid("attachments", "attachment_expired",
                            "names a photo that was not used within an hour; upload it again");
  }
  return std::nullopt;
}

Result<AttachmentRecord> TicketService::read_attachment(
    const std::string& id, const Actor& actor, const std::optional<std::string>& access_code) {
  const Error not_found = Error::not_found("no such attachment");
  if (!looks_like_attachment_id(id)) return not_found;
  auto a = store_.attachment(id);
  if (!a) return a.error();
  if (!*a) return not_found;
  auto numbers = store_.attachment_tickets(id);
  if (!numbers) return numbers.error();
  bool visible = false;
  if (!numbers->empty()) {
    // Only through the ticket that claimed it (since 0012 the only one).
    visible = load(numbers->front(), actor, access_code).ok();
  } else {
    const AttachmentRecord& r = **a;
    const bool fresh = now_() - r.created_at < upload_limits_.unclaimed_for;
    visible = fresh && !r.claimed_at && (!r.uploader || r.uploader == actor.user_id);
  }
  if (!visible) return not_found;
  return std::move(**a);
}

Result<std::int64_t> TicketService::purge_unclaimed_attachments() {
  return store_.delete_unclaimed_attachments(now_() - upload_limits_.unclaimed_for);
}

Result<TicketService::ImportOutcome> TicketService::import_hotline(std::string_view body,
                                                                   std::string_view content_type,
                                                                   const Actor& actor) {
  if (!actor.signed_in()) return Error{"unauthorized", "sign in first", {}, 401};
  if (actor.role != Role::hotline_agent && actor.role != Role::district_staff)
    return Error{"forbidden", "only hotline agents import work orders", {}, 403};
  const std::string mime(content_type.substr(0, content_type.find(';')));
  ImportBatch batch;
  if (mime == "application/json")
    batch = parse_hotline_json(body);
  else if (mime == "text/csv")
    batch = parse_hotline_csv(body);
  else
    return Error{"unsupported_media_type", "send application/json or text/csv", "Content-Type",
                 415};
  std::vector<NewTicket> records;
  for (const auto& row : batch.rows) {
    if (auto e = check_claimable(row.draft.attachments, actor)) {
      batch.errors.push_back({row.row, *e});
      continue;
    }
    auto p = prepare(row.draft, actor, row.received_at.value_or(now_()), nullptr);
    if (!p) {
      batch.errors.push_back({row.row, p.error()});
      continue;
    }
    p->first.external_id = row.external_id;
    // The agent gave the caller the number on the phone: the handlers are told.
    std::vector<NotificationRecord> messages;
    if (notes_ && notes_->enabled()) {
      auto m = notes_->for_new_ticket(p->first, std::nullopt, /*tell_submitter=*/false);
      if (!m) return m.error();
      messages = std::move(*m);
    }
    records.push_back({std::move(p->first), std::move(p->second), {}, std::move(messages)});
  }
  auto errors_json = [&] {
    std::sort(batch.errors.begin(), batch.errors.end(),
              [](const auto& a, const auto& b) { return a.row < b.row; });
    Json errs = Json::array();
    for (const auto& e : batch.errors)
      errs.push_back({{"row", e.row}, {"error", core::error_body(e.error)["error"]}});
    return errs;
  };
  if (!batch.errors.empty()) {
    Json out = core::error_body(
        Error::invalid("", "rows_invalid", "no work order was imported: fix the rows listed"));
    out["created"] = 0;
    out["errors"] = errors_json();
    return ImportOutcome{422, std::move(out)};
  }
  auto created = store_.create_tickets(std::move(records));
  if (!created) {
    if (created.error().code == "duplicate_external_id")
      return Error::conflict("duplicate_external_id",
                             "a work order of this batch was imported before; nothing imported");
    return created.error();
  }
  if (notes_) notes_->written();
  Json numbers = Json::array();
  for (const auto& t : *created) {
    numbers.push_back(t.number);
    if (listener_) listener_(t, "submit");
  }
  return ImportOutcome{
      201, Json{{"created", created->size()}, {"numbers", numbers}, {"errors", Json::array()}}};
}

// [SECTION] Scheduler and audit verification

Result<SchedulerReport> TicketService::run_scheduler(int batch) {
  SchedulerReport report;
  // With several instances over one database, one of them runs each round; the
  // version checks still keep a change from being applied twice.
  auto lock = store_.try_lock_job("sla_scheduler");
  if (!lock) return lock.error();
  if (!*lock) return report;
  const auto now = now_();
  const Actor sys = Actor::system();
  auto run = [&](const std::vector<std::string>& numbers, Action action, int& counter) {
    for (const auto& n : numbers) {
      auto l = load(n, sys, std::nullopt);
      if (!l) continue;
      // A conflict means someone acted meanwhile: the next run looks again.
      if (apply_action(*l, sys, action, Json::object(), now)) ++counter;
    }
  };
  auto esc = store_.due_for_escalation(now, batch);
  if (!esc) return esc.error();
  run(*esc, Action::auto_escalate, report.escalated);
  auto od = store_.due_for_overdue_flag(now, batch);
  if (!od) return od.error();
  run(*od, Action::flag_overdue, report.flagged_overdue);
  auto cl = store_.due_for_auto_close(now - std::chrono::hours(24 * core::kAutoCloseDays), batch);
  if (!cl) return cl.error();
  run(*cl, Action::auto_close, report.closed);
  if (notes_) {
    auto n = notes_->schedule(batch);
    if (!n) return n.error();
    report.notifications = *n;
  }
  return report;
}

Result<VerifyReport> TicketService::verify_audit() {
  VerifyReport r;
  std::int64_t after = 0;
  for (;;) {
    auto ids = store_.ticket_ids(after, 1000);
    if (!ids) return ids.error();
    if (ids->empty()) break;
    for (const auto& [id, number] : *ids) {
      after = id;
      auto evs = store_.events(id);
      if (!evs) return evs.error();
      auto t = store_.find_ticket(number);
      if (!t) return t.error();
      ++r.tickets;
      r.events += static_cast<std::int64_t>(evs->size());
      std::optional<std::string_view> head;
      if (*t) head = (*t)->last_hash;
      auto check = core::verify_chain(*evs, head);
      if (!check.ok) r.failures.emplace_back(number, check);
    }
  }
  return r;
}

// [SECTION] Package resolution (每月一题)

Result<TicketRecord> TicketService::resolve_in_package(const std::string& number,
                                                       const Actor& actor, const std::string& reply,
                                                       std::int64_t topic_id) {
  if (actor.role != Role::district_staff)
    return Error{"forbidden_role", "only district staff resolve a topic's tickets", {}, 403};
  auto l = load(number, actor, std::nullopt);
  if (!l) return l.error();
  TicketRecord t = l->ticket;
  if (!core::is_open(t.status))
    return Error{"action_not_allowed", "the ticket is no longer open", {}, 409};
  for (const auto& w : l->whistles)
    if (core::is_open(w.status))
      return Error{"whistles_open", "a summoned unit has not finished yet", {}, 409};
  const auto now = now_();
  const Status from = t.status;
  t.status = Status::resolved;
  t.reply = reply;
  t.resolved_at = now;
  t.updated_at = now;
  TicketChange change;
  const Json data = {{"topic_id", topic_id}, {"package", true}};
  change.events.push_back(
      event_of(actor, Action::resolve, from, Status::resolved, t.level, now, reply, data.dump()));
  if (notes_) {
    auto m = notes_->for_change(l->ticket, t, Action::resolve);
    if (!m) return m.error();
    change.notifications = std::move(*m);
  }
  const bool tell = !change.notifications.empty();
  change.ticket = std::move(t);
  auto committed = store_.commit_change(std::move(change));
  if (!committed) return committed.error();
  if (tell) notes_->written();
  if (listener_) listener_(*committed, "resolve");
  return committed;
}

}  // namespace portal::server
