package dev.sluice.executor.impl.ui;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest dead-lettered runs, with their errors, from the run log ({@code sluice_run_log}, every
 * executor's rows): so the dashboard of any executor shows the cluster's dead letters of the last
 * hour. Read at most once per dashboard tick, only while someone watches, over one connection of
 * its own opened on first use; a read still running when the next tick comes is not doubled. Without
 * a run log there is nothing to show, and the feed says so.
 */
public final class DeadLetterFeed {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFeed.class);
    static final int LATEST = 20;
    private static final String QUERY = "SELECT event_id, workflow, error, ended_at FROM sluice_run_log "
            + "WHERE ended_at > now() - interval '1 hour' AND outcome = 'dead_lettered' ORDER BY ended_at DESC LIMIT $1";

    private final Vertx vertx;
    private final String pgUrl;
    private Pool pool;
    private boolean reading;
    private volatile JsonArray latest = new JsonArray();

    /** {@code pgUrl}: the run log's database, or null without one. */
    public DeadLetterFeed(Vertx vertx, String pgUrl) {
        this.vertx = vertx;
        this.pgUrl = pgUrl;
    }

    /** Whether there is a run log to read. */
    public boolean available() {
        return pgUrl != null;
    }

    /** The rows of the last read (newest first), and starts the next read. */
    public JsonArray latest() {
        if (pgUrl != null && !reading) {
            reading = true;
            if (pool == null) {
                pool = PgBuilder.pool()
                        .with(new PoolOptions().setMaxSize(1))
                        .connectingTo(PgConnectOptions.fromUri(pgUrl).addProperty("client_min_messages", "warning"))
                        .using(vertx)
                        .build();
            }
            pool.preparedQuery(QUERY).execute(Tuple.of(LATEST)).onComplete(ar -> {
                reading = false;
                if (ar.failed()) {
                    LOG.debug(
                            "dead letters not read for the dashboard: {}",
                            ar.cause().toString());
                    return;
                }
                JsonArray out = new JsonArray();
                for (Row r : ar.result()) {
                    OffsetDateTime at = r.getOffsetDateTime("ended_at");
                    out.add(new JsonObject()
                            .put("id", r.getString("event_id"))
                            .put("workflow", r.getString("workflow"))
                            .put("error", r.getString("error"))
                            .put("at", at == null ? null : at.toInstant().toEpochMilli()));
                }
                latest = out;
            });
        }
        return latest;
    }

    public Future<Void> close() {
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
