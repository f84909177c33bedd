-- Queues: the open tickets of one scope (a grid, a community, a street, or the whole
-- district) at one level, overdue first, then the nearest response deadline (the list's
-- order when open_only). tickets_open_due has neither scope nor level, and the scope
-- indexes hold every ticket ever filed there: a street's queue read its whole history
-- (about 800 ms at 1,000,000 tickets), the district's every open ticket (about 140 ms).
-- These partial indexes hold only open tickets, scope then level in the list's order.
-- Their WHERE is the list's open_only term, word for word, so the planner can use them.
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
