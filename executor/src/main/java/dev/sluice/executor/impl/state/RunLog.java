package dev.sluice.executor.impl.state;

import io.vertx.core.Future;

/**
 * Where every decided run is recorded: PostgreSQL ({@link PgRunLog}), or nowhere ({@link #off()}).
 */
public interface RunLog {

    /** How a run ended, as its row's {@code outcome} column says. */
    enum Outcome {
        SUCCEEDED,
        /** Succeeded after taking over a lapsed lease: sent again with the same webhook-id. */
        RESENT,
        DEAD_LETTERED,
        EXPIRED,
        SKIPPED_DUPLICATE,
        /** A span of records past their deadline, skipped unread on assignment (one row per span). */
        SKIPPED_DEAD_SPAN;

        private final String column = name().toLowerCase(java.util.Locale.ROOT);

        /** The text stored in the run log. */
        public String column() {
            return column;
        }
    }

    /**
     * One decided run. Times are epoch milliseconds; {@code startMillis} is -1 for runs that never
     * started, {@code firstWriteMillis} -1 for runs that wrote nothing to a target, and
     * {@code deadlineMillis} {@link Long#MAX_VALUE} for events without a deadline (or rows that stand for
     * many events).
     */
    record Row(
            String eventId,
            String route,
            String workflow,
            Outcome outcome,
            int attempts,
            long ingestMillis,
            long startMillis,
            long endMillis,
            String topic,
            int partition,
            long offset,
            String error,
            long deadlineMillis,
            long firstWriteMillis) {}

    /** Queues a row; never blocks. The future completes once the row is durable (or its loss counted). */
    Future<Void> offer(Row row);

    /** While rows wait: ms since the run log last wrote; 0 when nothing waits. */
    long writeAgeMillis();

    /** Rows waiting to be written. */
    int buffered();

    /** Whether the last write succeeded. */
    boolean healthy();

    /** What readiness shows, given how long rows may wait unwritten. */
    String status(long stallMillis);

    /** Writes what waits, then stops. */
    Future<Void> close();

    /** No run log: every row is durable at once, as nothing is kept. */
    static RunLog off() {
        return new RunLog() {
            @Override
            public Future<Void> offer(Row row) {
                return Future.succeededFuture();
            }

            @Override
            public long writeAgeMillis() {
                return 0;
            }

            @Override
            public int buffered() {
                return 0;
            }

            @Override
            public boolean healthy() {
                return true;
            }

            @Override
            public String status(long stallMillis) {
                return "off";
            }

            @Override
            public Future<Void> close() {
                return Future.succeededFuture();
            }
        };
    }
}
