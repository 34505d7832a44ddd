package dev.sluice.loadgen;

import dev.sluice.core.Settings;
import dev.sluice.core.db.Migrations;
import dev.sluice.testkit.DevSecure;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code --self --split}: Sluice as three processes — a Kafka broker (testkit's child JVM),
 * {@code <root>/sluice router} and {@code <root>/sluice executor} — so that the router's and the
 * executor's CPU per event are measured apart (in {@code sluice dev} they share one JVM and its
 * event loops). The catalog is {@code sluice dev}'s demo route with the workflow posting to the
 * generator's receiver. A router-only run starts no executor at all, so the router is measured
 * alone with its broker. With {@code --secure} the broker is joined by Redis and PostgreSQL (the
 * router's dedup and replay store, and its keys), seeded with the dev tenant and key, and the
 * catalog adds the {@code demo-secure} source.
 */
final class SplitStack implements Target {

    private static final String HOST = StackLauncher.HOST;

    private final KafkaBroker kafka;
    private Redis redis;
    private Postgres postgres;
    private boolean secure;
    private final List<Process> children = new ArrayList<>();
    private final int routerPort;
    private final int executorManagementPort;
    private boolean executorStarted;

    private SplitStack(KafkaBroker kafka, int routerPort, int executorManagementPort) {
        this.kafka = kafka;
        this.routerPort = routerPort;
        this.executorManagementPort = executorManagementPort;
    }

    /** Starts the broker and the router, and the executor unless {@code withExecutor} is false (router-only runs). */
    static SplitStack start(
            Path root,
            String webhookUrl,
            boolean webhookHttp2,
            String javaOpts,
            Path outDir,
            Duration timeout,
            boolean withExecutor,
            boolean secure) {
        Path script = StackLauncher.script(root);
        KafkaBroker kafka = KafkaBroker.start();
        SplitStack s = new SplitStack(kafka, Ports.freePort(), Ports.freePort());
        try {
            String topic = "sluice.demo";
            JsonObject catalog = new JsonObject(demoCatalogJson(topic, webhookUrl, webhookHttp2));
            dev.sluice.core.Catalog.parse(catalog);
            Path catalogFile = outDir.toAbsolutePath().resolve("catalog.json");
            Files.writeString(catalogFile, catalog.encodePrettily(), StandardCharsets.UTF_8);
            for (String base : List.of(topic, DevSecure.TOPIC)) {
                StackLauncher.createLiveTopics(kafka, base, 6, Duration.ofSeconds(20));
            }
            int routerManagement = Ports.freePort();
            Map<String, String> common = Map.of(
                    "SLUICE_CATALOG_FILE",
                    catalogFile.toString(),
                    "SLUICE_KAFKA_BOOTSTRAP_SERVERS",
                    kafka.bootstrapServers());
            Map<String, String> router = new HashMap<>(Map.of(
                    "SLUICE_ROUTER_HOST",
                    HOST,
                    "SLUICE_ROUTER_PORT",
                    Integer.toString(s.routerPort),
                    "SLUICE_ROUTER_MANAGEMENT_PORT",
                    Integer.toString(routerManagement)));
            if (secure) {
                s.secure = true;
                s.redis = Redis.startOrFromEnv();
                s.postgres = Postgres.startOrFromEnv();
                seed(s.postgres.uri());
                router.put("SLUICE_REDIS_URL", s.redis.uri());
                router.put("SLUICE_PG_URL", s.postgres.uri());
            }
            s.children.add(launch(script, "router", javaOpts, outDir.resolve("sluice-router.log"), common, router));
            // One at a time: ./sluice may build first, and two builds of one tree must not overlap.
            s.awaitReady("http://" + HOST + ":" + routerManagement + "/health/ready", false, timeout);
            if (!withExecutor) {
                return s;
            }
            s.children.add(launch(
                    script,
                    "executor",
                    javaOpts,
                    outDir.resolve("sluice-executor.log"),
                    common,
                    Map.of(
                            "SLUICE_EXECUTOR_HOST",
                            HOST,
                            "SLUICE_EXECUTOR_MANAGEMENT_PORT",
                            Integer.toString(s.executorManagementPort))));
            s.awaitReady("http://" + HOST + ":" + s.executorManagementPort + "/health/ready", true, timeout);
            s.executorStarted = true;
            return s;
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@code sluice dev}'s catalog: the open {@code demo} source, {@code demo-secure}, and the workflow on both. */
    private static String demoCatalogJson(String topic, String webhookUrl, boolean http2) {
        return """
                {"routes": [{"source": "demo", "topic": "%s", "ttl": "20s", "partitions": 6, "type": "dev.sluice.demo", "tenant": "dev"},
                            %s],
                 "workflows": [{"name": "demo-echo", "sources": ["demo", "%s"],
                                "steps": [{"type": "http", "url": "%s", "timeout": "5s", "http2": %s}]}]}
                """.formatted(topic, DevSecure.routeJson(), DevSecure.SOURCE, webhookUrl, http2);
    }

    /** The schema, then the dev tenant and its key, so the router finds them at its first load. */
    private static void seed(String pgUri) {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
                    .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(1))
                    .connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(pgUri)
                            .addProperty("client_min_messages", "warning"))
                    .using(vertx)
                    .build();
            io.vertx.core.Future<Void> done = Migrations.apply(pool);
            for (String sql : DevSecure.seedStatements()) {
                done = done.compose(v -> pool.query(sql).execute().mapEmpty());
            }
            done.eventually(pool::close)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "cannot seed the dev tenant and key into " + Settings.redact("url", pgUri), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            vertx.close();
        }
    }

    private static Process launch(
            Path script, String role, String javaOpts, Path log, Map<String, String> common, Map<String, String> own)
            throws IOException {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        return StackLauncher.sluice(script, role, env, javaOpts, log);
    }

    /** Waits until {@code url} answers 200 (and, for the executor, reports partitions). */
    private void awaitReady(String url, boolean partitions, Duration timeout) {
        StackLauncher.awaitReady(
                timeout,
                Duration.ofMillis(250),
                StackLauncher.noneExited(
                        children, exit -> "a sluice child exited with " + exit + " before it was ready; see its log"),
                () -> {
                    JsonObject ready = StackLauncher.health(url);
                    return ready != null && (!partitions || ready.getInteger("partitions", 0) > 0);
                },
                () -> url + " was not ready within " + timeout);
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String ingestUrl() {
        return StackLauncher.ingestUrl(routerPort, secure ? DevSecure.SOURCE : "demo");
    }

    @Override
    public String executorMetricsUrl() {
        return executorStarted ? StackLauncher.metricsUrl(executorManagementPort) : null;
    }

    /** The router, the executor, and the broker and Redis (children of this JVM). */
    @Override
    public List<ProcessHandle> processes() {
        List<ProcessHandle> out = new ArrayList<>();
        children.forEach(p -> out.add(p.toHandle()));
        // With --secure also Redis, so the A/B reports its CPU. The embedded PostgreSQL is started through
        // pg_ctl and ends up outside this JVM's children, so it is not counted (it is idle during a run:
        // the router reads keys from memory).
        out.addAll(StackLauncher.childrenNamed(Set.of("kafka broker", "redis", "postgresql")));
        return out;
    }

    @Override
    public List<ProcessHandle> profiledJvms() {
        return children.stream().map(Process::toHandle).toList();
    }

    @Override
    public void close() {
        StackLauncher.stop(children, Duration.ofSeconds(30));
        kafka.close();
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
