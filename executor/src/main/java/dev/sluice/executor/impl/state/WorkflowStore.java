package dev.sluice.executor.impl.state;

import dev.sluice.core.Catalog;
import dev.sluice.core.ConfigException;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workflows kept in PostgreSQL ({@code sluice_workflows}: name, definition as JSON). Loaded at
 * start and again whenever a row changes ({@code LISTEN sluice_workflows}, fed by a trigger), so
 * an edit reaches every executor within moments. Each definition is validated against the routes
 * as a catalog workflow is; an invalid one is logged with the field at fault and left out, and
 * the others still load.
 */
public final class WorkflowStore {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowStore.class);
    public static final String CHANNEL = "sluice_workflows";

    private final Vertx vertx;
    private final Pool pool;
    private final PgConnectOptions connect;
    private final Map<String, RouteConfig> routes;
    private final WorkflowTable table;
    private PgSubscriber subscriber;
    private volatile List<String> rejected = List.of();
    private final Object reloadLock = new Object();
    private final AtomicLong loads = new AtomicLong();
    private Promise<Void> running;
    private Promise<Void> queued;
    private volatile Consumer<List<WorkflowConfig>> onLoad = loaded -> {};

    public WorkflowStore(
            Vertx vertx, Pool pool, PgConnectOptions connect, Map<String, RouteConfig> routes, WorkflowTable table) {
        this.vertx = vertx;
        this.pool = pool;
        this.connect = connect;
        this.routes = routes;
        this.table = table;
    }

    /** Loads the workflows, then listens for changes (reconnecting if the connection drops). */
    public Future<Void> start() {
        subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(retries -> 1000L);
        subscriber
                .channel(CHANNEL)
                .handler(name -> reload().onFailure(e -> LOG.warn("workflow reload failed: {}", e.toString())))
                .subscribeHandler(v -> reload().onFailure(e -> LOG.warn("workflow reload failed: {}", e.toString())));
        return reload().compose(v -> subscriber.connect());
    }

    /**
     * Reads every definition and swaps the table. At most one read runs at a time: a call made while
     * one is running is answered by a single follow-up read shared by every such call, which starts
     * when the running one ends. So a burst of edits costs two reads, and an older read can never
     * finish after a newer one and put back definitions that have since changed.
     */
    public Future<Void> reload() {
        synchronized (reloadLock) {
            if (running == null) {
                running = Promise.promise();
                Promise<Void> now = running;
                load(now);
                return now.future();
            }
            if (queued == null) {
                queued = Promise.promise();
            }
            return queued.future();
        }
    }

    private void load(Promise<Void> done) {
        loads.incrementAndGet();
        read().onComplete(ar -> {
            Promise<Void> next;
            synchronized (reloadLock) {
                next = queued;
                queued = null;
                running = next;
            }
            if (next != null) {
                load(next);
            }
            done.handle(ar);
        });
    }

    private Future<Void> read() {
        return pool.query("SELECT name, definition FROM sluice_workflows ORDER BY name")
                .execute()
                .map(rows -> {
                    List<WorkflowConfig> loaded = new ArrayList<>();
                    List<String> bad = new ArrayList<>();
                    for (Row r : rows) {
                        String name = r.getString("name");
                        try {
                            Object raw = r.getJson("definition");
                            JsonObject def = (raw instanceof String text
                                            ? new JsonObject(text)
                                            : ((JsonObject) raw).copy())
                                    .put("name", name);
                            Catalog one = Catalog.parse(new JsonObject()
                                    .put("routes", routesJson())
                                    .put("workflows", new JsonArray().add(def)));
                            loaded.addAll(one.workflows());
                        } catch (ConfigException | ClassCastException | io.vertx.core.json.DecodeException e) {
                            bad.add(name + ": " + e.getMessage());
                            LOG.error(
                                    "workflow {} in PostgreSQL is invalid and is not loaded: {}", name, e.getMessage());
                        }
                    }
                    table.replace(loaded);
                    rejected = List.copyOf(bad);
                    try {
                        onLoad.accept(List.copyOf(loaded));
                    } catch (RuntimeException e) {
                        LOG.error("workflows loaded, but a listener of the load failed", e);
                    }
                    LOG.info(
                            "{} workflows loaded from PostgreSQL{}",
                            loaded.size(),
                            bad.isEmpty() ? "" : ", " + bad.size() + " rejected");
                    return null;
                });
    }

    /** Hears each load's workflows (after the table has them), in the order of the loads; replaces the previous listener. */
    public void onLoad(Consumer<List<WorkflowConfig>> listener) {
        onLoad = listener;
    }

    /** How many times the definitions have been read. */
    public long loads() {
        return loads.get();
    }

    private JsonArray routesJson() {
        JsonArray out = new JsonArray();
        routes.values()
                .forEach(r -> out.add(new JsonObject().put("source", r.source()).put("topic", r.topic())));
        return out;
    }

    /** Definitions left out at the last load, each with its reason. */
    public List<String> rejected() {
        return rejected;
    }

    public Future<Void> close() {
        return subscriber == null ? Future.succeededFuture() : subscriber.close();
    }
}
