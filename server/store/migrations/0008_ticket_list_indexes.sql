-- A citizen's own tickets, newest first: the index's implicit rowid order answers
-- ORDER BY id DESC without sorting all of a frequent submitter's tickets.
CREATE INDEX IF NOT EXISTS tickets_submitter_id ON tickets(submitter_id);
