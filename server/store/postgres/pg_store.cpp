#include "server/store/postgres/pg_store.hpp"

#include <poll.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "portal/core/search.hpp"
#include "portal/core/utf8.hpp"
#include "server/store/migrations.hpp"

namespace portal::server {

using core::Error;
using core::Result;

namespace {

// Every instance's ticket changes, as "instance|number|action".
constexpr const char* kChannel = "portal_changes";
// Session advisory lock taken while migrating, so that instances starting together
// apply each migration once.
constexpr std::int64_t kMigrateLock = 7'311'001;

// The text search's document of a ticket (0020_ticket_search.sql) as a tsvector
// literal: each token of core/search.hpp at its position, the address's after the
// description's and a gap, so that no phrase spans the two. Tokens hold no quote or
// backslash; positions stop at tsvector's last, 16383.
std::string search_doc(const std::string& description, const std::string& address) {
  std::string out;
  int pos = 0;
  auto add = [&](const std::string& text) {
    for (const auto& t : core::search_tokens(text)) {
      pos = std::min(pos + 1, 16383);
      out += (out.empty() ? "'" : " '") + t + "':" + std::to_string(pos);
    }
    pos = std::min(pos + 1, 16383);
  };
  add(description);
  add(address);
  return out;
}

// The tsquery of a text query: each run of it a phrase whose last token is a prefix
// (core/search.hpp), all of them; empty when the query has no word character.
std::string search_tsquery(const std::string& q) {
  std::string out;
  for (const auto& run : core::search_query_runs(q)) {
    if (!out.empty()) out += " & ";
    out += '(';
    for (std::size_t i = 0; i < run.size(); ++i)
      out += (i ? " <-> '" : "'") + run[i] + "'" + (i + 1 == run.size() ? ":*" : "");
    out += ')';
  }
  return out;
}

#define LEASE(c, what)                      \
  auto c##_lease = pool_.acquire();         \
  if (!c##_lease) return c##_lease.error(); \
  pg::Conn& c = **c##_lease

core::Category read_category(const pg::Res& r, int i) {
  core::Category c;
  c.code = r.text(i, 0);
  c.name = r.text(i, 1);
  c.name_en = r.text(i, 2);
  c.group = r.text(i, 3);
  c.sla_class = core::parse_sla_class(r.text(i, 4)).value_or(core::SlaClass::normal);
  c.default_unit_id = r.text(i, 5);
  return c;
}

constexpr const char* kTicketColumns =
    "id, number, category, description, lat, lng, address, grid_id, contact_name, contact_phone, "
    "anonymous, channel, status, level, submitter_id, access_code_hash, created_at, updated_at, "
    "response_due_at, resolve_due_at, reply, reopen_count, community_id, street_id, "
    "assignee_kind, assignee_id, version, assigned_at, responded_at, resolved_at, closed_at, "
    "merged_into, overdue, rating_resolved, rating_satisfaction, rating_comment, rated_at, "
    "event_count, last_hash, external_id, "
    "(SELECT COUNT(*) FROM ticket_followers f WHERE f.ticket_id = tickets.id)";

std::optional<core::TimePoint> opt_time(const pg::Res& r, int i, int col) {
  if (r.is_null(i, col)) return std::nullopt;
  return core::from_unix(r.int64(i, col));
}

std::optional<std::int64_t> unix_of(const std::optional<core::TimePoint>& t) {
  if (!t) return std::nullopt;
  return core::to_unix(*t);
}

TicketRecord read_ticket(const pg::Res& s, int i) {
  TicketRecord t;
  t.id = s.int64(i, 0);
  t.number = s.text(i, 1);
  t.draft.category = s.text(i, 2);
  t.draft.description = s.text(i, 3);
  t.draft.location = {s.real(i, 4), s.real(i, 5), s.text(i, 6)};
  t.draft.grid_id = s.opt_text(i, 7);
  t.draft.contact = {s.text(i, 8), s.text(i, 9)};
  t.draft.anonymous = s.int64(i, 10) != 0;
  t.draft.channel = core::parse_channel(s.text(i, 11)).value_or(core::Channel::web);
  t.status = core::parse_status(s.text(i, 12)).value_or(core::Status::submitted);
  t.level = core::parse_level(s.text(i, 13)).value_or(core::Level::grid);
  t.submitter_id = s.opt_int64(i, 14);
  t.access_code_hash = s.opt_text(i, 15).value_or("");
  t.created_at = core::from_unix(s.int64(i, 16));
  t.updated_at = core::from_unix(s.int64(i, 17));
  t.response_due_at = core::from_unix(s.int64(i, 18));
  t.resolve_due_at = core::from_unix(s.int64(i, 19));
  t.reply = s.opt_text(i, 20);
  t.reopen_count = static_cast<int>(s.int64(i, 21));
  t.community_id = s.opt_text(i, 22);
  t.street_id = s.opt_text(i, 23);
  t.assignee_kind = s.text(i, 24);
  t.assignee_id = s.text(i, 25);
  t.version = static_cast<int>(s.int64(i, 26));
  t.assigned_at = opt_time(s, i, 27);
  t.responded_at = opt_time(s, i, 28);
  t.resolved_at = opt_time(s, i, 29);
  t.closed_at = opt_time(s, i, 30);
  t.merged_into = s.opt_text(i, 31);
  t.overdue = s.int64(i, 32) != 0;
  if (!s.is_null(i, 33)) t.rating_resolved = s.int64(i, 33) != 0;
  if (!s.is_null(i, 34)) t.rating_satisfaction = static_cast<int>(s.int64(i, 34));
  t.rating_comment = s.opt_text(i, 35);
  t.rated_at = opt_time(s, i, 36);
  t.event_count = s.int64(i, 37);
  t.last_hash = s.text(i, 38);
  t.external_id = s.opt_text(i, 39);
  t.followers = s.int64(i, 40);
  return t;
}

// The mutable columns, in kTicketMutableColumns order.
void add_ticket(pg::Params& p, const TicketRecord& t) {
  const auto& d = t.draft;
  p.add(d.category).add(d.description).add(d.location.lat).add(d.location.lng);
  p.add(d.location.address).add(d.grid_id).add(d.contact.name).add(d.contact.phone);
  p.add(d.anonymous ? 1 : 0).add(core::to_string(d.channel)).add(core::to_string(t.status));
  p.add(core::to_string(t.level)).add(t.submitter_id);
  if (t.access_code_hash.empty())
    p.add_null();
  else
    p.add(t.access_code_hash);
  p.add(core::to_unix(t.created_at)).add(core::to_unix(t.updated_at));
  p.add(core::to_unix(t.response_due_at)).add(core::to_unix(t.resolve_due_at));
  p.add(t.reply).add(t.reopen_count).add(t.community_id).add(t.street_id);
  p.add(t.assignee_kind).add(t.assignee_id).add(unix_of(t.assigned_at));
  p.add(unix_of(t.responded_at)).add(unix_of(t.resolved_at)).add(unix_of(t.closed_at));
  p.add(t.merged_into).add(t.overdue ? 1 : 0);
  if (t.rating_resolved)
    p.add(*t.rating_resolved ? 1 : 0);
  else
    p.add_null();
  p.add(t.rating_satisfaction).add(t.rating_comment).add(unix_of(t.rated_at)).add(t.external_id);
}

constexpr const char* kTicketMutableColumns =
    "category, description, lat, lng, address, grid_id, contact_name, contact_phone, anonymous, "
    "channel, status, level, submitter_id, access_code_hash, created_at, updated_at, "
    "response_due_at, resolve_due_at, reply, reopen_count, community_id, street_id, "
    "assignee_kind, assignee_id, assigned_at, responded_at, resolved_at, closed_at, merged_into, "
    "overdue, rating_resolved, rating_satisfaction, rating_comment, rated_at, external_id";
constexpr int kTicketMutableCount = 35;

UserRow read_user(const pg::Res& s, int i) {
  UserRow u;
  u.id = s.int64(i, 0);
  u.username = s.opt_text(i, 1).value_or("");
  u.phone = s.opt_text(i, 2).value_or("");
  u.name = s.text(i, 3);
  u.role = core::parse_role(s.text(i, 4)).value_or(core::Role::citizen);
  u.title = s.text(i, 5);
  u.password_hash = s.text(i, 6);
  u.unit_id = s.opt_text(i, 7).value_or("");
  u.street_id = s.opt_text(i, 8).value_or("");
  u.community_id = s.opt_text(i, 9).value_or("");
  u.disabled = s.int64(i, 10) != 0;
  u.created_at = core::from_unix(s.int64(i, 11));
  return u;
}
constexpr const char* kUserColumns =
    "id, username, phone, name, role, title, password_hash, unit_id, street_id, community_id, "
    "disabled, created_at";

WhistleRecord read_whistle(const pg::Res& s, int i) {
  WhistleRecord w;
  w.id = s.int64(i, 0);
  w.ticket_id = s.int64(i, 1);
  w.unit_id = s.text(i, 2);
  w.status = core::parse_whistle_state(s.text(i, 3)).value_or(core::WhistleState::summoned);
  w.note = s.text(i, 4);
  w.summoned_by = s.opt_int64(i, 5);
  w.summoned_at = core::from_unix(s.int64(i, 6));
  w.checked_in_at = opt_time(s, i, 7);
  w.done_at = opt_time(s, i, 8);
  w.unit_name = s.opt_text(i, 9).value_or(w.unit_id);
  return w;
}

std::string placeholders(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

std::optional<std::string> non_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// A PostgreSQL text[] literal: {"a","b"} with quotes and backslashes escaped.
std::string text_array(const std::vector<std::string>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : v[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

constexpr const char* kNotificationColumns =
    "seq, id, kind, lang, phone, user_id, ticket, text, link, order_key, dedupe_key, status, "
    "attempts, created_at, next_at, give_up_at, delivered_at, last_error";

NotificationRecord read_notification(const pg::Res& r, int i) {
  NotificationRecord n;
  n.seq = r.int64(i, 0);
  n.id = r.text(i, 1);
  n.kind = r.text(i, 2);
  n.lang = r.text(i, 3);
  n.phone = r.text(i, 4);
  n.user_id = r.opt_int64(i, 5);
  n.ticket = r.text(i, 6);
  n.text = r.text(i, 7);
  n.link = r.text(i, 8);
  n.order_key = r.text(i, 9);
  n.dedupe_key = r.opt_text(i, 10).value_or("");
  n.status = r.text(i, 11);
  n.attempts = static_cast<int>(r.int64(i, 12));
  n.created_at = core::from_unix(r.int64(i, 13));
  n.next_at = core::from_unix(r.int64(i, 14));
  n.give_up_at = core::from_unix(r.int64(i, 15));
  n.delivered_at = opt_time(r, i, 16);
  n.last_error = r.text(i, 17);
  return n;
}

// Advisory locks (two-key space, apart from the jobs' and the idempotency keys' one-key
// locks) on the order keys of messages about to be written.
constexpr int kOrderKeyLock = 7'311'002;

// Holds the order keys of messages about to be written until the transaction ends. A
// message's seq is drawn when it is inserted, not when its transaction commits: of two
// transactions writing to one key, the one with the later seq could commit first, and
// whether its message went out before the other's would depend on when a worker
// looked. Held until commit, a key's seqs follow the order of the commits.
// No deadlock: a transaction takes its keys at once, in one order (by hash), and before
// any row but its ticket's (commit_change): never after a day's counter, an
// idempotency key or a photo.
// A new ticket's own keys ("...|{number}") are new with it: nothing to order them after.
bool lock_order_keys(pg::Conn& c, std::vector<std::string> keys) {
  std::erase_if(keys, [](const std::string& k) { return k.find("{number}") != std::string::npos; });
  if (keys.empty()) return true;
  return c
      .exec(
          "SELECT pg_advisory_xact_lock(?, h) FROM (SELECT DISTINCT hashtext(k) AS h "
          "FROM unnest(?::text[]) AS k ORDER BY h) AS s",
          pg::Params().add(kOrderKeyLock).add(text_array(keys)))
      .ok();
}

constexpr const char* kUniqueViolation = "23505";
constexpr const char* kForeignKeyViolation = "23503";

void load_user_grids(pg::Conn& c, UserRow& u) {
  auto g = c.exec("SELECT grid_id FROM user_grids WHERE user_id = ? ORDER BY grid_id",
                  pg::Params().add(u.id));
  for (int i = 0; i < g.rows(); ++i) u.grid_ids.push_back(g.text(i, 0));
}

class PgJobLock final : public Store::JobLock {
 public:
  PgJobLock(pg::Lease lease, std::string job) : lease_(std::move(lease)), job_(std::move(job)) {}
  ~PgJobLock() override {
    lease_->exec("SELECT pg_advisory_unlock(hashtext(?))", pg::Params().add(job_));
  }

 private:
  pg::Lease lease_;
  std::string job_;
};

}  // namespace

// [SECTION] Opening, migrations

PgStore::PgStore(std::string url, int connections)
    : url_(std::move(url)), pool_(url_, std::max(2, connections)) {
  unsigned char id[8];
  randombytes_buf(id, sizeof id);
  static const char* hex = "0123456789abcdef";
  for (unsigned char b : id) {
    instance_ += hex[b >> 4];
    instance_ += hex[b & 15];
  }
}

PgStore::~PgStore() {
  stopping_ = true;
  if (watcher_.joinable()) watcher_.join();
}

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& url, int connections) {
  std::unique_ptr<PgStore> s(new PgStore(url, connections));
  auto c = s->pool_.acquire();
  if (!c) return c.error();
  // Only a UTF8 database holds every character people type (𠮷, emoji); any other
  // would refuse them, or keep their bytes without knowing what they are.
  auto enc = (*c)->exec("SHOW server_encoding");
  if (!enc.ok() || enc.rows() != 1 || enc.text(0, 0) != "UTF8")
    return Error{"db_encoding",
                 "the database must be created with ENCODING 'UTF8', not " +
                     (enc.ok() && enc.rows() == 1 ? enc.text(0, 0) : std::string("unknown")),
                 {},
                 503};
  return s;
}

Error PgStore::db_error(pg::Conn& c, const char* what) {
  std::string detail = c.last_error();
  for (auto& ch : detail)
    if (ch == '"' || ch == '\n' || ch == '\\') ch = ' ';
  std::fprintf(stderr,
               "{\"level\":\"error\",\"msg\":\"database error\",\"op\":\"%s\",\"detail\":\"%s\"}\n",
               what, detail.c_str());
  return Error::internal();
}

int PgStore::schema_version() {
  auto lease = pool_.acquire();
  if (!lease) return 0;
  auto r = (*lease)->exec(
      "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE "
      "to_regclass('schema_migrations') "
      "IS NOT NULL");
  return r.ok() && r.rows() ? static_cast<int>(r.int64(0, 0)) : 0;
}

Result<int> PgStore::migrate() {
  LEASE(c, "migrate");
  if (!c.run(("SELECT pg_advisory_lock(" + std::to_string(kMigrateLock) + ")").c_str()))
    return db_error(c, "migrate_lock");
  struct Unlock {
    pg::Conn& c;
    ~Unlock() {
      c.run(("SELECT pg_advisory_unlock(" + std::to_string(kMigrateLock) + ")").c_str());
    }
  } unlock{c};
  if (!c.run("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
             "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
    return db_error(c, "migrate");
  // Every migration not applied yet, also one numbered below the highest applied (a
  // branch that landed later).
  auto cur = c.exec("SELECT version FROM schema_migrations");
  if (!cur.ok()) return db_error(c, "migrate");
  std::vector<std::int64_t> have;
  for (int i = 0; i < cur.rows(); ++i) have.push_back(cur.int64(i, 0));
  int applied = 0;
  for (const auto& m : pg_migrations()) {
    if (std::find(have.begin(), have.end(), m.version) != have.end()) continue;
    pg::Tx tx(c);
    if (!tx.ok() || !c.run(m.sql)) return db_error(c, m.name);
    auto ins = c.exec(
        "INSERT INTO schema_migrations(version, name, applied_at) VALUES "
        "(?, ?, extract(epoch FROM now())::bigint)",
        pg::Params().add(m.version).add(m.name));
    if (!ins.ok() || !tx.commit()) return db_error(c, m.name);
    ++applied;
  }
  if (auto ok = backfill_search(c); !ok) return ok.error();
  return applied;
}

core::Outcome PgStore::backfill_search(pg::Conn& c) {
  // Tickets that were there before the index (0020), under the migration lock:
  // newest first, a batch a transaction, so that an interrupted start goes on where it
  // stopped.
  std::int64_t done = 0;
  for (;;) {
    pg::Tx tx(c);
    if (!tx.ok()) return db_error(c, "search_backfill");
    auto head = c.exec("SELECT upto FROM ticket_search_backfill FOR UPDATE");
    if (!head.ok()) return db_error(c, "search_backfill");
    if (!head.rows()) return core::Unit{};  // nothing (left) to index
    const std::int64_t upto = head.int64(0, 0);
    auto rows = c.exec(
        "SELECT id, description, address FROM tickets WHERE id <= ? ORDER BY id DESC LIMIT 2000",
        pg::Params().add(upto));
    if (!rows.ok()) return db_error(c, "search_backfill");
    for (int i = 0; i < rows.rows(); ++i) {
      auto r = c.exec(
          "INSERT INTO ticket_search(ticket_id, doc) VALUES (?, ?::tsvector) "
          "ON CONFLICT (ticket_id) DO NOTHING",
          pg::Params().add(rows.int64(i, 0)).add(search_doc(rows.text(i, 1), rows.text(i, 2))));
      if (!r.ok()) return db_error(c, "search_backfill");
    }
    const int n = rows.rows();
    auto u = n ? c.exec("UPDATE ticket_search_backfill SET upto = ?",
                        pg::Params().add(rows.int64(n - 1, 0) - 1))
               : c.exec("DELETE FROM ticket_search_backfill");
    if (!u.ok() || !tx.commit()) return db_error(c, "search_backfill");
    done += n;
    if (n == 0 || done % 100000 < 2000)
      std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"search index backfill\",\"done\":%lld}\n",
                   static_cast<long long>(done));
    if (n == 0) return core::Unit{};
  }
}

core::Outcome PgStore::ping() {
  LEASE(c, "ping");
  if (!c.exec("SELECT 1").ok()) return db_error(c, "ping");
  return core::Unit{};
}

StoreMetrics PgStore::metrics() {
  StoreMetrics m;
  auto lease = pool_.acquire();
  if (!lease) return m;
  auto r = (*lease)->exec("SELECT pg_database_size(current_database())");
  if (r.ok() && r.rows() == 1 && !r.is_null(0, 0)) m.database_bytes = r.int64(0, 0);
  return m;
}

// [SECTION] Catalogue and organisation

Result<std::vector<core::Category>> PgStore::categories() {
  LEASE(c, "categories");
  auto r = c.exec(
      "SELECT code, name, name_en, grp, sla_class, default_unit_id FROM categories "
      "ORDER BY sort_order, code");
  if (!r.ok()) return db_error(c, "categories");
  std::vector<core::Category> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_category(r, i));
  return out;
}

Result<std::optional<core::Category>> PgStore::category(const std::string& code) {
  LEASE(c, "category");
  auto r = c.exec(
      "SELECT code, name, name_en, grp, sla_class, default_unit_id FROM categories WHERE code = ?",
      pg::Params().add(code));
  if (!r.ok()) return db_error(c, "category");
  if (!r.rows()) return std::optional<core::Category>();
  return std::optional<core::Category>(read_category(r, 0));
}

core::Outcome PgStore::upsert_categories(const std::vector<core::Category>& categories) {
  LEASE(c, "upsert_categories");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "upsert_categories");
  int order = 0;
  for (const auto& x : categories) {
    auto r = c.exec(
        "INSERT INTO categories(code, name, name_en, grp, sla_class, default_unit_id, sort_order) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
        "name_en = excluded.name_en, grp = excluded.grp, sla_class = excluded.sla_class, "
        "default_unit_id = excluded.default_unit_id, sort_order = excluded.sort_order",
        pg::Params()
            .add(x.code)
            .add(x.name)
            .add(x.name_en)
            .add(x.group)
            .add(core::to_string(x.sla_class))
            .add(x.default_unit_id)
            .add(order++));
    if (!r.ok()) return db_error(c, "upsert_categories");
  }
  if (!tx.commit()) return db_error(c, "upsert_categories");
  return core::Unit{};
}

core::Outcome PgStore::upsert_org(const OrgData& org) {
  LEASE(c, "upsert_org");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "upsert_org");
  for (const auto& r : org.streets) {
    auto x = c.exec(
        "INSERT INTO streets(id, name, town, area) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE "
        "SET name = excluded.name, town = excluded.town, area = excluded.area",
        pg::Params().add(r.id).add(r.name).add(r.town ? 1 : 0).add(r.area));
    if (!x.ok()) return db_error(c, "upsert_streets");
  }
  for (const auto& r : org.communities) {
    auto x = c.exec(
        "INSERT INTO communities(id, street_id, name, village, area) VALUES (?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET street_id = excluded.street_id, name = excluded.name, "
        "village = excluded.village, area = excluded.area",
        pg::Params().add(r.id).add(r.street_id).add(r.name).add(r.village ? 1 : 0).add(r.area));
    if (!x.ok()) return db_error(c, "upsert_communities");
  }
  for (const auto& r : org.grids) {
    auto x = c.exec(
        "INSERT INTO grids(id, community_id, street_id, name, kind, polygon, min_lng, min_lat, "
        "max_lng, max_lat, households, residents) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET community_id = excluded.community_id, "
        "street_id = excluded.street_id, name = excluded.name, kind = excluded.kind, "
        "polygon = excluded.polygon, min_lng = excluded.min_lng, min_lat = excluded.min_lat, "
        "max_lng = excluded.max_lng, max_lat = excluded.max_lat, "
        "households = excluded.households, residents = excluded.residents",
        pg::Params()
            .add(r.id)
            .add(r.community_id)
            .add(r.street_id)
            .add(r.name)
            .add(r.kind)
            .add(r.polygon)
            .add(r.min_lng)
            .add(r.min_lat)
            .add(r.max_lng)
            .add(r.max_lat)
            .add(r.households)
            .add(r.residents));
    if (!x.ok()) return db_error(c, "upsert_grids");
  }
  for (const auto& r : org.units) {
    auto x = c.exec(
        "INSERT INTO units(id, kind, subkind, name, name_en, contact, contact_person, address, "
        "street_id, community_id, grid_id, lat, lng) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, subkind = excluded.subkind, "
        "name = excluded.name, name_en = excluded.name_en, contact = excluded.contact, "
        "contact_person = excluded.contact_person, address = excluded.address, "
        "street_id = excluded.street_id, community_id = excluded.community_id, "
        "grid_id = excluded.grid_id, lat = excluded.lat, lng = excluded.lng",
        pg::Params()
            .add(r.id)
            .add(r.kind)
            .add(r.subkind)
            .add(r.name)
            .add(r.name_en)
            .add(r.contact)
            .add(r.contact_person)
            .add(r.address)
            .add(non_empty(r.street_id))
            .add(non_empty(r.community_id))
            .add(non_empty(r.grid_id))
            .add(r.lat)
            .add(r.lng));
    if (!x.ok()) return db_error(c, "upsert_units");
  }
  // Accounts are matched by username (without case); an existing account keeps its
  // password.
  for (const auto& u : org.users) {
    auto x = c.exec(
        "INSERT INTO users(username, phone, name, role, title, password_hash, unit_id, street_id, "
        "community_id, disabled, created_at) VALUES (?,?,?,?,?,?,?,?,?,0,?) "
        "ON CONFLICT(lower(username COLLATE \"C\")) DO UPDATE SET name = excluded.name, role = "
        "excluded.role, "
        "title = excluded.title, unit_id = excluded.unit_id, street_id = excluded.street_id, "
        "community_id = excluded.community_id RETURNING id",
        pg::Params()
            .add(u.username)
            .add(non_empty(u.phone))
            .add(u.name)
            .add(core::to_string(u.role))
            .add(u.title)
            .add(u.password_hash)
            .add(non_empty(u.unit_id))
            .add(non_empty(u.street_id))
            .add(non_empty(u.community_id))
            .add(core::to_unix(u.created_at)));
    if (!x.ok() || !x.rows()) return db_error(c, "upsert_users");
    const std::int64_t id = x.int64(0, 0);
    if (!c.exec("DELETE FROM user_grids WHERE user_id = ?", pg::Params().add(id)).ok())
      return db_error(c, "upsert_user_grids");
    if (!u.grid_ids.empty() &&
        !c.exec("INSERT INTO user_grids(user_id, grid_id) SELECT ?, unnest(?::text[]) "
                "ON CONFLICT DO NOTHING",
                pg::Params().add(id).add(text_array(u.grid_ids)))
             .ok())
      return db_error(c, "upsert_user_grids");
  }
  for (const auto& d : org.calendar) {
    auto x = c.exec(
        "INSERT INTO calendar_days(day, kind) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET "
        "kind = excluded.kind",
        pg::Params().add(d.day).add(d.kind));
    if (!x.ok()) return db_error(c, "upsert_calendar");
  }
  if (!tx.commit()) return db_error(c, "upsert_org_commit");
  return core::Unit{};
}

Result<OrgData> PgStore::load_org() {
  LEASE(c, "load_org");
  OrgData org;
  // One snapshot for the whole organisation.
  pg::Tx tx(c);
  auto st = c.exec("SELECT id, name, town, area FROM streets ORDER BY id");
  auto cs = c.exec("SELECT id, street_id, name, village, area FROM communities ORDER BY id");
  auto gs = c.exec(
      "SELECT id, community_id, street_id, name, kind, polygon, min_lng, min_lat, max_lng, "
      "max_lat, households, residents FROM grids ORDER BY id");
  auto us = c.exec(
      "SELECT id, kind, subkind, name, name_en, contact, contact_person, address, "
      "COALESCE(street_id, ''), COALESCE(community_id, ''), COALESCE(grid_id, ''), lat, lng "
      "FROM units ORDER BY pos");
  auto cal = c.exec("SELECT day, kind FROM calendar_days ORDER BY day");
  auto gw = c.exec(
      "SELECT ug.grid_id, u.id, u.name FROM user_grids ug JOIN users u ON u.id = ug.user_id "
      "WHERE u.role = 'grid_worker' AND u.disabled = 0 ORDER BY ug.grid_id, u.id");
  if (!st.ok() || !cs.ok() || !gs.ok() || !us.ok() || !cal.ok() || !gw.ok())
    return db_error(c, "load_org");
  for (int i = 0; i < st.rows(); ++i)
    org.streets.push_back({st.text(i, 0), st.text(i, 1), st.int64(i, 2) != 0, st.text(i, 3)});
  for (int i = 0; i < cs.rows(); ++i)
    org.communities.push_back(
        {cs.text(i, 0), cs.text(i, 1), cs.text(i, 2), cs.int64(i, 3) != 0, cs.text(i, 4)});
  for (int i = 0; i < gs.rows(); ++i) {
    GridRow g{gs.text(i, 0), gs.text(i, 1), gs.text(i, 2),
              gs.text(i, 3), gs.text(i, 4), gs.text(i, 5)};
    g.min_lng = gs.real(i, 6), g.min_lat = gs.real(i, 7);
    g.max_lng = gs.real(i, 8), g.max_lat = gs.real(i, 9);
    g.households = static_cast<int>(gs.int64(i, 10));
    g.residents = static_cast<int>(gs.int64(i, 11));
    org.grids.push_back(std::move(g));
  }
  for (int i = 0; i < us.rows(); ++i) {
    UnitRow u{us.text(i, 0), us.text(i, 1), us.text(i, 2), us.text(i, 3),
              us.text(i, 4), us.text(i, 5), us.text(i, 6), us.text(i, 7),
              us.text(i, 8), us.text(i, 9), us.text(i, 10)};
    if (!us.is_null(i, 11)) u.lat = us.real(i, 11);
    if (!us.is_null(i, 12)) u.lng = us.real(i, 12);
    org.units.push_back(std::move(u));
  }
  for (int i = 0; i < cal.rows(); ++i) org.calendar.push_back({cal.text(i, 0), cal.text(i, 1)});
  for (int i = 0; i < gw.rows(); ++i)
    org.grid_workers.push_back({gw.text(i, 0), gw.int64(i, 1), gw.text(i, 2)});
  tx.commit();
  return org;
}

Result<std::optional<UserRow>> PgStore::find_user(std::int64_t id) {
  LEASE(c, "find_user");
  auto r = c.exec(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?",
                  pg::Params().add(id));
  if (!r.ok()) return db_error(c, "find_user");
  if (!r.rows()) return std::optional<UserRow>();
  UserRow u = read_user(r, 0);
  load_user_grids(c, u);
  return std::optional<UserRow>(std::move(u));
}

Result<std::optional<UserRow>> PgStore::find_user_by_login(const std::string& login) {
  LEASE(c, "find_user_by_login");
  // Usernames without regard to ASCII case, as SQLite compares them: lower() under the
  // "C" collation folds A-Z only (the index users_username_lower).
  auto r = c.exec(std::string("SELECT ") + kUserColumns +
                      " FROM users WHERE lower(username COLLATE \"C\") = ?2 OR phone = ?1 "
                      "ORDER BY id LIMIT 1",
                  pg::Params().add(login).add(core::ascii_lower(login)));
  if (!r.ok()) return db_error(c, "find_user_by_login");
  if (!r.rows()) return std::optional<UserRow>();
  UserRow u = read_user(r, 0);
  load_user_grids(c, u);
  return std::optional<UserRow>(std::move(u));
}

Result<std::vector<UserRow>> PgStore::users(int page, int page_size) {
  LEASE(c, "users");
  auto r =
      c.exec(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id LIMIT ? OFFSET ?",
             pg::Params().add(page_size).add(static_cast<std::int64_t>(page - 1) * page_size));
  if (!r.ok()) return db_error(c, "users");
  std::vector<UserRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_user(r, i));
  if (!out.empty()) {
    // Every listed account's grids in one query.
    auto g = c.exec(
        "SELECT user_id, grid_id FROM user_grids WHERE user_id BETWEEN ? AND ? "
        "ORDER BY user_id, grid_id",
        pg::Params().add(out.front().id).add(out.back().id));
    if (!g.ok()) return db_error(c, "users");
    std::size_t k = 0;
    for (int i = 0; i < g.rows(); ++i) {
      const std::int64_t uid = g.int64(i, 0);
      while (k < out.size() && out[k].id < uid) ++k;
      if (k < out.size() && out[k].id == uid) out[k].grid_ids.push_back(g.text(i, 1));
    }
  }
  return out;
}

Result<std::int64_t> PgStore::create_user(UserRow u) {
  LEASE(c, "create_user");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "create_user");
  auto r = c.exec(
      "INSERT INTO users(username, phone, name, role, title, password_hash, unit_id, street_id, "
      "community_id, disabled, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      pg::Params()
          .add(non_empty(u.username))
          .add(non_empty(u.phone))
          .add(u.name)
          .add(core::to_string(u.role))
          .add(u.title)
          .add(u.password_hash)
          .add(non_empty(u.unit_id))
          .add(non_empty(u.street_id))
          .add(non_empty(u.community_id))
          .add(u.disabled ? 1 : 0)
          .add(core::to_unix(u.created_at)));
  if (!r.ok()) {
    if (r.sqlstate() == kUniqueViolation)
      return Error::conflict("account_exists", "an account with this phone or username exists");
    if (r.sqlstate() == kForeignKeyViolation)
      return Error::invalid("unit_id", "unknown_unit", "names an unknown unit");
    return db_error(c, "create_user");
  }
  const std::int64_t id = r.int64(0, 0);
  for (const auto& grid : u.grid_ids) {
    auto g = c.exec("INSERT INTO user_grids(user_id, grid_id) VALUES (?, ?)",
                    pg::Params().add(id).add(grid));
    if (!g.ok()) return Error::invalid("grid_ids", "unknown_grid", "names an unknown grid");
  }
  if (!tx.commit()) return db_error(c, "create_user_commit");
  return id;
}

