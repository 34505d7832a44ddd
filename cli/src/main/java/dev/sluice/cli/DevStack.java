package dev.sluice.cli;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Runtimes;
import dev.sluice.core.Settings;
import dev.sluice.core.db.Migrations;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.core.tracing.TracingConfig;
import dev.sluice.executor.ExecutorApp;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import dev.sluice.testkit.DevSecure;
import dev.sluice.testkit.Kafka;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sluice dev}: a real Kafka broker, PostgreSQL and Redis started on this machine, the
 * router and the executor in this process, a demo source and a demo workflow whose target is a
 * built-in echo endpoint. Closing it stops and removes everything.
 *
 * <p>{@code dev.brokers} (default 1; {@code sluice dev --brokers 3}) above 1 starts a replicated
 * {@link KafkaCluster} of that many nodes instead of the single broker; the topics then get its
 * replication factor, min.insync.replicas and no unclean election.
 */
public final class DevStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);
    private static final long TIMEOUT_S = 60;

    /** Setting: how many Kafka nodes {@code sluice dev} starts. */
    public static final String BROKERS = "dev.brokers";

    private Kafka kafka;
    private Postgres postgres;
    private Redis redis;
    private Vertx vertx;
    private Tracing tracing = Tracing.off();
    private EchoServer echo;
    private RouterApp router;
    private ExecutorApp executor;
    private String host;
    private int routerPort;
    private int mqttPort;
    private int routerManagementPort;
    private int executorManagementPort;

    /**
     * The dev catalog: two sources, the open {@code demo} and the locked-down {@code demo-secure}
     * (API key, Sluice signature, fail-closed idempotency; see {@link DevSecure}), and one workflow
     * posting each event of either to the echo target; and a schedule, {@code demo-heartbeat}, whose
     * tick every 10 s is posted there too.
     */
    /** The source of the demo schedule's ticks. */
    static final String HEARTBEAT_SOURCE = "demo-heartbeat";

    /** The demo catalog, its workflows calling {@code echoUrl} over HTTP/2 (h2c) when {@code http2}. */
    public static Catalog demoCatalog(String echoUrl, boolean http2) {
        return Catalog.parse(new JsonObject()
                .put(
                        "routes",
                        new io.vertx.core.json.JsonArray()
                                .add(new JsonObject()
                                        .put("source", "demo")
                                        .put("topic", "sluice.demo")
                                        .put("ttl", "20s")
                                        .put("partitions", 6)
                                        .put("type", "dev.sluice.demo")
                                        .put("tenant", "dev")
                                        .put(
                                                "mqtt",
                                                new JsonObject()
                                                        .put(
                                                                "topics",
                                                                new io.vertx.core.json.JsonArray()
                                                                        .add("devices/+/telemetry"))
                                                        .put("key", "topic:1")))
                                .add(new JsonObject(DevSecure.routeJson()))
                                .add(new JsonObject()
                                        .put("source", HEARTBEAT_SOURCE)
                                        .put("topic", "sluice.demo.heartbeat")
                                        .put("ttl", "20s")
                                        .put("partitions", 1)
                                        .put("tenant", "dev")))
                .put(
                        "workflows",
                        new io.vertx.core.json.JsonArray()
                                .add(new JsonObject()
                                        .put("name", "demo-echo")
                                        .put(
                                                "sources",
                                                new io.vertx.core.json.JsonArray()
                                                        .add("demo")
                                                        .add(DevSecure.SOURCE))
                                        .put("steps", echoSteps(echoUrl, http2)))
                                // A schedule: one tick every 10 s, whichever executors run, posted to the echo target.
                                .add(new JsonObject()
                                        .put("name", "demo-heartbeat")
                                        .put("sources", new io.vertx.core.json.JsonArray().add(HEARTBEAT_SOURCE))
                                        .put(
                                                "schedule",
                                                new JsonObject()
                                                        .put("cron", "*/10 * * * * *")
                                                        .put("zone", "UTC"))
                                        .put("steps", echoSteps(echoUrl, http2)))));
    }

    /** The demo workflows' one step: a call to the echo target. */
    private static io.vertx.core.json.JsonArray echoSteps(String echoUrl, boolean http2) {
        return new io.vertx.core.json.JsonArray()
                .add(new JsonObject()
                        .put("type", "http")
                        .put("url", echoUrl)
                        .put("timeout", "5s")
                        .put("http2", http2));
    }

    /** Starts everything; blocking (tens of seconds at most). */
    public static DevStack start(Settings settings) throws Exception {
        DevStack s = new DevStack();
        try {
            s.startAll(settings);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void startAll(Settings settings) throws Exception {
        host = settings.get("dev.host", "127.0.0.1");
        long t0 = System.nanoTime();
        int brokers = settings.getInt(BROKERS, 1);
        if (brokers < 1) {
            throw new IllegalArgumentException(BROKERS + " must be at least 1, not " + brokers);
        }
        LOG.info("starting Kafka ({} node{}), PostgreSQL and Redis ...", brokers, brokers == 1 ? "" : "s");
        kafka = brokers == 1 ? KafkaBroker.start() : KafkaCluster.start(brokers);
        postgres = Postgres.startOrFromEnv();
        redis = Redis.startOrFromEnv();
        LOG.info("infrastructure up in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

        // otel.enabled=true traces the stack (one service, sluice-dev) into an OTLP collector.
        tracing = Tracing.start(TracingConfig.from(settings, "sluice-dev"));
        vertx = Runtimes.vertx(settings, tracing);
        echo = await(EchoServer.start(vertx, host, settings.getInt("dev.echo.port", 8089)));
        // dev.webhook.url points the demo workflow elsewhere (the load generator's receiver, for instance);
        // dev.webhook.http2 makes it call there over HTTP/2 (h2c).
        Catalog catalog = demoCatalog(
                settings.get("dev.webhook.url", "http://" + host + ":" + echo.port() + "/echo"),
                settings.getBoolean("dev.webhook.http2", false));
        KafkaConfig kafkaConfig = KafkaConfig.from(settings.with("kafka.bootstrap.servers", kafka.bootstrapServers()));
        try (Admin admin = Admin.create(kafkaConfig.adminProperties(new java.util.HashMap<>()))) {
            TopicsApply.apply(admin, catalog, Optional.of(kafka.replicationFactor()), Duration.ofSeconds(30))
                    .forEach(c -> LOG.info("topic {}: {}", c.topic(), c.action()));
        }
        seedDevAccess(postgres.uri());
        // The demo route also takes MQTT publishes on devices/+/telemetry (router.mqtt.enabled=false turns that off).
        RouterConfig rc =
                RouterConfig.from(settings.with("router.mqtt.enabled", settings.get("router.mqtt.enabled", "true")));
        rc = rc.toBuilder()
                .ports(host, rc.listen().port(), rc.listen().managementPort())
                .redis(redis.uri())
                .postgres(postgres.uri())
                .build();
        router = await(RouterApp.start(
                vertx, rc, kafkaConfig, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), tracing));
        ExecutorConfig ec = ExecutorConfig.from(settings);
        ec = ec.withManagement(host, ec.managementPort()).withState(redis.uri(), postgres.uri());
        executor = await(ExecutorApp.start(
                vertx,
                ec,
                TriggerConfig.defaults(),
                kafkaConfig,
                catalog,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                tracing));
        routerPort = rc.listen().port();
        mqttPort = rc.mqtt().enabled() ? rc.mqtt().port() : 0;
        routerManagementPort = rc.listen().managementPort();
        executorManagementPort = ec.managementPort();
    }

    /** The schema, tenant {@code dev} and its published dev API key, before the router loads its keys. */
    private void seedDevAccess(String pgUri) throws Exception {
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(1))
                .connectingTo(PgConnectOptions.fromUri(pgUri).addProperty("client_min_messages", "warning"))
                .using(vertx)
                .build();
        try {
            await(Migrations.apply(pool));
            for (String sql : DevSecure.seedStatements()) {
                await(pool.query(sql).execute());
            }
        } finally {
            await(pool.close());
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** What a person needs to start using the stack. */
    public String banner() {
        String ingest = "http://" + host + ":" + routerPort + "/v1/events/demo";
        return String.join(
                "\n",
                "",
                "Sluice dev stack is up.",
                "  ingest         POST " + ingest,
                "  router         http://" + host + ":" + routerManagementPort + "/health/ready   .../metrics",
                "  executor       http://" + host + ":" + executorManagementPort + "/health/ready   .../metrics",
                "  echo target    http://" + host + ":" + echo.port()
                        + "/echo   (workflow demo-echo posts every demo event here)",
                "  kafka          " + kafka.bootstrapServers()
                        + "   (topics sluice.demo, sluice.demo.expired, sluice.demo.dlq"
                        + (kafka.replicationFactor() > 1 ? "; " + kafka.replicationFactor() + " replicas each" : "")
                        + ")",
                "  postgresql     " + redactPassword(postgres.uri()),
                "  redis          " + redis.uri(),
                "",
                "Send an event:",
                "  curl -i -X POST " + ingest + " -H 'content-type: application/json' -d '{\"hello\":\"sluice\"}'",
                mqttPort == 0
                        ? ""
                        : "Publish one over MQTT (QoS 1: the PUBACK comes once Kafka has it; mosquitto-clients is a Debian package):",
                mqttPort == 0
                        ? ""
                        : "  mosquitto_pub -h " + host + " -p " + mqttPort
                                + " -V mqttv5 -q 1 -t devices/pump-1/telemetry -m '{\"t\":21.5}'",
                "Locked-down source (API key + Sluice signature + fail-closed idempotency; DEV-ONLY credentials):",
                "  ingest         POST http://" + host + ":" + routerPort + "/v1/events/" + DevSecure.SOURCE,
                "  api key        Authorization: Bearer " + DevSecure.API_KEY,
                "  signing secret " + DevSecure.SIGNING_SECRET
                        + "   (Sluice-Signature: t=<unix>,v1=<hex hmac-sha256 of t.body>)",
                "Run the demo workflow by hand (a manual run: 202 once its event is in Kafka):",
                "  curl -i -X POST http://" + host + ":" + routerPort
                        + "/v1/workflows/demo-echo/runs -H 'content-type: application/json'"
                        + " -H 'Authorization: Bearer " + DevSecure.API_KEY + "' -d '{\"by\":\"hand\"}'",
                "A schedule: workflow demo-heartbeat fires every 10 s (CloudEvents type dev.sluice.schedule) and posts to the echo target.",
                "Live pages:     http://" + host + ":" + routerManagementPort + "/ui   http://" + host + ":"
                        + executorManagementPort + "/ui",
                "See it run:",
                "  curl -s http://" + host + ":" + executorManagementPort
                        + "/metrics | grep -E '^sluice_(executor_runs_total|event_latency_seconds_(count|sum))'",
                "",
                "Ctrl-C stops everything.",
                "");
    }

    private static String redactPassword(String uri) {
        return Settings.redact("uri", uri);
    }

    public int routerPort() {
        return routerPort;
    }

    public int executorManagementPort() {
        return executorManagementPort;
    }

    /** The Kafka it started: a {@link KafkaBroker}, or a {@link KafkaCluster} when {@code dev.brokers} is above 1. */
    public Kafka kafka() {
        return kafka;
    }

    /** Requests the echo target took for demo events (manual runs included), not counting the schedule's ticks. */
    public long echoed() {
        return echo.received();
    }

    /** The demo schedule's ticks the echo target took. */
    public long heartbeats() {
        return echo.ticks();
    }

    @Override
    public void close() {
        LOG.info("stopping the dev stack ...");
        quietly(() -> {
            if (executor != null) {
                await(executor.close());
            }
        });
        quietly(() -> {
            if (router != null) {
                await(router.close());
            }
        });
        quietly(() -> {
            if (vertx != null) {
                await(vertx.close());
            }
        });
        quietly(() -> tracing.close());
        quietly(() -> {
            if (redis != null) {
                redis.close();
            }
        });
        quietly(() -> {
            if (postgres != null) {
                postgres.close();
            }
        });
        quietly(() -> {
            if (kafka != null) {
                kafka.close();
            }
        });
        LOG.info("dev stack stopped");
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("while stopping: {}", e.toString());
        }
    }
}
