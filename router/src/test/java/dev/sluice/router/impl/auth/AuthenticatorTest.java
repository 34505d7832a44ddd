package dev.sluice.router.impl.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Catalog;
import dev.sluice.core.RouteConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

    private final ApiKeys.Issued live = ApiKeys.issue();
    private final ApiKeys.Issued revoked = ApiKeys.issue();
    private final ApiKeys.Issued other = ApiKeys.issue();
    private final ApiKeys.Issued ofRevokedTenant = ApiKeys.issue();
    private final AccessSnapshot snapshot = new AccessSnapshot(
            Map.of(
                    live.id(), new AccessSnapshot.Key(live.id(), "acme", live.hash(), false),
                    revoked.id(), new AccessSnapshot.Key(revoked.id(), "acme", revoked.hash(), true),
                    other.id(), new AccessSnapshot.Key(other.id(), "globex", other.hash(), false),
                    ofRevokedTenant.id(),
                            new AccessSnapshot.Key(ofRevokedTenant.id(), "gone", ofRevokedTenant.hash(), false)),
            Map.of(
                    "acme",
                    new AccessSnapshot.Tenant("acme", false, null),
                    "globex",
                    new AccessSnapshot.Tenant("globex", false, null),
                    "gone",
                    new AccessSnapshot.Tenant("gone", true, null)),
            Map.of(),
            List.of(),
            Map.of(
                    "aa".repeat(32), new AccessSnapshot.Certificate("aa".repeat(32), "acme", false),
                    "bb".repeat(32), new AccessSnapshot.Certificate("bb".repeat(32), "acme", true),
                    "cc".repeat(32), new AccessSnapshot.Certificate("cc".repeat(32), "gone", false),
                    "dd".repeat(32), new AccessSnapshot.Certificate("dd".repeat(32), "globex", false)));
    private final Authenticator auth = new Authenticator(() -> snapshot);
    private final RouteConfig keyed = Catalog.parseRoute(
            new JsonObject().put("source", "s").put("tenant", "acme").put("auth", "key"));
    private final RouteConfig open =
            Catalog.parseRoute(new JsonObject().put("source", "p").put("tenant", "acme"));

    @Test
    void judgesEachKindOfKey() {
        assertEquals(Authenticator.Verdict.OK, auth.check(keyed, "Bearer " + live.key()));
        assertEquals(Authenticator.Verdict.MISSING, auth.check(keyed, (String) null));
        assertEquals(Authenticator.Verdict.MALFORMED, auth.check(keyed, "Basic dXNlcjpwYXNz"));
        assertEquals(
                Authenticator.Verdict.UNKNOWN,
                auth.check(keyed, "Bearer " + ApiKeys.issue().key()));
        assertEquals(Authenticator.Verdict.UNKNOWN, auth.check(keyed, "Bearer " + tamperLastChar(live.key())));
        assertEquals(Authenticator.Verdict.REVOKED, auth.check(keyed, "Bearer " + revoked.key()));
        assertEquals(Authenticator.Verdict.REVOKED, auth.check(keyed, "Bearer " + ofRevokedTenant.key()));
        assertEquals(Authenticator.Verdict.FORBIDDEN, auth.check(keyed, "Bearer " + other.key()));
    }

    @Test
    void judgesEachKindOfClientCertificateAsAKey() {
        assertEquals(Authenticator.Verdict.OK, auth.check(keyed, Credential.certificate("aa".repeat(32))));
        assertEquals(Authenticator.Verdict.OK, auth.live(Credential.certificate("aa".repeat(32))));
        assertEquals(Authenticator.Verdict.REVOKED, auth.live(Credential.certificate("bb".repeat(32))));
        assertEquals(
                Authenticator.Verdict.REVOKED,
                auth.live(Credential.certificate("cc".repeat(32))),
                "its tenant is revoked");
        assertEquals(Authenticator.Verdict.UNKNOWN, auth.live(Credential.certificate("ee".repeat(32))));
        assertEquals(Authenticator.Verdict.FORBIDDEN, auth.check(keyed, Credential.certificate("dd".repeat(32))));
        assertEquals(Authenticator.Verdict.MISSING, auth.check(keyed, Credential.NONE));
        assertEquals(Authenticator.Verdict.OK, auth.check(keyed, Credential.key("Bearer " + live.key())));
    }

    @Test
    void fingerprintsAreReadAsPeopleWriteThem() {
        String hex = "0123456789abcdef".repeat(4);
        assertEquals(java.util.Optional.of(hex), ClientCertificates.normalize(hex.toUpperCase(java.util.Locale.ROOT)));
        assertEquals(java.util.Optional.of(hex), ClientCertificates.normalize(hex.replaceAll("(..)(?!$)", "$1:")));
        assertEquals(java.util.Optional.empty(), ClientCertificates.normalize(hex.substring(2)));
        assertEquals(java.util.Optional.empty(), ClientCertificates.normalize("zz" + hex.substring(2)));
        org.junit.jupiter.api.Assertions.assertThrows(
                java.security.cert.CertificateException.class,
                () -> ClientCertificates.parsePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
    }

    @Test
    void aPublicSourceNeedsNoKey() {
        assertEquals(Authenticator.Verdict.OK, auth.check(open, (String) null));
        assertEquals(Authenticator.Verdict.OK, auth.check(open, "Bearer junk"));
    }

    /** The key with its last character changed; a fixed replacement would equal it one time in 16. */
    private static String tamperLastChar(String key) {
        char last = key.charAt(key.length() - 1);
        return key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A');
    }
}