// [SECTION] Sessions and keys

core::Outcome PgStore::create_session(const std::string& token_hash, std::int64_t user_id,
                                      core::TimePoint now, core::TimePoint expires_at) {
  LEASE(c, "create_session");
  auto r = c.exec(
      "INSERT INTO sessions(token_hash, user_id, created_at, last_seen_at, expires_at) "
      "VALUES (?,?,?,?,?)",
      pg::Params()
          .add(token_hash)
          .add(user_id)
          .add(core::to_unix(now))
          .add(core::to_unix(now))
          .add(core::to_unix(expires_at)));
  if (!r.ok()) return db_error(c, "create_session");
  return core::Unit{};
}

Result<std::optional<std::int64_t>> PgStore::session_user(const std::string& token_hash,
                                                          core::TimePoint now,
                                                          std::chrono::seconds idle) {
  LEASE(c, "session_user");
  const std::int64_t t = core::to_unix(now);
  auto r = c.exec(
      "SELECT s.user_id, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? AND u.disabled = 0",
      pg::Params().add(token_hash).add(t).add(t - idle.count()));
  if (!r.ok()) return db_error(c, "session_user");
  if (!r.rows()) return std::optional<std::int64_t>();
  const std::int64_t user = r.int64(0, 0), seen = r.int64(0, 1);
  // Refresh at most once a minute: a read should rarely cost a write.
  if (t - seen >= 60)
    c.exec("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
           pg::Params().add(t).add(token_hash));
  return std::optional<std::int64_t>(user);
}

