-- Notifications (SPEC §12): the outbox of messages to the district's SMS gateway.
-- A message is written in the transaction of the change that causes it (or, for the
-- scheduler's reminders and warnings, once per dedupe_key) and delivered by a worker
-- that leases it (lease_until), posts it to the webhook and records the outcome.
-- Messages of one order_key (recipient and ticket) go out in seq order.
CREATE TABLE IF NOT EXISTS notifications (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  lang         TEXT NOT NULL,
  phone        TEXT NOT NULL DEFAULT '',
  user_id      INTEGER,
  ticket       TEXT NOT NULL,
  text         TEXT NOT NULL,
  link         TEXT NOT NULL DEFAULT '',
  order_key    TEXT NOT NULL,
  dedupe_key   TEXT UNIQUE,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  next_at      INTEGER NOT NULL,
  give_up_at   INTEGER NOT NULL,
  lease_until  INTEGER,
  delivered_at INTEGER,
  last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications(next_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS notifications_order ON notifications(order_key, seq)
  WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS notifications_status ON notifications(status, seq);

-- A ticket's notification settings, written with the ticket: the language of its
-- submitter's messages, whether they want them, and an anonymous submitter's access
-- code sealed with a key derived from the webhook's secret (for the links later on).
CREATE TABLE IF NOT EXISTS ticket_notify (
  ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id),
  lang        TEXT NOT NULL,
  enabled     INTEGER NOT NULL,
  sealed_code TEXT NOT NULL DEFAULT ''
);

-- Who asked for no messages: "p:" + SHA-256 of a phone number, "u:" + an account id.
CREATE TABLE IF NOT EXISTS notify_opt_outs (
  key    TEXT PRIMARY KEY,
  at     INTEGER NOT NULL,
  source TEXT NOT NULL
) WITHOUT ROWID;

-- An account's settings (none: Chinese, messages on).
CREATE TABLE IF NOT EXISTS notify_prefs (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  lang    TEXT NOT NULL,
  enabled INTEGER NOT NULL
);
