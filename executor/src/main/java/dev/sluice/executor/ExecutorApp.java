package dev.sluice.executor;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.MetricNames;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.management.JvmMeters;
import dev.sluice.core.management.LiveDashboard;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.executor.impl.ui.DeadLetterFeed;
import dev.sluice.executor.impl.ui.ExecutorFigures;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorServices;
import dev.sluice.executor.impl.ExecutorVerticle;
import dev.sluice.executor.impl.PartitionWorker;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.kafka.ConsumerLoop;
import dev.sluice.executor.impl.kafka.DeadSpanRecorder;
import dev.sluice.executor.impl.kafka.DeadSpanSkip;
import dev.sluice.core.db.Migrations;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.state.WorkflowStore;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running executor: one consumer thread feeding partition workers on every event loop. */
public final class ExecutorApp {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorApp.class);

    private final Vertx vertx;
    private final ExecutorConfig config;
    private final ConsumerLoop loop;
    private final Thread thread;
    private final AccountingProducer accounting;
    private final String deploymentId;
    private final AtomicBoolean closing;
    private final RunLog runLog;
    private final boolean claimsOn;
    private ManagementServer management;
    private final DeadLetterFeed deadLetters;
    private WorkflowStore store;
    private long lagTimer = -1;
    private JvmMeters jvmMeters;

    private ExecutorApp(Vertx vertx, ExecutorConfig config, ConsumerLoop loop, Thread thread, AccountingProducer accounting,
                        String deploymentId, RunLog runLog, RunClaims claims, AtomicBoolean closing) {
        this.closing = closing;
        this.runLog = runLog;
        this.claimsOn = claims != null;
        this.vertx = vertx;
        this.config = config;
        this.loop = loop;
        this.thread = thread;
        this.accounting = accounting;
        this.deploymentId = deploymentId;
        this.deadLetters = new DeadLetterFeed(vertx, config.pgUrl());
    }

    /** Consumer defaults: manual commits of the finished prefix, cooperative rebalancing, small fetch waits. */
    public static Map<String, Object> consumerDefaults(ExecutorConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A fetch waits up to 10 ms for 32 KiB: batches of ~80 records instead of a few, which cut the
        // executor's CPU per event by a third at 3,000 events/s (and the broker's and Redis's with it)
        // for +7 ms of median ingest → start (docs/benchmarks/history.md). Override with kafka.consumer.fetch.min.bytes.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 32 * 1024);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-executor");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    public static Future<ExecutorApp> start(Vertx vertx, ExecutorConfig config, KafkaConfig kafka, Catalog catalog,
                                            PrometheusMeterRegistry registry) {
        if (config.workflowsFromPostgres() && config.pgUrl() == null) {
            return Future.failedFuture(new dev.sluice.core.ConfigException("executor.workflows=postgres needs pg.url"));
        }
        WorkflowTable table = new WorkflowTable(config.workflowsFromPostgres() ? List.of() : catalog.workflows());
        // With workflows in PostgreSQL any route may gain a workflow at any time: read every routed topic.
        Set<String> sources = config.workflowsFromPostgres() ? catalog.routes().keySet() : catalog.workflowsBySource().keySet();
        Set<String> topics = new TreeSet<>();
        Map<String, Long> ttlByTopic = new HashMap<>();
        sources.forEach(source -> {
            RouteConfig route = catalog.routes().get(source);
            topics.add(route.topic());
            ttlByTopic.merge(route.topic(), route.ttl().toMillis(), Math::max);
        });
        ExecutorMetrics metrics = new ExecutorMetrics(registry);
        AtomicInteger inFlight = new AtomicInteger();
        Gauge.builder(MetricNames.EXECUTOR_IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Events in progress in this process").register(registry);
        String owner = config.groupId() + "/" + hostName() + "/" + ProcessHandle.current().pid() + "/"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        Redis redis = config.redisUrl() == null ? null : Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(config.redisUrl()).setMaxPoolSize(16).setMaxPoolWaiting(10_000));
        RedisAPI redisApi = redis == null ? null : RedisAPI.api(redis);
        RunClaims claims = redis == null ? null : new RunClaims(vertx, redis, owner, registry, config.redisBatchWindow(), config.claimTimeout());
        if (claims == null) {
            LOG.warn("no redis.url: runs are not claimed, so a redelivered event may run again");
        }
        java.util.concurrent.atomic.AtomicReference<WorkflowStore> storeRef = new java.util.concurrent.atomic.AtomicReference<>();
        Future<RunLog> runLogReady = startRunLog(vertx, config, owner, registry)
                .compose(runLog -> !config.workflowsFromPostgres() ? Future.succeededFuture(runLog)
                        : startWorkflowStore(vertx, config, catalog, table).map(store -> {
                            storeRef.set(store);
                            return runLog;
                        }));
        List<ExecutorVerticle> verticles = new CopyOnWriteArrayList<>();
        AtomicBoolean closingFlag = new AtomicBoolean();
        return runLogReady.compose(runLog -> vertx.executeBlocking(() -> AccountingProducer.create(kafka)).compose(accounting ->
                vertx.deployVerticle(() -> {
                    ExecutorVerticle v = new ExecutorVerticle(new ExecutorServices(config, table, accounting, metrics, claims,
                            runLog, redisApi));
                    verticles.add(v);
                    return v;
                }, new DeploymentOptions().setInstances(config.instances())).compose(deploymentId ->
                        vertx.executeBlocking(() -> {
                            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties(consumerDefaults(config)));
                            int[] next = {0};
                            DeadSpanSkip.DeadSpans deadSpans = new DeadSpanRecorder(vertx, accounting, metrics, runLog, ttlByTopic,
                                    closingFlag::get);
                            ConsumerLoop loop = new ConsumerLoop(consumer, topics, config, tp -> {
                                ExecutorVerticle v = verticles.get(Math.floorMod(next[0]++, verticles.size()));
                                return new PartitionWorker(tp, v.context(), v.runner(), inFlight);
                            }, inFlight, deadSpans, metrics::polled);
                            Thread thread = new Thread(loop, "sluice-consumer");
                            thread.setDaemon(true);
                            thread.start();
                            ExecutorApp app = new ExecutorApp(vertx, config, loop, thread, accounting, deploymentId, runLog, claims,
                                    closingFlag);
                            app.store = storeRef.get();
                            app.lagTimer = registerLag(vertx, registry, loop);
                            // JVM, GC, process, threads beside Sluice's own meters.
                            app.jvmMeters = JvmMeters.bind(registry);
                            return app;
                        }))))
                .compose(app -> ManagementServer.start(vertx, config.host(), config.managementPort(), registry, app::readiness, null,
                                new LiveDashboard(vertx, "executor", new ExecutorFigures(registry, app.deadLetters)))
                        .map(m -> {
                            app.management = m;
                            LOG.info("executor consuming {} with group {} ({} event loops, management :{}, claims {}, run log {})",
                                    topics, config.groupId(), config.instances(), config.managementPort(),
                                    claims == null ? "off" : "on", runLogReadyState(config));
                            return app;
                        }));
    }

    /** {@code sluice_executor_lag{topic,partition}}: records behind the log end, refreshed with each commit. */
    private static long registerLag(Vertx vertx, PrometheusMeterRegistry registry, ConsumerLoop loop) {
        io.micrometer.core.instrument.MultiGauge gauge = io.micrometer.core.instrument.MultiGauge.builder("sluice.executor.lag")
                .description("Records behind the log end, per assigned partition").register(registry);
        return vertx.setPeriodic(1000, id -> gauge.register(loop.lag().entrySet().stream()
                .map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(io.micrometer.core.instrument.Tags.of(
                        "topic", e.getKey().topic(), "partition", Integer.toString(e.getKey().partition())), e.getValue()))
                .toList(), true));
    }

    private static String runLogReadyState(ExecutorConfig config) {
        return config.pgUrl() == null ? "off" : "on";
    }

    private static Future<RunLog> startRunLog(Vertx vertx, ExecutorConfig config, String owner, PrometheusMeterRegistry registry) {
        if (config.pgUrl() == null) {
            LOG.warn("no pg.url: runs are not written to a run log");
            return Future.succeededFuture(null);
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.runLogTimeout().toMillis());
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4).setConnectionTimeout(timeout)
                        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
                .connectingTo(PgConnectOptions.fromUri(config.pgUrl()).setReconnectAttempts(2).setReconnectInterval(500)
                        // IF NOT EXISTS notices are not news; keep the server's chatter to warnings.
                        .addProperty("client_min_messages", "warning")
                        // The server gives up on a statement when the client does (the write is then retried, not doubled).
                        .addProperty("statement_timeout", Integer.toString(timeout)))
                .using(vertx).build();
        RunLog runLog = new RunLog(vertx, pool, owner, config.runLogBuffer(), config.runLogBatch(), config.runLogTimeout(), registry);
        // The schema is applied before the first run; a database that is down at start-up does not
        // stop execution: rows wait in the buffer and the schema is applied when it is back.
        return Migrations.apply(pool).recover(err -> {
            LOG.warn("run log schema not applied yet (PostgreSQL unreachable?), trying again every 5 s: {}", err.toString());
            applySchemaLater(vertx, pool);
            return Future.succeededFuture();
        }).map(v -> {
            runLog.start(config.runLogFlush(), config.runLogRetention());
            return runLog;
        });
    }

    /** Applies the schema again until it succeeds; until then run-log rows wait in the buffer (and readiness says so). */
    private static void applySchemaLater(Vertx vertx, Pool pool) {
        vertx.setTimer(5_000, id -> Migrations.apply(pool)
                .onSuccess(v -> LOG.info("run log schema applied"))
                .onFailure(err -> applySchemaLater(vertx, pool)));
    }

    private static Future<WorkflowStore> startWorkflowStore(Vertx vertx, ExecutorConfig config, Catalog catalog,
                                                            WorkflowTable table) {
        PgConnectOptions connect = PgConnectOptions.fromUri(config.pgUrl()).addProperty("client_min_messages", "warning");
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(connect).using(vertx).build();
        WorkflowStore store = new WorkflowStore(vertx, pool, connect, catalog.routes(), table);
        return Migrations.apply(pool).compose(v -> store.start()).map(v -> store);
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null ? "local" : h;
    }

    /**
     * Ready while the consumer polls, commits what is committable, and has a connection to a broker, and
     * the run log writes what waits: each within {@code executor.ready.stall}. The details say
     * how long each has been silent.
     */
    public ManagementServer.Readiness readiness() {
        long stall = config.readyStall().toMillis();
        ConsumerLoop.Health h = loop.health();
        boolean polling = loop.polling() && h.sincePollMillis() < stall;
        boolean committing = h.commitWaitMillis() < stall;
        boolean broker = h.brokerSilentMillis() < stall;
        long runLogAge = runLog == null ? 0 : runLog.writeAgeMillis();
        boolean writing = runLogAge < stall;
        JsonObject details = new JsonObject().put("consumer", polling ? "polling" : "not polling for " + h.sincePollMillis() + " ms")
                .put("commits", committing ? "current" : "none for " + h.commitWaitMillis() + " ms")
                .put("broker", broker ? "reachable" : "no connection for " + h.brokerSilentMillis() + " ms")
                .put("partitions", loop.workers().size())
                .put("claims", claimsOn ? "redis" : "off");
        if (store != null) {
            details.put("workflowsRejected", new io.vertx.core.json.JsonArray(store.rejected()));
        }
        if (runLog != null) {
            details.put("runLog", writing && runLog.healthy() ? "writing"
                    : "buffering (" + runLog.buffered() + " rows, none written for " + runLogAge + " ms)");
        }
        return new ManagementServer.Readiness(polling && committing && broker && writing && !closing.get(), details);
    }

    /** Partitions this executor holds now, with their in-flight counts. */
    public Map<TopicPartition, Integer> assignment() {
        Map<TopicPartition, Integer> out = new HashMap<>();
        loop.workers().forEach((tp, w) -> out.put(tp, w.inFlight()));
        return out;
    }

    /** Stops polling, lets runs in progress finish (bounded), commits, leaves the group, closes. */
    public Future<Void> close() {
        if (!closing.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        LOG.info("executor stopping (bound {} ms)", config.shutdownTimeout().toMillis());
        if (lagTimer >= 0) {
            vertx.cancelTimer(lagTimer);
        }
        return vertx.executeBlocking(() -> {
            loop.close();
            thread.join(1000);
            accounting.close(Duration.ofSeconds(2));
            if (jvmMeters != null) {
                jvmMeters.close();
            }
            return null;
        }).compose(v -> runLog == null ? Future.succeededFuture() : runLog.close())
                .compose(v -> store == null ? Future.succeededFuture() : store.close())
                .compose(v -> vertx.undeploy(deploymentId))
                .compose(v -> management == null ? Future.succeededFuture() : management.close())
                .compose(v -> deadLetters.close())
                .onComplete(ar -> LOG.info("executor stopped"));
    }
}
