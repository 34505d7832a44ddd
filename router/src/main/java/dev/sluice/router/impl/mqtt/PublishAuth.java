package dev.sluice.router.impl.mqtt;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.auth.Credential;
import java.util.function.Supplier;

/**
 * Whether a connection's credential may publish to a route, decided once per route and access
 * snapshot rather than per publish: checking a key hashes it (SHA-256), and a device publishes to
 * the same topic, on the same access snapshot, thousands of times between two reloads. A reload
 * (a revocation among them) replaces the snapshot, so the next publish is checked afresh.
 * Event-loop confined.
 */
final class PublishAuth {

    private final Authenticator authenticator;
    private final Supplier<AccessSnapshot> access;
    private final Credential credential;
    private AccessSnapshot seen;
    private RouteConfig seenRoute;
    private Authenticator.Verdict verdict;

    PublishAuth(Authenticator authenticator, Supplier<AccessSnapshot> access, Credential credential) {
        this.authenticator = authenticator;
        this.access = access;
        this.credential = credential;
    }

    Authenticator.Verdict check(RouteConfig route) {
        // Read before the check: should the check see a newer snapshot, the next call checks again.
        AccessSnapshot now = access.get();
        if (now != seen || route != seenRoute || verdict == null) {
            verdict = authenticator.check(route, credential);
            seen = now;
            seenRoute = route;
        }
        return verdict;
    }
}
