// Numbered schema migrations, embedded at build time from store/migrations/*.sql
// and store/migrations/postgres/*.sql.
#pragma once

#include <vector>

namespace portal::server {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// In ascending version order: SQLite (migrations/*.sql) and the PostgreSQL dialect of
// the same migrations (migrations/postgres/*.sql), number for number.
const std::vector<Migration>& migrations();
const std::vector<Migration>& pg_migrations();

}  // namespace portal::server
