-- Photos belong to whoever uploaded them (issue 17). An upload gets a random id (the
-- content hash moves to sha256), is claimed by one ticket at most, and is deleted when
-- no ticket claims it within an hour.
--   sha256        the content hash (the id of an upload before this migration)
--   uploader_addr the client address of the upload: unclaimed uploads are bounded per address
--   claimed_at    when a ticket claimed it; NULL while unclaimed
ALTER TABLE attachments ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN uploader_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN claimed_at BIGINT;
UPDATE attachments SET sha256 = id;

-- A photo linked to several tickets (its content-hash id copied into another ticket)
-- stays with the ticket that linked it first; the later links are dropped.
DELETE FROM ticket_attachments ta WHERE EXISTS (
  SELECT 1 FROM ticket_attachments o WHERE o.attachment_id = ta.attachment_id AND o.pos < ta.pos);
UPDATE attachments SET claimed_at = created_at
 WHERE id IN (SELECT attachment_id FROM ticket_attachments);

-- One ticket per photo, from now on by construction.
DROP INDEX ticket_attachments_att;
CREATE UNIQUE INDEX ticket_attachments_att ON ticket_attachments(attachment_id);

-- Unclaimed uploads: the hourly clean-up, and the bounds per account and per address.
CREATE INDEX attachments_unclaimed_age ON attachments(created_at) WHERE claimed_at IS NULL;
CREATE INDEX attachments_unclaimed_uploader ON attachments(uploader)
  WHERE claimed_at IS NULL AND uploader IS NOT NULL;
CREATE INDEX attachments_unclaimed_addr ON attachments(uploader_addr) WHERE claimed_at IS NULL;
