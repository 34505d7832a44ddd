package dev.sluice.cli.chaos;

import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.Topics;
import dev.sluice.testkit.Kafka;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Every terminal record the executors wrote for a topic, read back: run-log rows by event id,
 * the ids in {@code <topic>.expired} and {@code <topic>.dlq}, and the dead spans skipped unread
 * (from their run-log rows and their summaries on {@code .expired}).
 *
 * @param runs         run-log rows by event id
 * @param expired      ids with a record in {@code .expired}
 * @param deadLettered ids with a record in {@code .dlq}
 * @param spans        offset ranges skipped unread, each recorded
 */
public record TerminalRecords(
        Map<String, List<RunRow>> runs, Set<String> expired, Set<String> deadLettered, List<Span> spans) {

    /** The run log's workflow for a dead span (as the executor writes it). */
    static final String SPAN_WORKFLOW = "(dead span)";

    /**
     * One run-log row: {@code startLatencyMs} -1 when the run never started; {@code late} when it
     * started after the event's deadline, or first wrote to a target at or after it.
     */
    public record RunRow(String workflow, String outcome, int startLatencyMs, boolean late) {
        public boolean executed() {
            return outcome.equals("succeeded") || outcome.equals("resent");
        }
    }

    /** Offsets {@code from..to} (inclusive) of a partition, skipped unread and recorded. */
    public record Span(int partition, long from, long to) {
        boolean holds(IngestAudit.Location at) {
            return at.partition() == partition && at.offset() >= from && at.offset() <= to;
        }
    }

    /** Reads the run log of {@code topic} (rows of events whose id starts with {@code idPrefix}, and spans) and its accounting topics. */
    public static TerminalRecords read(Pool runLog, Kafka kafka, String topic, String idPrefix) {
        Map<String, List<RunRow>> runs = new HashMap<>();
        List<Span> spans = new ArrayList<>();
        String sql = "SELECT event_id, workflow, outcome, coalesce(start_latency_ms, -1), "
                + "coalesce(started_at > deadline_at OR first_write_at >= deadline_at, false), kafka_partition FROM sluice_run_log "
                + "WHERE topic = $1 AND (starts_with(event_id, $2) OR workflow = $3)";
        for (Row row : await(runLog.preparedQuery(sql).execute(Tuple.of(topic, idPrefix + "-", SPAN_WORKFLOW)))) {
            String id = row.getString(0);
            if (SPAN_WORKFLOW.equals(row.getString(1))) {
                span(id, row.getInteger(5)).ifPresent(spans::add);
            } else {
                runs.computeIfAbsent(id, k -> new ArrayList<>())
                        .add(new RunRow(row.getString(1), row.getString(2), row.getInteger(3), row.getBoolean(4)));
            }
        }
        Set<String> expired = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.expired(topic), Duration.ofSeconds(20))) {
            Header id = r.headers().lastHeader(SluiceHeaders.CE_ID);
            if (id != null) {
                expired.add(new String(id.value(), StandardCharsets.UTF_8));
            } else {
                summary(r.value()).ifPresent(spans::add);
            }
        }
        Set<String> deadLettered = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.deadLetter(topic), Duration.ofSeconds(20))) {
            Header id = r.headers().lastHeader(SluiceHeaders.CE_ID);
            if (id != null) {
                deadLettered.add(new String(id.value(), StandardCharsets.UTF_8));
            }
        }
        return new TerminalRecords(runs, expired, deadLettered, spans);
    }

    /** Whether an event at {@code at} lies in a recorded dead span. */
    public boolean inSpan(IngestAudit.Location at) {
        return at != null && spans.stream().anyMatch(s -> s.holds(at));
    }

    /** A span row's id is {@code span:<topic>-<partition>:<from>-<to>}. */
    private static Optional<Span> span(String id, int partition) {
        int colon = id.lastIndexOf(':');
        int dash = id.lastIndexOf('-');
        if (colon < 0 || dash < colon) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Span(
                    partition, Long.parseLong(id.substring(colon + 1, dash)), Long.parseLong(id.substring(dash + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A skip summary on {@code .expired}: {@code {"partition":P,"fromOffset":F,"toOffset":T(exclusive)}}. */
    private static Optional<Span> summary(byte[] value) {
        try {
            JsonObject o = new JsonObject(new String(value, StandardCharsets.UTF_8));
            if (o.containsKey("fromOffset")
                    && o.containsKey("toOffset")
                    && o.getLong("toOffset") > o.getLong("fromOffset")) {
                return Optional.of(
                        new Span(o.getInteger("partition"), o.getLong("fromOffset"), o.getLong("toOffset") - 1));
            }
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the run log: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