core::Outcome PgStore::update_user(std::int64_t id, const UserPatch& p) {
  LEASE(c, "update_user");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "update_user");
  pg::Params params;
  params.add(p.name).add(p.password_hash).add(p.title);
  if (p.disabled)
    params.add(*p.disabled ? 1 : 0);
  else
    params.add_null();
  params.add(id);
  auto r = c.exec(
      "UPDATE users SET name = COALESCE(?::text, name), "
      "password_hash = COALESCE(?::text, password_hash), title = COALESCE(?::text, title), "
      "disabled = COALESCE(?::bigint, disabled) WHERE id = ?",
      params);
  if (!r.ok()) return db_error(c, "update_user");
  if (r.affected() == 0) return Error::not_found("no such user");
  if (p.password_hash || p.disabled.value_or(false)) {
    if (!c.exec("DELETE FROM sessions WHERE user_id = ?", pg::Params().add(id)).ok())
      return db_error(c, "revoke_sessions");
  }
  if (!tx.commit()) return db_error(c, "update_user_commit");
  return core::Unit{};
}

Result<std::int64_t> PgStore::count_users() {
  LEASE(c, "count_users");
  auto r = c.exec("SELECT COUNT(*) FROM users");
  if (!r.ok()) return db_error(c, "count_users");
  return r.int64(0, 0);
}

Result<std::int64_t> PgStore::create_api_key(const std::string& name, const std::string& key_hash,
                                             const std::string& prefix,
                                             std::optional<std::int64_t> created_by,
                                             core::TimePoint now) {
  LEASE(c, "create_api_key");
  auto r = c.exec(
      "INSERT INTO api_keys(name, key_hash, prefix, created_by, created_at) VALUES (?,?,?,?,?) "
      "RETURNING id",
      pg::Params().add(name).add(key_hash).add(prefix).add(created_by).add(core::to_unix(now)));
  if (!r.ok()) return db_error(c, "create_api_key");
  return r.int64(0, 0);
}

Result<std::vector<Store::ApiKeyRow>> PgStore::api_keys() {
  LEASE(c, "api_keys");
  auto r = c.exec("SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY id");
  if (!r.ok()) return db_error(c, "api_keys");
  std::vector<ApiKeyRow> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2), core::from_unix(r.int64(i, 3)),
                   opt_time(r, i, 4)});
  return out;
}

Result<bool> PgStore::revoke_api_key(std::int64_t id, core::TimePoint now) {
  LEASE(c, "revoke_api_key");
  auto r = c.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                  pg::Params().add(core::to_unix(now)).add(id));
  if (!r.ok()) return db_error(c, "revoke_api_key");
  return r.affected() > 0;
}

