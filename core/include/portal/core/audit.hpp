// The audit trail (SPEC §4 全程留痕): every change of a ticket is an append-only event,
// chained to the previous event of the same ticket by SHA-256, so that editing,
// inserting or deleting a stored event is detected by verify_chain().
//
// [SECTION] The hash
//   hash = hex(SHA-256(prev_hash + "\n" + canonical_form(event)))
// where prev_hash is the previous event's hash (lower-case hex) or, for the first event
// of a ticket, kGenesisHash (64 zeros).
//
// The canonical form is one JSON object, compact (no whitespace), keys in byte order:
//   {"action":..,"actor_id":..,"actor_name":..,"actor_role":..,"at":..,"data":..,
//    "from_status":..,"level":..,"note":..,"seq":N,"ticket":..,"to_status":..}
// Every value is a JSON string except seq (a decimal integer). Strings are written as
// they are stored, byte for byte, escaping only '"', '\\' and control characters below
// 0x20 (\b \f \n \r \t, others as \u00XX with lower-case hex); for valid UTF-8 this is
// exactly nlohmann::json's dump(). `data` is the stored JSON text itself, embedded as a
// string, so the hash never depends on how a JSON library re-serialises numbers or keys.
// Absent values are empty strings. prev_hash and hash are not part of the canonical form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::core {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditEvent {
  std::int64_t seq = 0;  // 1, 2, 3 ... within the ticket
  std::string ticket;    // ticket number: binds the event to its ticket
  std::string at;        // ISO 8601 UTC as stored, e.g. 2026-11-25T03:04:05Z
  std::string actor_id;
  std::string actor_role;
  std::string actor_name;
  std::string action;
  std::string from_status;  // empty for the first event (submit)
  std::string to_status;
  std::string level;
  std::string note;
  std::string data;  // a JSON object as text, or empty
  std::string prev_hash;
  std::string hash;
};

std::string canonical_form(const AuditEvent& e);
// The hash the event should carry, from its own prev_hash and content.
std::string compute_hash(const AuditEvent& e);
// Sets prev_hash and hash: the event follows an event with hash prev_hash
// (kGenesisHash for the first).
void seal(AuditEvent& e, std::string_view prev_hash);
// Appends e to a chain: sets seq (last seq + 1, or 1), prev_hash and hash.
void append(std::vector<AuditEvent>& chain, AuditEvent e);

struct ChainCheck {
  bool ok = true;
  std::int64_t bad_seq = 0;  // the seq of the first event that does not verify
  std::size_t index = 0;     // its position in the list
  std::string reason;        // "hash_mismatch", "broken_link", "bad_seq", "head_mismatch"
};

// Checks the events of one ticket in stored order: seq 1, 2, 3 ...; the first links to the
// genesis hash, each other to its predecessor's hash; each hash matches its content.
// With expected_head (the last hash as recorded on the ticket), a deleted or forged tail
// is also detected (reported with the seq after the last event).
ChainCheck verify_chain(const std::vector<AuditEvent>& events,
                        std::optional<std::string_view> expected_head = std::nullopt);

// Appends s as a JSON string (with quotes) under the rules above.
void append_json_string(std::string& out, std::string_view s);

}  // namespace portal::core
