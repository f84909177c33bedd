// Numbered schema migrations, embedded at build time from store/migrations/*.sql.
#pragma once

#include <vector>

namespace portal::server {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// In ascending version order.
const std::vector<Migration>& migrations();

}  // namespace portal::server
