-- PostgreSQL dialect of ../0008_ticket_list_indexes.sql.

-- A citizen's own tickets, newest first: (submitter_id, id) answers ORDER BY id DESC
-- from the index alone (PostgreSQL has no implicit rowid in its indexes).
CREATE INDEX IF NOT EXISTS tickets_submitter_id ON tickets(submitter_id, id);
