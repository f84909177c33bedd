-- Two ticket indexes that others cover, dropped: every new ticket wrote a key to each.
-- tickets_created(created_at) leads tickets_stats (0003); tickets_submitter
-- (submitter_id, created_at) is served by tickets_submitter_id(submitter_id, id) (0008).
DROP INDEX IF EXISTS tickets_created;
DROP INDEX IF EXISTS tickets_submitter;
