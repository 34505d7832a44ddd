package dev.sluice.cli.redrive;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The re-drive markers in PostgreSQL ({@code sluice_redrives}), one row per original event, keyed by
 * its {@code topic/partition/offset}. A row is inserted before the event is re-published, and the
 * insert that finds the row there already loses: so two re-drives, even run at once from two
 * machines, publish an original at most once. Why PostgreSQL rather than a Redis key: the marker
 * must outlive the longest time an operator may come back to a dead-letter topic (its retention
 * is 7 days) and must not be evicted under memory pressure, and the table is an audit of what was
 * re-driven, when, and where it went. Blocking calls: this runs in the {@code sluice} command, not on
 * an event loop.
 */
final class RedriveMarks {

    private static final long TIMEOUT_SECONDS = 30;
    private final Pool pool;

    RedriveMarks(Pool pool) {
        this.pool = pool;
    }

    /** Whether {@code origin} has been re-driven already (for a dry run, which writes nothing). */
    boolean marked(String origin) {
        return await(pool.preparedQuery("SELECT 1 FROM sluice_redrives WHERE origin = $1 OR origin = $2")
                                .execute(Tuple.of(origin, legacy(origin))))
                        .size()
                > 0;
    }

    /**
     * The key a re-drive before per-workflow markers wrote for the same original: its
     * {@code topic/partition/offset} alone. Such a re-drive re-published the event for every workflow
     * of its route, so its marker stands for each of them: an upgrade re-drives nothing twice.
     */
    static String legacy(String origin) {
        int hash = origin.indexOf('#');
        return hash < 0 ? origin : origin.substring(0, hash);
    }

    /** What {@link #claim} found. */
    enum Claim {
        /** Marked now, by this re-drive: publish it. */
        CLAIMED,
        /** Re-driven before, and where it landed is recorded. */
        PUBLISHED,
        /**
         * Marked before by a re-drive that has not recorded where the event landed: one running now, or
         * one that stopped between its mark and Kafka's answer (the event may or may not be on the topic).
         */
        UNFINISHED
    }

    /** Marks {@code origin} as re-driven from {@code from}, unless it was marked before (by this or any other re-drive). */
    Claim claim(String origin, String from) {
        String legacy = legacy(origin);
        if (!legacy.equals(origin)) {
            for (Row r : await(pool.preparedQuery("SELECT published_to FROM sluice_redrives WHERE origin = $1")
                    .execute(Tuple.of(legacy)))) {
                return r.getString("published_to") == null ? Claim.UNFINISHED : Claim.PUBLISHED;
            }
        }
        if (await(pool.preparedQuery("INSERT INTO sluice_redrives (origin, redriven_from) VALUES ($1, $2) "
                                        + "ON CONFLICT (origin) DO NOTHING RETURNING origin")
                                .execute(Tuple.of(origin, from)))
                        .rowCount()
                == 1) {
            return Claim.CLAIMED;
        }
        for (Row r : await(pool.preparedQuery("SELECT published_to FROM sluice_redrives WHERE origin = $1")
                .execute(Tuple.of(origin)))) {
            return r.getString("published_to") == null ? Claim.UNFINISHED : Claim.PUBLISHED;
        }
        // Released meanwhile by a re-drive whose publication Kafka refused: not taken here, a later run tries again.
        return Claim.UNFINISHED;
    }

    /** Records where the re-published event landed. */
    void published(String origin, String to) {
        await(pool.preparedQuery("UPDATE sluice_redrives SET published_to = $2 WHERE origin = $1")
                .execute(Tuple.of(origin, to)));
    }

    /** Removes the marker of an event whose re-publication Kafka refused, so a later re-drive may try again. */
    void release(String origin) {
        await(pool.preparedQuery("DELETE FROM sluice_redrives WHERE origin = $1 AND published_to IS NULL")
                .execute(Tuple.of(origin)));
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("PostgreSQL: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("PostgreSQL did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
