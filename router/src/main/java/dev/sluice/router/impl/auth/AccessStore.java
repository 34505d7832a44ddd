package dev.sluice.router.impl.auth;

import dev.sluice.core.Catalog;
import dev.sluice.core.ConfigException;
import dev.sluice.core.RateLimit;
import dev.sluice.core.RouteConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants, API keys, client certificates and stored sources, held in memory and read on the hot path without a
 * database round trip. Loaded whole at start; loaded whole again on every {@code NOTIFY
 * sluice_access} (a statement trigger on each table sends it), on every (re)connection of the
 * listening connection, and every {@code refresh} as a safety net. The listening connection is
 * reopened with exponential backoff (100 ms doubling to 5 s, with jitter) when it drops.
 *
 * <p>While PostgreSQL is unreachable the last snapshot keeps serving: ingest goes on with the keys
 * known at that moment. {@link #healthy()} turns false and {@link #lastError()} says why; the
 * router reports both in a gauge and in readiness details without turning not-ready.
 */
public final class AccessStore {

    private static final Logger LOG = LoggerFactory.getLogger(AccessStore.class);
    public static final String CHANNEL = "sluice_access";
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5000;

    private final Vertx vertx;
    private final Pool pool;
    private final PgConnectOptions connect;
    private final Consumer<AccessSnapshot> onChange;
    private final long refreshMillis;
    private volatile AccessSnapshot snapshot = AccessSnapshot.EMPTY;
    private volatile boolean listening;
    private volatile boolean loaded;
    private volatile String lastError = "not loaded yet";
    private volatile long loadedAtMillis;
    private volatile long reloads;
    private PgConnection listener;
    private int attempts;
    private boolean reloading;
    private boolean reloadAgain;
    private boolean closed;
    private long refreshTimer = -1;

    public AccessStore(
            Vertx vertx, Pool pool, PgConnectOptions connect, long refreshMillis, Consumer<AccessSnapshot> onChange) {
        this.vertx = vertx;
        this.pool = pool;
        this.connect = connect;
        this.refreshMillis = refreshMillis;
        this.onChange = onChange;
    }

    /** Loads once and starts listening; completes even when PostgreSQL is down (the store then retries). */
    public Future<Void> start() {
        if (refreshMillis > 0) {
            refreshTimer = vertx.setPeriodic(refreshMillis, id -> reload());
        }
        return reload().otherwiseEmpty().compose(v -> listen()).otherwiseEmpty();
    }

    public AccessSnapshot snapshot() {
        return snapshot;
    }

    /** True when the last load succeeded and changes are being listened to. */
    public boolean healthy() {
        return loaded && listening;
    }

    public String lastError() {
        return lastError;
    }

    public long loadedAtMillis() {
        return loadedAtMillis;
    }

    public long reloads() {
        return reloads;
    }

    private synchronized Future<Void> listen() {
        if (closed) {
            return Future.succeededFuture();
        }
        return PgConnection.connect(vertx, connect)
                .compose(conn -> {
                    conn.notificationHandler(n -> reload());
                    conn.closeHandler(v -> onListenerClosed());
                    return conn.query("LISTEN " + CHANNEL)
                            .execute()
                            .map(rows -> conn)
                            .onFailure(e -> conn.close());
                })
                .compose(conn -> {
                    synchronized (this) {
                        listener = conn;
                        attempts = 0;
                        listening = true;
                    }
                    LOG.info("listening for access changes on {}", CHANNEL);
                    // Whatever changed while nobody listened is picked up by a full load.
                    return reload();
                })
                .onFailure(e -> {
                    listening = false;
                    lastError = "listen: " + e.getMessage();
                    scheduleReconnect();
                });
    }

    private void onListenerClosed() {
        synchronized (this) {
            listener = null;
            listening = false;
            if (closed) {
                return;
            }
        }
        lastError = "the listening connection closed";
        LOG.warn("access store: listening connection to PostgreSQL lost; serving the keys in memory and reconnecting");
        scheduleReconnect();
    }

    private synchronized void scheduleReconnect() {
        if (closed) {
            return;
        }
        long backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempts, 10));
        attempts++;
        long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        vertx.setTimer(delay, id -> listen());
    }

    /** Loads everything again; overlapping requests collapse into one more load after the current one. */
    public Future<Void> reload() {
        synchronized (this) {
            if (closed) {
                return Future.succeededFuture();
            }
            if (reloading) {
                reloadAgain = true;
                return Future.succeededFuture();
            }
            reloading = true;
        }
        return load().transform(ar -> {
            boolean again;
            synchronized (this) {
                reloading = false;
                again = reloadAgain;
                reloadAgain = false;
            }
            if (ar.succeeded()) {
                snapshot = ar.result();
                loaded = true;
                loadedAtMillis = System.currentTimeMillis();
                reloads++;
                if (listening) {
                    lastError = null;
                }
                onChange.accept(ar.result());
            } else {
                loaded = false;
                lastError = "load: " + ar.cause().getMessage();
                LOG.warn(
                        "access store: load failed, serving the previous snapshot: {}",
                        ar.cause().toString());
            }
            Future<Void> next = again ? reload() : Future.succeededFuture();
            return ar.succeeded() ? next : next.compose(v -> Future.failedFuture(ar.cause()));
        });
    }

    private Future<AccessSnapshot> load() {
        return pool.withTransaction(conn -> conn.query(
                        "SELECT id, revoked_at IS NOT NULL AS revoked, events_per_second, "
                                + "bytes_per_second FROM sluice_tenants")
                .execute()
                .compose(tenants -> conn.query(
                                "SELECT id, tenant, hash, revoked_at IS NOT NULL AS revoked FROM sluice_api_keys")
                        .execute()
                        .compose(keys -> conn.query("SELECT source, definition FROM sluice_sources")
                                .execute()
                                .compose(sources -> conn.query(
                                                "SELECT fingerprint, tenant, revoked_at IS NOT NULL AS revoked "
                                                        + "FROM sluice_client_certs")
                                        .execute()
                                        .map(certs -> build(tenants, keys, sources, certs))))));
    }

    private static AccessSnapshot build(
            Iterable<Row> tenantRows, Iterable<Row> keyRows, Iterable<Row> sourceRows, Iterable<Row> certRows) {
        Map<String, AccessSnapshot.Tenant> tenants = new HashMap<>();
        for (Row r : tenantRows) {
            Long events = r.getLong("events_per_second");
            Long bytes = r.getLong("bytes_per_second");
            tenants.put(
                    r.getString("id"),
                    new AccessSnapshot.Tenant(
                            r.getString("id"),
                            r.getBoolean("revoked"),
                            RateLimit.of(events == null ? 0 : events, bytes == null ? 0 : bytes)));
        }
        Map<String, AccessSnapshot.Key> keys = new HashMap<>();
        for (Row r : keyRows) {
            Buffer hash = r.getBuffer("hash");
            keys.put(
                    r.getString("id"),
                    new AccessSnapshot.Key(
                            r.getString("id"), r.getString("tenant"), hash.getBytes(), r.getBoolean("revoked")));
        }
        Map<String, RouteConfig> sources = new HashMap<>();
        List<String> rejected = new ArrayList<>();
        for (Row r : sourceRows) {
            String source = r.getString("source");
            try {
                Object raw = r.getJson("definition");
                JsonObject def = (raw instanceof String text ? new JsonObject(text) : ((JsonObject) raw).copy())
                        .put("source", source);
                sources.put(source, Catalog.parseRoute(def));
            } catch (ConfigException | ClassCastException | io.vertx.core.json.DecodeException e) {
                rejected.add(source + ": " + e.getMessage());
                LOG.error("source {} in PostgreSQL is invalid and is not loaded: {}", source, e.getMessage());
            }
        }
        Map<String, AccessSnapshot.Certificate> certs = new HashMap<>();
        for (Row r : certRows) {
            certs.put(
                    r.getString("fingerprint"),
                    new AccessSnapshot.Certificate(
                            r.getString("fingerprint"), r.getString("tenant"), r.getBoolean("revoked")));
        }
        return new AccessSnapshot(
                Map.copyOf(keys), Map.copyOf(tenants), Map.copyOf(sources), List.copyOf(rejected), Map.copyOf(certs));
    }

    public Future<Void> close() {
        PgConnection conn;
        synchronized (this) {
            closed = true;
            conn = listener;
            listener = null;
        }
        if (refreshTimer >= 0) {
            vertx.cancelTimer(refreshTimer);
        }
        return conn == null ? Future.succeededFuture() : conn.close().otherwiseEmpty();
    }
}