Result<std::optional<std::int64_t>> PgStore::find_api_key(const std::string& key_hash) {
  LEASE(c, "find_api_key");
  auto r = c.exec("SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                  pg::Params().add(key_hash));
  if (!r.ok()) return db_error(c, "find_api_key");
  if (!r.rows()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(r.int64(0, 0));
}

core::Outcome PgStore::delete_session(const std::string& token_hash) {
  LEASE(c, "delete_session");
  if (!c.exec("DELETE FROM sessions WHERE token_hash = ?", pg::Params().add(token_hash)).ok())
    return db_error(c, "delete_session");
  return core::Unit{};
}

// [SECTION] Tickets

bool PgStore::append_events(pg::Conn& c, std::int64_t ticket_id, const std::string& number,
                            std::int64_t& count, std::string& last_hash,
                            std::vector<core::AuditEvent>& events) {
  for (auto& e : events) {
    e.seq = ++count;
    e.ticket = number;
    core::seal(e, last_hash.empty() ? core::kGenesisHash : std::string_view(last_hash));
    last_hash = e.hash;
    auto r = c.exec(
        "INSERT INTO events(ticket_id, seq, at, actor_id, actor_role, actor_name, action, "
        "from_status, to_status, level, note, data, prev_hash, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        pg::Params()
            .add(ticket_id)
            .add(e.seq)
            .add(e.at)
            .add(e.actor_id)
            .add(e.actor_role)
            .add(e.actor_name)
            .add(e.action)
            .add(e.from_status)
            .add(e.to_status)
            .add(e.level)
            .add(e.note)
            .add(e.data)
            .add(e.prev_hash)
            .add(e.hash));
    if (!r.ok()) return false;
  }
  return true;
}

// Delivered with the transaction's commit, to every instance listening.
bool PgStore::notify(pg::Conn& c, const std::string& number, const std::string& action) {
  return c
      .exec("SELECT pg_notify(?, ?)",
            pg::Params().add(kChannel).add(instance_ + "|" + number + "|" + action))
      .ok();
}

Result<TicketRecord> PgStore::insert_ticket(pg::Conn& c, TicketRecord t,
                                            std::vector<core::AuditEvent>& events,
                                            std::vector<NotificationRecord>& notifications) {
  if (!t.idempotency_key.empty()) {
    // A retried request: the same key is created once, whichever instance each
    // attempt reaches. The lock holds concurrent attempts until the first commits.
    if (!c.exec("SELECT pg_advisory_xact_lock(hashtext(?))", pg::Params().add(t.idempotency_key))
             .ok())
      return db_error(c, "idempotency_lock");
    auto q = c.exec(std::string("SELECT ") + kTicketColumns +
                        ", sealed_access_code, idempotency_fingerprint FROM tickets "
                        "WHERE idempotency_key = ?",
                    pg::Params().add(t.idempotency_key));
    if (!q.ok()) return db_error(c, "idempotency_lookup");
    if (q.rows()) {
      TicketRecord first = read_ticket(q, 0);
      first.idempotency_key = t.idempotency_key;
      first.sealed_access_code = q.opt_text(0, 41).value_or("");
      first.idempotency_fingerprint = q.opt_text(0, 42).value_or("");
      first.replayed = true;
      return first;
    }
  }
  const auto day = core::civil_date(t.created_at, core::kShanghaiOffset);
  char day_key[16];
  std::snprintf(day_key, sizeof day_key, "%04d%02d%02d", day.year, day.month, day.day);
  {
    // The day's counter row is locked until commit: numbers are gapless and unique
    // across instances.
    auto r = c.exec(
        "INSERT INTO ticket_counters(day, last) VALUES (?, 1) "
        "ON CONFLICT(day) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last",
        pg::Params().add(std::string_view(day_key)));
    if (!r.ok() || !r.rows()) return db_error(c, "ticket_counter");
    t.number = core::format_ticket_number(day.year, day.month, day.day, r.int64(0, 0));
  }
  {
    pg::Params p;
    p.add(t.number);
    add_ticket(p, t);
    p.add(non_empty(t.idempotency_key)).add(non_empty(t.sealed_access_code));
    p.add(non_empty(t.idempotency_fingerprint));
    auto r = c.exec(std::string("INSERT INTO tickets(number, ") + kTicketMutableColumns +
                        ", idempotency_key, sealed_access_code, idempotency_fingerprint) "
                        "VALUES (?," +
                        placeholders(kTicketMutableCount) + ",?,?,?) RETURNING id",
                    p);
    if (!r.ok()) {
      if (r.sqlstate() == kUniqueViolation && t.external_id)
        return Error::conflict("duplicate_external_id", "a ticket with this external_id exists");
      return db_error(c, "create_ticket");
    }
    t.id = r.int64(0, 0);
  }
  {
    auto r = c.exec(
        "INSERT INTO ticket_search(ticket_id, doc) VALUES (?, ?::tsvector)",
        pg::Params().add(t.id).add(search_doc(t.draft.description, t.draft.location.address)));
    if (!r.ok()) return db_error(c, "index_ticket");
  }
  if (!t.draft.attachments.empty()) {
    std::vector<std::pair<std::string, std::string>> photos;
    for (const auto& id : t.draft.attachments) photos.emplace_back(id, "report");
    if (auto ok = claim_attachments(c, t.id, photos, t.created_at); !ok) return ok.error();
  }
  t.event_count = 0;
  t.last_hash.clear();
  if (!append_events(c, t.id, t.number, t.event_count, t.last_hash, events))
    return db_error(c, "append_events");
  t.version = 0;
  auto u = c.exec("UPDATE tickets SET event_count = ?, last_hash = ? WHERE id = ?",
                  pg::Params().add(t.event_count).add(t.last_hash).add(t.id));
  if (!u.ok()) return db_error(c, "create_ticket_head");
  if (t.notify) {
    auto n =
        c.exec("INSERT INTO ticket_notify(ticket_id, lang, enabled, sealed_code) VALUES (?,?,?,?)",
               pg::Params()
                   .add(t.id)
                   .add(t.notify->lang)
                   .add(t.notify->enabled ? 1 : 0)
                   .add(t.notify->sealed_code));
    if (!n.ok()) return db_error(c, "ticket_notify");
  }
  // The messages were written before the ticket had a number.
  for (auto& m : notifications) {
    m.ticket = t.number;
    for (auto* field : {&m.text, &m.link, &m.order_key})
      for (auto at = field->find("{number}"); at != std::string::npos;
           at = field->find("{number}", at + t.number.size()))
        field->replace(at, 8, t.number);
  }
  if (!insert_notifications(c, notifications)) return db_error(c, "insert_notifications");
  return t;
}

Result<TicketRecord> PgStore::create_ticket(TicketRecord t, std::vector<core::AuditEvent> events,
                                            std::vector<NotificationRecord> notifications) {
  LEASE(c, "create_ticket");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "create_ticket");
  std::vector<std::string> keys;
  for (const auto& m : notifications) keys.push_back(m.order_key);
  if (!lock_order_keys(c, keys)) return db_error(c, "lock_order_keys");
  auto r = insert_ticket(c, std::move(t), events, notifications);
  if (!r) return r;
  if (!r->replayed && !notify(c, r->number, "submit")) return db_error(c, "notify");
  if (!tx.commit()) return db_error(c, "create_ticket_commit");
  return r;
}

Result<std::vector<TicketRecord>> PgStore::create_tickets(std::vector<NewTicket> tickets) {
  LEASE(c, "create_tickets");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "create_tickets");
  {
    // All of them before the first ticket (see lock_order_keys).
    std::vector<std::string> keys;
    for (const auto& n : tickets)
      for (const auto& m : n.notifications) keys.push_back(m.order_key);
    if (!lock_order_keys(c, keys)) return db_error(c, "lock_order_keys");
  }
  std::vector<TicketRecord> out;
  out.reserve(tickets.size());
  for (auto& n : tickets) {
    auto r = insert_ticket(c, std::move(n.ticket), n.events, n.notifications);
    if (!r) return r.error();
    for (const auto& x : n.whistles) {
      auto w = c.exec(
          "INSERT INTO whistles(ticket_id, unit_id, status, note, summoned_by, summoned_at, "
          "checked_in_at, done_at) VALUES (?,?,?,?,?,?,?,?)",
          pg::Params()
              .add(r->id)
              .add(x.unit_id)
              .add(core::to_string(x.status))
              .add(x.note)
              .add(x.summoned_by)
              .add(core::to_unix(x.summoned_at))
              .add(unix_of(x.checked_in_at))
              .add(unix_of(x.done_at)));
      if (!w.ok()) return db_error(c, "insert_whistles");
    }
    out.push_back(std::move(*r));
  }
  if (!tx.commit()) return db_error(c, "create_tickets_commit");
  return out;
}

Result<TicketRecord> PgStore::commit_change(TicketChange ch) {
  LEASE(c, "commit_change");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "commit_change");
  TicketRecord& t = ch.ticket;
  {
    // The row stays locked to this transaction: a second instance changing the same
    // ticket waits here, then sees the new version and is refused.
    auto head = c.exec(
        "SELECT version, event_count, last_hash, description, address FROM tickets "
        "WHERE id = ? FOR UPDATE",
        pg::Params().add(t.id));
    if (!head.ok()) return db_error(c, "commit_change_head");
    if (!head.rows()) return Error::not_found("no such ticket");
    if (head.int64(0, 0) != t.version)
      return Error::conflict("conflict", "the ticket changed meanwhile; reload and try again");
    t.event_count = head.int64(0, 1);
    t.last_hash = head.text(0, 2);
    // The search index follows a new description or address in the same transaction
    // (an upsert: a ticket the backfill has not reached yet gets its row now).
    if (head.text(0, 3) != t.draft.description || head.text(0, 4) != t.draft.location.address) {
      auto r = c.exec(
          "INSERT INTO ticket_search(ticket_id, doc) VALUES (?, ?::tsvector) "
          "ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc",
          pg::Params().add(t.id).add(search_doc(t.draft.description, t.draft.location.address)));
      if (!r.ok()) return db_error(c, "index_ticket");
    }
  }
  {
    std::vector<std::string> keys;
    for (const auto& m : ch.notifications) keys.push_back(m.order_key);
    if (!lock_order_keys(c, keys)) return db_error(c, "lock_order_keys");
  }
  if (!append_events(c, t.id, t.number, t.event_count, t.last_hash, ch.events))
    return db_error(c, "append_events");
  {
    pg::Params p;
    add_ticket(p, t);
    p.add(t.version + 1).add(t.event_count).add(t.last_hash).add(t.id).add(t.version);
    auto r =
        c.exec(std::string("UPDATE tickets SET (") + kTicketMutableColumns +
                   ", version, event_count, last_hash) = (" + placeholders(kTicketMutableCount) +
                   ", ?, ?, ?) WHERE id = ? AND version = ?",
               p);
    if (!r.ok()) return db_error(c, "update_ticket");
  }
  for (auto& w : ch.new_whistles) {
    auto r = c.exec(
        "INSERT INTO whistles(ticket_id, unit_id, status, note, summoned_by, summoned_at) "
        "VALUES (?,?,?,?,?,?) RETURNING id",
        pg::Params()
            .add(t.id)
            .add(w.unit_id)
            .add(core::to_string(w.status))
            .add(w.note)
            .add(w.summoned_by)
            .add(core::to_unix(w.summoned_at)));
    if (!r.ok()) return db_error(c, "insert_whistle");
    w.id = r.int64(0, 0);
  }
  for (const auto& w : ch.updated_whistles) {
    auto r = c.exec(
        "UPDATE whistles SET status = ?, note = ?, checked_in_at = ?, done_at = ? "
        "WHERE id = ? AND ticket_id = ?",
        pg::Params()
            .add(core::to_string(w.status))
            .add(w.note)
            .add(unix_of(w.checked_in_at))
            .add(unix_of(w.done_at))
            .add(w.id)
            .add(t.id));
    if (!r.ok()) return db_error(c, "update_whistle");
  }
  if (auto ok = claim_attachments(c, t.id, ch.attachments, t.updated_at); !ok) return ok.error();
  if (ch.move_followers) {
    // A merge: the followers, and the submitter, now follow the ticket it went into.
    const auto& m = *ch.move_followers;
    auto r = c.exec(
        "INSERT INTO ticket_followers(ticket_id, user_id, created_at, moved_from) "
        "SELECT ?1::bigint, user_id, ?2::bigint, ?3::bigint FROM ticket_followers "
        "WHERE ticket_id = ?3::bigint AND user_id IS DISTINCT FROM ?4::bigint "
        "UNION SELECT ?1::bigint, ?5::bigint, ?2::bigint, ?3::bigint WHERE ?5::bigint IS NOT NULL "
        "AND ?5::bigint IS DISTINCT FROM ?4::bigint ON CONFLICT (ticket_id, user_id) DO NOTHING",
        pg::Params()
            .add(m.into_id)
            .add(core::to_unix(t.updated_at))
            .add(t.id)
            .add(m.into_submitter)
            .add(m.submitter));
    if (!r.ok()) return db_error(c, "move_followers");
    if (!c.exec("DELETE FROM ticket_followers WHERE ticket_id = ?", pg::Params().add(t.id)).ok())
      return db_error(c, "move_followers");
  }
  if (!insert_notifications(c, ch.notifications)) return db_error(c, "insert_notifications");
  if (!notify(c, t.number, ch.events.empty() ? std::string("update") : ch.events.front().action))
    return db_error(c, "notify");
  if (!tx.commit()) return db_error(c, "commit_change_commit");
  t.version += 1;
  if (ch.move_followers) t.followers = 0;
  return t;
}

