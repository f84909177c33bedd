-- Catalogue and tickets of the walking skeleton. Times are Unix seconds, UTC.
CREATE TABLE categories (
  code            TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  name_en         TEXT NOT NULL,
  grp             TEXT NOT NULL,
  sla_class       TEXT NOT NULL,
  default_unit_id TEXT NOT NULL DEFAULT '',
  sort_order      INTEGER NOT NULL DEFAULT 0
);

-- One row per local (Asia/Shanghai) day: the last ticket sequence number issued.
CREATE TABLE ticket_counters (
  day  TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);

CREATE TABLE tickets (
  id               INTEGER PRIMARY KEY,
  number           TEXT NOT NULL UNIQUE,
  category         TEXT NOT NULL REFERENCES categories(code),
  description      TEXT NOT NULL,
  lat              REAL NOT NULL,
  lng              REAL NOT NULL,
  address          TEXT NOT NULL DEFAULT '',
  grid_id          TEXT,
  contact_name     TEXT NOT NULL,
  contact_phone    TEXT NOT NULL,
  anonymous        INTEGER NOT NULL DEFAULT 0,
  channel          TEXT NOT NULL,
  status           TEXT NOT NULL,
  level            TEXT NOT NULL,
  submitter_id     INTEGER,
  access_code_hash TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  response_due_at  INTEGER NOT NULL,
  resolve_due_at   INTEGER NOT NULL,
  reply            TEXT,
  reopen_count     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tickets_status_created ON tickets(status, created_at);
CREATE INDEX tickets_grid_created ON tickets(grid_id, created_at);
