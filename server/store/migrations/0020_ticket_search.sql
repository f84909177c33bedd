-- The ticket list's text search (GET /tickets?q=) over description and address, as
-- substrings, Chinese included: the tokens of core/search.hpp (pairs of characters),
-- in a contentless FTS5 index keyed by the ticket's id. Column d holds the
-- description's tokens, a the address's, so that no phrase spans the two. The tokens
-- come separated by single spaces; the 'ascii' tokenizer splits there and nowhere
-- else (every non-ASCII byte is a token character to it). prefix='1' keeps each
-- token's first character as a key of its own: a one-character query reads one list
-- instead of merging every pair that starts with it. The store fills the index for
-- tickets already there after migrating (ticket_search_backfill: ids at or below
-- upto are still to be indexed, newest first) and writes it with every ticket.
CREATE VIRTUAL TABLE ticket_search USING fts5(d, a, content='', tokenize='ascii', prefix='1',
                                              columnsize=0);
CREATE TABLE ticket_search_backfill (upto INTEGER NOT NULL);
INSERT INTO ticket_search_backfill(upto) SELECT MAX(id) FROM tickets HAVING MAX(id) IS NOT NULL;
