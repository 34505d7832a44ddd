-- One row per original event re-driven from <topic>.dlq or <topic>.expired by `sluice redrive`:
-- the primary key is what makes a re-drive happen at most once per original.
CREATE TABLE IF NOT EXISTS sluice_redrives (
    origin        text        PRIMARY KEY,  -- topic/partition/offset of the original event
    redriven_from text        NOT NULL,     -- topic/partition/offset of the .dlq/.expired record read
    redriven_at   timestamptz NOT NULL DEFAULT now(),
    published_to  text                      -- topic/partition/offset of the re-published record, once acknowledged
);
