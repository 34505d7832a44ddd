package dev.sluice.benchmarks.jmh;

import dev.sluice.core.Catalog;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.SignatureConfig;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.ApiKeys;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import dev.sluice.router.impl.ratelimit.RateLimiter;
import dev.sluice.router.impl.redis.Deduplicator;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The router's admission work per request, without the network: the API key check against the
 * keys in memory (lookup, SHA-256, constant-time compare), a Sluice-scheme signature (HMAC-SHA256
 * over timestamp + body), the dedup and replay keys, and a rate-limit charge against a local
 * bucket (the budget leased in slices; the lease itself, one Redis call per slice, is not here).
 * The Redis round trips of dedup and replay refusal are network time and show in the load tests.
 */
public class AdmissionBenchmark extends NanoBenchmark {

    @Param({"200", "1024", "16384"})
    public int payloadBytes;

    private Authenticator authenticator;
    private RouteConfig route;
    private String authorization;
    private SignatureVerifier verifier;
    private Map<String, String> signedHeaders;
    private byte[] body;
    private RateLimiter limiter;
    private long now;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ApiKeys.Issued key = ApiKeys.issue();
        AccessSnapshot snapshot = new AccessSnapshot(
                Map.of(key.id(), new AccessSnapshot.Key(key.id(), "acme", key.hash(), false)),
                Map.of("acme", new AccessSnapshot.Tenant("acme", false, null)),
                Map.of(),
                List.of());
        authenticator = new Authenticator(() -> snapshot);
        route = Catalog.parseRoute(new JsonObject()
                .put("source", "pay")
                .put("tenant", "acme")
                .put("auth", "key")
                .put("rateLimit", new JsonObject().put("events", 1_000_000_000L)));
        authorization = "Bearer " + key.key();
        body = new byte[payloadBytes];
        java.util.Arrays.fill(body, (byte) 'x');
        verifier = new SignatureVerifier(new SignatureConfig("sluice", List.of("whsec-old", "whsec-new"), null));
        now = System.currentTimeMillis();
        long t = now / 1000;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("whsec-new".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        signedHeaders =
                Map.of("sluice-signature", "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body)));
        limiter = new RateLimiter(java.util.Optional.empty(), () -> {});
    }

    /** Key lookup by prefix, SHA-256 of the presented key, constant-time compare, tenant check. */
    @Benchmark
    public Authenticator.Verdict apiKey() {
        return authenticator.check(route, authorization);
    }

    /** HMAC-SHA256 over the body with the second of two secrets (rotation: the first is tried first). */
    @Benchmark
    public String signature() {
        try {
            return verifier.verify(signedHeaders::get, body, now);
        } catch (SignatureVerifier.Refused e) {
            return null;
        }
    }

    /** The Redis keys a request builds for dedup and replay refusal. */
    @Benchmark
    public void keys(Blackhole bh) {
        bh.consume(Deduplicator.key(route.tenant(), route.source(), "order-12345"));
        bh.consume(Deduplicator.replayPrefix(route.tenant(), route.source(), "t:1790000000:00ff") + "/0");
    }

    /** One event charged to a source limit from the local bucket. */
    @Benchmark
    public Object rateLimit() {
        return limiter.admit(route, null, 1, payloadBytes).result();
    }

    /** Everything above, in the order the router does it. */
    @Benchmark
    public Object all(Blackhole bh) {
        bh.consume(authenticator.check(route, authorization));
        String delivery = signature();
        bh.consume(Deduplicator.key(route.tenant(), route.source(), "order-12345"));
        bh.consume(Deduplicator.replayPrefix(route.tenant(), route.source(), delivery) + "/0");
        return limiter.admit(route, null, 1, payloadBytes).result();
    }
}
