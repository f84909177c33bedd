-- PostgreSQL dialect of ../0017_follows.sql.

-- Followers (附议, SPEC §5): citizens who have the same problem follow a ticket instead
-- of filing it again. One row per ticket and account; a merge moves the rows of the
-- merged ticket onto the one it was merged into, remembering where they came from
-- (moved_from), so that their live streams hear of that merge.
CREATE TABLE IF NOT EXISTS ticket_followers (
  ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
  user_id    BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  moved_from BIGINT REFERENCES tickets(id),
  PRIMARY KEY (ticket_id, user_id)
);
-- scope=followed: an account's followed tickets.
CREATE INDEX IF NOT EXISTS ticket_followers_user ON ticket_followers(user_id, ticket_id);
CREATE INDEX IF NOT EXISTS ticket_followers_moved ON ticket_followers(moved_from)
  WHERE moved_from IS NOT NULL;

-- GET /tickets/nearby: the open tickets of a category inside a box around a point. Only
-- open tickets are in it (a small part of all of them), by category, then latitude: a
-- 2 km band of one category's open tickets, its longitude and age read from the index.
-- The WHERE is the one the query repeats word for word (a partial index is used only
-- when the query implies it).
CREATE INDEX IF NOT EXISTS tickets_nearby ON tickets(category, lat, lng, created_at)
  WHERE status IN ('submitted', 'assigned', 'accepted', 'in_progress', 'returned');
