-- PostgreSQL dialect of ../0021_queue_level.sql.

-- Queues: the open tickets of one scope at one level in the list's order (overdue
-- first, then the nearest response deadline), in partial indexes whose WHERE is the
-- list's open_only term.
CREATE INDEX IF NOT EXISTS tickets_open_level ON tickets(level, overdue DESC, response_due_at, id DESC)
  WHERE status IN ('submitted','assigned','accepted','in_progress','returned');
CREATE INDEX IF NOT EXISTS tickets_open_grid
  ON tickets(grid_id, level, overdue DESC, response_due_at, id DESC)
  WHERE status IN ('submitted','assigned','accepted','in_progress','returned');
CREATE INDEX IF NOT EXISTS tickets_open_community
  ON tickets(community_id, level, overdue DESC, response_due_at, id DESC)
  WHERE status IN ('submitted','assigned','accepted','in_progress','returned');
CREATE INDEX IF NOT EXISTS tickets_open_street
  ON tickets(street_id, level, overdue DESC, response_due_at, id DESC)
  WHERE status IN ('submitted','assigned','accepted','in_progress','returned');
