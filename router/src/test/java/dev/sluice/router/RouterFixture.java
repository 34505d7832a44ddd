package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A router for integration tests: its own Vert.x and meter registry, a catalog written from JSON,
 * listening on free ports of 127.0.0.1 against the test broker, and ready before it is returned.
 * Settings given by a test override the fixture's ({@code router.instances} 2, {@code router.drain.grace} 100ms).
 */
final class RouterFixture implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Vertx vertx;
    private final RouterApp app;
    private final PrometheusMeterRegistry registry;

    private RouterFixture(Vertx vertx, RouterApp app, PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.app = app;
        this.registry = registry;
    }

    static RouterFixture start(KafkaBroker kafka, String catalogJson, Map<String, String> settings) throws Exception {
        return start(kafka, catalogJson, settings, b -> b);
    }

    /** As {@link #start(KafkaBroker, String, Map)}, the configuration then changed by {@code tweak}. */
    static RouterFixture start(
            KafkaBroker kafka,
            String catalogJson,
            Map<String, String> settings,
            UnaryOperator<RouterConfigBuilder> tweak)
            throws Exception {
        // A 100 ms drain grace instead of 1 s: closing a fixture waits the grace out, and no test
        // through the fixture looks at the draining window (DrainIT starts its router itself).
        Map<String, String> all = new HashMap<>(Map.of("router.instances", "2", "router.drain.grace", "100ms"));
        all.putAll(settings);
        RouterConfig config = tweak.apply(RouterConfig.from(Settings.of(all)).toBuilder()
                        .ports("127.0.0.1", Ports.freePort(), Ports.freePort()))
                .build();
        Path catalog = Files.createTempFile("sluice-it", ".json");
        Vertx vertx = Vertx.vertx();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            Files.writeString(catalog, catalogJson);
            RouterApp app = await(RouterApp.start(
                    vertx, config, KafkaConfig.of(kafka.bootstrapServers()), Catalog.load(catalog), registry));
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> app.readiness().ready());
            return new RouterFixture(vertx, app, registry);
        } catch (Exception | Error e) {
            vertx.close();
            throw e;
        } finally {
            Files.deleteIfExists(catalog);
        }
    }

    RouterApp app() {
        return app;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    int port() {
        return app.config().listen().port();
    }

    /** A gauge's value, or -1 while it is not registered. */
    double gauge(String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? -1 : g.value();
    }

    /** The sum of a counter over every route, for one outcome. */
    double events(String outcome) {
        return registry.find("sluice.router.events").tag("outcome", outcome).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /**
     * Sends events to {@code source} until one is accepted: the first produce to a new topic waits on
     * its metadata, which on a busy machine can outlast the produce timeout (a 503 the sender retries).
     * A test whose checks send one normal event calls this first, so that no check depends on it.
     */
    void warmUp(String source) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/v1/events/" + source))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"warm\":true}"))
                .timeout(Duration.ofSeconds(10))
                .build();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() ->
                        HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 202);
    }

    /** The status of {@code /health/ready} on the management port. */
    int readinessStatus() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.config().listen().managementPort() + "/health/ready"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public void close() throws Exception {
        try {
            await(app.close());
        } finally {
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
