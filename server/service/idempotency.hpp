// Idempotency-Key, as API.md (Conventions) and the IETF draft "The Idempotency-Key HTTP
// Header Field" define it. A key belongs to its caller (its scope): the signed-in user,
// or for an anonymous caller the key together with the fingerprint of the request (and
// the access code it presents). A retry with the same key and the same request gets
// the first answer; with another request 422 idempotency_key_reused; while the first is
// still under way 409 idempotency_in_flight. No key answers another caller's request.
//
// Ticket creation keeps its key in the ticket's own row, in the ticket's transaction
// (TicketService::submit). Every other POST that honours a key goes through
// IdempotencyService: a row per (scope, key) that is claimed before the request runs
// and holds its answer afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "portal/core/result.hpp"
#include "portal/core/time.hpp"
#include "server/store/store.hpp"

namespace portal::server {

// Keys are honoured at least this long; a periodic purge forgets older ones.
inline constexpr std::chrono::hours kIdempotencyKeep{24};

// 422 invalid_idempotency_key unless 1 to 200 visible ASCII characters.
core::Outcome check_idempotency_key(std::string_view key);

// Whose key it is: "user <id>" for a signed-in caller, "anonymous" otherwise, with the
// access code an anonymous caller presents (so that only its holder gets the answer).
std::string idempotency_scope(std::optional<std::int64_t> user_id,
                              const std::optional<std::string>& access_code = std::nullopt);

// The fingerprint of a request: SHA-256 of its method, path and body, the body as the
// canonical form of its JSON (members sorted, no spaces) when it is JSON, else as sent.
std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body);

core::Error idempotency_key_reused();  // 422, field Idempotency-Key
core::Error idempotency_in_flight();   // 409, field Idempotency-Key

// The requests with a key under way in this process, by key hash: a second one with the
// same key is refused at once (409, or 422 with another fingerprint) instead of waiting
// for the first. Costs no write.
class InFlightKeys {
 public:
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(std::move(o.key_)) {}
    Hold& operator=(Hold&&) = delete;
    ~Hold();

   private:
    friend class InFlightKeys;
    Hold(InFlightKeys* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    InFlightKeys* owner_ = nullptr;
    std::string key_;
  };
  core::Result<Hold> hold(const std::string& key_hash, const std::string& fingerprint);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::string> fingerprints_;  // key hash → fingerprint
};

class IdempotencyService {
 public:
  using Clock = std::function<core::TimePoint()>;
  IdempotencyService(Store& store, Clock now) : store_(store), now_(std::move(now)) {}

  // A request in flight for longer than this is taken as lost (its server stopped), and
  // a retry with the same request may run it again.
  static constexpr std::chrono::seconds kAbandonedAfter{60};

  struct Answer {
    int status = 0;
    std::string body;
  };
  struct Claim {
    std::string key_hash;
    std::optional<Answer> replay;  // set: answer this; unset: run the request, then finish
  };
  // Before a request with a key runs: the key is claimed for it, or the first answer
  // comes back; 422 idempotency_key_reused for another fingerprint, 409
  // idempotency_in_flight while the first is under way.
  core::Result<Claim> claim(const std::string& scope, const std::string& key,
                            const std::string& fingerprint);
  // After it ran: a success is kept to be answered again; after a failure (which
  // changed nothing) the key is given up, so that a retry runs again.
  void finish(const Claim& claim, int status, const std::string& body);
  void release(const Claim& claim);

  // Forgets keys older than kIdempotencyKeep, of tickets too; returns how many.
  core::Result<std::int64_t> purge();

 private:
  Store& store_;
  Clock now_;
};

}  // namespace portal::server
