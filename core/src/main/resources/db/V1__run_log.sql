-- Every run the executor decided: succeeded, dead-lettered, expired, skipped as a duplicate.
CREATE TABLE IF NOT EXISTS sluice_run_log (
    event_id          text        NOT NULL,
    route             text        NOT NULL,
    workflow          text        NOT NULL,
    outcome           text        NOT NULL,
    attempts          integer     NOT NULL,
    ingest_at         timestamptz NOT NULL,
    started_at        timestamptz,
    ended_at          timestamptz NOT NULL,
    start_latency_ms  integer,
    end_latency_ms    integer     NOT NULL,
    topic             text        NOT NULL,
    kafka_partition   integer     NOT NULL,
    kafka_offset      bigint      NOT NULL,
    executor          text        NOT NULL,
    error             text
);
CREATE INDEX IF NOT EXISTS sluice_run_log_event ON sluice_run_log (event_id);
CREATE INDEX IF NOT EXISTS sluice_run_log_ended ON sluice_run_log (ended_at);
