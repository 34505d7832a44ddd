package dev.sluice.executor;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.MetricNames;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.management.JvmMeters;
import dev.sluice.core.management.KafkaClientMeters;
import dev.sluice.core.management.LiveDashboard;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorServices;
import dev.sluice.executor.impl.ExecutorVerticle;
import dev.sluice.executor.impl.PartitionWorker;
import dev.sluice.executor.impl.guard.TargetGuards;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.kafka.ConsumerLoop;
import dev.sluice.executor.impl.kafka.DeadSpanRecorder;
import dev.sluice.executor.impl.kafka.DeadSpanSkip;
import dev.sluice.executor.impl.state.RedisRunClaims;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.state.WorkflowStore;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.executor.impl.trigger.Triggers;
import dev.sluice.executor.impl.ui.DeadLetterFeed;
import dev.sluice.executor.impl.ui.ExecutorFigures;
import dev.sluice.executor.impl.workflow.RunTracing;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final Optional<WorkflowStore> store;
    private final ExecutorReadiness readiness;
    private final long lagTimer;
    private final JvmMeters jvmMeters;
    private final ManagementServer management;
    /** The schedules and polls this executor may hold; set once they started, after the rest. */
    private volatile Triggers triggers = Triggers.none();

    private final DeadLetterFeed deadLetters;

    private ExecutorApp(
            Vertx vertx,
            ExecutorConfig config,
            ConsumerLoop loop,
            Thread thread,
            AccountingProducer accounting,
            String deploymentId,
            RunLog runLog,
            Optional<WorkflowStore> store,
            ExecutorReadiness readiness,
            AtomicBoolean closing,
            long lagTimer,
            JvmMeters jvmMeters,
            ManagementServer management,
            DeadLetterFeed deadLetters) {
        this.deadLetters = deadLetters;
        this.closing = closing;
        this.runLog = runLog;
        this.store = store;
        this.readiness = readiness;
        this.lagTimer = lagTimer;
        this.jvmMeters = jvmMeters;
        this.management = management;
        this.vertx = vertx;
        this.config = config;
        this.loop = loop;
        this.thread = thread;
        this.accounting = accounting;
        this.deploymentId = deploymentId;
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
        // for +7 ms of median ingest → start (docs/benchmarks/history.md). Override with
        // kafka.consumer.fetch.min.bytes.
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

    public static Future<ExecutorApp> start(
            Vertx vertx, ExecutorConfig config, KafkaConfig kafka, Catalog catalog, PrometheusMeterRegistry registry) {
        return start(vertx, config, TriggerConfig.defaults(), kafka, catalog, registry);
    }

    /** Starts an executor that also runs the catalog's schedules and polls (one holder of each across executors). */
    public static Future<ExecutorApp> start(
            Vertx vertx,
            ExecutorConfig config,
            TriggerConfig triggerConfig,
            KafkaConfig kafka,
            Catalog catalog,
            PrometheusMeterRegistry registry) {
        return start(vertx, config, triggerConfig, kafka, catalog, registry, Tracing.off());
    }

    /** The same, with each event's run and each step's request traced into {@code tracing} ({@link RunTracing}). */
    public static Future<ExecutorApp> start(
            Vertx vertx,
            ExecutorConfig config,
            TriggerConfig triggerConfig,
            KafkaConfig kafka,
            Catalog catalog,
            PrometheusMeterRegistry registry,
            Tracing tracing) {
        if (config.workflowsFromPostgres() && config.pgUrl() == null) {
            return Future.failedFuture(new dev.sluice.core.ConfigException("executor.workflows=postgres needs pg.url"));
        }
        WorkflowTable table = new WorkflowTable(config.workflowsFromPostgres() ? List.of() : catalog.workflows());
        // With workflows in PostgreSQL any route may gain a workflow at any time: read every routed topic.
        Set<String> sources = config.workflowsFromPostgres()
                ? catalog.routes().keySet()
                : catalog.workflowsBySource().keySet();
        Set<String> topics = new TreeSet<>();
        Map<String, Long> ttlByTopic = new HashMap<>();
        sources.forEach(source -> {
            RouteConfig route = catalog.routes().get(source);
            topics.add(route.topic());
            ttlByTopic.merge(route.topic(), route.ttl().toMillis(), Math::max);
        });
        ExecutorMetrics metrics = new ExecutorMetrics(registry);
        TargetGuards targets = new TargetGuards(config.targets(), registry);
        AtomicInteger inFlight = new AtomicInteger();
        Gauge.builder(MetricNames.EXECUTOR_IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Events in progress in this process")
                .register(registry);
        String owner = config.groupId() + "/" + hostName() + "/"
                + ProcessHandle.current().pid() + "/"
                + Long.toHexString(
                        java.util.concurrent.ThreadLocalRandom.current().nextLong());
        Optional<Redis> redis = Optional.ofNullable(config.redisUrl())
                .map(url -> Redis.createClient(
                        vertx,
                        new RedisOptions()
                                .setConnectionString(url)
                                .setMaxPoolSize(16)
                                .setMaxPoolWaiting(10_000)));
        RunClaims claims = redis.<RunClaims>map(r ->
                        new RedisRunClaims(vertx, r, owner, registry, config.redisBatchWindow(), config.claimTimeout()))
                .orElseGet(() -> {
                    LOG.warn("no redis.url: runs are not claimed, so a redelivered event may run again");
                    return RunClaims.none();
                });
        java.util.concurrent.atomic.AtomicReference<Optional<WorkflowStore>> storeRef =
                new java.util.concurrent.atomic.AtomicReference<>();
        Future<RunLog> runLogReady = StateStores.runLog(vertx, config, owner, registry)
                .compose(runLog -> (config.workflowsFromPostgres()
                                ? StateStores.workflowStore(vertx, config, catalog, table)
                                        .map(Optional::of)
                                : Future.succeededFuture(Optional.<WorkflowStore>empty()))
                        .map(store -> {
                            storeRef.set(store);
                            return runLog;
                        }));
        List<ExecutorVerticle> verticles = new CopyOnWriteArrayList<>();
        AtomicBoolean closingFlag = new AtomicBoolean();
        return runLogReady
                .compose(runLog -> vertx.executeBlocking(() -> AccountingProducer.create(kafka))
                        .compose(accounting -> vertx.deployVerticle(
                                        () -> {
                                            ExecutorVerticle v = new ExecutorVerticle(new ExecutorServices(
                                                    config,
                                                    table,
                                                    accounting,
                                                    metrics,
                                                    claims,
                                                    runLog,
                                                    redis.map(RedisAPI::api),
                                                    targets,
                                                    RunTracing.of(tracing)));
                                            verticles.add(v);
                                            return v;
                                        },
                                        new DeploymentOptions().setInstances(config.instances()))
                                .compose(deploymentId -> vertx.executeBlocking(() -> {
                                            // The consumer's own metrics reach /metrics through a reporter (safe while
                                            // the loop polls).
                                            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                                                    kafka.consumerProperties(KafkaClientMeters.report(
                                                            consumerDefaults(config), registry)));
                                            int[] next = {0};
                                            DeadSpanSkip.DeadSpans deadSpans = new DeadSpanRecorder(
                                                    vertx, accounting, metrics, runLog, ttlByTopic, closingFlag::get);
                                            ConsumerLoop loop = new ConsumerLoop(
                                                    consumer,
                                                    topics,
                                                    config,
                                                    tp -> {
                                                        ExecutorVerticle v = verticles.get(
                                                                Math.floorMod(next[0]++, verticles.size()));
                                                        return new PartitionWorker(
                                                                tp, v.context(), v.runner(), inFlight);
                                                    },
                                                    inFlight,
                                                    deadSpans,
                                                    metrics::polled);
                                            Thread thread = new Thread(loop, "sluice-consumer");
                                            thread.setDaemon(true);
                                            thread.start();
                                            return new Started(loop, thread);
                                        })
                                        .compose(started -> {
                                            ExecutorReadiness readiness = new ExecutorReadiness(
                                                    config,
                                                    started.loop(),
                                                    runLog,
                                                    claims,
                                                    storeRef.get(),
                                                    closingFlag);
                                            DeadLetterFeed deadLetters = new DeadLetterFeed(vertx, config.pgUrl());
                                            return ManagementServer.start(
                                                            vertx,
                                                            config.host(),
                                                            config.managementPort(),
                                                            registry,
                                                            readiness::check,
                                                            Map.of(
                                                                    LiveDashboard.PATH,
                                                                    new LiveDashboard(
                                                                            vertx,
                                                                            "executor",
                                                                            new ExecutorFigures(
                                                                                    registry,
                                                                                    deadLetters,
                                                                                    table::all,
                                                                                    catalog.routes()))))
                                                    .map(m -> {
                                                        LOG.info(
                                                                "executor consuming {} with group {} ({} event loops, management :{}, claims {}, "
                                                                        + "run log {})",
                                                                topics,
                                                                config.groupId(),
                                                                config.instances(),
                                                                config.managementPort(),
                                                                claims.describe(),
                                                                runLog.status(Long.MAX_VALUE));
                                                        // JVM, GC, process, threads beside Sluice's own meters.
                                                        return new ExecutorApp(
                                                                vertx,
                                                                config,
                                                                started.loop(),
                                                                started.thread(),
                                                                accounting,
                                                                deploymentId,
                                                                runLog,
                                                                storeRef.get(),
                                                                readiness,
                                                                closingFlag,
                                                                registerLag(vertx, registry, started.loop()),
                                                                JvmMeters.bind(registry),
                                                                m,
                                                                deadLetters);
                                                    });
                                        }))))
                .compose(app -> Triggers.start(
                                vertx,
                                triggerConfig,
                                new Triggers.Setup(
                                        table.all(),
                                        catalog.routes(),
                                        config.workflowsFromPostgres(),
                                        kafka,
                                        config.pgUrl(),
                                        config.redisUrl(),
                                        registry,
                                        owner))
                        .map(t -> {
                            app.triggers = t;
                            // Workflows kept in PostgreSQL: their triggers follow each load (and the one that may have
                            // come meanwhile).
                            app.store.ifPresent(s -> {
                                s.onLoad(t::update);
                                t.update(table.all());
                            });
                            return app;
                        }));
    }

    private record Started(ConsumerLoop loop, Thread thread) {}

    /** {@code sluice_executor_lag{topic,partition}}: records behind the log end, refreshed with each commit. */
    private static long registerLag(Vertx vertx, PrometheusMeterRegistry registry, ConsumerLoop loop) {
        io.micrometer.core.instrument.MultiGauge gauge = io.micrometer.core.instrument.MultiGauge.builder(
                        "sluice.executor.lag")
                .description("Records behind the log end, per assigned partition")
                .register(registry);
        return vertx.setPeriodic(
                1000,
                id -> gauge.register(
                        loop.lag().entrySet().stream()
                                .map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(
                                        io.micrometer.core.instrument.Tags.of(
                                                "topic",
                                                e.getKey().topic(),
                                                "partition",
                                                Integer.toString(e.getKey().partition())),
                                        e.getValue()))
                                .toList(),
                        true));
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null ? "local" : h;
    }

    /** See {@link ExecutorReadiness#check()}. */
    public ManagementServer.Readiness readiness() {
        return readiness.check();
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
        vertx.cancelTimer(lagTimer);
        // The blocking part runs on a context taken now: triggers.close() completes on the trigger
        // verticle's context, which its undeploy closes, and Vert.x interrupts blocking work of a
        // closed context (seen as an InterruptedException in thread.join).
        Context own = vertx.getOrCreateContext();
        return triggers.close()
                .recover(err -> Future.succeededFuture())
                .compose(x -> own.executeBlocking(() -> {
                    loop.close();
                    thread.join(1000);
                    accounting.close(Duration.ofSeconds(2));
                    jvmMeters.close();
                    return null;
                }))
                .compose(v -> runLog.close())
                .compose(v -> store.map(WorkflowStore::close).orElseGet(Future::succeededFuture))
                .compose(v -> vertx.undeploy(deploymentId))
                .compose(v -> management.close())
                .compose(v -> deadLetters.close())
                .onComplete(ar -> LOG.info("executor stopped"));
    }
}