Result<std::optional<TicketRecord>> PgStore::find_ticket(const std::string& number) {
  LEASE(c, "find_ticket");
  auto r = c.exec(std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE number = ?",
                  pg::Params().add(number));
  if (!r.ok()) return db_error(c, "find_ticket");
  if (!r.rows()) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(read_ticket(r, 0));
}

Result<TicketPage> PgStore::list_tickets(const TicketFilter& f) {
  LEASE(c, "list_tickets");
  std::string where = " WHERE 1=1";
  pg::Params p;
  // Adds a parameter and names its placeholder.
  auto arg = [&p](const auto& v) {
    p.add(v);
    return "?" + std::to_string(p.size());
  };
  if (f.submitter_id) where += " AND submitter_id = " + arg(*f.submitter_id);
  if (!f.grid_ids.empty())
    where += " AND grid_id = ANY(" + arg(text_array(f.grid_ids)) + "::text[])";
  if (f.followed_by)
    where += " AND id IN (SELECT ticket_id FROM ticket_followers WHERE user_id = " +
             arg(*f.followed_by) + ")";
  if (!f.community_id.empty()) where += " AND community_id = " + arg(f.community_id);
  if (!f.street_id.empty()) where += " AND street_id = " + arg(f.street_id);
  if (!f.unit_id.empty()) {
    const std::string u = arg(f.unit_id);
    where += " AND ((assignee_kind = 'unit' AND assignee_id = " + u +
             ") OR id IN (SELECT ticket_id FROM whistles WHERE unit_id = " + u + "))";
  }
  if (f.status) where += " AND status = " + arg(std::string(core::to_string(*f.status)));
  if (f.level) where += " AND level = " + arg(std::string(core::to_string(*f.level)));
  if (!f.category.empty()) where += " AND category = " + arg(f.category);
  if (f.overdue_only) where += " AND overdue = 1";
  if (f.open_only) where += std::string(" AND ") + kOpenStatusTerm;
  if (!f.q.empty()) {
    // The text through the search index, a ticket number by its prefix (a range of
    // the number's unique index). A query of punctuation alone finds nothing.
    const std::string query = search_tsquery(f.q);
    const auto number = core::ticket_number_prefix(f.q);
    std::string any;
    if (!query.empty())
      any = "id IN (SELECT ticket_id FROM ticket_search WHERE doc @@ " + arg(query) + "::tsquery)";
    if (number)
      any += std::string(any.empty() ? "" : " OR ") + "(number >= " + arg(*number) +
             " AND number < " + arg(core::ticket_number_prefix_end(*number)) + ")";
    where += " AND (" + (any.empty() ? std::string("false") : any) + ")";
  }
  TicketPage page;
  {
    auto r = c.exec("SELECT COUNT(*) FROM tickets" + where, p);
    if (!r.ok()) return db_error(c, "count_tickets");
    page.total = r.int64(0, 0);
  }
  // Most urgent first among open tickets: overdue, then the nearest deadline; newest otherwise.
  const char* order = f.open_only || f.overdue_only
                          ? " ORDER BY overdue DESC, response_due_at ASC, id DESC"
                          : " ORDER BY id DESC";
  const std::string limit = arg(f.page_size);
  const std::string offset = arg(static_cast<std::int64_t>(f.page - 1) * f.page_size);
  auto r = c.exec(std::string("SELECT ") + kTicketColumns + " FROM tickets" + where + order +
                      " LIMIT " + limit + " OFFSET " + offset,
                  p);
  if (!r.ok()) return db_error(c, "list_tickets");
  for (int i = 0; i < r.rows(); ++i) page.items.push_back(read_ticket(r, i));
  return page;
}

Result<std::vector<TicketRecord>> PgStore::nearby_tickets(const NearbyQuery& q) {
  LEASE(c, "nearby_tickets");
  // Nearest first by the squared distance on a plane scaled to metres at this latitude
  // (exact enough within a kilometre); the status list is the partial index's own.
  const double k = std::cos(q.lat * 3.14159265358979323846 / 180);
  auto r = c.exec(
      std::string("SELECT ") + kTicketColumns +
          " FROM tickets WHERE category = ?1 AND status IN ('submitted', 'assigned', "
          "'accepted', 'in_progress', 'returned') AND lat BETWEEN ?2::float8 AND ?3::float8 AND "
          "lng BETWEEN ?4::float8 AND ?5::float8 AND created_at >= ?6::bigint AND NOT (lat = "
          "?9::float8 AND lng = ?10::float8) ORDER BY (lat - ?7::float8) * (lat - ?7::float8) + "
          "(lng - ?8::float8) * (lng - ?8::float8) * ?11::float8, id DESC LIMIT ?12::bigint",
      pg::Params()
          .add(q.category)
          .add(q.min_lat)
          .add(q.max_lat)
          .add(q.min_lng)
          .add(q.max_lng)
          .add(core::to_unix(q.since))
          .add(q.lat)
          .add(q.lng)
          .add(core::Location::kUnknownLat)
          .add(core::Location::kUnknownLng)
          .add(k * k)
          .add(q.limit));
  if (!r.ok()) return db_error(c, "nearby_tickets");
  std::vector<TicketRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_ticket(r, i));
  return out;
}

Result<std::int64_t> PgStore::follow(std::int64_t ticket_id, std::int64_t user_id,
                                     core::TimePoint now) {
  LEASE(c, "follow");
  // One statement: the row, then the count as it stands with it.
  auto r = c.exec(
      "WITH ins AS (INSERT INTO ticket_followers(ticket_id, user_id, created_at) "
      "VALUES (?1, ?2, ?3) ON CONFLICT (ticket_id, user_id) DO NOTHING RETURNING 1) "
      "SELECT (SELECT COUNT(*) FROM ticket_followers WHERE ticket_id = ?1) + "
      "(SELECT COUNT(*) FROM ins)",
      pg::Params().add(ticket_id).add(user_id).add(core::to_unix(now)));
  if (!r.ok() || !r.rows()) return db_error(c, "follow");
  return r.int64(0, 0);
}

Result<std::int64_t> PgStore::unfollow(std::int64_t ticket_id, std::int64_t user_id) {
  LEASE(c, "unfollow");
  auto r = c.exec(
      "WITH del AS (DELETE FROM ticket_followers WHERE ticket_id = ?1 AND user_id = ?2 "
      "RETURNING 1) SELECT (SELECT COUNT(*) FROM ticket_followers WHERE ticket_id = ?1) - "
      "(SELECT COUNT(*) FROM del)",
      pg::Params().add(ticket_id).add(user_id));
  if (!r.ok() || !r.rows()) return db_error(c, "unfollow");
  return r.int64(0, 0);
}

Result<bool> PgStore::is_follower(std::int64_t ticket_id, std::int64_t user_id) {
  LEASE(c, "is_follower");
  auto r = c.exec("SELECT 1 FROM ticket_followers WHERE ticket_id = ? AND user_id = ?",
                  pg::Params().add(ticket_id).add(user_id));
  if (!r.ok()) return db_error(c, "is_follower");
  return r.rows() > 0;
}

