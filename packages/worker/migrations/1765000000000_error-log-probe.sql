-- Up Migration
-- Entries written by an active health check (the worker's health-check job) carry
-- `probe = 1` in the stream: true here, NULL for every other entry.
ALTER TABLE error_log ADD COLUMN probe boolean;

-- Down Migration
ALTER TABLE error_log DROP COLUMN probe;
