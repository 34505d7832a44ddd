package dev.sluice.executor.impl.trigger;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The leases and progress of triggers, one row each in {@code sluice_triggers}. Every change is a
 * conditional UPDATE evaluated on the database's clock, so holders' clocks do not matter: a lease is
 * taken when it is free or lapsed, renewed by its holder, and a schedule's tick is advanced only by
 * the current holder from the tick it last recorded.
 */
final class TriggerLeases {

    private static final String ACQUIRE = "UPDATE sluice_triggers SET holder = $2,"
            + " lease_until = clock_timestamp() + $3::bigint * interval '1 millisecond', updated_at = now()"
            + " WHERE name = $1 AND (holder = $2 OR holder IS NULL OR lease_until < clock_timestamp())"
            + " RETURNING last_tick, etag, last_modified, poll_cursor";
    private static final String ADVANCE = "UPDATE sluice_triggers SET last_tick = $4,"
            + " lease_until = clock_timestamp() + $5::bigint * interval '1 millisecond', updated_at = now()"
            + " WHERE name = $1 AND holder = $2 AND lease_until > clock_timestamp() AND last_tick = $3";
    private static final String SAVE_POLL =
            "UPDATE sluice_triggers SET etag = $3, last_modified = $4, poll_cursor = $5,"
                    + " lease_until = clock_timestamp() + $6::bigint * interval '1 millisecond', updated_at = now() WHERE name = $1 AND holder = $2";

    private final Pool pool;

    TriggerLeases(Pool pool) {
        this.pool = pool;
    }

    /** What a holder learns when it takes or renews a lease. Absent values are empty strings. */
    record Held(long lastTick, String etag, String lastModified, String cursor) {}

    /** Creates the trigger's row, unheld, starting from {@code firstTick}, unless it exists. */
    Future<Void> ensure(String name, long firstTick) {
        return pool.preparedQuery(
                        "INSERT INTO sluice_triggers (name, last_tick) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .execute(Tuple.of(name, firstTick))
                .mapEmpty();
    }

    /** Takes the lease when it is free or lapsed, or renews it when {@code holder} has it; empty when another holds it. */
    Future<Optional<Held>> acquire(String name, String holder, Duration lease) {
        return pool.preparedQuery(ACQUIRE)
                .execute(Tuple.of(name, holder, lease.toMillis()))
                .map(TriggerLeases::held);
    }

    /**
     * In one transaction: advances the trigger from {@code fromTick} to {@code toTick} (renewing the lease)
     * if {@code holder} still holds a live lease and the recorded tick is still {@code fromTick}, then runs
     * {@code inside} (the tick's produce) with the row locked. The advance commits only if {@code inside}
     * succeeds; while it runs, no other holder can take the lease or fire. False when the condition failed.
     */
    Future<Boolean> advance(
            String name, String holder, long fromTick, long toTick, Duration lease, Supplier<Future<Void>> inside) {
        return pool.withTransaction(conn -> conn.preparedQuery(ADVANCE)
                .execute(Tuple.of(name, holder, fromTick, toTick, lease.toMillis()))
                .compose(rows -> rows.rowCount() == 1 ? inside.get().map(true) : Future.succeededFuture(false)));
    }

    /**
     * Records a poll's validators and cursor, and renews the lease, unless another holder took the
     * trigger over meanwhile (then its own poll's record stands, and the items emitted twice share ids).
     */
    Future<Boolean> savePoll(
            String name, String holder, String etag, String lastModified, String cursor, Duration lease) {
        return pool.preparedQuery(SAVE_POLL)
                .execute(Tuple.of(
                        name,
                        holder,
                        emptyToNull(etag),
                        emptyToNull(lastModified),
                        emptyToNull(cursor),
                        lease.toMillis()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Gives the lease up, so a stand-by takes it at its next try instead of after the lease lapses. */
    Future<Void> release(String name, String holder) {
        return pool.preparedQuery(
                        "UPDATE sluice_triggers SET holder = NULL, lease_until = 'epoch' WHERE name = $1 AND holder = $2")
                .execute(Tuple.of(name, holder))
                .mapEmpty();
    }

    private static Optional<Held> held(RowSet<Row> rows) {
        if (rows.rowCount() == 0) {
            return Optional.empty();
        }
        Row r = rows.iterator().next();
        Long tick = r.getLong("last_tick");
        return Optional.of(new Held(
                tick == null ? 0 : tick,
                nullToEmpty(r.getString("etag")),
                nullToEmpty(r.getString("last_modified")),
                nullToEmpty(r.getString("poll_cursor"))));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
