package dev.sluice.loadgen;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.executor.ExecutorApp;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sluice in this JVM: a real Kafka broker (testkit's child JVM), the router and the executor on
 * their own Vert.x, one route ({@code demo}, like {@code sluice dev}'s, also taking MQTT publishes on
 * {@code devices/+/telemetry}) and one workflow whose http step posts to {@code webhookUrl}. For the whole-path JMH benchmark and the gate smoke test;
 * the load generator's {@code --self} runs {@code sluice dev} as a separate process instead.
 */
public final class InProcessStack implements Target {

    public static final String SOURCE = "demo";
    public static final String TOPIC = "sluice.bench.demo";
    private static final String HOST = StackLauncher.HOST;

    private final KafkaBroker kafka;
    private final Vertx vertx;
    private RouterApp router;
    private ExecutorApp executor;
    private int routerPort;
    private int mqttPort;
    private int executorManagementPort;

    private InProcessStack(KafkaBroker kafka, Vertx vertx) {
        this.kafka = kafka;
        this.vertx = vertx;
    }

    /** The catalog: route {@code demo} (keyed by event id) and workflow {@code bench} posting to the URL. */
    public static Catalog catalog(String webhookUrl, Duration ttl, int partitions) {
        return Catalog.parse(new JsonObject()
                .put(
                        "routes",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("source", SOURCE)
                                        .put("topic", TOPIC)
                                        .put("ttl", ttl.toMillis() + "ms")
                                        .put("partitions", partitions)
                                        .put("type", "dev.sluice.bench")
                                        .put(
                                                "mqtt",
                                                new JsonObject()
                                                        .put("topics", new JsonArray().add("devices/+/telemetry")))))
                .put(
                        "workflows",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("name", "bench")
                                        .put("sources", new JsonArray().add(SOURCE))
                                        .put(
                                                "steps",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put("type", "http")
                                                                .put("url", webhookUrl)
                                                                .put("timeout", "5s"))))));
    }

    /** Starts everything and waits until the executor holds every partition (blocking, tens of seconds at most). */
    public static InProcessStack start(String webhookUrl, Duration ttl, int partitions) {
        KafkaBroker kafka = KafkaBroker.start();
        InProcessStack s = new InProcessStack(kafka, Vertx.vertx());
        try {
            s.startApps(catalog(webhookUrl, ttl, partitions), partitions, ttl);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void startApps(Catalog catalog, int partitions, Duration ttl) {
        StackLauncher.createLiveTopics(kafka, TOPIC, partitions, ttl);
        KafkaConfig kc = KafkaConfig.of(kafka.bootstrapServers());
        routerPort = Ports.freePort();
        mqttPort = Ports.freePort();
        RouterConfig rc = RouterConfig.from(Settings.of(
                        Map.of("router.mqtt.enabled", "true", "router.mqtt.port", Integer.toString(mqttPort))))
                .toBuilder()
                .ports(HOST, routerPort, Ports.freePort())
                .build();
        router = await(RouterApp.start(vertx, rc, kc, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        executorManagementPort = Ports.freePort();
        ExecutorConfig ec = ExecutorConfig.from(Settings.of(Map.of()))
                .withManagement(HOST, executorManagementPort)
                .withGroup("sluice-bench-" + System.nanoTime());
        executor =
                await(ExecutorApp.start(vertx, ec, kc, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        StackLauncher.awaitReady(
                Duration.ofSeconds(60),
                Duration.ofMillis(50),
                () -> {},
                () -> executor.assignment().size() >= partitions
                        && executor.readiness().ready()
                        && router.readiness().ready(),
                () -> "the executor was not assigned all " + partitions + " partitions within 60 s: "
                        + executor.readiness().details());
    }

    @Override
    public String ingestUrl() {
        return StackLauncher.ingestUrl(routerPort, SOURCE);
    }

    @Override
    public String mqttUrl() {
        return StackLauncher.mqttUrl(mqttPort);
    }

    @Override
    public String executorMetricsUrl() {
        return StackLauncher.metricsUrl(executorManagementPort);
    }

    /** The processes are this JVM (and the broker's), which the run cannot attribute apart. */
    @Override
    public List<ProcessHandle> processes() {
        return List.of();
    }

    @Override
    public void close() {
        try {
            if (executor != null) {
                await(executor.close());
            }
            if (router != null) {
                await(router.close());
            }
            await(vertx.close());
        } finally {
            kafka.close();
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
