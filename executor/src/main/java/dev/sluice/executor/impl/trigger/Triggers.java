package dev.sluice.executor.impl.trigger;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.core.trigger.Poll;
import dev.sluice.core.trigger.Schedule;
import dev.sluice.core.trigger.Trigger;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled and polling triggers of the catalog's workflows, run by one event loop of this
 * process; every executor runs them, and a lease in PostgreSQL makes one of them the holder of each.
 * {@link #none()} when there is nothing to run or nowhere to keep leases.
 */
public final class Triggers {

    private static final Logger LOG = LoggerFactory.getLogger(Triggers.class);
    private static final Triggers NONE = new Triggers(null, null, null);

    private final Vertx vertx;
    private final String deploymentId;
    private final TriggerVerticle verticle;

    private Triggers(Vertx vertx, String deploymentId, TriggerVerticle verticle) {
        this.vertx = vertx;
        this.deploymentId = deploymentId;
        this.verticle = verticle;
    }

    public static Triggers none() {
        return NONE;
    }

    /**
     * Starts the catalog's triggers. Needs PostgreSQL (leases, progress); polls also need Redis (item ids).
     *
     * @param holder this process's name in the lease table (unique per process)
     */
    public static Future<Triggers> start(Vertx vertx, TriggerConfig config, Catalog catalog, KafkaConfig kafka, String pgUrl,
                                         String redisUrl, MeterRegistry registry, String holder) {
        List<TriggerVerticle.Planned> planned = new ArrayList<>();
        for (WorkflowConfig w : catalog.workflows()) {
            for (Trigger t : w.triggers()) {
                planned.add(new TriggerVerticle.Planned(w.name(), t, catalog.routes().get(t.source())));
            }
        }
        if (planned.isEmpty()) {
            return Future.succeededFuture(NONE);
        }
        if (!config.enabled()) {
            LOG.info("{} triggers in the catalog; not run here (executor.triggers.enabled=false)", planned.size());
            return Future.succeededFuture(NONE);
        }
        if (pgUrl == null) {
            LOG.warn("{} triggers in the catalog are not run: they need pg.url for their leases", planned.size());
            return Future.succeededFuture(NONE);
        }
        if (redisUrl == null && planned.removeIf(p -> p.trigger() instanceof Poll)) {
            LOG.warn("polls in the catalog are not run: they need redis.url to remember the items they emitted");
        }
        TriggerVerticle verticle = new TriggerVerticle(config, planned, kafka, pgUrl, redisUrl, registry, holder);
        return vertx.deployVerticle(verticle).map(id -> {
            LOG.info("triggers: {} schedules, {} polls, lease {} ms, holder {}",
                    planned.stream().filter(p -> p.trigger() instanceof Schedule).count(),
                    planned.stream().filter(p -> p.trigger() instanceof Poll).count(), config.lease().toMillis(), holder);
            return new Triggers(vertx, id, verticle);
        });
    }

    /** The triggers whose lease this process held at its last try. */
    public List<String> leading() {
        return verticle == null ? List.of() : verticle.leading();
    }

    /** Gives every held lease up (a stand-by takes over at its next try) and stops. */
    public Future<Void> close() {
        if (verticle == null) {
            return Future.succeededFuture();
        }
        return verticle.release().eventually(() -> vertx.undeploy(deploymentId));
    }
}
