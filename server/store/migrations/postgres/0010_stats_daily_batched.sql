-- SQLite now adds new tickets to the daily aggregates once per batch of its single
-- writer. PostgreSQL has no such writer (every instance writes, one transaction per
-- request), so its insert trigger stays: nothing changes here.
SELECT 1;
