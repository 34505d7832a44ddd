package dev.sluice.core.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one schema of every Sluice component, as one ordered list of scripts ({@code db/V<n>__<name>.sql}
 * on the classpath). Applies the scripts the database has not seen yet, each once, in order,
 * recording them in {@code sluice_schema_version}; run by the router and the executor at start-up
 * and by {@code sluice db migrate}. Safe to run from several processes at once: an advisory lock
 * serialises them. A new script is only ever appended; an applied one is never edited.
 */
public final class Migrations {

    /** The scripts, in order. */
    public static final List<String> SCRIPTS = List.of(
            "V1__run_log.sql",
            "V2__workflows.sql",
            "V3__tenants.sql",
            "V4__run_log_deadline.sql",
            "V5__triggers.sql",
            "V6__redrives.sql",
            "V7__client_certificates.sql");

    private static final long LOCK = 0x51_1CE_0001L;

    private Migrations() {}

    /** The scripts already applied, in the order they were applied. */
    public static Future<List<String>> applied(Pool pool) {
        return pool.query("SELECT script FROM sluice_schema_version ORDER BY applied_at, script")
                .execute()
                .map(rows -> {
                    List<String> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public static Future<Void> apply(Pool pool) {
        return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK + ")")
                .execute()
                .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS sluice_schema_version (script text PRIMARY KEY, "
                                + "applied_at timestamptz NOT NULL DEFAULT now())")
                        .execute())
                .compose(v -> applyFrom(conn, 0)));
    }

    private static Future<Void> applyFrom(io.vertx.sqlclient.SqlConnection conn, int i) {
        if (i == SCRIPTS.size()) {
            return Future.succeededFuture();
        }
        String script = SCRIPTS.get(i);
        return conn.preparedQuery("SELECT 1 FROM sluice_schema_version WHERE script = $1")
                .execute(Tuple.of(script))
                .compose(rows -> rows.size() > 0
                        ? Future.succeededFuture()
                        : conn.query(read(script))
                                .execute()
                                .compose(v -> conn.preparedQuery(
                                                "INSERT INTO sluice_schema_version (script) VALUES ($1)")
                                        .execute(Tuple.of(script)))
                                .mapEmpty())
                .compose(v -> applyFrom(conn, i + 1));
    }

    private static String read(String script) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/" + script)) {
            if (in == null) {
                throw new IllegalStateException("schema script db/" + script + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read db/" + script, e);
        }
    }
}
