package dev.sluice.cli.chaos;

import dev.sluice.core.SluiceHeaders;
import dev.sluice.testkit.Kafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The ingest half of the audit, per event id: the client's ledger ({@link Ledger}) against
 * what the topic holds. A 202 must be in the topic exactly as sent (same id, same bytes); a
 * refusal should not be, and when it is, it is a phantom, allowed only for {@code produce-timeout}
 * (documented as "maybe stored").
 *
 * @param offered      events sent
 * @param accepted     202s
 * @param refusals     refusals by status and reason
 * @param unanswered   requests with no answer at all (client timeout, connection failure)
 * @param lost         202 ids with no record in the topic
 * @param altered      202 ids whose record's bytes differ from what was sent
 * @param duplicated   records beyond the first for one id
 * @param phantoms     refused ids found in the topic, by reason
 * @param forbiddenPhantoms phantom ids whose refusal did not allow one, except the known one below
 * @param misreportedTimeouts phantom ids refused as {@code produce-failed} ("not accepted") after the
 *                     producer's own delivery timeout ({@code TimeoutException}): a known router bug,
 *                     that timeout leaves the event maybe stored, exactly like {@code produce-timeout}
 * @param strangers    records whose id this run never sent
 * @param stored       where each id's first record is (partition, offset), for the dead-span audit
 */
public record IngestAudit(
        int offered,
        int accepted,
        Map<String, Integer> refusals,
        int unanswered,
        List<String> lost,
        List<String> altered,
        int duplicated,
        Map<String, Integer> phantoms,
        List<String> forbiddenPhantoms,
        List<String> misreportedTimeouts,
        int strangers,
        Map<String, Location> stored) {

    /** A record's place in the topic. */
    public record Location(int partition, long offset) {}

    static final String MAYBE_STORED = "produce-timeout";
    /** The router's refusal after a producer callback error (any error: it does not tell a timeout apart). */
    static final String PRODUCE_FAILED = "produce-failed";
    /** How that refusal's detail names the producer's delivery timeout. */
    static final String PRODUCER_TIMEOUT_DETAIL = "(TimeoutException)";

    /**
     * Reads the whole topic and audits every event {@code load} sent; the load must be drained. A
     * request that got no answer at all (status 0) is maybe stored, like a produce timeout: the
     * client was never told "not accepted", so finding it in Kafka is counted as a phantom but not
     * forbidden.
     */
    public static IngestAudit of(Ledger load, Kafka kafka, String topic) {
        if (!load.drained()) {
            throw new IllegalStateException("audit a drained load only");
        }
        Map<String, List<byte[]>> stored = new HashMap<>();
        Map<String, Location> locations = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readAll(topic, Duration.ofSeconds(30))) {
            Header id = record.headers().lastHeader(SluiceHeaders.CE_ID);
            String key = id == null ? "" : new String(id.value(), StandardCharsets.UTF_8);
            stored.computeIfAbsent(key, k -> new ArrayList<>()).add(record.value());
            locations.putIfAbsent(key, new Location(record.partition(), record.offset()));
        }
        Map<String, Ledger.Sent> sent = load.sent();
        Map<String, Ledger.Answer> answers = load.answers();
        int accepted = 0;
        int unanswered = 0;
        int duplicated = 0;
        Map<String, Integer> refusals = new TreeMap<>();
        Map<String, Integer> phantoms = new TreeMap<>();
        List<String> lost = new ArrayList<>();
        List<String> altered = new ArrayList<>();
        List<String> forbiddenPhantoms = new ArrayList<>();
        List<String> misreportedTimeouts = new ArrayList<>();
        for (Ledger.Sent event : sent.values()) {
            Ledger.Answer answer = answers.get(event.id());
            List<byte[]> records = stored.getOrDefault(event.id(), List.of());
            duplicated += Math.max(0, records.size() - 1);
            if (answer.accepted()) {
                accepted++;
                if (records.isEmpty()) {
                    lost.add(event.id());
                } else if (records.stream().anyMatch(value -> !Arrays.equals(value, event.body()))) {
                    altered.add(event.id());
                }
                continue;
            }
            if (answer.status() == 0) {
                unanswered++;
            } else {
                refusals.merge(answer.status() + " " + answer.reason(), 1, Integer::sum);
            }
            if (!records.isEmpty()) {
                phantoms.merge(answer.status() + " " + answer.reason(), 1, Integer::sum);
                if (PRODUCE_FAILED.equals(answer.reason()) && answer.detail().contains(PRODUCER_TIMEOUT_DETAIL)) {
                    misreportedTimeouts.add(event.id());
                } else if (!MAYBE_STORED.equals(answer.reason()) && answer.status() != 0) {
                    forbiddenPhantoms.add(
                            event.id() + " (" + answer.status() + " " + answer.reason() + ": " + answer.detail() + ")");
                }
            }
        }
        int strangers = (int)
                stored.keySet().stream().filter(id -> !sent.containsKey(id)).count();
        return new IngestAudit(
                sent.size(),
                accepted,
                refusals,
                unanswered,
                lost,
                altered,
                duplicated,
                phantoms,
                forbiddenPhantoms,
                misreportedTimeouts,
                strangers,
                Map.copyOf(locations));
    }

    /** Phantoms of every kind (allowed or not). */
    public int phantomCount() {
        return phantoms.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** One line for the test's output, the figures a fault report names. */
    public String summary() {
        return "offered=" + offered + " 202=" + accepted + " refused=" + refusals + " unanswered=" + unanswered
                + " LOST=" + lost.size() + " altered=" + altered.size() + " DUPLICATED=" + duplicated
                + " phantoms=" + phantoms + " forbidden-phantoms=" + forbiddenPhantoms.size()
                + " misreported-timeouts=" + misreportedTimeouts.size() + " strangers=" + strangers;
    }
}
