-- PostgreSQL dialect of ../0003_stats.sql.

-- Statistics (SPEC §7). The cockpit reads a period of tickets by creation time, so one
-- covering index ordered by created_at holds every column the figures need: a month
-- of the whole district is one contiguous range of this index and never touches the
-- table rows (descriptions, contacts, hashes). Scoped queries use the same index or
-- the (street|community|grid, created_at) indexes of 0001/0002.
CREATE INDEX tickets_stats ON tickets(
  created_at, street_id, community_id, grid_id, status, level, channel, category, overdue,
  assigned_at, responded_at, response_due_at, resolved_at, resolve_due_at,
  rating_resolved, rating_satisfaction, reopen_count, assignee_kind, assignee_id);

-- The public board's recent ratings, newest first.
CREATE INDEX tickets_rated ON tickets(rated_at) WHERE rated_at IS NOT NULL;

-- Whistles of a period's tickets, per unit, without reading the whistle rows.
CREATE INDEX whistles_stats ON whistles(ticket_id, unit_id, status, summoned_at, checked_in_at);
