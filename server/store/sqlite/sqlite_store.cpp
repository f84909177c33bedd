#include "server/store/sqlite/sqlite_store.hpp"

#include <cstdio>

#include "server/store/migrations.hpp"

namespace portal::server {

using core::Error;
using core::Result;

namespace {

// RAII transaction: rolls back unless committed.
class Tx {
 public:
  explicit Tx(sqlite::Db& db) : db_(db) { ok_ = db_.exec("BEGIN IMMEDIATE"); }
  ~Tx() {
    if (ok_ && !done_) db_.exec("ROLLBACK");
  }
  bool ok() const { return ok_; }
  bool commit() {
    done_ = true;
    return db_.exec("COMMIT");
  }

 private:
  sqlite::Db& db_;
  bool ok_ = false, done_ = false;
};

core::Category read_category(const sqlite::Stmt& s) {
  core::Category c;
  c.code = s.text(0);
  c.name = s.text(1);
  c.name_en = s.text(2);
  c.group = s.text(3);
  c.sla_class = core::parse_sla_class(s.text(4)).value_or(core::SlaClass::normal);
  c.default_unit_id = s.text(5);
  return c;
}

constexpr const char* kTicketColumns =
    "id, number, category, description, lat, lng, address, grid_id, contact_name, contact_phone, "
    "anonymous, channel, status, level, submitter_id, access_code_hash, created_at, updated_at, "
    "response_due_at, resolve_due_at, reply, reopen_count";

TicketRecord read_ticket(const sqlite::Stmt& s) {
  TicketRecord t;
  t.id = s.int64(0);
  t.number = s.text(1);
  t.draft.category = s.text(2);
  t.draft.description = s.text(3);
  t.draft.location = {s.real(4), s.real(5), s.text(6)};
  t.draft.grid_id = s.opt_text(7);
  t.draft.contact = {s.text(8), s.text(9)};
  t.draft.anonymous = s.int64(10) != 0;
  t.draft.channel = core::parse_channel(s.text(11)).value_or(core::Channel::web);
  t.status = core::parse_status(s.text(12)).value_or(core::Status::submitted);
  t.level = core::parse_level(s.text(13)).value_or(core::Level::grid);
  t.submitter_id = s.opt_int64(14);
  t.access_code_hash = s.opt_text(15).value_or("");
  t.created_at = core::from_unix(s.int64(16));
  t.updated_at = core::from_unix(s.int64(17));
  t.response_due_at = core::from_unix(s.int64(18));
  t.resolve_due_at = core::from_unix(s.int64(19));
  t.reply = s.opt_text(20);
  t.reopen_count = static_cast<int>(s.int64(21));
  return t;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  auto db = sqlite::Db::open(path);
  if (!db) return db.error();
  // WAL lets readers run beside the writer; FULL makes each commit durable.
  if (!db->exec("PRAGMA journal_mode=WAL") || !db->exec("PRAGMA synchronous=FULL") ||
      !db->exec("PRAGMA foreign_keys=ON"))
    return Error{"db_open_failed", "cannot configure database: " + db->last_error(), {}, 500};
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db)));
}

Error SqliteStore::db_error(const char* what) {
  std::fprintf(stderr,
               "{\"level\":\"error\",\"msg\":\"database error\",\"op\":\"%s\",\"detail\":\"%s\"}\n",
               what, db_.last_error().c_str());
  return Error::internal();
}

int SqliteStore::schema_version() {
  std::lock_guard lock(mu_);
  auto s = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

Result<int> SqliteStore::migrate() {
  std::lock_guard lock(mu_);
  if (!db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at INTEGER NOT NULL)"))
    return db_error("migrate");
  auto cur = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  const int have = cur.step() ? static_cast<int>(cur.int64(0)) : 0;
  int applied = 0;
  for (const auto& m : migrations()) {
    if (m.version <= have) continue;
    Tx tx(db_);
    if (!tx.ok() || !db_.exec(m.sql)) return db_error(m.name);
    auto ins = db_.prepare(
        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, strftime('%s'))");
    ins.bind(1, m.version).bind(2, m.name);
    ins.step();
    if (ins.failed() || !tx.commit()) return db_error(m.name);
    ++applied;
  }
  return applied;
}

core::Outcome SqliteStore::ping() {
  std::lock_guard lock(mu_);
  auto s = db_.prepare("SELECT 1");
  if (!s.step()) return db_error("ping");
  return core::Unit{};
}

Result<std::vector<core::Category>> SqliteStore::categories() {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(
      "SELECT code, name, name_en, grp, sla_class, default_unit_id FROM categories "
      "ORDER BY sort_order, code");
  std::vector<core::Category> out;
  while (s.step()) out.push_back(read_category(s));
  if (s.failed()) return db_error("categories");
  return out;
}

Result<std::optional<core::Category>> SqliteStore::category(const std::string& code) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(
      "SELECT code, name, name_en, grp, sla_class, default_unit_id FROM categories WHERE code = ?");
  s.bind(1, code);
  if (s.step()) return std::optional<core::Category>(read_category(s));
  if (s.failed()) return db_error("category");
  return std::optional<core::Category>();
}

