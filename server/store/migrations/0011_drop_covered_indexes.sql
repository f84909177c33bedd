-- Two ticket indexes that others cover, dropped: every new ticket wrote a key to each.
-- tickets_created(created_at) is the leading column of tickets_stats (0003), which
-- serves the same ranges and orders; tickets_submitter(submitter_id, created_at) is
-- served by tickets_submitter_id (0008), whose rowid order answers ORDER BY id DESC.
DROP INDEX IF EXISTS tickets_created;
DROP INDEX IF EXISTS tickets_submitter;
