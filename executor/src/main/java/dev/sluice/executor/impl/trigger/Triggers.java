package dev.sluice.executor.impl.trigger;

import dev.sluice.core.Catalog;
import dev.sluice.core.Deployed;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.core.trigger.Poll;
import dev.sluice.core.trigger.Schedule;
import dev.sluice.core.trigger.Trigger;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled and polling triggers of the workflows in force, run by one event loop of this
 * process; every executor runs them, and a lease in PostgreSQL makes one of them the holder of each.
 * Workflows kept in PostgreSQL change while the executor runs: {@link #update} then starts the
 * triggers of new workflows, stops those of deleted ones, and restarts those whose definition
 * changed. {@link #none()} when there is nothing to run or nowhere to keep leases.
 */
public final class Triggers {

    private static final Logger LOG = LoggerFactory.getLogger(Triggers.class);
    private static final Triggers NONE = new Triggers(Optional.empty(), Map.of(), false);

    /** The verticle running the triggers; empty for {@link #none()}. */
    private final Optional<Deployed<TriggerVerticle>> running;

    private final Map<String, RouteConfig> routes;
    private final boolean polls;
    private volatile boolean closed;

    private Triggers(Optional<Deployed<TriggerVerticle>> running, Map<String, RouteConfig> routes, boolean polls) {
        this.running = running;
        this.routes = routes;
        this.polls = polls;
    }

    public static Triggers none() {
        return NONE;
    }

    /** Starts the triggers of the catalog's workflows, which do not change. See {@link #start(Vertx, TriggerConfig, Setup)}. */
    public static Future<Triggers> start(
            Vertx vertx,
            TriggerConfig config,
            Catalog catalog,
            KafkaConfig kafka,
            String pgUrl,
            String redisUrl,
            MeterRegistry registry,
            String holder) {
        return start(
                vertx,
                config,
                new Setup(catalog.workflows(), catalog.routes(), false, kafka, pgUrl, redisUrl, registry, holder));
    }

    /**
     * Where the triggers come from and what they use.
     *
     * @param workflows the workflows in force now
     * @param routes    every route, by source (a trigger's events go to one)
     * @param follow    whether the workflows may change later ({@link #update}): the triggers then run even with none yet
     * @param pgUrl     PostgreSQL, for leases and progress (null: no trigger runs)
     * @param redisUrl  Redis, for polled item ids (null: no poll runs)
     * @param holder    this process's name in the lease table (unique per process)
     */
    public record Setup(
            List<WorkflowConfig> workflows,
            Map<String, RouteConfig> routes,
            boolean follow,
            KafkaConfig kafka,
            String pgUrl,
            String redisUrl,
            MeterRegistry registry,
            String holder) {}

    /** Starts the triggers. Needs PostgreSQL (leases, progress); polls also need Redis (item ids). */
    public static Future<Triggers> start(Vertx vertx, TriggerConfig config, Setup setup) {
        boolean polls = setup.redisUrl() != null;
        List<TriggerVerticle.Planned> planned = plan(setup.workflows(), setup.routes(), polls);
        int defined = (int)
                setup.workflows().stream().mapToLong(w -> w.triggers().size()).sum();
        if (planned.isEmpty() && !setup.follow()) {
            return Future.succeededFuture(NONE);
        }
        if (!config.enabled()) {
            LOG.info("{} triggers defined; not run here (executor.triggers.enabled=false)", defined);
            return Future.succeededFuture(NONE);
        }
        if (setup.pgUrl() == null) {
            LOG.warn("{} triggers defined are not run: they need pg.url for their leases", defined);
            return Future.succeededFuture(NONE);
        }
        TriggerVerticle verticle = new TriggerVerticle(
                config, planned, setup.kafka(), setup.pgUrl(), setup.redisUrl(), setup.registry(), setup.holder());
        return Deployed.deploy(vertx, verticle).map(deployed -> {
            LOG.info(
                    "triggers: {} schedules, {} polls, lease {} ms, holder {}{}",
                    planned.stream()
                            .filter(p -> p.trigger() instanceof Schedule)
                            .count(),
                    planned.stream().filter(p -> p.trigger() instanceof Poll).count(),
                    config.lease().toMillis(),
                    setup.holder(),
                    setup.follow() ? ", following the workflows' changes" : "");
            return new Triggers(Optional.of(deployed), Map.copyOf(setup.routes()), polls);
        });
    }

    /** The triggers of {@code workflows}, each with the route its events go to; polls only where Redis is there. */
    private static List<TriggerVerticle.Planned> plan(
            List<WorkflowConfig> workflows, Map<String, RouteConfig> routes, boolean polls) {
        List<TriggerVerticle.Planned> planned = new ArrayList<>();
        for (WorkflowConfig w : workflows) {
            for (Trigger t : w.triggers()) {
                RouteConfig route = routes.get(t.source());
                if (route == null) {
                    LOG.warn("trigger {} is not run: its route {} is not known here", t.name(w.name()), t.source());
                } else if (t instanceof Poll && !polls) {
                    LOG.warn(
                            "trigger {} is not run: polls need redis.url to remember the items they emitted",
                            t.name(w.name()));
                } else {
                    planned.add(new TriggerVerticle.Planned(w.name(), t, route));
                }
            }
        }
        return planned;
    }

    /**
     * The workflows in force changed: runs the triggers they define from now on. A trigger whose
     * workflow is gone stops (its lease given up); a new one starts; a changed one restarts. The
     * future succeeds once every stop and start was made.
     */
    public Future<Void> update(List<WorkflowConfig> workflows) {
        if (running.isEmpty() || closed) {
            return Future.succeededFuture();
        }
        return running.get().verticle().replan(plan(workflows, routes, polls));
    }

    /** The triggers whose lease this process held at its last try. */
    public List<String> leading() {
        return running.map(r -> r.verticle().leading()).orElse(List.of());
    }

    /** Gives every held lease up (a stand-by takes over at its next try) and stops. */
    public Future<Void> close() {
        closed = true;
        return running.map(r -> r.verticle().release().eventually(r::undeploy)).orElse(Future.succeededFuture());
    }
}
