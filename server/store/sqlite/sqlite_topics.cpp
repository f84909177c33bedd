// Topics (每月一题) in the SQLite store: the topics table and the links between topics
// and tickets (migration 0006). Counts of linked and still-open tickets are read with
// the topic so that a list of topics is one query.
#include <string>

#include "server/store/sqlite/sqlite_store.hpp"

namespace portal::server {

using core::Error;
using core::Result;

namespace {

constexpr const char* kTopicSelect =
    "SELECT t.id, t.title, t.category, t.street_id, t.month, t.note, t.status, t.created_by, "
    "t.created_at, t.reply, t.resolved_by, t.resolved_at, "
    "(SELECT COUNT(*) FROM topic_tickets l WHERE l.topic_id = t.id), "
    "(SELECT COUNT(*) FROM topic_tickets l JOIN tickets k ON k.id = l.ticket_id "
    " WHERE l.topic_id = t.id AND k.status IN "
    " ('submitted','assigned','accepted','in_progress','returned')) "
    "FROM topics t ";

TopicRecord read_topic(const sqlite::Stmt& s) {
  TopicRecord t;
  t.id = s.int64(0);
  t.title = s.text(1);
  t.category = s.text(2);
  t.street_id = s.opt_text(3);
  t.month = s.text(4);
  t.note = s.text(5);
  t.status = s.text(6);
  t.created_by = s.int64(7);
  t.created_at = core::from_unix(s.int64(8));
  t.reply = s.opt_text(9);
  t.resolved_by = s.opt_int64(10);
  if (!s.is_null(11)) t.resolved_at = core::from_unix(s.int64(11));
  t.ticket_count = s.int64(12);
  t.open_count = s.int64(13);
  return t;
}

}  // namespace

Result<TopicRecord> SqliteStore::create_topic(TopicRecord topic) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(
      "INSERT INTO topics(title, category, street_id, month, note, status, created_by, "
      "created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)");
  s.bind(1, topic.title).bind(2, topic.category).bind(3, topic.street_id).bind(4, topic.month);
  s.bind(5, topic.note).bind(6, topic.created_by).bind(7, core::to_unix(topic.created_at));
  s.step();
  if (s.failed()) return db_error("create_topic");
  topic.id = sqlite3_last_insert_rowid(db_.handle());
  topic.status = "open";
  return topic;
}

Result<std::optional<TopicRecord>> SqliteStore::find_topic(std::int64_t id) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(std::string(kTopicSelect) + "WHERE t.id = ?");
  s.bind(1, id);
  if (s.step()) return std::optional<TopicRecord>(read_topic(s));
  if (s.failed()) return db_error("find_topic");
  return std::optional<TopicRecord>();
}

Result<std::vector<TopicRecord>> SqliteStore::topics(const TopicFilter& f) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(std::string(kTopicSelect) +
                       "WHERE (?1 IS NULL OR t.street_id = ?1) AND (?2 = '' OR t.month = ?2) "
                       "AND (?3 = '' OR t.status = ?3) ORDER BY t.id DESC LIMIT 500");
  s.bind(1, f.street_id).bind(2, f.month).bind(3, f.status);
  std::vector<TopicRecord> out;
  while (s.step()) out.push_back(read_topic(s));
  if (s.failed()) return db_error("topics");
  return out;
}

Result<int> SqliteStore::link_topic_tickets(std::int64_t topic_id,
                                            const std::vector<std::int64_t>& ticket_ids,
                                            std::int64_t by, core::TimePoint now) {
  std::lock_guard lock(mu_);
  if (!db_.exec("BEGIN IMMEDIATE")) return db_error("link_topic_tickets");
  auto s = db_.prepare(
      "INSERT OR IGNORE INTO topic_tickets(topic_id, ticket_id, linked_by, linked_at) "
      "VALUES (?, ?, ?, ?)");
  int added = 0;
  for (auto id : ticket_ids) {
    s.reset();
    s.bind(1, topic_id).bind(2, id).bind(3, by).bind(4, core::to_unix(now));
    s.step();
    if (s.failed()) {
      db_.exec("ROLLBACK");
      return db_error("link_topic_tickets");
    }
    added += sqlite3_changes(db_.handle());
  }
  if (!db_.exec("COMMIT")) {
    db_.exec("ROLLBACK");
    return db_error("link_topic_tickets");
  }
  return added;
}

Result<std::vector<std::string>> SqliteStore::topic_ticket_numbers(std::int64_t topic_id) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(
      "SELECT k.number FROM topic_tickets l JOIN tickets k ON k.id = l.ticket_id "
      "WHERE l.topic_id = ? ORDER BY l.linked_at, k.id");
  s.bind(1, topic_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  if (s.failed()) return db_error("topic_ticket_numbers");
  return out;
}

Result<bool> SqliteStore::resolve_topic(std::int64_t topic_id, const std::string& reply,
                                        std::int64_t by, core::TimePoint now) {
  std::lock_guard lock(mu_);
  auto s = db_.prepare(
      "UPDATE topics SET status = 'resolved', reply = ?, resolved_by = ?, resolved_at = ? "
      "WHERE id = ? AND status = 'open'");
  s.bind(1, reply).bind(2, by).bind(3, core::to_unix(now)).bind(4, topic_id);
  s.step();
  if (s.failed()) return db_error("resolve_topic");
  return sqlite3_changes(db_.handle()) > 0;
}

}  // namespace portal::server
