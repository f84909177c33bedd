// The Store interface: the only way services reach persistent data. Backends live
// in sqlite/ (default) and, later, postgres/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"
#include "portal/core/time.hpp"

namespace portal::server {

// A ticket as stored: the draft plus the workflow's fields.
struct TicketRecord {
  std::int64_t id = 0;
  std::string number;
  core::TicketDraft draft;
  core::Status status = core::Status::submitted;
  core::Level level = core::Level::grid;
  std::optional<std::int64_t> submitter_id;
  std::string access_code_hash;  // hex SHA-256; empty when the submitter has an account
  core::TimePoint created_at, updated_at, response_due_at, resolve_due_at;
  std::optional<std::string> reply;
  int reopen_count = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies every migration not yet applied; returns how many ran.
  virtual core::Result<int> migrate() = 0;
  virtual int schema_version() = 0;
  virtual core::Outcome ping() = 0;

  virtual core::Result<std::vector<core::Category>> categories() = 0;
  virtual core::Result<std::optional<core::Category>> category(const std::string& code) = 0;
  virtual core::Outcome upsert_categories(const std::vector<core::Category>& categories) = 0;

  // Inserts the ticket, giving it the next number of its local day; fills id and number.
  virtual core::Result<TicketRecord> create_ticket(TicketRecord ticket) = 0;
  virtual core::Result<std::optional<TicketRecord>> find_ticket(const std::string& number) = 0;
};

// Opens the store named by `db`: a file path (SQLite) or, later, a postgres:// URL.
core::Result<std::unique_ptr<Store>> open_store(const std::string& db);

}  // namespace portal::server
