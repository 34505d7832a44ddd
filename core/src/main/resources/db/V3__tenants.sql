-- Tenants, their API keys and the sources they own, read by every router into memory and
-- refreshed through LISTEN sluice_access (each change notifies the table's name).
CREATE TABLE IF NOT EXISTS sluice_tenants (
    id                 text        PRIMARY KEY,
    name               text,
    events_per_second  bigint,
    bytes_per_second   bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    revoked_at         timestamptz
);
-- A key is shown once, when it is made; only its SHA-256 is kept. id is the lookup prefix
-- carried in the key itself (sk_<id>_<secret>).
CREATE TABLE IF NOT EXISTS sluice_api_keys (
    id          text        PRIMARY KEY,
    tenant      text        NOT NULL REFERENCES sluice_tenants (id),
    hash        bytea       NOT NULL,
    name        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX IF NOT EXISTS sluice_api_keys_tenant ON sluice_api_keys (tenant);
-- A source and its route (the JSON of one catalog route, signature secrets included).
CREATE TABLE IF NOT EXISTS sluice_sources (
    source      text        PRIMARY KEY,
    definition  jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION sluice_access_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('sluice_access', TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS sluice_tenants_notify ON sluice_tenants;
CREATE TRIGGER sluice_tenants_notify AFTER INSERT OR UPDATE OR DELETE ON sluice_tenants
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_access_changed();
DROP TRIGGER IF EXISTS sluice_api_keys_notify ON sluice_api_keys;
CREATE TRIGGER sluice_api_keys_notify AFTER INSERT OR UPDATE OR DELETE ON sluice_api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_access_changed();
DROP TRIGGER IF EXISTS sluice_sources_notify ON sluice_sources;
CREATE TRIGGER sluice_sources_notify AFTER INSERT OR UPDATE OR DELETE ON sluice_sources
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_access_changed();
