#include "portal/core/audit.hpp"

#include <utility>

#include "portal/core/sha256.hpp"

namespace portal::core {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string canonical_form(const AuditEvent& e) {
  std::string out;
  out.reserve(256 + e.note.size() + e.data.size());
  bool first = true;
  auto key = [&](std::string_view k) {
    out += first ? "\"" : ",\"";
    first = false;
    out += k;
    out += "\":";
  };
  auto field = [&](std::string_view k, std::string_view value) {
    key(k);
    append_json_string(out, value);
  };
  out.push_back('{');
  field("action", e.action);
  field("actor_id", e.actor_id);
  field("actor_name", e.actor_name);
  field("actor_role", e.actor_role);
  field("at", e.at);
  field("data", e.data);
  field("from_status", e.from_status);
  field("level", e.level);
  field("note", e.note);
  key("seq");
  out += std::to_string(e.seq);
  field("ticket", e.ticket);
  field("to_status", e.to_status);
  out.push_back('}');
  return out;
}

std::string compute_hash(const AuditEvent& e) {
  Sha256 h;
  h.update(e.prev_hash);
  h.update("\n");
  h.update(canonical_form(e));
  return to_hex(h.finish());
}

void seal(AuditEvent& e, std::string_view prev_hash) {
  e.prev_hash = std::string(prev_hash);
  e.hash = compute_hash(e);
}

void append(std::vector<AuditEvent>& chain, AuditEvent e) {
  e.seq = chain.empty() ? 1 : chain.back().seq + 1;
  seal(e, chain.empty() ? kGenesisHash : std::string_view(chain.back().hash));
  chain.push_back(std::move(e));
}

ChainCheck verify_chain(const std::vector<AuditEvent>& events,
                        std::optional<std::string_view> expected_head) {
  std::string_view prev = kGenesisHash;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const AuditEvent& e = events[i];
    auto bad = [&](const char* reason) { return ChainCheck{false, e.seq, i, reason}; };
    if (e.seq != static_cast<std::int64_t>(i) + 1) return bad("bad_seq");
    if (e.prev_hash != prev) return bad("broken_link");
    if (compute_hash(e) != e.hash) return bad("hash_mismatch");
    prev = e.hash;
  }
  if (expected_head && *expected_head != prev)
    return {false, static_cast<std::int64_t>(events.size()) + 1, events.size(), "head_mismatch"};
  return {};
}

}  // namespace portal::core
