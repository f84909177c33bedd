// The SQLite backend: one file in WAL mode with synchronous=FULL, so a ticket is on
// disk before it is acknowledged.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "server/store/sqlite/sqlite.hpp"
#include "server/store/store.hpp"

namespace portal::server {

class SqliteStore final : public Store {
 public:
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::string& path);

  core::Result<int> migrate() override;
  int schema_version() override;
  core::Outcome ping() override;

  core::Result<std::vector<core::Category>> categories() override;
  core::Result<std::optional<core::Category>> category(const std::string& code) override;
  core::Outcome upsert_categories(const std::vector<core::Category>& categories) override;

  core::Result<TicketRecord> create_ticket(TicketRecord ticket) override;
  core::Result<std::optional<TicketRecord>> find_ticket(const std::string& number) override;

 private:
  explicit SqliteStore(sqlite::Db db) : db_(std::move(db)) {}
  core::Error db_error(const char* what);

  std::mutex mu_;  // one connection, serialised
  sqlite::Db db_;
};

}  // namespace portal::server
