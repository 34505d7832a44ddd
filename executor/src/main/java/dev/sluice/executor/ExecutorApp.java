package dev.sluice.executor;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.management.JvmMeters;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.kafka.ConsumerLoop;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.state.WorkflowStore;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.executor.impl.trigger.Triggers;
import dev.sluice.executor.impl.ui.DeadLetterFeed;
import dev.sluice.executor.impl.workflow.RunTracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running executor: one consumer thread feeding partition workers on every event loop. */
public final class ExecutorApp {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorApp.class);

    private final Vertx vertx;
    private final ExecutorConfig config;
    private final Parts parts;
    /** The schedules and polls this executor may hold; set once they started, after the rest. */
    private volatile Triggers triggers = Triggers.none();

    /**
     * What a started executor holds and closes: the consumer loop and its thread, the accounting
     * producer, the worker verticles' deployment, its state stores, readiness, the lag gauge's timer,
     * the JVM meters, the management server and the dead-letter feed of its dashboard.
     */
    record Parts(
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
            DeadLetterFeed deadLetters) {}

    ExecutorApp(Vertx vertx, ExecutorConfig config, Parts parts) {
        this.vertx = vertx;
        this.config = config;
        this.parts = parts;
    }

    public static Future<ExecutorApp> start(
            Vertx vertx, ExecutorConfig config, KafkaConfig kafka, Catalog catalog, PrometheusMeterRegistry registry) {
        return start(vertx, config, TriggerConfig.defaults(), kafka, catalog, registry, Tracing.off());
    }

    /**
     * Starts an executor that also runs the catalog's schedules and polls (one holder of each across
     * executors), with each event's run and each step's request traced into {@code tracing} ({@link RunTracing}).
     */
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
        return new ExecutorStartup(vertx, config, triggerConfig, kafka, catalog, registry, tracing).start();
    }

    /** The triggers started after the rest; they are closed first. */
    void triggers(Triggers started) {
        this.triggers = started;
    }

    Optional<WorkflowStore> store() {
        return parts.store();
    }

    /** See {@link ExecutorReadiness#check()}. */
    public ManagementServer.Readiness readiness() {
        return parts.readiness().check();
    }

    /** Partitions this executor holds now, with their in-flight counts. */
    public Map<TopicPartition, Integer> assignment() {
        Map<TopicPartition, Integer> out = new HashMap<>();
        parts.loop().workers().forEach((tp, w) -> out.put(tp, w.inFlight()));
        return out;
    }

    /** Stops polling, lets runs in progress finish (bounded), commits, leaves the group, closes. */
    public Future<Void> close() {
        if (!parts.closing().compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        LOG.info("executor stopping (bound {} ms)", config.shutdownTimeout().toMillis());
        vertx.cancelTimer(parts.lagTimer());
        // The blocking part runs on a context taken now: triggers.close() completes on the trigger
        // verticle's context, which its undeploy closes, and Vert.x interrupts blocking work of a
        // closed context (seen as an InterruptedException in thread.join).
        Context own = vertx.getOrCreateContext();
        return triggers.close()
                .recover(err -> Future.succeededFuture())
                .compose(x -> own.executeBlocking(() -> {
                    parts.loop().close();
                    parts.thread().join(1000);
                    parts.accounting().close(Duration.ofSeconds(2));
                    parts.jvmMeters().close();
                    return null;
                }))
                .compose(v -> parts.runLog().close())
                .compose(v -> parts.store().map(WorkflowStore::close).orElseGet(Future::succeededFuture))
                .compose(v -> vertx.undeploy(parts.deploymentId()))
                .compose(v -> parts.management().close())
                .compose(v -> parts.deadLetters().close())
                .onComplete(ar -> LOG.info("executor stopped"));
    }
}
