// Historical demo tickets: `seed --demo --tickets N` spreads N tickets over the
// past years with realistic channels, escalations, whistles, ratings and closes,
// each with a complete hash-chained event trail. Deterministic under the seed.
#pragma once

#include <cstdint>

#include "server/service/seed.hpp"
#include "server/service/ticket_service.hpp"

namespace portal::server {

struct HistoryOptions {
  std::int64_t count = 0;
  std::uint64_t seed = 1;
  core::TimePoint now{};
  int years = 3;
  int batch = 1000;  // tickets per transaction
};

core::Outcome seed_history(Store& store, TicketService& tickets, const HistoryOptions& options,
                           const ProgressFn& progress);

}  // namespace portal::server