Result<std::vector<Recipient>> PgStore::followers_of(std::int64_t ticket_id,
                                                     std::optional<std::int64_t> moved_from) {
  LEASE(c, "followers_of");
  auto r = c.exec(
      "SELECT u.id, COALESCE(u.phone, ''), u.name FROM ticket_followers f "
      "JOIN users u ON u.id = f.user_id WHERE f.ticket_id = ?1::bigint AND u.disabled = 0 "
      "AND (?2::bigint IS NULL OR f.moved_from = ?2::bigint) ORDER BY u.id",
      pg::Params().add(ticket_id).add(moved_from));
  if (!r.ok()) return db_error(c, "followers_of");
  std::vector<Recipient> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(Recipient{r.int64(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

Result<std::vector<WhistleRecord>> PgStore::whistles(std::int64_t ticket_id) {
  LEASE(c, "whistles");
  auto r = c.exec(
      "SELECT w.id, w.ticket_id, w.unit_id, w.status, w.note, w.summoned_by, w.summoned_at, "
      "w.checked_in_at, w.done_at, u.name FROM whistles w LEFT JOIN units u ON u.id = w.unit_id "
      "WHERE w.ticket_id = ? ORDER BY w.id",
      pg::Params().add(ticket_id));
  if (!r.ok()) return db_error(c, "whistles");
  std::vector<WhistleRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_whistle(r, i));
  return out;
}

Result<std::vector<core::AuditEvent>> PgStore::events(std::int64_t ticket_id) {
  LEASE(c, "events");
  auto s = c.exec(
      "SELECT e.seq, t.number, e.at, e.actor_id, e.actor_role, e.actor_name, e.action, "
      "e.from_status, e.to_status, e.level, e.note, e.data, e.prev_hash, e.hash FROM events e "
      "JOIN tickets t ON t.id = e.ticket_id WHERE e.ticket_id = ? ORDER BY e.seq",
      pg::Params().add(ticket_id));
  if (!s.ok()) return db_error(c, "events");
  std::vector<core::AuditEvent> out;
  for (int i = 0; i < s.rows(); ++i) {
    core::AuditEvent e;
    e.seq = s.int64(i, 0);
    e.ticket = s.text(i, 1);
    e.at = s.text(i, 2);
    e.actor_id = s.text(i, 3);
    e.actor_role = s.text(i, 4);
    e.actor_name = s.text(i, 5);
    e.action = s.text(i, 6);
    e.from_status = s.text(i, 7);
    e.to_status = s.text(i, 8);
    e.level = s.text(i, 9);
    e.note = s.text(i, 10);
    e.data = s.text(i, 11);
    e.prev_hash = s.text(i, 12);
    e.hash = s.text(i, 13);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::string>> PgStore::numbers_where(const char* sql, std::int64_t t,
                                                        int limit) {
  LEASE(c, "scheduler_query");
  auto r = c.exec(sql, pg::Params().add(t).add(limit));
  if (!r.ok()) return db_error(c, "scheduler_query");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

Result<std::vector<std::string>> PgStore::due_for_escalation(core::TimePoint now, int limit) {
  return numbers_where(
      "SELECT number FROM tickets WHERE status IN ('submitted','assigned','returned') AND "
      "responded_at IS NULL AND response_due_at <= ? ORDER BY response_due_at LIMIT ?",
      core::to_unix(now), limit);
}

Result<std::vector<std::string>> PgStore::due_for_overdue_flag(core::TimePoint now, int limit) {
  return numbers_where(
      "SELECT number FROM tickets WHERE status IN ('submitted','assigned','accepted',"
      "'in_progress','returned') AND overdue = 0 AND resolve_due_at <= ? "
      "ORDER BY resolve_due_at LIMIT ?",
      core::to_unix(now), limit);
}

Result<std::vector<std::string>> PgStore::due_for_auto_close(core::TimePoint resolved_before,
                                                             int limit) {
  return numbers_where(
      "SELECT number FROM tickets WHERE status = 'resolved' AND resolved_at <= ? "
      "ORDER BY resolved_at LIMIT ?",
      core::to_unix(resolved_before), limit);
}

Result<std::vector<std::pair<std::int64_t, std::string>>> PgStore::ticket_ids(std::int64_t after_id,
                                                                              int limit) {
  LEASE(c, "ticket_ids");
  auto r = c.exec("SELECT id, number FROM tickets WHERE id > ? ORDER BY id LIMIT ?",
                  pg::Params().add(after_id).add(limit));
  if (!r.ok()) return db_error(c, "ticket_ids");
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.int64(i, 0), r.text(i, 1));
  return out;
}

// [SECTION] Attachments

core::Outcome PgStore::put_attachment(const AttachmentRecord& a) {
  LEASE(c, "put_attachment");
  auto r = c.exec(
      "INSERT INTO attachments(id, mime, width, height, bytes, data, uploader, created_at, "
      "sha256, uploader_addr) VALUES (?,?,?,?,?,?,?,?,?,?)",
      pg::Params()
          .add(a.id)
          .add(a.mime)
          .add(a.width)
          .add(a.height)
          .add(a.bytes)
          .add_binary(a.data)
          .add(a.uploader)
          .add(core::to_unix(a.created_at))
          .add(a.sha256)
          .add(a.uploader_addr));
  if (!r.ok()) return db_error(c, "put_attachment");
  return core::Unit{};
}

core::Outcome PgStore::claim_attachments(
    pg::Conn& c, std::int64_t ticket_id,
    const std::vector<std::pair<std::string, std::string>>& photos, core::TimePoint at) {
  for (const auto& [id, role] : photos) {
    // The row lock taken here holds a concurrent claim (or the clean-up) until this
    // transaction ends; that one then sees claimed_at set and changes nothing.
    auto claim = c.exec(
        "UPDATE attachments SET claimed_at = ?, uploader_addr = '' WHERE id = ? AND claimed_at IS "
        "NULL",
        pg::Params().add(core::to_unix(at)).add(id));
    if (!claim.ok()) return db_error(c, "claim_attachment");
    if (claim.affected() != 1) return attachment_already_used();
    auto link =
        c.exec("INSERT INTO ticket_attachments(ticket_id, attachment_id, role) VALUES (?,?,?)",
               pg::Params().add(ticket_id).add(id).add(role));
    if (!link.ok()) return db_error(c, "link_attachment");
  }
  return core::Unit{};
}

Result<std::optional<AttachmentRecord>> PgStore::attachment(const std::string& id) {
  LEASE(c, "attachment");
  auto r = c.exec(
      "SELECT id, mime, width, height, bytes, uploader, created_at, sha256, uploader_addr, "
      "claimed_at FROM attachments WHERE id = ?",
      pg::Params().add(id));
  if (!r.ok()) return db_error(c, "attachment");
  if (!r.rows()) return std::optional<AttachmentRecord>();
  auto d = c.exec("SELECT data FROM attachments WHERE id = ?", pg::Params().add(id), true);
  if (!d.ok() || !d.rows()) return db_error(c, "attachment_data");
  AttachmentRecord a{r.text(0, 0),
                     r.text(0, 1),
                     static_cast<int>(r.int64(0, 2)),
                     static_cast<int>(r.int64(0, 3)),
                     r.int64(0, 4),
                     d.text(0, 0),
                     r.opt_int64(0, 5),
                     core::from_unix(r.int64(0, 6)),
                     r.text(0, 7),
                     r.text(0, 8)};
  if (auto t = r.opt_int64(0, 9)) a.claimed_at = core::from_unix(*t);
  return std::optional<AttachmentRecord>(std::move(a));
}

Result<std::vector<AttachmentRecord>> PgStore::ticket_attachments(std::int64_t ticket_id) {
  LEASE(c, "ticket_attachments");
  auto r = c.exec(
      "SELECT a.id, a.mime, a.width, a.height, a.bytes FROM ticket_attachments ta JOIN "
      "attachments a ON a.id = ta.attachment_id WHERE ta.ticket_id = ? "
      "ORDER BY a.created_at, ta.pos",
      pg::Params().add(ticket_id));
  if (!r.ok()) return db_error(c, "ticket_attachments");
  std::vector<AttachmentRecord> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), static_cast<int>(r.int64(i, 2)),
                   static_cast<int>(r.int64(i, 3)), r.int64(i, 4)});
  return out;
}

Result<std::vector<std::string>> PgStore::attachment_tickets(const std::string& id) {
  LEASE(c, "attachment_tickets");
  auto r = c.exec(
      "SELECT t.number FROM ticket_attachments ta JOIN tickets t ON t.id = ta.ticket_id "
      "WHERE ta.attachment_id = ? ORDER BY t.id",
      pg::Params().add(id));
  if (!r.ok()) return db_error(c, "attachment_tickets");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

Result<UploadUsage> PgStore::unclaimed_where(const char* column, const pg::Params& key) {
  LEASE(c, "unclaimed_uploads");
  auto r = c.exec(std::string("SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created_at) FROM "
                              "attachments WHERE claimed_at IS NULL AND ") +
                      column + " = ?",
                  key);
  if (!r.ok() || !r.rows()) return db_error(c, "unclaimed_uploads");
  UploadUsage u{r.int64(0, 0), r.int64(0, 1), std::nullopt};
  if (auto t = r.opt_int64(0, 2)) u.oldest = core::from_unix(*t);
  return u;
}

Result<UploadUsage> PgStore::unclaimed_by_uploader(std::int64_t user_id) {
  return unclaimed_where("uploader", pg::Params().add(user_id));
}

Result<UploadUsage> PgStore::unclaimed_by_address(const std::string& address) {
  return unclaimed_where("uploader_addr", pg::Params().add(address));
}

Result<std::int64_t> PgStore::purge_notifications(core::TimePoint before, int limit) {
  LEASE(c, "purge_notifications");
  auto r = c.exec(
      "DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications WHERE status IN "
      "('delivered','cancelled') AND created_at < ? ORDER BY seq LIMIT ?)",
      pg::Params().add(core::to_unix(before)).add(limit));
  if (!r.ok()) return db_error(c, "purge_notifications");
  return r.affected();
}

Result<std::int64_t> PgStore::delete_unclaimed_attachments(core::TimePoint before) {
  LEASE(c, "delete_unclaimed_attachments");
  auto r = c.exec("DELETE FROM attachments WHERE claimed_at IS NULL AND created_at < ?",
                  pg::Params().add(core::to_unix(before)));
  if (!r.ok()) return db_error(c, "delete_unclaimed_attachments");
  return r.affected();
}

// [SECTION] Topics (每月一题)

namespace {

constexpr const char* kTopicSelect =
    "SELECT t.id, t.title, t.category, t.street_id, t.month, t.note, t.status, t.created_by, "
    "t.created_at, t.reply, t.resolved_by, t.resolved_at, "
    "(SELECT COUNT(*) FROM topic_tickets l WHERE l.topic_id = t.id), "
    "(SELECT COUNT(*) FROM topic_tickets l JOIN tickets k ON k.id = l.ticket_id "
    " WHERE l.topic_id = t.id AND k.status IN "
    " ('submitted','assigned','accepted','in_progress','returned')) "
    "FROM topics t ";

TopicRecord read_topic(const pg::Res& s, int i) {
  TopicRecord t;
  t.id = s.int64(i, 0);
  t.title = s.text(i, 1);
  t.category = s.text(i, 2);
  t.street_id = s.opt_text(i, 3);
  t.month = s.text(i, 4);
  t.note = s.text(i, 5);
  t.status = s.text(i, 6);
  t.created_by = s.int64(i, 7);
  t.created_at = core::from_unix(s.int64(i, 8));
  t.reply = s.opt_text(i, 9);
  t.resolved_by = s.opt_int64(i, 10);
  t.resolved_at = opt_time(s, i, 11);
  t.ticket_count = s.int64(i, 12);
  t.open_count = s.int64(i, 13);
  return t;
}

}  // namespace

Result<TopicRecord> PgStore::create_topic(TopicRecord topic) {
  LEASE(c, "create_topic");
  auto r = c.exec(
      "INSERT INTO topics(title, category, street_id, month, note, status, created_by, "
      "created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
      pg::Params()
          .add(topic.title)
          .add(topic.category)
          .add(topic.street_id)
          .add(topic.month)
          .add(topic.note)
          .add(topic.created_by)
          .add(core::to_unix(topic.created_at)));
  if (!r.ok() || !r.rows()) return db_error(c, "create_topic");
  TopicRecord out = topic;
  out.id = r.int64(0, 0);
  out.status = "open";
  return out;
}

Result<std::optional<TopicRecord>> PgStore::find_topic(std::int64_t id) {
  LEASE(c, "find_topic");
  auto r = c.exec(std::string(kTopicSelect) + "WHERE t.id = ?", pg::Params().add(id));
  if (!r.ok()) return db_error(c, "find_topic");
  if (!r.rows()) return std::optional<TopicRecord>();
  return std::optional<TopicRecord>(read_topic(r, 0));
}

Result<std::vector<TopicRecord>> PgStore::topics(const TopicFilter& f) {
  LEASE(c, "topics");
  auto r = c.exec(std::string(kTopicSelect) +
                      "WHERE (?1::text IS NULL OR t.street_id = ?1) AND (?2 = '' OR t.month = ?2) "
                      "AND (?3 = '' OR t.status = ?3) ORDER BY t.id DESC LIMIT 500",
                  pg::Params().add(f.street_id).add(f.month).add(f.status));
  if (!r.ok()) return db_error(c, "topics");
  std::vector<TopicRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_topic(r, i));
  return out;
}

Result<int> PgStore::link_topic_tickets(std::int64_t topic_id,
                                        const std::vector<std::int64_t>& ticket_ids,
                                        std::int64_t by, core::TimePoint now) {
  LEASE(c, "link_topic_tickets");
  // The links of a request are kept together or not at all.
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "link_topic_tickets");
  int added = 0;
  for (auto id : ticket_ids) {
    auto r = c.exec(
        "INSERT INTO topic_tickets(topic_id, ticket_id, linked_by, linked_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        pg::Params().add(topic_id).add(id).add(by).add(core::to_unix(now)));
    if (!r.ok()) return db_error(c, "link_topic_tickets");
    added += static_cast<int>(r.affected());
  }
  if (!tx.commit()) return db_error(c, "link_topic_tickets_commit");
  return added;
}

Result<std::vector<std::string>> PgStore::topic_ticket_numbers(std::int64_t topic_id) {
  LEASE(c, "topic_ticket_numbers");
  auto r = c.exec(
      "SELECT k.number FROM topic_tickets l JOIN tickets k ON k.id = l.ticket_id "
      "WHERE l.topic_id = ? ORDER BY l.linked_at, k.id",
      pg::Params().add(topic_id));
  if (!r.ok()) return db_error(c, "topic_ticket_numbers");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

Result<bool> PgStore::resolve_topic(std::int64_t topic_id, const std::string& reply,
                                    std::int64_t by, core::TimePoint now) {
  LEASE(c, "resolve_topic");
  auto r = c.exec(
      "UPDATE topics SET status = 'resolved', reply = ?, resolved_by = ?, resolved_at = ? "
      "WHERE id = ? AND status = 'open'",
      pg::Params().add(reply).add(by).add(core::to_unix(now)).add(topic_id));
  if (!r.ok()) return db_error(c, "resolve_topic");
  return r.affected() > 0;
}

// [SECTION] Idempotency keys

namespace {
constexpr const char* kIdempotencyColumns =
    "key_hash, fingerprint, state, status, response, created_at";
IdempotencyRecord read_idempotency(const pg::Res& r, int i) {
  IdempotencyRecord out;
  out.key_hash = r.text(i, 0);
  out.fingerprint = r.text(i, 1);
  out.done = r.text(i, 2) == "done";
  out.status = static_cast<int>(r.opt_int64(i, 3).value_or(0));
  out.response = r.opt_text(i, 4).value_or("");
  out.created_at = core::from_unix(r.int64(i, 5));
  return out;
}
}  // namespace

Result<std::optional<IdempotencyRecord>> PgStore::claim_idempotency_key(
    const IdempotencyRecord& rec, core::TimePoint abandoned_before) {
  LEASE(c, "idempotency_claim");
  // A concurrent claim of the same key waits here until the first one's row is
  // committed, then sees it: one claim wins, on whichever instance.
  auto ins = c.exec(
      "INSERT INTO idempotency_keys(key_hash, fingerprint, state, created_at) "
      "VALUES (?, ?, 'in_flight', ?) ON CONFLICT (key_hash) DO UPDATE SET created_at = "
      "excluded.created_at WHERE idempotency_keys.state = 'in_flight' AND "
      "idempotency_keys.fingerprint = excluded.fingerprint AND idempotency_keys.created_at < ? "
      "RETURNING key_hash",
      pg::Params()
          .add(rec.key_hash)
          .add(rec.fingerprint)
          .add(core::to_unix(rec.created_at))
          .add(core::to_unix(abandoned_before)));
  if (!ins.ok()) return db_error(c, "idempotency_claim");
  if (ins.rows()) return std::optional<IdempotencyRecord>();
  auto q = c.exec(
      std::string("SELECT ") + kIdempotencyColumns + " FROM idempotency_keys WHERE key_hash = ?",
      pg::Params().add(rec.key_hash));
  if (!q.ok() || !q.rows()) return db_error(c, "idempotency_held");
  return std::optional<IdempotencyRecord>(read_idempotency(q, 0));
}

core::Outcome PgStore::finish_idempotency_key(const std::string& key_hash, int status,
                                              const std::string& response) {
  LEASE(c, "idempotency_finish");
  auto r = c.exec(
      "UPDATE idempotency_keys SET state = 'done', status = ?, response = ? "
      "WHERE key_hash = ? AND state = 'in_flight'",
      pg::Params().add(status).add(response).add(key_hash));
  if (!r.ok()) return db_error(c, "idempotency_finish");
  return core::Unit{};
}

core::Outcome PgStore::release_idempotency_key(const std::string& key_hash) {
  LEASE(c, "idempotency_release");
  auto r = c.exec("DELETE FROM idempotency_keys WHERE key_hash = ? AND state = 'in_flight'",
                  pg::Params().add(key_hash));
  if (!r.ok()) return db_error(c, "idempotency_release");
  return core::Unit{};
}

Result<std::int64_t> PgStore::purge_idempotency_keys(core::TimePoint before, int limit) {
  LEASE(c, "idempotency_purge");
  const std::int64_t t = core::to_unix(before);
  auto keys = c.exec(
      "DELETE FROM idempotency_keys WHERE key_hash IN (SELECT key_hash FROM idempotency_keys "
      "WHERE created_at < ? ORDER BY created_at LIMIT ?)",
      pg::Params().add(t).add(limit));
  if (!keys.ok()) return db_error(c, "idempotency_purge");
  auto tickets = c.exec(
      "UPDATE tickets SET idempotency_key = NULL, sealed_access_code = NULL, "
      "idempotency_fingerprint = NULL WHERE id IN (SELECT id FROM tickets WHERE "
      "idempotency_key IS NOT NULL AND created_at < ? LIMIT ?)",
      pg::Params().add(t).add(limit));
  if (!tickets.ok()) return db_error(c, "idempotency_purge_tickets");
  return keys.affected() + tickets.affected();
}

// [SECTION] Notifications (SPEC §12)

std::optional<int> PgStore::insert_notifications(pg::Conn& c,
                                                 const std::vector<NotificationRecord>& messages) {
  int written = 0;
  for (const auto& m : messages) {
    // A dedupe_key written before (or by a transaction committing meanwhile, which this
    // insert waits for) makes the message a no-op.
    auto r = c.exec(
        "INSERT INTO notifications(id, kind, lang, phone, user_id, ticket, text, link, order_key, "
        "dedupe_key, status, attempts, created_at, next_at, give_up_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,'pending',0,?,?,?) ON CONFLICT (dedupe_key) DO NOTHING",
        pg::Params()
            .add(m.id)
            .add(m.kind)
            .add(m.lang)
            .add(m.phone)
            .add(m.user_id)
            .add(m.ticket)
            .add(m.text)
            .add(m.link)
            .add(m.order_key)
            .add(non_empty(m.dedupe_key))
            .add(core::to_unix(m.created_at))
            .add(core::to_unix(m.next_at))
            .add(core::to_unix(m.give_up_at)));
    if (!r.ok()) return std::nullopt;
    written += static_cast<int>(r.affected());
  }
  return written;
}

Result<std::optional<TicketNotify>> PgStore::ticket_notify(std::int64_t ticket_id) {
  LEASE(c, "ticket_notify");
  auto r = c.exec("SELECT lang, enabled, sealed_code FROM ticket_notify WHERE ticket_id = ?",
                  pg::Params().add(ticket_id));
  if (!r.ok()) return db_error(c, "ticket_notify");
  if (!r.rows()) return std::optional<TicketNotify>();
  return std::optional<TicketNotify>(TicketNotify{r.text(0, 0), r.int64(0, 1) != 0, r.text(0, 2)});
}

Result<int> PgStore::enqueue_notifications(std::vector<NotificationRecord> messages) {
  LEASE(c, "enqueue_notifications");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "enqueue_notifications");
  std::vector<std::string> keys;
  for (const auto& m : messages) keys.push_back(m.order_key);
  if (!lock_order_keys(c, keys)) return db_error(c, "lock_order_keys");
  auto written = insert_notifications(c, messages);
  if (!written) return db_error(c, "enqueue_notifications");
  if (!tx.commit()) return db_error(c, "enqueue_notifications_commit");
  return *written;
}

Result<std::vector<NotificationRecord>> PgStore::claim_notifications(core::TimePoint now,
                                                                     core::TimePoint lease_until,
                                                                     int limit) {
  if (limit <= 0) return std::vector<NotificationRecord>();
  LEASE(c, "claim_notifications");
  // Rows another instance is claiming just now are locked: skipped, not waited for. One
  // whose claim committed after this statement's snapshot is locked here and read again
  // as it is now, and its new lease leaves it out. A message waits while an older one of
  // its order_key is pending, leased or not: the older goes out first.
  auto r = c.exec(
      std::string("WITH picked AS (SELECT n.seq FROM notifications n WHERE n.status = 'pending' "
                  "AND n.next_at <= ?1 AND (n.lease_until IS NULL OR n.lease_until <= ?1) "
                  "AND NOT EXISTS (SELECT 1 FROM notifications o WHERE o.order_key = n.order_key "
                  "AND o.status = 'pending' AND o.seq < n.seq) "
                  "ORDER BY n.seq LIMIT ?3 FOR UPDATE SKIP LOCKED), "
                  "taken AS (UPDATE notifications SET lease_until = ?2 "
                  "WHERE seq IN (SELECT seq FROM picked) RETURNING ") +
          kNotificationColumns + ") SELECT * FROM taken ORDER BY seq",
      pg::Params().add(core::to_unix(now)).add(core::to_unix(lease_until)).add(limit));
  if (!r.ok()) return db_error(c, "claim_notifications");
  std::vector<NotificationRecord> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_notification(r, i));
  return out;
}

core::Outcome PgStore::finish_notification(const std::string& id,
                                           const NotificationOutcome& outcome) {
  LEASE(c, "finish_notification");
  auto r = c.exec(
      "UPDATE notifications SET attempts = attempts + 1, status = ?1, last_error = ?2, "
      "lease_until = NULL, "
      "delivered_at = CASE WHEN ?1 = 'delivered' THEN ?3 ELSE delivered_at END, "
      "next_at = CASE WHEN ?1 = 'pending' THEN ?4 ELSE next_at END WHERE id = ?5",
      pg::Params()
          .add(outcome.status)
          .add(outcome.error)
          .add(core::to_unix(outcome.at))
          .add(core::to_unix(outcome.next_at))
          .add(id));
  if (!r.ok()) return db_error(c, "finish_notification");
  return core::Unit{};
}

Result<NotificationPage> PgStore::list_notifications(const std::string& status, int page,
                                                     int page_size) {
  LEASE(c, "list_notifications");
  NotificationPage out;
  auto n = c.exec("SELECT COUNT(*) FROM notifications WHERE (?1 = '' OR status = ?1)",
                  pg::Params().add(status));
  if (!n.ok()) return db_error(c, "count_notifications");
  out.total = n.int64(0, 0);
  const std::int64_t offset = static_cast<std::int64_t>(std::max(page, 1) - 1) * page_size;
  auto r = c.exec(std::string("SELECT ") + kNotificationColumns +
                      " FROM notifications WHERE (?1 = '' OR status = ?1) ORDER BY seq DESC "
                      "LIMIT ?2 OFFSET ?3",
                  pg::Params().add(status).add(page_size).add(offset));
  if (!r.ok()) return db_error(c, "list_notifications");
  for (int i = 0; i < r.rows(); ++i) out.items.push_back(read_notification(r, i));
  return out;
}

Result<std::optional<NotificationRecord>> PgStore::find_notification(const std::string& id) {
  LEASE(c, "find_notification");
  auto r =
      c.exec(std::string("SELECT ") + kNotificationColumns + " FROM notifications WHERE id = ?",
             pg::Params().add(id));
  if (!r.ok()) return db_error(c, "find_notification");
  if (!r.rows()) return std::optional<NotificationRecord>();
  return std::optional<NotificationRecord>(read_notification(r, 0));
}

Result<std::optional<NotificationRecord>> PgStore::retry_notification(const std::string& id,
                                                                      core::TimePoint now,
                                                                      core::TimePoint give_up_at) {
  LEASE(c, "retry_notification");
  auto r = c.exec(std::string("UPDATE notifications SET status = 'pending', next_at = ?, "
                              "give_up_at = ?, lease_until = NULL WHERE id = ? AND "
                              "status <> 'delivered' RETURNING ") +
                      kNotificationColumns,
                  pg::Params().add(core::to_unix(now)).add(core::to_unix(give_up_at)).add(id));
  if (!r.ok()) return db_error(c, "retry_notification");
  if (r.rows()) return std::optional<NotificationRecord>(read_notification(r, 0));
  // Delivered already (it stays so), or no such message.
  auto f =
      c.exec(std::string("SELECT ") + kNotificationColumns + " FROM notifications WHERE id = ?",
             pg::Params().add(id));
  if (!f.ok()) return db_error(c, "retry_notification");
  if (!f.rows()) return std::optional<NotificationRecord>();
  return std::optional<NotificationRecord>(read_notification(f, 0));
}

Result<NotificationCounts> PgStore::notification_counts() {
  LEASE(c, "notification_counts");
  auto r = c.exec("SELECT status, COUNT(*) FROM notifications GROUP BY status");
  if (!r.ok()) return db_error(c, "notification_counts");
  NotificationCounts out;
  for (int i = 0; i < r.rows(); ++i) {
    const auto status = r.text(i, 0);
    const auto n = r.int64(i, 1);
    if (status == "pending")
      out.pending = n;
    else if (status == "delivered")
      out.delivered = n;
    else if (status == "failed")
      out.failed = n;
    else if (status == "cancelled")
      out.cancelled = n;
  }
  return out;
}

Result<std::optional<core::TimePoint>> PgStore::next_notification_at() {
  LEASE(c, "next_notification_at");
  auto r = c.exec("SELECT MIN(next_at) FROM notifications WHERE status = 'pending'");
  if (!r.ok() || r.rows() != 1) return db_error(c, "next_notification_at");
  return opt_time(r, 0, 0);
}

core::Outcome PgStore::set_opt_out(const std::string& key, bool out, core::TimePoint now,
                                   const std::string& source) {
  LEASE(c, "set_opt_out");
  auto r = out ? c.exec(
                     "INSERT INTO notify_opt_outs(key, at, source) VALUES (?, ?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET at = excluded.at, source = excluded.source",
                     pg::Params().add(key).add(core::to_unix(now)).add(source))
               : c.exec("DELETE FROM notify_opt_outs WHERE key = ?", pg::Params().add(key));
  if (!r.ok()) return db_error(c, "set_opt_out");
  return core::Unit{};
}

Result<bool> PgStore::opted_out(const std::vector<std::string>& keys) {
  if (keys.empty()) return false;
  LEASE(c, "opted_out");
  auto r = c.exec("SELECT EXISTS (SELECT 1 FROM notify_opt_outs WHERE key = ANY(?::text[]))",
                  pg::Params().add(text_array(keys)));
  if (!r.ok() || r.rows() != 1) return db_error(c, "opted_out");
  return r.text(0, 0) == "t";
}

Result<NotifyPrefs> PgStore::notify_prefs(std::int64_t user_id) {
  LEASE(c, "notify_prefs");
  auto r =
      c.exec("SELECT lang, enabled FROM notify_prefs WHERE user_id = ?", pg::Params().add(user_id));
  if (!r.ok()) return db_error(c, "notify_prefs");
  if (!r.rows()) return NotifyPrefs{};
  return NotifyPrefs{r.text(0, 0), r.int64(0, 1) != 0};
}

core::Outcome PgStore::set_notify_prefs(std::int64_t user_id, const NotifyPrefs& prefs) {
  LEASE(c, "set_notify_prefs");
  auto r = c.exec(
      "INSERT INTO notify_prefs(user_id, lang, enabled) VALUES (?, ?, ?) ON CONFLICT (user_id) "
      "DO UPDATE SET lang = excluded.lang, enabled = excluded.enabled",
      pg::Params().add(user_id).add(prefs.lang).add(prefs.enabled ? 1 : 0));
  if (!r.ok()) return db_error(c, "set_notify_prefs");
  return core::Unit{};
}

Result<std::vector<Recipient>> PgStore::handlers_of(const std::string& assignee_kind,
                                                    const std::string& assignee_id) {
  // The accounts holding the ticket, as route_to_level and the unit assignment name
  // them; a handful at most (a unit's or a street's staff), bounded all the same.
  const char* where = nullptr;
  pg::Params p;
  if (assignee_kind == "user") {
    std::int64_t id = 0;
    const auto* end = assignee_id.data() + assignee_id.size();
    auto [ptr, ec] = std::from_chars(assignee_id.data(), end, id);
    if (ec != std::errc() || ptr != end) return std::vector<Recipient>();
    where = "id = ?";
    p.add(id);
  } else if (assignee_kind == "org" && assignee_id == "district") {
    where = "role = 'district_staff'";
  } else if (assignee_kind == "org") {
    where =
        "((role = 'community_staff' AND community_id = ?1) OR "
        "(role = 'street_staff' AND street_id = ?1))";
    p.add(assignee_id);
  } else if (assignee_kind == "unit") {
    where = "role = 'unit_staff' AND unit_id = ?";
    p.add(assignee_id);
  } else {
    return std::vector<Recipient>();
  }
  LEASE(c, "handlers_of");
  auto r = c.exec(std::string("SELECT id, COALESCE(phone, ''), name FROM users WHERE disabled = 0 "
                              "AND ") +
                      where + " ORDER BY id LIMIT 20",
                  p);
  if (!r.ok()) return db_error(c, "handlers_of");
  std::vector<Recipient> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

Result<std::vector<std::string>> PgStore::due_for_response_warning(core::TimePoint now,
                                                                   std::chrono::seconds within,
                                                                   int limit) {
  LEASE(c, "due_for_response_warning");
  const std::int64_t t = core::to_unix(now);
  auto r = c.exec(
      "SELECT number FROM tickets t WHERE status IN ('submitted','assigned','returned') AND "
      "responded_at IS NULL AND "
      "response_due_at > ? AND response_due_at <= ? AND NOT EXISTS (SELECT 1 FROM notifications n "
      "WHERE n.dedupe_key = 'response_due_soon:' || t.number || ':' || t.response_due_at::text) "
      "ORDER BY response_due_at LIMIT ?",
      pg::Params().add(t).add(t + static_cast<std::int64_t>(within.count())).add(limit));
  if (!r.ok()) return db_error(c, "due_for_response_warning");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

Result<std::vector<std::string>> PgStore::due_for_rating_reminder(core::TimePoint resolved_before,
                                                                  int limit) {
  return numbers_where(
      "SELECT number FROM tickets t WHERE status = 'resolved' AND rating_satisfaction IS NULL AND "
      "resolved_at <= ? AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = "
      "'rating_reminder:' || t.number || ':' || t.resolved_at::text) "
      "ORDER BY resolved_at LIMIT ?",
      core::to_unix(resolved_before), limit);
}

// [SECTION] The gazetteer

Result<std::vector<PlaceRow>> PgStore::places() {
  LEASE(c, "places");
  auto r =
      c.exec("SELECT id, name, kind, lat, lng, COALESCE(street_id, '') FROM places ORDER BY id");
  if (!r.ok()) return db_error(c, "places");
  std::vector<PlaceRow> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(
        {r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.real(i, 3), r.real(i, 4), r.text(i, 5)});
  return out;
}

Result<std::int64_t> PgStore::write_places(const std::vector<PlaceRow>& rows, bool replace,
                                           const RowProgress& progress) {
  LEASE(c, "write_places");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "write_places");
  if (replace && !c.exec("DELETE FROM places").ok()) return db_error(c, "places_replace");
  const auto total = static_cast<std::int64_t>(rows.size());
  std::int64_t done = 0;
  for (const auto& x : rows) {
    // The place of the same name and kind is replaced, and takes a new id.
    auto r = c.exec(
        "INSERT INTO places(name, kind, lat, lng, street_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(name, kind) DO UPDATE SET id = DEFAULT, lat = excluded.lat, "
        "lng = excluded.lng, street_id = excluded.street_id",
        pg::Params().add(x.name).add(x.kind).add(x.lat).add(x.lng).add(
            x.street_id.empty() ? std::optional<std::string>() : x.street_id));
    if (!r.ok()) return db_error(c, "write_places");
    if (progress && (++done % 500 == 0 || done == total)) progress(done, total);
  }
  if (!tx.commit()) return db_error(c, "write_places");
  if (progress && total == 0) progress(0, 0);
  return total;
}

Result<PlacesStamp> PgStore::places_stamp() {
  LEASE(c, "places_stamp");
  auto r = c.exec("SELECT count(*), COALESCE(max(id), 0) FROM places");
  if (!r.ok() || r.rows() != 1) return db_error(c, "places_stamp");
  return PlacesStamp{r.int64(0, 0), r.int64(0, 1)};
}

// [SECTION] Category suggestion

// The newest models are kept; older ones are of no use to a server and cost space.
constexpr int kSuggestModelsKept = 3;

Result<std::int64_t> PgStore::save_suggest_model(const SuggestModelRow& row) {
  LEASE(c, "save_suggest_model");
  pg::Tx tx(c);
  if (!tx.ok()) return db_error(c, "save_suggest_model");
  auto r = c.exec(
      "INSERT INTO suggest_models(created_at, n_examples, metrics, model) VALUES (?, ?, ?, ?) "
      "RETURNING id",
      pg::Params()
          .add(core::to_unix(row.created_at))
          .add(row.examples)
          .add(row.metrics)
          .add_binary(row.model));
  if (!r.ok() || r.rows() != 1) return db_error(c, "save_suggest_model");
  const std::int64_t id = r.int64(0, 0);
  if (!c.exec("DELETE FROM suggest_models WHERE id <= ?", pg::Params().add(id - kSuggestModelsKept))
           .ok())
    return db_error(c, "save_suggest_model");
  if (!tx.commit()) return db_error(c, "save_suggest_model");
  return id;
}

Result<std::optional<SuggestModelRow>> PgStore::latest_suggest_model() {
  LEASE(c, "latest_suggest_model");
  auto r = c.exec(
      "SELECT id, created_at, n_examples, metrics FROM suggest_models ORDER BY id DESC LIMIT 1");
  if (!r.ok()) return db_error(c, "latest_suggest_model");
  if (r.rows() == 0) return std::optional<SuggestModelRow>();
  SuggestModelRow row;
  row.version = r.int64(0, 0);
  row.created_at = core::from_unix(r.int64(0, 1));
  row.examples = r.int64(0, 2);
  row.metrics = r.text(0, 3);
  // The blob in binary form, by itself (a binary result would make the numbers binary too).
  auto b =
      c.exec("SELECT model FROM suggest_models WHERE id = ?", pg::Params().add(row.version), true);
  if (!b.ok()) return db_error(c, "latest_suggest_model");
  if (b.rows() == 0) return std::optional<SuggestModelRow>();  // deleted in between
  row.model = b.text(0, 0);
  return std::optional<SuggestModelRow>(std::move(row));
}

Result<std::int64_t> PgStore::suggest_model_version() {
  LEASE(c, "suggest_model_version");
  auto r = c.exec("SELECT COALESCE(max(id), 0) FROM suggest_models");
  if (!r.ok() || r.rows() != 1) return db_error(c, "suggest_model_version");
  return r.int64(0, 0);
}

Result<std::vector<TrainingExample>> PgStore::training_examples(std::int64_t limit) {
  LEASE(c, "training_examples");
  // Newest first along the primary key; a ticket's events are found by the
  // (ticket_id, seq) index, and only for tickets not already taken by their status.
  auto r = c.exec(
      "SELECT category, description FROM tickets t WHERE t.status NOT IN ('rejected', "
      "'merged') AND (t.status IN ('resolved', 'closed') OR EXISTS (SELECT 1 FROM events e "
      "WHERE e.ticket_id = t.id AND e.action = 'recategorize')) ORDER BY t.id DESC LIMIT ?",
      pg::Params().add(limit));
  if (!r.ok()) return db_error(c, "training_examples");
  std::vector<TrainingExample> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1)});
  return out;
}

