// Ticket rules that know no HTTP: submission (routing, deadlines, access codes) and
// reading a ticket with the visibility of the reader.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"
#include "server/store/store.hpp"

namespace portal::server {

using NowFn = std::function<core::TimePoint()>;
NowFn system_now();

// Who is asking. Anonymous until accounts exist (issue of accounts and roles).
struct Actor {
  std::optional<std::int64_t> user_id;
  std::string role = "anonymous";
};

class TicketService {
 public:
  TicketService(Store& store, NowFn now) : store_(store), now_(std::move(now)) {}

  core::Result<core::TicketReceipt> submit(const core::TicketDraft& draft, const Actor& actor);
  // Anonymous readers prove they submitted the ticket with its access code; a
  // wrong code answers exactly as an unknown number does.
  core::Result<core::TicketView> get(const std::string& number, const Actor& actor,
                                     const std::optional<std::string>& access_code);
  core::Result<std::vector<core::Category>> categories() { return store_.categories(); }

 private:
  Store& store_;
  NowFn now_;
};

// 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
std::string new_access_code();
std::string sha256_hex(std::string_view data);

}  // namespace portal::server
