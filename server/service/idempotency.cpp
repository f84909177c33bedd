#include "server/service/idempotency.hpp"

#include <algorithm>

#include "portal/core/json.hpp"
#include "server/service/ticket_service.hpp"

namespace portal::server {

core::Outcome check_idempotency_key(std::string_view key) {
  const bool printable =
      std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (key.empty() || key.size() > 200 || !printable)
    return core::Error::invalid("Idempotency-Key", "invalid_idempotency_key",
                                "must be 1 to 200 visible ASCII characters");
  return core::Unit{};
}

std::string idempotency_scope(std::optional<std::int64_t> user_id,
                              const std::optional<std::string>& access_code) {
  if (user_id) return "user " + std::to_string(*user_id);
  if (access_code) return "anonymous with code " + sha256_hex(*access_code);
  return "anonymous";
}

std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body) {
  std::string text;
  text.append(method).append(" ").append(path).append("\n");
  auto json = core::parse_json(body);
  if (json)
    text += json->dump(-1, ' ', false, core::Json::error_handler_t::replace);
  else
    text.append("raw\n").append(body);
  return sha256_hex(text);
}

core::Error idempotency_key_reused() {
  return {"idempotency_key_reused",
          "this Idempotency-Key was used for another request; use a new key for a new request",
          "Idempotency-Key", 422};
}

core::Error idempotency_in_flight() {
  return {"idempotency_in_flight",
          "the first request with this Idempotency-Key is still being processed; retry later",
          "Idempotency-Key", 409};
}

// [SECTION] In flight in this process

InFlightKeys::Hold::~Hold() {
  if (!owner_) return;
  std::lock_guard lock(owner_->mu_);
  owner_->fingerprints_.erase(key_);
}

core::Result<InFlightKeys::Hold> InFlightKeys::hold(const std::string& key_hash,
                                                    const std::string& fingerprint) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = fingerprints_.emplace(key_hash, fingerprint);
  if (!inserted)
    return it->second == fingerprint ? idempotency_in_flight() : idempotency_key_reused();
  return Hold(this, key_hash);
}

// [SECTION] Keys of every other POST

core::Result<IdempotencyService::Claim> IdempotencyService::claim(const std::string& scope,
                                                                  const std::string& key,
                                                                  const std::string& fingerprint) {
  IdempotencyRecord r;
  r.key_hash = sha256_hex("request\n" + scope + "\n" + key);
  r.fingerprint = fingerprint;
  r.created_at = now_();
  auto held = store_.claim_idempotency_key(r, r.created_at - kAbandonedAfter);
  if (!held) return held.error();
  Claim c{r.key_hash, std::nullopt};
  if (!*held) return c;
  if ((*held)->fingerprint != fingerprint) return idempotency_key_reused();
  if (!(*held)->done) return idempotency_in_flight();
  c.replay = Answer{(*held)->status, std::move((*held)->response)};
  return c;
}

void IdempotencyService::finish(const Claim& claim, int status, const std::string& body) {
  // Should this fail, the key stays in flight until kAbandonedAfter, then runs again.
  (void)store_.finish_idempotency_key(claim.key_hash, status, body);
}

void IdempotencyService::release(const Claim& claim) {
  (void)store_.release_idempotency_key(claim.key_hash);
}

core::Result<std::int64_t> IdempotencyService::purge() {
  // In slices, so that no write holds the database for long.
  constexpr int kSlice = 500;
  const core::TimePoint before = now_() - kIdempotencyKeep;
  std::int64_t total = 0;
  for (;;) {
    auto n = store_.purge_idempotency_keys(before, kSlice);
    if (!n) return n.error();
    total += *n;
    if (*n < kSlice) return total;
  }
}

}  // namespace portal::server
