-- PostgreSQL dialect of ../0005_open311.sql.

-- Open311 lists tickets by creation time over a window (90 days by default).
CREATE INDEX IF NOT EXISTS tickets_created ON tickets(created_at);
