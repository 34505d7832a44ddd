package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.RateLimit;
import dev.sluice.core.Settings;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.ApiKeys;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The router's ingest state wired in this JVM as the router wires it, for tests that break one of
 * its collaborators: tenant {@code acme} with one API key ({@link #key}), and an access store that
 * throws while {@link #fault} holds a message, as a bug in it would. The test deploys the edge
 * verticles it needs on {@link #vertx} with {@link #deploy}.
 */
final class WiredIngest implements AutoCloseable {

    final Vertx vertx = Vertx.vertx();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Null, or the message of the fault the access store throws. */
    final AtomicReference<String> fault = new AtomicReference<>();

    final String key;
    final int httpPort = Ports.freePort();
    final IngestState state;
    /** The access store: the one tenant and key, unless {@link #fault} is set. */
    final Supplier<AccessSnapshot> access;

    WiredIngest(KafkaBroker kafka, Catalog catalog, Map<String, String> settings) {
        ApiKeys.Issued issued = ApiKeys.issue();
        key = issued.key();
        AccessSnapshot snapshot = new AccessSnapshot(
                Map.of(issued.id(), new AccessSnapshot.Key(issued.id(), "acme", issued.hash(), false)),
                Map.of("acme", new AccessSnapshot.Tenant("acme", false, RateLimit.of(1000, 1_000_000))),
                Map.of(),
                List.of());
        access = () -> {
            String f = fault.get();
            if (f != null) {
                throw new IllegalStateException(f);
            }
            return snapshot;
        };
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("router.instances", "1");
        RouterConfig config = RouterConfig.from(Settings.of(all)).toBuilder()
                .ports("127.0.0.1", httpPort, Ports.freePort())
                .build();
        state = IngestWiring.build(
                vertx,
                config,
                KafkaConfig.of(kafka.bootstrapServers()),
                catalog,
                registry,
                access,
                dev.sluice.core.tracing.Tracing.off());
    }

    void deploy(Deployable verticle) throws Exception {
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        fault.set(null);
        state.producer().close(Duration.ofSeconds(2));
        state.health().close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
