-- Idempotent ticket creation: a retried POST /tickets with the same Idempotency-Key
-- finds the ticket its first attempt stored, in the same transaction as the ticket.
-- idempotency_key is a hash of the key in its submitter's scope; sealed_access_code
-- is the anonymous submitter's access code, readable only with the key itself.
ALTER TABLE tickets ADD COLUMN idempotency_key TEXT;
ALTER TABLE tickets ADD COLUMN sealed_access_code TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS tickets_idempotency ON tickets(idempotency_key)
  WHERE idempotency_key IS NOT NULL;
