-- The event's deadline, and when the run first wrote to a target (request, publish or Redis command),
-- so that "no run wrote after its deadline" can be checked from the run log alone:
--   SELECT count(*) FROM sluice_run_log WHERE first_write_at >= deadline_at;   -- must be 0
ALTER TABLE sluice_run_log ADD COLUMN IF NOT EXISTS deadline_at timestamptz;
ALTER TABLE sluice_run_log ADD COLUMN IF NOT EXISTS first_write_at timestamptz;
