-- One row per trigger (a workflow's schedule or poll): who runs it, until when, and where it stands.
-- The lease is taken and renewed by a conditional UPDATE on the database's clock; a schedule fires a
-- tick by advancing last_tick in the same conditional UPDATE that checks the lease, so the next
-- holder continues from the recorded tick.
CREATE TABLE IF NOT EXISTS sluice_triggers (
    name           text        PRIMARY KEY,
    holder         text,
    lease_until    timestamptz NOT NULL DEFAULT 'epoch',
    last_tick      bigint,
    etag           text,
    last_modified  text,
    poll_cursor    text,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
