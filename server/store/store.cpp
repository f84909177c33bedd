#include "server/store/store.hpp"

#include "server/store/sqlite/sqlite_store.hpp"

namespace portal::server {

core::Result<std::unique_ptr<Store>> open_store(const std::string& db) {
  if (db.rfind("postgres://", 0) == 0 || db.rfind("postgresql://", 0) == 0)
    return core::Error{"unsupported_backend", "PostgreSQL is not built into this server yet", "db",
                       400};
  auto s = SqliteStore::open(db);
  if (!s) return s.error();
  return std::unique_ptr<Store>(std::move(*s));
}

}  // namespace portal::server
