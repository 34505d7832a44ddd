-- Workflow definitions (the JSON of one catalog workflow), hot-reloaded by executors via LISTEN/NOTIFY.
CREATE TABLE IF NOT EXISTS sluice_workflows (
    name        text        PRIMARY KEY,
    definition  jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION sluice_workflows_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('sluice_workflows', COALESCE(NEW.name, OLD.name));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS sluice_workflows_notify ON sluice_workflows;
CREATE TRIGGER sluice_workflows_notify AFTER INSERT OR UPDATE OR DELETE ON sluice_workflows
    FOR EACH ROW EXECUTE FUNCTION sluice_workflows_changed();
