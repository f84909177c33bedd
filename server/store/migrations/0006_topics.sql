-- 每月一题 (topic of the month, SPEC §7): a district user opens a topic for a cluster of
-- tickets (a category, optionally one street), links tickets to it and resolves them
-- together with one reply. Times are Unix seconds, UTC.
CREATE TABLE topics (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL,
  category    TEXT NOT NULL REFERENCES categories(code),
  street_id   TEXT,                      -- NULL: the whole district
  month       TEXT NOT NULL,             -- YYYY-MM the topic belongs to
  note        TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL DEFAULT 'open',  -- open | resolved
  created_by  INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  reply       TEXT,
  resolved_by INTEGER,
  resolved_at INTEGER
);
CREATE INDEX topics_month ON topics(month, id);

CREATE TABLE topic_tickets (
  topic_id  INTEGER NOT NULL REFERENCES topics(id),
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  linked_by INTEGER NOT NULL,
  linked_at INTEGER NOT NULL,
  PRIMARY KEY (topic_id, ticket_id)
) WITHOUT ROWID;
CREATE INDEX topic_tickets_ticket ON topic_tickets(ticket_id);
