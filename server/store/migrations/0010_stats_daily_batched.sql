-- New tickets reach the daily aggregates once per committed batch (SqliteStore's
-- flush_daily(): one grouped upsert over the batch's new rows) rather than by a trigger
-- on every insert, whose four 36-column upserts were a quarter of a ticket's writing.
-- Changes and deletions keep their triggers.
DROP TRIGGER stats_daily_insert;
