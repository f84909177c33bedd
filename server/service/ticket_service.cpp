#include "server/service/ticket_service.hpp"

#include <sodium.h>

#include "portal/core/validation.hpp"

namespace portal::server {

using core::Error;
using core::Result;

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

// Deadlines by SLA class, counted in calendar time (working days come with the
// lifecycle's SLA calendar).
std::pair<std::chrono::seconds, std::chrono::seconds> sla_limits(core::SlaClass c) {
  using namespace std::chrono;
  switch (c) {
    case core::SlaClass::urgent:
      return {minutes(30), hours(2)};
    case core::SlaClass::utility:
      return {hours(2), hours(24)};
    case core::SlaClass::normal:
      return {hours(24), hours(24 * 7)};
    case core::SlaClass::complex:
      return {hours(24), hours(24 * 21)};
  }
  return {hours(24), hours(24 * 7)};
}

core::TicketView to_view(const TicketRecord& t, core::TimePoint now) {
  core::TicketView v;
  v.number = t.number;
  v.status = t.status;
  v.level = t.level;
  v.category = t.draft.category;
  v.description = t.draft.description;
  v.channel = t.draft.channel;
  v.location = t.draft.location;
  if (t.draft.grid_id) v.grid = core::NamedRef{*t.draft.grid_id, *t.draft.grid_id};
  v.contact = {core::mask_name(t.draft.contact.name), core::mask_phone(t.draft.contact.phone)};
  v.created_at = core::format_iso(t.created_at);
  v.updated_at = core::format_iso(t.updated_at);
  v.response_due_at = core::format_iso(t.response_due_at);
  v.resolve_due_at = core::format_iso(t.resolve_due_at);
  const bool open = t.status != core::Status::resolved && t.status != core::Status::closed &&
                    t.status != core::Status::rejected && t.status != core::Status::merged;
  v.overdue = open && now > t.resolve_due_at;
  v.reply = t.reply;
  v.reopen_count = t.reopen_count;
  return v;
}

}  // namespace

Result<core::TicketReceipt> TicketService::submit(const core::TicketDraft& draft,
                                                  const Actor& actor) {
  if (auto errors = core::validate(draft); !errors.empty()) return errors.front();
  auto category = store_.category(draft.category);
  if (!category) return category.error();
  if (!*category) return Error::invalid("category", "unknown_category", "is not a known category");

  TicketRecord t;
  t.draft = draft;
  t.status = core::Status::submitted;
  t.level = core::Level::grid;
  t.submitter_id = actor.user_id;
  t.created_at = t.updated_at = now_();
  const auto [respond, resolve] = sla_limits((*category)->sla_class);
  t.response_due_at = t.created_at + respond;
  t.resolve_due_at = t.created_at + resolve;

  std::optional<std::string> code;
  if (!actor.user_id) {
    code = new_access_code();
    t.access_code_hash = sha256_hex(*code);
  }
  auto created = store_.create_ticket(std::move(t));
  if (!created) return created.error();

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

Result<core::TicketView> TicketService::get(const std::string& number, const Actor& actor,
                                            const std::optional<std::string>& access_code) {
  const Error not_found = Error::not_found("no such ticket");
  if (!core::is_ticket_number(number)) return not_found;
  auto found = store_.find_ticket(number);
  if (!found) return found.error();
  if (!*found) return not_found;
  const TicketRecord& t = **found;

  bool allowed = false;
  if (actor.user_id && t.submitter_id == actor.user_id) allowed = true;
  if (!allowed && access_code && !t.access_code_hash.empty()) {
    // People retype codes: accept lower case and ignore spaces and dashes.
    std::string typed;
    for (char c : *access_code) {
      if (c == ' ' || c == '-') continue;
      typed += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    const std::string h = sha256_hex(typed);
    allowed = h.size() == t.access_code_hash.size() &&
              sodium_memcmp(h.data(), t.access_code_hash.data(), h.size()) == 0;
  }
  if (!allowed) return not_found;
  return to_view(t, now_());
}

}  // namespace portal::server
