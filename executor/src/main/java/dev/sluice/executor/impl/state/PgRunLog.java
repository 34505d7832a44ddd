package dev.sluice.executor.impl.state;

import dev.sluice.executor.impl.ExecutorMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run log in PostgreSQL, written off the hot path: runs are queued in a bounded buffer and
 * written in batches with one multi-row insert ({@code unnest} over arrays). While PostgreSQL is
 * down, rows wait in the buffer and are written when it returns; rows that do not fit are
 * counted and dropped, and execution never waits for the database.
 */
public final class PgRunLog implements RunLog {

    private static final Logger LOG = LoggerFactory.getLogger(PgRunLog.class);

    /** A row waiting to be written, and who waits for it. */
    private record Pending(Row row, Promise<Void> durable) {}

    private static final String INSERT =
            "INSERT INTO sluice_run_log (event_id, route, workflow, outcome, attempts, ingest_at, "
                    + "started_at, ended_at, start_latency_ms, end_latency_ms, topic, kafka_partition, kafka_offset, executor, error, "
                    + "deadline_at, first_write_at) "
                    + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], "
                    + "$7::timestamptz[], $8::timestamptz[], $9::int[], $10::int[], $11::text[], $12::int[], $13::bigint[], $14::text[], "
                    + "$15::text[], $16::timestamptz[], $17::timestamptz[])";

    private final Vertx vertx;
    private final Pool pool;
    private final String executor;
    private final int capacity;
    private final int batchSize;
    private final long writeTimeoutMillis;
    private final ConcurrentLinkedQueue<Pending> buffer = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final Counter written;
    private final Counter dropped;
    private final Counter failures;
    private long timer = -1;
    private long retentionTimer = -1;
    private volatile boolean healthy = true;
    private volatile long lastProgressMillis = System.currentTimeMillis();
    private volatile Future<Void> current = Future.succeededFuture();

    public PgRunLog(Vertx vertx, Pool pool, String executor, int capacity, int batchSize, MeterRegistry registry) {
        this(vertx, pool, executor, capacity, batchSize, Duration.ofSeconds(5), registry);
    }

    /**
     * @param writeTimeout how long one insert waits for PostgreSQL; then its rows go back to the
     *                     buffer (if the insert did land after all, those rows are written twice,
     *                     never lost)
     */
    public PgRunLog(
            Vertx vertx,
            Pool pool,
            String executor,
            int capacity,
            int batchSize,
            Duration writeTimeout,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.writeTimeoutMillis = Math.max(1, writeTimeout.toMillis());
        this.pool = pool;
        this.executor = executor;
        this.capacity = capacity;
        this.batchSize = batchSize;
        this.written = ExecutorMetrics.counter(registry, "sluice.executor.runlog.written", "Run log rows written");
        this.dropped = ExecutorMetrics.counter(
                registry, "sluice.executor.runlog.dropped", "Run log rows dropped because the buffer was full");
        this.failures = ExecutorMetrics.counter(registry, "sluice.executor.runlog.failures", "Failed run log writes");
        Gauge.builder("sluice.executor.runlog.buffered", size, AtomicInteger::get)
                .description("Run log rows waiting")
                .register(registry);
    }

    /** Starts the periodic writer and the retention job. */
    public void start(Duration flushInterval, Duration retention) {
        timer = vertx.setPeriodic(flushInterval.toMillis(), id -> flush());
        retentionTimer = vertx.setPeriodic(
                Duration.ofMinutes(10).toMillis(),
                id -> pool.preparedQuery("DELETE FROM sluice_run_log WHERE ended_at < $1")
                        .execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC).minus(retention)))
                        .timeout(60, TimeUnit.SECONDS)
                        .onFailure(e -> LOG.warn("run log retention failed: {}", e.toString())));
    }

    /**
     * Queues a row; never blocks. Any thread. The future completes (on a thread of the run log's
     * choosing) once the row is durable in PostgreSQL, or once it is dropped because the buffer is
     * full, which is counted ({@code sluice_executor_runlog_dropped_total}): the partition's
     * offset waits for it either way, so a crash replays the run instead of losing its record.
     */
    @Override
    public Future<Void> offer(Row row) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.increment();
            return Future.succeededFuture();
        }
        Promise<Void> durable = Promise.promise();
        buffer.add(new Pending(row, durable));
        return durable.future();
    }

    /**
     * While rows wait: how long since the run log last wrote (or last found nothing to write), in
     * ms; 0 when nothing waits. Any thread.
     */
    @Override
    public long writeAgeMillis() {
        return size.get() == 0 ? 0 : Math.max(0, System.currentTimeMillis() - lastProgressMillis);
    }

    /** Writes up to the buffer's content, batch by batch; a failed batch goes back to the buffer. */
    public Future<Void> flush() {
        if (!writing.compareAndSet(false, true)) {
            return current;
        }
        current = writeBatches().eventually(() -> {
            writing.set(false);
            return Future.succeededFuture();
        });
        return current;
    }

    private Future<Void> writeBatches() {
        List<Pending> batch = new ArrayList<>(batchSize);
        Pending r;
        while (batch.size() < batchSize && (r = buffer.poll()) != null) {
            batch.add(r);
        }
        if (batch.isEmpty()) {
            lastProgressMillis = System.currentTimeMillis();
            return Future.succeededFuture();
        }
        return pool.preparedQuery(INSERT)
                .execute(tuple(batch))
                .timeout(writeTimeoutMillis, TimeUnit.MILLISECONDS)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        size.addAndGet(-batch.size());
                        written.increment(batch.size());
                        lastProgressMillis = System.currentTimeMillis();
                        batch.forEach(p -> p.durable().complete());
                        if (!healthy) {
                            healthy = true;
                            LOG.info("run log writes resumed");
                        }
                        return writeBatches();
                    }
                    failures.increment();
                    buffer.addAll(batch);
                    if (healthy) {
                        healthy = false;
                        LOG.warn(
                                "run log write failed, {} rows kept for later: {}",
                                size.get(),
                                ar.cause().toString());
                    }
                    return Future.succeededFuture();
                });
    }

    private Tuple tuple(List<Pending> rows) {
        int n = rows.size();
        String[] ids = new String[n];
        String[] routes = new String[n];
        String[] workflows = new String[n];
        String[] outcomes = new String[n];
        Integer[] attempts = new Integer[n];
        OffsetDateTime[] ingest = new OffsetDateTime[n];
        OffsetDateTime[] started = new OffsetDateTime[n];
        OffsetDateTime[] ended = new OffsetDateTime[n];
        Integer[] startLatency = new Integer[n];
        Integer[] endLatency = new Integer[n];
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        String[] executors = new String[n];
        String[] errors = new String[n];
        OffsetDateTime[] deadlines = new OffsetDateTime[n];
        OffsetDateTime[] firstWrites = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i).row();
            ids[i] = text(r.eventId());
            routes[i] = text(r.route());
            workflows[i] = r.workflow();
            outcomes[i] = r.outcome().column();
            attempts[i] = r.attempts();
            ingest[i] = time(r.ingestMillis());
            started[i] = r.startMillis() < 0 ? null : time(r.startMillis());
            ended[i] = time(r.endMillis());
            startLatency[i] = r.startMillis() < 0 ? null : (int) (r.startMillis() - r.ingestMillis());
            endLatency[i] = (int) (r.endMillis() - r.ingestMillis());
            topics[i] = r.topic();
            partitions[i] = r.partition();
            offsets[i] = r.offset();
            executors[i] = executor;
            errors[i] = text(r.error());
            deadlines[i] = r.deadlineMillis() == Long.MAX_VALUE ? null : time(r.deadlineMillis());
            firstWrites[i] = r.firstWriteMillis() < 0 ? null : time(r.firstWriteMillis());
        }
        return Tuple.of(ids, routes, workflows, outcomes, attempts, ingest, started, ended, startLatency, endLatency)
                .addValue(topics)
                .addValue(partitions)
                .addValue(offsets)
                .addValue(executors)
                .addValue(errors)
                .addValue(deadlines)
                .addValue(firstWrites);
    }

    /**
     * PostgreSQL text cannot hold NUL: one such character in an event id or an error would fail its
     * whole batch again and again, so it is written as the visible {@code \\u0000}.
     */
    static String text(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "\\u0000");
    }

    private static OffsetDateTime time(long millis) {
        // Not OffsetDateTime.ofInstant: it asks the offset for its ZoneRules, which builds a new
        // ZoneRules object on every call (three per run in a profile of the run log's encoding).
        LocalDateTime utc = LocalDateTime.ofEpochSecond(
                Math.floorDiv(millis, 1000L), (int) Math.floorMod(millis, 1000L) * 1_000_000, ZoneOffset.UTC);
        return OffsetDateTime.of(utc, ZoneOffset.UTC);
    }

    @Override
    public int buffered() {
        return size.get();
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    /** Stops the timers and writes what is buffered (bounded by the pool's own timeouts). */
    @Override
    public String status(long stallMillis) {
        long age = writeAgeMillis();
        return age < stallMillis && healthy
                ? "writing"
                : "buffering (" + buffered() + " rows, none written for " + age + " ms)";
    }

    @Override
    public Future<Void> close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            vertx.cancelTimer(retentionTimer);
        }
        // Let a write in progress finish, then write what is left, then close.
        return current.eventually(this::flush).eventually(pool::close);
    }
}
