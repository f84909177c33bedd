// Open311Store on SQLite: its own connection, read-only (query_only), guarded by a
// mutex because the HTTP workers share it. Lists of numbers and service codes are
// bound as one JSON array each and expanded with json_each: never string-built SQL.
#include <cstdio>
#include <mutex>

#include "portal/core/json.hpp"
#include "server/store/open311_store.hpp"
#include "server/store/postgres/pg_stats.hpp"
#include "server/store/sqlite/sqlite.hpp"

namespace portal::server {

bool open311_closed(core::Status s) {
  return s == core::Status::resolved || s == core::Status::closed || s == core::Status::rejected ||
         s == core::Status::merged;
}

namespace {

const std::string kColumns =
    std::string(
        "t.number, t.category, t.description, t.lat, t.lng, t.address, t.status, t.level, "
        "t.assignee_kind, t.assignee_id, t.grid_id, t.community_id, t.street_id, t.created_at, "
        "t.updated_at, t.resolve_due_at, t.reply, t.merged_into, "
        "(SELECT ta.attachment_id FROM ticket_attachments ta WHERE ta.ticket_id = t.id AND "
        "ta.role = 'report' ORDER BY ta.rowid LIMIT 1), ") +
    kOpen311AnonymousSql;

constexpr const char* kClosedStatuses = "('resolved','closed','rejected','merged')";

std::string json_list(const std::vector<std::string>& v) {
  return core::Json(v).dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

Open311Row read_row(const sqlite::Stmt& s) {
  Open311Row r;
  r.number = s.text(0);
  r.category = s.text(1);
  r.description = s.text(2);
  r.lat = s.real(3);
  r.lng = s.real(4);
  r.address = s.text(5);
  r.status = core::parse_status(s.text(6)).value_or(core::Status::submitted);
  r.level = core::parse_level(s.text(7)).value_or(core::Level::grid);
  r.assignee_kind = s.text(8);
  r.assignee_id = s.text(9);
  r.grid_id = s.opt_text(10);
  r.community_id = s.opt_text(11);
  r.street_id = s.opt_text(12);
  r.created_at = core::from_unix(s.int64(13));
  r.updated_at = core::from_unix(s.int64(14));
  r.resolve_due_at = core::from_unix(s.int64(15));
  r.reply = s.opt_text(16);
  r.merged_into = s.opt_text(17);
  r.photo_id = s.opt_text(18);
  r.anonymous = s.int64(19) != 0;
  return r;
}

class SqliteOpen311Store final : public Open311Store {
 public:
  explicit SqliteOpen311Store(sqlite::Db db) : db_(std::move(db)) {}

  core::Result<std::vector<Open311Row>> requests(const Open311Query& q) override {
    std::string where = " WHERE 1=1";
    // Bound in this order after the WHERE clauses are chosen.
    std::vector<std::string> texts;
    std::vector<std::int64_t> ints;
    enum class Kind { text, integer };
    std::vector<Kind> order;
    auto add_text = [&](std::string v) {
      texts.push_back(std::move(v));
      order.push_back(Kind::text);
    };
    auto add_int = [&](std::int64_t v) {
      ints.push_back(v);
      order.push_back(Kind::integer);
    };
    if (!q.numbers.empty()) {
      where += " AND t.number IN (SELECT value FROM json_each(?))";
      add_text(json_list(q.numbers));
    } else {
      if (!q.categories.empty()) {
        where += " AND t.category IN (SELECT value FROM json_each(?))";
        add_text(json_list(q.categories));
      }
      if (q.from) {
        where += " AND t.created_at >= ?";
        add_int(core::to_unix(*q.from));
      }
      if (q.to) {
        where += " AND t.created_at <= ?";
        add_int(core::to_unix(*q.to));
      }
      if (q.open) where += *q.open ? " AND t.status NOT IN " : " AND t.status IN ";
      if (q.open) where += kClosedStatuses;
    }
    std::lock_guard lock(mu_);
    auto s = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets t" + where +
                         " ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?");
    int i = 1;
    std::size_t ti = 0, ii = 0;
    for (Kind k : order) {
      if (k == Kind::text)
        s.bind(i++, texts[ti++]);
      else
        s.bind(i++, ints[ii++]);
    }
    s.bind(i, q.limit);
    s.bind(i + 1, q.offset);
    std::vector<Open311Row> out;
    while (s.step()) out.push_back(read_row(s));
    if (s.failed()) return db_error("open311_requests");
    return out;
  }

  core::Result<std::optional<Open311Row>> request(const std::string& number) override {
    std::lock_guard lock(mu_);
    auto s = db_.prepare(std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.number = ?");
    s.bind(1, number);
    if (s.step()) return std::optional<Open311Row>(read_row(s));
    if (s.failed()) return db_error("open311_request");
    return std::optional<Open311Row>();
  }

 private:
  core::Error db_error(const char* what) {
    std::fprintf(
        stderr,
        "{\"level\":\"error\",\"msg\":\"database error\",\"op\":\"%s\",\"detail\":\"%s\"}\n", what,
        db_.last_error().c_str());
    return core::Error::internal();
  }

  std::mutex mu_;
  sqlite::Db db_;
};

}  // namespace

core::Result<std::unique_ptr<Open311Store>> open_open311_store(const std::string& db) {
  if (pg::is_postgres_url(db)) return open_pg_open311_store(db);
  auto d = sqlite::Db::open(db);
  if (!d) return d.error();
  // This connection only reads; the main store owns the schema and every write.
  if (!d->exec("PRAGMA query_only=ON"))
    return core::Error{"db_open_failed", "cannot configure database: " + d->last_error(), {}, 500};
  return std::unique_ptr<Open311Store>(new SqliteOpen311Store(std::move(*d)));
}

}  // namespace portal::server
