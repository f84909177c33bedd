// The demo accounts' own tickets: `seed --demo --stories` gives every demo citizen
// (cz001..cz020) tickets of their own in several states, and the showcase staff
// accounts (gw0001, cs001, ss001, ds01, ud001) a queue with work due soon and some
// overdue. Each ticket is taken through the ticket service itself, by the accounts
// that would act on it, on a clock set back to when each step happened: the trails
// are what the running portal would have written, and the audit chain verifies.
//
// Every step lies before `now`, and nothing is left that the scheduler would do at
// `now` (no response limit passed unanswered, every passed resolve limit flagged), so
// a server started afterwards finds each ticket as described. Deterministic under the
// seed, apart from the ticket numbers (which count the tickets of each day).
#pragma once

#include <cstdint>
#include <memory>

#include "server/service/org.hpp"
#include "server/service/seed.hpp"
#include "server/store/store.hpp"

namespace portal::server {

struct StoryOptions {
  std::uint64_t seed = 1;
  core::TimePoint now{};
};

struct StoryReport {
  int tickets = 0;       // written now
  bool skipped = false;  // cz001 had tickets already: nothing was written
};

core::Result<StoryReport> seed_demo_stories(Store& store, std::shared_ptr<const OrgDirectory> org,
                                            const StoryOptions& options,
                                            const ProgressFn& progress);

}  // namespace portal::server
