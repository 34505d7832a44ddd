package dev.sluice.cli;

import dev.sluice.core.Settings;
import dev.sluice.core.db.Migrations;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code sluice db migrate}: applies the schema (the same scripts the router and executor apply at start-up). */
final class DbCommand {

    static final String USAGE = "usage: sluice db migrate   (SLUICE_PG_URL)";

    private DbCommand() {}

    static int run(Settings settings, String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("migrate")) {
            System.err.println(USAGE);
            return 2;
        }
        String url = settings.get("pg.url", null);
        if (url == null) {
            System.err.println("sluice db migrate: set SLUICE_PG_URL (postgresql://user:pass@host:5432/db)");
            return 2;
        }
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool()
                    .with(new PoolOptions().setMaxSize(1))
                    .connectingTo(PgConnectOptions.fromUri(url).addProperty("client_min_messages", "warning"))
                    .using(vertx)
                    .build();
            List<String> before = Migrations.applied(pool)
                    .otherwise(List.of())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            List<String> after = Migrations.apply(pool)
                    .compose(v -> Migrations.applied(pool))
                    .eventually(pool::close)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            for (String script : after) {
                System.out.println(script + (before.contains(script) ? ": already applied" : ": applied"));
            }
            System.out.println("schema up to date (" + after.size() + " of " + Migrations.SCRIPTS.size() + " scripts)");
            return 0;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
