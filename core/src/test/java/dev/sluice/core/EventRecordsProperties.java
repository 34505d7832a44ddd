package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * An accepted event becomes one Kafka record and reads back the same: every attribute, the key
 * and the payload byte for byte, the ingest time and the deadline.
 */
class EventRecordsProperties {

    /** Text the router lets through to Kafka: any Unicode scalar values (attributes are checked at ingest). */
    static Arbitrary<String> text(int min, int max) {
        Arbitrary<Integer> cp = Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7e)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xa0, 0xFFFF)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)))
                .filter(c -> c < 0xD800 || c > 0xDFFF);
        return cp.list().ofMinSize(min).ofMaxSize(max).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    static final List<String> CORE = List.of("specversion", "id", "source", "type", "time", "subject");

    @Provide
    Arbitrary<IngestedEvent> events() {
        Arbitrary<String> value = text(1, 40);
        Arbitrary<String> name = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('0', '9')
                .ofMinLength(1)
                .ofMaxLength(20)
                .filter(n -> !CORE.contains(n));
        Arbitrary<Map<String, String>> ext = Combinators.combine(name, text(0, 40))
                .as(Map::entry)
                .list()
                .ofMaxSize(5)
                .map(es -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    es.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return m;
                });
        Arbitrary<String> config = Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("._-")
                .ofMinLength(1)
                .ofMaxLength(20);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<Long> millis =
                Arbitraries.longs().between(0, 253_402_300_799_999L); // up to 9999-12-31, as RFC 3339 can write
        return Combinators.combine(List.of(
                        value.map(o -> o),
                        value.map(o -> o),
                        value.map(o -> o),
                        value.injectNull(0.5).map(o -> o),
                        Arbitraries.of("2026-01-31T12:00:00Z", "1985-04-12T23:20:50.52+01:00")
                                .injectNull(0.5)
                                .map(o -> o),
                        value.injectNull(0.3).map(o -> o),
                        value.injectNull(0.3).map(o -> o),
                        config.map(o -> o),
                        config.map(o -> o),
                        millis.map(o -> o),
                        Arbitraries.longs().map(o -> o),
                        bytes.injectNull(0.2).map(o -> o),
                        bytes.map(o -> o),
                        ext.map(o -> o)))
                .as(EventRecordsProperties::event)
                .withoutEdgeCases();
    }

    @SuppressWarnings("unchecked")
    private static IngestedEvent event(List<Object> v) {
        return new IngestedEvent(
                (String) v.get(0),
                (String) v.get(1),
                (String) v.get(2),
                (String) v.get(3),
                (String) v.get(4),
                (String) v.get(5),
                (String) v.get(6),
                null,
                (String) v.get(7),
                (String) v.get(8),
                (Long) v.get(9),
                (Long) v.get(10),
                (byte[]) v.get(11),
                (byte[]) v.get(12),
                (Map<String, String>) v.get(13));
    }

    /** The record as a consumer receives it. */
    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> p) {
        return new ConsumerRecord<>(
                p.topic(),
                3,
                42L,
                p.timestamp(),
                TimestampType.CREATE_TIME,
                -1,
                -1,
                p.key(),
                p.value(),
                p.headers(),
                Optional.empty());
    }

    @Property
    void anEventReadsBackAsItWasWritten(@ForAll("events") IngestedEvent e) {
        ProducerRecord<byte[], byte[]> r = EventRecords.toRecord("sluice.t", e);
        assertEquals("sluice.t", r.topic());
        assertArrayEquals(e.payload(), r.value(), "the record value is the payload");
        assertEquals(e.ingestMillis(), r.timestamp());

        IngestedEvent back = EventRecords.fromRecord(consumed(r));

        assertEquals(e.id(), back.id());
        assertEquals(e.source(), back.source());
        assertEquals(e.type(), back.type());
        assertEquals(e.subject(), back.subject());
        // An event without a time is stamped with its ingest time, in milliseconds.
        assertEquals(e.time() != null ? e.time() : Timestamps.rfc3339Millis(e.ingestMillis()), back.time());
        assertEquals(e.contentType(), back.contentType());
        assertEquals(e.traceparent(), back.traceparent());
        assertEquals(e.tenant(), back.tenant());
        assertEquals(e.route(), back.route());
        assertEquals(e.ingestMillis(), back.ingestMillis());
        assertEquals(e.deadlineMillis(), back.deadlineMillis());
        assertEquals(e.deadlineMillis(), EventRecords.deadline(consumed(r)));
        assertArrayEquals(e.key(), back.key());
        assertArrayEquals(e.payload(), back.payload());
        assertEquals(e.extensions(), back.extensions());
        assertEquals("1.0", EventRecords.text(r.headers(), SluiceHeaders.CE_SPECVERSION));
    }

    @Property
    void aSecondTripChangesNothing(@ForAll("events") IngestedEvent e) {
        IngestedEvent once = EventRecords.fromRecord(consumed(EventRecords.toRecord("t", e)));
        IngestedEvent twice = EventRecords.fromRecord(consumed(EventRecords.toRecord("t", once)));
        assertEquals(once.time(), twice.time());
        assertEquals(once.extensions(), twice.extensions());
        assertArrayEquals(once.payload(), twice.payload());
        assertArrayEquals(once.key(), twice.key());
    }

    @Property
    void deadlineBytesRoundTrip(@ForAll long deadline) {
        assertEquals(deadline, SluiceHeaders.readLong(SluiceHeaders.longBytes(deadline), deadline ^ 1));
    }
}
