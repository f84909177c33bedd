// Demo data: what `portal-server seed --demo` writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "portal/core/result.hpp"
#include "server/store/store.hpp"

namespace portal::server {

struct SeedOptions {
  bool demo = false;
  std::uint64_t seed = 1;
  std::string demo_password = "demo12345";
};

// Progress: (step name, done, total).
using ProgressFn = std::function<void(const std::string&, std::int64_t, std::int64_t)>;

core::Outcome seed_demo(Store& store, const SeedOptions& options, const ProgressFn& progress);

}  // namespace portal::server
