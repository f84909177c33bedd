-- The organisation (SPEC §2), accounts, the ticket workflow (SPEC §4): routing,
-- assignees, whistles, ratings and the append-only, hash-chained events.
CREATE TABLE streets (
  id    TEXT PRIMARY KEY,
  name  TEXT NOT NULL,
  town  INTEGER NOT NULL DEFAULT 0,
  area  TEXT NOT NULL DEFAULT ''          -- GeoJSON geometry
);

CREATE TABLE communities (
  id        TEXT PRIMARY KEY,
  street_id TEXT NOT NULL REFERENCES streets(id),
  name      TEXT NOT NULL,
  village   INTEGER NOT NULL DEFAULT 0,
  area      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE grids (
  id           TEXT PRIMARY KEY,
  community_id TEXT NOT NULL REFERENCES communities(id),
  street_id    TEXT NOT NULL REFERENCES streets(id),
  name         TEXT NOT NULL,
  kind         TEXT NOT NULL,             -- comprehensive | special
  polygon      TEXT NOT NULL,             -- GeoJSON geometry
  min_lng REAL NOT NULL, min_lat REAL NOT NULL, max_lng REAL NOT NULL, max_lat REAL NOT NULL,
  households   INTEGER NOT NULL DEFAULT 0,
  residents    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX grids_community ON grids(community_id);

CREATE TABLE units (
  id             TEXT PRIMARY KEY,
  kind           TEXT NOT NULL,           -- department | utility | legal | mediation
  subkind        TEXT NOT NULL DEFAULT '',
  name           TEXT NOT NULL,
  name_en        TEXT NOT NULL DEFAULT '',
  contact        TEXT NOT NULL DEFAULT '',
  contact_person TEXT NOT NULL DEFAULT '',
  address        TEXT NOT NULL DEFAULT '',
  street_id      TEXT,
  community_id   TEXT,
  grid_id        TEXT,
  lat            REAL,
  lng            REAL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT UNIQUE,
  phone         TEXT UNIQUE,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL,
  title         TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  unit_id       TEXT REFERENCES units(id),
  street_id     TEXT,
  community_id  TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);
CREATE INDEX users_role ON users(role);

CREATE TABLE user_grids (
  user_id INTEGER NOT NULL REFERENCES users(id),
  grid_id TEXT NOT NULL REFERENCES grids(id),
  PRIMARY KEY (user_id, grid_id)
);
CREATE INDEX user_grids_grid ON user_grids(grid_id);

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Working-day calendar: holidays and make-up working days (调休).
CREATE TABLE calendar_days (
  day  TEXT PRIMARY KEY,                  -- YYYY-MM-DD, Asia/Shanghai
  kind TEXT NOT NULL                      -- holiday | workday
);

ALTER TABLE tickets ADD COLUMN community_id TEXT;
ALTER TABLE tickets ADD COLUMN street_id TEXT;
ALTER TABLE tickets ADD COLUMN assignee_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN assignee_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN assigned_at INTEGER;
ALTER TABLE tickets ADD COLUMN responded_at INTEGER;
ALTER TABLE tickets ADD COLUMN resolved_at INTEGER;
ALTER TABLE tickets ADD COLUMN closed_at INTEGER;
ALTER TABLE tickets ADD COLUMN merged_into TEXT;
ALTER TABLE tickets ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN rating_resolved INTEGER;
ALTER TABLE tickets ADD COLUMN rating_satisfaction INTEGER;
ALTER TABLE tickets ADD COLUMN rating_comment TEXT;
ALTER TABLE tickets ADD COLUMN rated_at INTEGER;
ALTER TABLE tickets ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN last_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN external_id TEXT;
CREATE INDEX tickets_community ON tickets(community_id, created_at);
CREATE INDEX tickets_street ON tickets(street_id, created_at);
CREATE INDEX tickets_assignee ON tickets(assignee_kind, assignee_id);
CREATE INDEX tickets_submitter ON tickets(submitter_id, created_at);
CREATE INDEX tickets_open_due ON tickets(status, response_due_at);
CREATE UNIQUE INDEX tickets_external ON tickets(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE whistles (
  id            INTEGER PRIMARY KEY,
  ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
  unit_id       TEXT NOT NULL REFERENCES units(id),
  status        TEXT NOT NULL,            -- summoned | checked_in | done | withdrawn
  note          TEXT NOT NULL DEFAULT '',
  summoned_by   INTEGER,
  summoned_at   INTEGER NOT NULL,
  checked_in_at INTEGER,
  done_at       INTEGER
);
CREATE INDEX whistles_ticket ON whistles(ticket_id);
CREATE INDEX whistles_unit ON whistles(unit_id, status);

CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
  seq         INTEGER NOT NULL,
  at          TEXT NOT NULL,              -- ISO 8601 UTC, hashed as stored
  actor_id    TEXT NOT NULL DEFAULT '',
  actor_role  TEXT NOT NULL,
  actor_name  TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  from_status TEXT NOT NULL DEFAULT '',
  to_status   TEXT NOT NULL DEFAULT '',
  level       TEXT NOT NULL DEFAULT '',
  note        TEXT NOT NULL DEFAULT '',
  data        TEXT NOT NULL DEFAULT '',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  UNIQUE (ticket_id, seq)
);
-- Events are never updated or deleted.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE attachments (
  id         TEXT PRIMARY KEY,            -- hex SHA-256 of the content
  mime       TEXT NOT NULL,
  width      INTEGER NOT NULL,
  height     INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  data       BLOB NOT NULL,
  uploader   INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE ticket_attachments (
  ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
  attachment_id TEXT NOT NULL REFERENCES attachments(id),
  role          TEXT NOT NULL DEFAULT 'report',   -- report | reply
  PRIMARY KEY (ticket_id, attachment_id)
);
CREATE INDEX ticket_attachments_att ON ticket_attachments(attachment_id);
