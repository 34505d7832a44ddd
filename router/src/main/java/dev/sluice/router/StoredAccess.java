package dev.sluice.router;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.db.Migrations;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.AccessStore;
import dev.sluice.router.impl.http.IngestState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants, API keys and stored sources from PostgreSQL ({@code pg.url}), kept current through
 * LISTEN/NOTIFY; {@link #none()} without PostgreSQL (the catalog file only, no keys).
 */
sealed interface StoredAccess permits StoredAccess.None, StoredAccess.Live {

    Logger LOG = LoggerFactory.getLogger(StoredAccess.class);

    /** What the store holds now; empty until the first load. */
    AccessSnapshot snapshot();

    /** The pool the admin API works on, if there is a database. */
    Optional<Pool> pool();

    /** The store's part of the readiness details, if there is a store. */
    Optional<JsonObject> details();

    Future<Void> close();

    static StoredAccess none() {
        return None.INSTANCE;
    }

    /**
     * Applies the schema, loads tenants, keys and stored sources, and keeps them current. PostgreSQL
     * being down does not stop the start: the store keeps trying, and sources that need a key refuse
     * every request until the first load.
     */
    static Future<StoredAccess> start(
            Vertx vertx, String pgUrl, long refreshMillis, IngestState state, PrometheusMeterRegistry registry) {
        PgConnectOptions connect = PgConnectOptions.fromUri(pgUrl).addProperty("client_min_messages", "warning");
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(4))
                .connectingTo(connect)
                .using(vertx)
                .build();
        AtomicReference<AccessStore> self = new AtomicReference<>();
        AccessStore store = new AccessStore(
                vertx,
                pool,
                connect,
                refreshMillis,
                snapshot -> applyStored(vertx, state, snapshot, () -> self.get().snapshot()));
        self.set(store);
        Gauge.builder("sluice.router.access.store.up", store, st -> st.healthy() ? 1 : 0)
                .description(
                        "1 while tenants, keys and sources are loaded and listened to; 0 while served from memory only")
                .register(registry);
        return Migrations.apply(pool)
                .onFailure(e -> LOG.warn(
                        "schema not applied (PostgreSQL unreachable?); the access store keeps retrying: {}",
                        e.toString()))
                .otherwiseEmpty()
                .compose(v -> store.start())
                // Stored sources take traffic from the first request on.
                .compose(v -> applyStored(vertx, state, store.snapshot(), store::snapshot))
                .map(v -> new Live(store, pool));
    }

    /**
     * Stored sources take effect once their topics have been looked at, so they never start with
     * "unknown"; a snapshot overtaken by a newer one while its topics were checked is not applied.
     */
    private static Future<Void> applyStored(
            Vertx vertx, IngestState state, AccessSnapshot snapshot, Supplier<AccessSnapshot> current) {
        List<String> topics = snapshot.sources().values().stream()
                .map(RouteConfig::topic)
                .distinct()
                .toList();
        return vertx.executeBlocking(
                        () -> {
                            state.topics().track(topics);
                            state.topics().refresh(2000);
                            return null;
                        },
                        false)
                .otherwiseEmpty()
                .map(v -> {
                    if (current.get() == snapshot) {
                        snapshot.sources().keySet().forEach(state.metrics()::route);
                        state.routes().replaceStored(snapshot.sources());
                    }
                    return null;
                });
    }

    /** No PostgreSQL: nothing stored, nothing to report or close. */
    enum None implements StoredAccess {
        INSTANCE;

        @Override
        public AccessSnapshot snapshot() {
            return AccessSnapshot.EMPTY;
        }

        @Override
        public Optional<Pool> pool() {
            return Optional.empty();
        }

        @Override
        public Optional<JsonObject> details() {
            return Optional.empty();
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    }

    /** A store on PostgreSQL. */
    record Live(AccessStore store, Pool database) implements StoredAccess {

        @Override
        public AccessSnapshot snapshot() {
            return store.snapshot();
        }

        @Override
        public Optional<Pool> pool() {
            return Optional.of(database);
        }

        /** PostgreSQL down does not make the router unready: ingest goes on with the keys in memory. */
        @Override
        public Optional<JsonObject> details() {
            AccessSnapshot s = store.snapshot();
            JsonObject a = new JsonObject()
                    .put("store", store.healthy() ? "live" : "serving from memory: " + store.lastError())
                    .put(
                            "loadedAt",
                            store.loadedAtMillis() == 0
                                    ? null
                                    : Instant.ofEpochMilli(store.loadedAtMillis())
                                            .toString())
                    .put("tenants", s.tenants().size())
                    .put("keys", s.keys().size())
                    .put("sources", s.sources().size());
            if (!s.rejected().isEmpty()) {
                a.put("rejectedSources", new JsonArray(s.rejected()));
            }
            return Optional.of(a);
        }

        @Override
        public Future<Void> close() {
            return store.close().eventually(database::close);
        }
    }
}
