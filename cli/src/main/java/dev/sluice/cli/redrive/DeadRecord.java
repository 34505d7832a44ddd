package dev.sluice.cli.redrive;

import dev.sluice.core.Condition;
import dev.sluice.core.Deadlines;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record of {@code <topic>.dlq} or {@code <topic>.expired} as the re-drive sees it: where its
 * original event was, when it was dead-lettered or expired, and the event it carries, readable by a
 * {@link Condition} ({@code --filter}). CloudEvents attributes are read from the {@code ce_*}
 * headers; {@code workflow}, {@code error} and {@code reason} are the accounting headers (the
 * workflow concerned, the run's error, why the event expired).
 */
final class DeadRecord implements Condition.Event {

    /** The header a re-published event carries: the {@code topic/partition/offset} it was re-driven from. */
    static final String REDRIVEN_FROM = "redriven-from";
    /** Headers of the accounting record that do not go back onto the live topic. */
    private static final Set<String> DROPPED = Set.of(
            SluiceHeaders.ORIGIN,
            SluiceHeaders.DECIDED_AT,
            SluiceHeaders.ERROR,
            SluiceHeaders.WORKFLOW,
            SluiceHeaders.EXPIRED_REASON,
            SluiceHeaders.DEADLINE,
            "sluice_attempts",
            "sluice_attempts_written",
            REDRIVEN_FROM);

    final ConsumerRecord<byte[], byte[]> record;
    private Object json;
    private boolean parsed;

    DeadRecord(ConsumerRecord<byte[], byte[]> record) {
        this.record = record;
    }

    /** {@code topic/partition/offset} of this record. */
    String position() {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    /**
     * The key of this record's re-drive marker: the original event's {@code topic/partition/offset},
     * and {@code #workflow} when the record names the workflow that dead-lettered or expired it. An
     * event two workflows failed has two records; each is re-driven once, for its own workflow.
     */
    String origin() {
        String o = EventRecords.text(record.headers(), SluiceHeaders.ORIGIN);
        String workflow = workflow();
        return (o != null ? o : position()) + (workflow == null ? "" : "#" + workflow);
    }

    /** The workflow the record is about, or null when it names none (the event ran no workflow). */
    private String workflow() {
        String w = EventRecords.text(record.headers(), SluiceHeaders.WORKFLOW);
        return w == null || w.isBlank() ? null : w;
    }

    /** Whether the record carries an event (a dead-span summary on {@code .expired} does not). */
    boolean isEvent() {
        return EventRecords.text(record.headers(), SluiceHeaders.CE_ID) != null
                && record.headers().lastHeader(SluiceHeaders.DEADLINE) != null;
    }

    /** When the event was dead-lettered or expired (epoch ms); the record's time when not recorded. */
    long decidedAt() {
        String d = EventRecords.text(record.headers(), SluiceHeaders.DECIDED_AT);
        try {
            return d == null ? record.timestamp() : Long.parseLong(d.trim());
        } catch (NumberFormatException e) {
            return record.timestamp();
        }
    }

    long originalDeadline() {
        return EventRecords.deadline(record);
    }

    /** The event's TTL as it was given (deadline − ingest time), within the allowed range. */
    Duration ttl() {
        long ms = originalDeadline() - record.timestamp();
        return Duration.ofMillis(Math.max(Deadlines.MIN_TTL.toMillis(), Math.min(Deadlines.MAX_TTL.toMillis(), ms)));
    }

    /**
     * The event again, for {@code topic}: same key, payload and attributes, a fresh ingest time and
     * deadline, where it came from, and the workflow it is for.
     */
    ProducerRecord<byte[], byte[]> republish(String topic, long nowMillis) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            if (!DROPPED.contains(h.key())) {
                headers.add(h);
            }
        }
        headers.add(SluiceHeaders.DEADLINE, SluiceHeaders.longBytes(nowMillis + ttl().toMillis()));
        headers.add(REDRIVEN_FROM, position().getBytes(StandardCharsets.UTF_8));
        // Only the workflow that failed runs it again: the route's others already ran it. A record
        // that already carries a target (a manual run, a tick) keeps it.
        String workflow = workflow();
        if (workflow != null && headers.lastHeader(SluiceHeaders.TARGET) == null) {
            headers.add(SluiceHeaders.TARGET, workflow.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, nowMillis, record.key(), record.value(), headers);
    }

    @Override
    public String attribute(String name) {
        return switch (name) {
            case "workflow" -> EventRecords.text(record.headers(), SluiceHeaders.WORKFLOW);
            case "error" -> EventRecords.text(record.headers(), SluiceHeaders.ERROR);
            case "reason" -> EventRecords.text(record.headers(), SluiceHeaders.EXPIRED_REASON);
            case "datacontenttype" -> EventRecords.text(record.headers(), SluiceHeaders.CONTENT_TYPE);
            default -> EventRecords.text(record.headers(), SluiceHeaders.CE_PREFIX + name);
        };
    }

    @Override
    public Object json() {
        if (!parsed) {
            parsed = true;
            try {
                json = record.value() == null || record.value().length == 0
                        ? null
                        : Json.decodeValue(Buffer.buffer(record.value()));
            } catch (RuntimeException notJson) {
                json = null;
            }
        }
        return json;
    }
}
