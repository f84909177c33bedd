-- The ticket list's text search (GET /tickets?q=) over description and address, as
-- substrings, Chinese included: the tokens of core/search.hpp (pairs of characters)
-- with their positions, written by the store as a tsvector literal (no parser and no
-- dictionary in between: the query's tsquery is built the same way), behind a GIN
-- index. The address's positions follow the description's after a gap, so that no
-- phrase spans the two. The store fills it for tickets already there after migrating
-- (ticket_search_backfill: ids at or below upto are still to be indexed, newest first)
-- and writes it with every ticket.
CREATE TABLE ticket_search (
  ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
  doc       TSVECTOR NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING GIN (doc);
CREATE TABLE ticket_search_backfill (upto BIGINT NOT NULL);
INSERT INTO ticket_search_backfill(upto) SELECT MAX(id) FROM tickets HAVING MAX(id) IS NOT NULL;
