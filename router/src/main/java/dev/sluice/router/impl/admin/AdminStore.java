package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.failed;
import static dev.sluice.router.impl.admin.AdminHttp.json;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The admin resources' calls to PostgreSQL and the answers they share: a call that fails is
 * answered by {@link AdminHttp#failed} (409 for a conflict, else 503), a row that is not there by
 * the resource's own refusal, a list as {@code {"<member>": [...]}}. Each resource keeps its SQL.
 */
final class AdminStore {

    private final Pool pool;

    AdminStore(Pool pool) {
        this.pool = pool;
    }

    /** The rows of {@code sql} with {@code args}. */
    Future<RowSet<Row>> query(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args);
    }

    /** Goes on with {@code then} once {@code call} succeeded; its failure is the answer otherwise. */
    static <T> void answer(RoutingContext ctx, Future<T> call, Consumer<T> then) {
        call.onComplete(ar -> {
            if (!failed(ctx, ar)) {
                then.accept(ar.result());
            }
        });
    }

    /** 200 with every row of {@code sql}, as {@code shown}, in an array under {@code member}. */
    void list(RoutingContext ctx, String member, String sql, Tuple args, Function<Row, JsonObject> shown) {
        answer(ctx, query(sql, args), rows -> {
            JsonArray out = new JsonArray();
            for (Row r : rows) {
                out.add(shown.apply(r));
            }
            json(ctx, 200, new JsonObject().put(member, out));
        });
    }

    /**
     * Runs {@code sql} (a change, or a query for one row): {@code none} answers when it touched or
     * found no row, {@code then} goes on with the rows otherwise.
     */
    void one(RoutingContext ctx, String sql, Tuple args, Runnable none, Consumer<RowSet<Row>> then) {
        answer(ctx, query(sql, args), rows -> {
            if (rows.rowCount() == 0) {
                none.run();
            } else {
                then.accept(rows);
            }
        });
    }

    /**
     * Revokes the row of {@code table} whose {@code column} is {@code id} (an earlier revocation
     * stands): 200 {@code {"id", "revoked": true}} after {@code revoked} ran, or {@code none}.
     */
    void revoke(RoutingContext ctx, String table, String column, String id, Runnable none, Runnable revoked) {
        one(
                ctx,
                "UPDATE " + table + " SET revoked_at = COALESCE(revoked_at, now()) WHERE " + column + " = $1 RETURNING "
                        + column,
                Tuple.of(id),
                none,
                rows -> {
                    revoked.run();
                    json(ctx, 200, new JsonObject().put("id", id).put("revoked", true));
                });
    }
}
