// Text for tests: a piece repeated, e.g. 51 of 𠮷 to go one character past a limit of 50.
#pragma once

#include <string>
#include <string_view>

namespace portal::test {

inline std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace portal::test