// [SECTION] Several instances

core::Outcome PgStore::watch_changes(ChangeFn fn) {
  if (watcher_.joinable()) return Error{"already_watching", "changes are already watched", {}, 500};
  watcher_ = std::thread([this, fn = std::move(fn)] { watch_loop(fn); });
  // Changes committed from here on are heard (a few seconds' grace for a slow database;
  // the watcher keeps trying after that).
  std::unique_lock lock(listening_mu_);
  listening_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return listening_; });
  return core::Unit{};
}

void PgStore::watch_loop(ChangeFn fn) {
  const std::string own = instance_ + "|";
  while (!stopping_) {
    std::string error;
    auto c = pg::Conn::open(url_, error);
    if (!c || !c->run((std::string("LISTEN ") + kChannel).c_str())) {
      // The database is away: try again shortly.
      for (int i = 0; i < 10 && !stopping_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    {
      std::lock_guard lock(listening_mu_);
      listening_ = true;
    }
    listening_cv_.notify_all();
    while (!stopping_ && c->healthy()) {
      pollfd p{PQsocket(c->handle()), POLLIN, 0};
      if (::poll(&p, 1, 200) < 0) continue;
      if (!PQconsumeInput(c->handle())) break;
      while (PGnotify* n = PQnotifies(c->handle())) {
        std::string payload = n->extra;
        PQfreemem(n);
        if (payload.rfind(own, 0) == 0) continue;  // published here already
        const auto a = payload.find('|');
        const auto b = payload.find('|', a == std::string::npos ? a : a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        fn(payload.substr(a + 1, b - a - 1), payload.substr(b + 1));
      }
    }
  }
}

Result<std::unique_ptr<Store::JobLock>> PgStore::try_lock_job(const std::string& job) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto r = (*lease)->exec("SELECT pg_try_advisory_lock(hashtext(?))", pg::Params().add(job));
  if (!r.ok()) return db_error(**lease, "try_lock_job");
  if (r.text(0, 0) != "t") return std::unique_ptr<JobLock>();
  return std::unique_ptr<JobLock>(new PgJobLock(std::move(*lease), job));
}

}  // namespace portal::server