core::Outcome SqliteStore::upsert_categories(const std::vector<core::Category>& categories) {
  std::lock_guard lock(mu_);
  Tx tx(db_);
  if (!tx.ok()) return db_error("upsert_categories");
  auto s = db_.prepare(
      "INSERT INTO categories(code, name, name_en, grp, sla_class, default_unit_id, sort_order) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
      "name_en = excluded.name_en, grp = excluded.grp, sla_class = excluded.sla_class, "
      "default_unit_id = excluded.default_unit_id, sort_order = excluded.sort_order");
  int order = 0;
  for (const auto& c : categories) {
    s.reset();
    s.bind(1, c.code).bind(2, c.name).bind(3, c.name_en).bind(4, c.group);
    s.bind(5, core::to_string(c.sla_class)).bind(6, c.default_unit_id).bind(7, order++);
    s.step();
    if (s.failed()) return db_error("upsert_categories");
  }
  if (!tx.commit()) return db_error("upsert_categories");
  return core::Unit{};
}

Result<TicketRecord> SqliteStore::create_ticket(TicketRecord t) {
  std::lock_guard lock(mu_);
  Tx tx(db_);
  if (!tx.ok()) return db_error("create_ticket");

  const auto day = core::civil_date(t.created_at, core::kShanghaiOffset);
  char day_key[16];
  std::snprintf(day_key, sizeof day_key, "%04d%02d%02d", day.year, day.month, day.day);
  auto counter = db_.prepare(
      "INSERT INTO ticket_counters(day, last) VALUES (?, 1) "
      "ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last");
  counter.bind(1, std::string_view(day_key));
  if (!counter.step()) return db_error("ticket_counter");
  t.number = core::format_ticket_number(day.year, day.month, day.day, counter.int64(0));

  auto s = db_.prepare(
      "INSERT INTO tickets(number, category, description, lat, lng, address, grid_id, "
      "contact_name, contact_phone, anonymous, channel, status, level, submitter_id, "
      "access_code_hash, created_at, updated_at, response_due_at, resolve_due_at, reply, "
      "reopen_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
  const auto& d = t.draft;
  s.bind(1, t.number).bind(2, d.category).bind(3, d.description);
  s.bind(4, d.location.lat).bind(5, d.location.lng).bind(6, d.location.address);
  s.bind(7, d.grid_id).bind(8, d.contact.name).bind(9, d.contact.phone);
  s.bind(10, d.anonymous ? 1 : 0).bind(11, core::to_string(d.channel));
  s.bind(12, core::to_string(t.status)).bind(13, core::to_string(t.level));
  s.bind(14, t.submitter_id);
  if (t.access_code_hash.empty())
    s.bind_null(15);
  else
    s.bind(15, t.access_code_hash);
  s.bind(16, core::to_unix(t.created_at)).bind(17, core::to_unix(t.updated_at));
  s.bind(18, core::to_unix(t.response_due_at)).bind(19, core::to_unix(t.resolve_due_at));
  s.bind(20, t.reply).bind(21, t.reopen_count);
  if (!s.step()) return db_error("create_ticket");
  t.id = s.int64(0);
  s = sqlite::Stmt();  // finish the statement before COMMIT
  counter = sqlite::Stmt();
  if (!tx.commit()) return db_error("create_ticket_commit");
  return t;
}

Result<std::optional<TicketRecord>> SqliteStore::find_ticket(const std::string& number) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE number = ?");
  s.bind(1, number);
  if (s.step()) return std::optional<TicketRecord>(read_ticket(s));
  if (s.failed()) return db_error("find_ticket");
  return std::optional<TicketRecord>();
}

}  // namespace portal::server
