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
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an executor, in order: its state stores, the accounting producer, a worker verticle per
 * event loop, the consumer thread that feeds them, the management server, then the triggers.
 */
final class ExecutorStartup {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorStartup.class);

    private final Vertx vertx;
    private final ExecutorConfig config;
    private final TriggerConfig triggerConfig;
    private final KafkaConfig kafka;
    private final Catalog catalog;
    private final PrometheusMeterRegistry registry;
    private final Tracing tracing;
    private final WorkflowTable table;
    private final Set<String> topics = new TreeSet<>();
    private final Map<String, Long> ttlByTopic = new HashMap<>();
    private final ExecutorMetrics metrics;
    private final TargetGuards targets;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** This process's name in the run claims, the run log and the trigger leases. */
    private final String owner;

    private final Optional<Redis> redis;
    private final RunClaims claims;
    private final List<ExecutorVerticle> verticles = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    /** The run log and, with workflows kept in PostgreSQL, their store. */
    private record Stores(RunLog runLog, Optional<WorkflowStore> store) {}

    private record Started(ConsumerLoop loop, Thread thread) {}

    ExecutorStartup(
            Vertx vertx,
            ExecutorConfig config,
            TriggerConfig triggerConfig,
            KafkaConfig kafka,
            Catalog catalog,
            PrometheusMeterRegistry registry,
            Tracing tracing) {
        this.vertx = vertx;
        this.config = config;
        this.triggerConfig = triggerConfig;
        this.kafka = kafka;
        this.catalog = catalog;
        this.registry = registry;
        this.tracing = tracing;
        this.table = new WorkflowTable(config.workflowsFromPostgres() ? List.of() : catalog.workflows());
        // With workflows in PostgreSQL any route may gain a workflow at any time: read every routed topic.
        Set<String> sources = config.workflowsFromPostgres()
                ? catalog.routes().keySet()
                : catalog.workflowsBySource().keySet();
        sources.forEach(source -> {
            RouteConfig route = catalog.routes().get(source);
            topics.add(route.topic());
            ttlByTopic.merge(route.topic(), route.ttl().toMillis(), Math::max);
        });
        this.metrics = new ExecutorMetrics(registry);
        this.targets = new TargetGuards(config.targets(), registry);
        Gauge.builder(MetricNames.EXECUTOR_IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Events in progress in this process")
                .register(registry);
        this.owner = config.groupId() + "/" + hostName() + "/"
                + ProcessHandle.current().pid() + "/"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        this.redis = Optional.ofNullable(config.redisUrl())
                .map(url -> Redis.createClient(
                        vertx,
                        new RedisOptions()
                                .setConnectionString(url)
                                .setMaxPoolSize(16)
                                .setMaxPoolWaiting(10_000)));
        this.claims = redis.<RunClaims>map(r ->
                        new RedisRunClaims(vertx, r, owner, registry, config.redisBatchWindow(), config.claimTimeout()))
                .orElseGet(() -> {
                    LOG.warn("no redis.url: runs are not claimed, so a redelivered event may run again");
                    return RunClaims.none();
                });
    }

    Future<ExecutorApp> start() {
        return stores().compose(stores -> vertx.executeBlocking(() -> AccountingProducer.create(kafka))
                        .compose(accounting -> deployWorkers(stores.runLog(), accounting)
                                .compose(deploymentId -> vertx.executeBlocking(
                                                () -> startConsumer(stores.runLog(), accounting))
                                        .compose(started -> serve(stores, accounting, deploymentId, started)))))
                .compose(this::startTriggers);
    }

    private Future<Stores> stores() {
        return StateStores.runLog(vertx, config, owner, registry)
                .compose(runLog -> (config.workflowsFromPostgres()
                                ? StateStores.workflowStore(vertx, config, catalog, table)
                                        .map(Optional::of)
                                : Future.succeededFuture(Optional.<WorkflowStore>empty()))
                        .map(store -> new Stores(runLog, store)));
    }

    /** A worker verticle per event loop; returns the deployment's id. */
    private Future<String> deployWorkers(RunLog runLog, AccountingProducer accounting) {
        return vertx.deployVerticle(
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
                new DeploymentOptions().setInstances(config.instances()));
    }

    /** The consumer and its thread, which hands each assigned partition to the verticles in turn. Blocking. */
    private Started startConsumer(RunLog runLog, AccountingProducer accounting) {
        // The consumer's own metrics reach /metrics through a reporter (safe while the loop polls).
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                kafka.consumerProperties(KafkaClientMeters.report(ConsumerLoop.consumerDefaults(config), registry)));
        int[] next = {0};
        ConsumerLoop loop = new ConsumerLoop(
                consumer,
                topics,
                config,
                tp -> {
                    ExecutorVerticle v = verticles.get(Math.floorMod(next[0]++, verticles.size()));
                    return new PartitionWorker(tp, v.context(), v.runner(), inFlight);
                },
                inFlight,
                new DeadSpanRecorder(vertx, accounting, metrics, runLog, ttlByTopic, closing::get),
                metrics::polled);
        Thread thread = new Thread(loop, "sluice-consumer");
        thread.setDaemon(true);
        thread.start();
        return new Started(loop, thread);
    }

    /** Readiness, the management server and the dashboard; then the executor is up. */
    private Future<ExecutorApp> serve(
            Stores stores, AccountingProducer accounting, String deploymentId, Started started) {
        ExecutorReadiness readiness =
                new ExecutorReadiness(config, started.loop(), stores.runLog(), claims, stores.store(), closing);
        DeadLetterFeed deadLetters = new DeadLetterFeed(vertx, config.pgUrl());
        LiveDashboard dashboard = new LiveDashboard(
                vertx, "executor", new ExecutorFigures(registry, deadLetters, table::all, catalog.routes()));
        return ManagementServer.start(
                        vertx,
                        config.host(),
                        config.managementPort(),
                        registry,
                        readiness::check,
                        Map.of(LiveDashboard.PATH, dashboard))
                .map(m -> {
                    LOG.info(
                            "executor consuming {} with group {} ({} event loops, management :{}, claims {}, run log {})",
                            topics,
                            config.groupId(),
                            config.instances(),
                            config.managementPort(),
                            claims.describe(),
                            stores.runLog().status(Long.MAX_VALUE));
                    return new ExecutorApp(
                            vertx,
                            config,
                            new ExecutorApp.Parts(
                                    started.loop(),
                                    started.thread(),
                                    accounting,
                                    deploymentId,
                                    stores.runLog(),
                                    stores.store(),
                                    readiness,
                                    closing,
                                    registerLag(started.loop()),
                                    // JVM, GC, process, threads beside Sluice's own meters.
                                    JvmMeters.bind(registry),
                                    m,
                                    deadLetters));
                });
    }

    private Future<ExecutorApp> startTriggers(ExecutorApp app) {
        return Triggers.start(
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
                    app.triggers(t);
                    // Workflows kept in PostgreSQL: their triggers follow each load (and the one that may have
                    // come meanwhile).
                    app.store().ifPresent(s -> {
                        s.onLoad(t::update);
                        t.update(table.all());
                    });
                    return app;
                });
    }

    /** {@code sluice_executor_lag{topic,partition}}: records behind the log end, refreshed with each commit. */
    private long registerLag(ConsumerLoop loop) {
        MultiGauge gauge = MultiGauge.builder("sluice.executor.lag")
                .description("Records behind the log end, per assigned partition")
                .register(registry);
        return vertx.setPeriodic(
                1000,
                id -> gauge.register(
                        loop.lag().entrySet().stream()
                                .map(e -> MultiGauge.Row.of(
                                        Tags.of(
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
}
