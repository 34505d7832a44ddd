package dev.sluice.executor;

import dev.sluice.core.Catalog;
import dev.sluice.core.db.Migrations;
import dev.sluice.executor.impl.Retry;
import dev.sluice.executor.impl.state.PgRunLog;
import dev.sluice.executor.impl.state.RunLog;
import dev.sluice.executor.impl.state.WorkflowStore;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts what an executor keeps in PostgreSQL: its run log and, with executor.workflows=postgres, its workflows. */
final class StateStores {

    private static final Logger LOG = LoggerFactory.getLogger(StateStores.class);

    private StateStores() {}

    /** The run log in PostgreSQL, or {@link RunLog#off()} without pg.url. */
    static Future<RunLog> runLog(Vertx vertx, ExecutorConfig config, String owner, PrometheusMeterRegistry registry) {
        if (config.pgUrl() == null) {
            LOG.warn("no pg.url: runs are not written to a run log");
            return Future.succeededFuture(RunLog.off());
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.runLogTimeout().toMillis());
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions()
                        .setMaxSize(4)
                        .setConnectionTimeout(timeout)
                        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
                .connectingTo(PgConnectOptions.fromUri(config.pgUrl())
                        .setReconnectAttempts(2)
                        .setReconnectInterval(500)
                        // IF NOT EXISTS notices are not news; keep the server's chatter to warnings.
                        .addProperty("client_min_messages", "warning")
                        // The server gives up on a statement when the client does (the write is then retried, not
                        // doubled).
                        .addProperty("statement_timeout", Integer.toString(timeout)))
                .using(vertx)
                .build();
        PgRunLog runLog = new PgRunLog(
                vertx, pool, owner, config.runLogBuffer(), config.runLogBatch(), config.runLogTimeout(), registry);
        // The schema is applied before the first run; a database that is down at start-up does not
        // stop execution: rows wait in the buffer and the schema is applied when it is back.
        return Migrations.apply(pool)
                .recover(err -> {
                    LOG.warn(
                            "run log schema not applied yet (PostgreSQL unreachable?), trying again every 5 s: {}",
                            err.toString());
                    applySchemaLater(vertx, pool);
                    return Future.succeededFuture();
                })
                .map(v -> {
                    runLog.start(config.runLogFlush(), config.runLogRetention());
                    return runLog;
                });
    }

    /** Applies the schema again every 5 s until it succeeds; until then run-log rows wait in the buffer (and readiness says so). */
    private static void applySchemaLater(Vertx vertx, Pool pool) {
        vertx.timer(5_000)
                .compose(t -> Retry.run(vertx, n -> Migrations.apply(pool), (n, err) -> new Retry.After(5_000)))
                .onSuccess(v -> LOG.info("run log schema applied"));
    }

    /** Workflows kept in PostgreSQL: loaded into {@code table} now, and again at each change. */
    static Future<WorkflowStore> workflowStore(
            Vertx vertx, ExecutorConfig config, Catalog catalog, WorkflowTable table) {
        PgConnectOptions connect =
                PgConnectOptions.fromUri(config.pgUrl()).addProperty("client_min_messages", "warning");
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(2))
                .connectingTo(connect)
                .using(vertx)
                .build();
        WorkflowStore store = new WorkflowStore(vertx, pool, connect, catalog.routes(), table);
        return Migrations.apply(pool).compose(v -> store.start()).map(v -> store);
    }
}
