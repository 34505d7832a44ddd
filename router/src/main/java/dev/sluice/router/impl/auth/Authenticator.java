package dev.sluice.router.impl.auth;

import dev.sluice.core.RouteConfig;
import java.util.function.Supplier;

/**
 * Checks {@code Authorization: Bearer <key>} against the keys in memory (no database round trip):
 * the key must exist, be live, belong to a live tenant, and that tenant must own the source. A
 * client certificate (MQTT over TLS) is judged the same way by its SHA-256 fingerprint.
 */
public final class Authenticator {

    /** Why a request was not let in; null fields mean it was. */
    public enum Verdict {
        OK,
        MISSING,
        MALFORMED,
        UNKNOWN,
        REVOKED,
        FORBIDDEN
    }

    private final Supplier<AccessSnapshot> snapshot;

    public Authenticator(Supplier<AccessSnapshot> snapshot) {
        this.snapshot = snapshot;
    }

    public Verdict check(RouteConfig route, String authorization) {
        return check(route, Credential.key(authorization));
    }

    /** Whether the credential lets its holder send to the route's source. */
    public Verdict check(RouteConfig route, Credential credential) {
        if (!route.requiresKey()) {
            return Verdict.OK;
        }
        Holder h = holder(credential);
        return h.verdict() != Verdict.OK || h.tenant().equals(route.tenant()) ? h.verdict() : Verdict.FORBIDDEN;
    }

    /** Whether {@code Bearer <key>} names a live key of a live tenant, whatever the source. */
    public Verdict live(String authorization) {
        return holder(authorization).verdict();
    }

    /** Whether the credential is a live key or certificate of a live tenant, whatever the source. */
    public Verdict live(Credential credential) {
        return holder(credential).verdict();
    }

    private Holder holder(Credential credential) {
        return switch (credential.kind()) {
            case NONE -> new Holder(Verdict.MISSING, null);
            case KEY -> holder(credential.value());
            case CERTIFICATE -> certificate(credential.value());
        };
    }

    private Holder certificate(String fingerprint) {
        AccessSnapshot s = snapshot.get();
        AccessSnapshot.Certificate cert = s.certificates().get(fingerprint);
        if (cert == null) {
            return new Holder(Verdict.UNKNOWN, null);
        }
        AccessSnapshot.Tenant tenant = s.tenants().get(cert.tenant());
        return cert.revoked() || tenant == null || tenant.revoked()
                ? new Holder(Verdict.REVOKED, null)
                : new Holder(Verdict.OK, cert.tenant());
    }

    /** A key's state, and (when live) its tenant. */
    private record Holder(Verdict verdict, String tenant) {}

    private Holder holder(String authorization) {
        String token = ApiKeys.bearer(authorization);
        String id = ApiKeys.id(token);
        if (id == null) {
            return new Holder(token == null ? Verdict.MALFORMED : Verdict.UNKNOWN, null);
        }
        AccessSnapshot s = snapshot.get();
        AccessSnapshot.Key key = s.keys().get(id);
        if (key == null || !ApiKeys.matches(token, key.hash())) {
            return new Holder(Verdict.UNKNOWN, null);
        }
        AccessSnapshot.Tenant tenant = s.tenants().get(key.tenant());
        return key.revoked() || tenant == null || tenant.revoked()
                ? new Holder(Verdict.REVOKED, null)
                : new Holder(Verdict.OK, key.tenant());
    }

    /** The detail of a refusal, for the problem body. */
    public static String detail(Verdict v, RouteConfig route) {
        return switch (v) {
            case MISSING -> "source " + route.source() + " needs an API key: send Authorization: Bearer <key>";
            case MALFORMED -> "the Authorization header must be Bearer <key>";
            case UNKNOWN -> "the API key is not known";
            case REVOKED -> "the API key (or its tenant) has been revoked";
            case FORBIDDEN -> "the API key's tenant may not send to source " + route.source();
            default -> "";
        };
    }
}
