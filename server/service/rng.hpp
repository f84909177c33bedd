// splitmix64: the same numbers on every platform and library, so that demo data is
// the same for the same seed everywhere.
#pragma once

#include <cstdint>

namespace portal::server {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  std::int64_t below(std::int64_t n) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n));
  }
  bool chance(double p) { return uniform() < p; }
  template <class C>
  const auto& pick(const C& c) {
    return c[static_cast<std::size_t>(below(static_cast<std::int64_t>(c.size())))];
  }

 private:
  std::uint64_t s_;
};

}  // namespace portal::server
