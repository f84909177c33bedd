-- PostgreSQL dialect of ../0013_idempotency_keys.sql.

-- Idempotency keys as API.md (Conventions) and the IETF draft define them: a key
-- belongs to its caller, and a replay with another body is refused, never answered.
--
-- A new ticket keeps its key in its own row (0007), in the same transaction as the
-- ticket; now also the fingerprint of the request that created it (SHA-256 of the
-- ticket as the server read it), which a replay must match.
ALTER TABLE tickets ADD COLUMN idempotency_fingerprint TEXT;
-- Keys are forgotten a day after their ticket: only keyed tickets are in this index.
CREATE INDEX IF NOT EXISTS tickets_idempotency_created ON tickets(created_at)
  WHERE idempotency_key IS NOT NULL;

-- Every other POST that honours a key: one row per (caller, key), written when the
-- request begins (in_flight) and when it is answered (done, with the answer to replay).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key_hash    TEXT PRIMARY KEY,  -- SHA-256 of the caller's scope and the key
  fingerprint TEXT NOT NULL,     -- SHA-256 of the request as the server read it
  state       TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
  status      INTEGER,
  response    TEXT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys(created_at);
