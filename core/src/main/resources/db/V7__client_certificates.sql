-- Client certificates that authenticate MQTT devices on the TLS listener, each bound to a tenant
-- as an API key is. Only the certificate's SHA-256 fingerprint (of its DER encoding, lower-case
-- hex) is needed to recognise it; the subject is kept for people. Revoked like a key: the row
-- stays, revoked_at is set, and every router closes the connections it authenticated.
CREATE TABLE IF NOT EXISTS sluice_client_certs (
    fingerprint text        PRIMARY KEY,
    tenant      text        NOT NULL REFERENCES sluice_tenants (id),
    subject     text,
    name        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX IF NOT EXISTS sluice_client_certs_tenant ON sluice_client_certs (tenant);
DROP TRIGGER IF EXISTS sluice_client_certs_notify ON sluice_client_certs;
CREATE TRIGGER sluice_client_certs_notify AFTER INSERT OR UPDATE OR DELETE ON sluice_client_certs
    FOR EACH STATEMENT EXECUTE FUNCTION sluice_access_changed();
