package dev.sluice.router.impl.http;

import dev.sluice.core.RateLimit;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import dev.sluice.router.impl.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a request must pass before it is produced, in order: the API key (before the body is read),
 * the signature (once the body is in), and the rate limits (once the number of events is known).
 * All from memory, except a Redis lease per slice of rate budget. Shared by every ingest verticle;
 * thread-safe.
 */
public final class Admission {

    /** Why a request is turned away, with the headers that go with the problem. */
    public record Refusal(Problems.Kind kind, String detail, Map<String, String> headers) {}

    private static final Future<Refusal> PASS = Future.succeededFuture();
    private static final Map<String, String> CHALLENGE = Map.of("www-authenticate", "Bearer realm=\"sluice\"");
    private static final Map<String, String> INVALID_TOKEN =
            Map.of("www-authenticate", "Bearer realm=\"sluice\", error=\"invalid_token\"");

    private final RouteTable routes;
    private final Supplier<AccessSnapshot> access;
    private final Authenticator authenticator;
    private final RateLimiter limiter;

    public Admission(RouteTable routes, Supplier<AccessSnapshot> access, RateLimiter limiter) {
        this.routes = routes;
        this.access = access;
        this.authenticator = new Authenticator(access);
        this.limiter = limiter;
    }

    /** The API key check; null when the request may go on. */
    public Refusal beforeBody(HttpServerRequest req, RouteConfig route) {
        Authenticator.Verdict v = authenticator.check(route, req.getHeader("authorization"));
        return switch (v) {
            case OK -> null;
            case FORBIDDEN -> new Refusal(Problems.Kind.FORBIDDEN, Authenticator.detail(v, route), Map.of());
            case MISSING, MALFORMED ->
                new Refusal(Problems.Kind.UNAUTHORIZED, Authenticator.detail(v, route), CHALLENGE);
            default -> new Refusal(Problems.Kind.UNAUTHORIZED, Authenticator.detail(v, route), INVALID_TOKEN);
        };
    }

    /**
     * What the signature check found: a refusal, or (for a signed source) the verified delivery id
     * that keys the replay check. Both null for an unsigned source.
     */
    public record Signed(Refusal refusal, String deliveryId) {
        static final Signed UNSIGNED = new Signed(null, null);
    }

    /**
     * The signature. No Redis here: the replay check happens where the events are claimed, after
     * the rate limit, so a delivery refused for a retryable reason leaves nothing behind that
     * would refuse its retry.
     */
    public Signed afterBody(HttpServerRequest req, RouteConfig route, byte[] body) {
        SignatureVerifier verifier = routes.verifier(route.source());
        if (verifier == null) {
            return Signed.UNSIGNED;
        }
        try {
            return new Signed(null, verifier.verify(req::getHeader, body, System.currentTimeMillis()));
        } catch (SignatureVerifier.Refused refused) {
            return new Signed(new Refusal(Problems.Kind.BAD_SIGNATURE, refused.getMessage(), Map.of()), null);
        }
    }

    /** The tenant's and the source's rate limits for {@code events} events of {@code bytes} payload bytes. */
    public Future<Refusal> rate(RouteConfig route, long events, long bytes) {
        AccessSnapshot.Tenant tenant = access.get().tenants().get(route.tenant());
        RateLimit tenantLimit = tenant == null ? null : tenant.rateLimit();
        if (!RateLimiter.limited(route, tenantLimit)) {
            return PASS;
        }
        return limiter.admit(route, tenantLimit, events, bytes)
                .map(r -> r == null
                        ? null
                        : r.never()
                                ? new Refusal(
                                        Problems.Kind.OVER_RATE_CAPACITY,
                                        "this request alone holds "
                                                + (r.policy().endsWith("bytes")
                                                        ? bytes + " payload bytes"
                                                        : events + " events")
                                                + ", more than the " + r.policy() + " limit of " + r.quota()
                                                + " per second could ever admit; send it in smaller parts",
                                        Map.of("ratelimit-policy", r.policyHeader()))
                                : new Refusal(
                                        Problems.Kind.RATE_LIMITED,
                                        "the " + r.policy() + " limit of " + r.quota()
                                                + " per second is reached; retry after the window resets",
                                        Map.of(
                                                "retry-after", Long.toString(r.retryAfterSeconds()),
                                                "ratelimit-policy", r.policyHeader(),
                                                "ratelimit", r.limitHeader())));
    }
}
