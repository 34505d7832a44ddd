package dev.sluice.cli.faults;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import dev.sluice.testkit.Kafka;
import dev.sluice.testkit.Ports;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A router as the router ITs start one (two instances, health every 200 ms, a 100 ms drain grace), with source
 * {@value #SOURCE}, and its ingest URL.
 */
record FaultRouter(RouterApp app, URI ingest) {

    static final String SOURCE = "faults";
    static final int TTL_SECONDS = 20;
    static final String TTL = TTL_SECONDS + "s";

    /** The catalog's route: source {@value #SOURCE} to {@code topic}, 3 partitions, TTL {@value #TTL_SECONDS} s. */
    static JsonObject route(String topic) {
        return new JsonObject()
                .put("source", SOURCE)
                .put("topic", topic)
                .put("partitions", 3)
                .put("ttl", TTL);
    }

    static FaultRouter start(Vertx vertx, Kafka kafka, String topic) throws Exception {
        return start(vertx, kafka, Catalog.parse(new JsonObject().put("routes", new JsonArray().add(route(topic)))));
    }

    static FaultRouter start(Vertx vertx, Kafka kafka, Catalog catalog) throws Exception {
        return start(vertx, kafka, catalog, config());
    }

    /** With Redis, for sources that deduplicate ({@code idempotency}). */
    static FaultRouter startWithRedis(Vertx vertx, Kafka kafka, Catalog catalog, String redisUri) throws Exception {
        return start(vertx, kafka, catalog, config().toBuilder().redis(redisUri).build());
    }

    private static RouterConfig config() {
        // A 100 ms drain grace: closing a router waits its grace out, and no fault test looks at the drain.
        return RouterConfig.from(Settings.of(
                Map.of("router.instances", "2", "router.health.interval", "200ms", "router.drain.grace", "100ms")));
    }

    private static FaultRouter start(Vertx vertx, Kafka kafka, Catalog catalog, RouterConfig base) throws Exception {
        int port = Ports.freePort();
        RouterConfig config = base.toBuilder()
                .ports(Ports.LOOPBACK_HOST, port, Ports.freePort())
                .build();
        RouterApp app = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return new FaultRouter(app, URI.create("http://" + Ports.LOOPBACK_HOST + ":" + port + "/v1/events/" + SOURCE));
    }

    /** Blocking, bounded: drains and stops the router. */
    void close() throws Exception {
        app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
