package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventRecordsTest {

    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> p) {
        return new ConsumerRecord<>(
                p.topic(),
                0,
                7L,
                p.timestamp(),
                TimestampType.CREATE_TIME,
                -1,
                -1,
                p.key(),
                p.value(),
                p.headers(),
                java.util.Optional.empty());
    }

    @Test
    void mapsAnEventToABinaryModeCloudEventsRecordAndBack() {
        byte[] payload = {0, 1, 2, (byte) 0xFF, '{', '}'};
        IngestedEvent e = new IngestedEvent(
                "id-1",
                "/sources/demo",
                "com.example.t",
                "dev-9",
                null,
                "application/octet-stream",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                null,
                "acme",
                "demo",
                1_000L,
                21_000L,
                "dev-9".getBytes(StandardCharsets.UTF_8),
                payload,
                Map.of("partitionkey", "dev-9"));

        ProducerRecord<byte[], byte[]> r = EventRecords.toRecord("sluice.demo", e);

        assertEquals("sluice.demo", r.topic());
        assertArrayEquals(payload, r.value(), "the payload is the record value, untouched");
        assertEquals(1_000L, r.timestamp(), "the record timestamp is the ingest time");
        assertEquals("1.0", EventRecords.text(r.headers(), "ce_specversion"));
        assertEquals(
                "1970-01-01T00:00:01.000Z",
                EventRecords.text(r.headers(), "ce_time"),
                "RFC 3339, always with milliseconds");
        assertEquals(8, r.headers().lastHeader("sluice_deadline").value().length);

        IngestedEvent back = EventRecords.fromRecord(consumed(r));
        assertEquals(e.id(), back.id());
        assertEquals(e.source(), back.source());
        assertEquals(e.type(), back.type());
        assertEquals(e.subject(), back.subject());
        assertEquals(e.contentType(), back.contentType());
        assertEquals(e.traceparent(), back.traceparent());
        assertEquals(e.tenant(), back.tenant());
        assertEquals(e.route(), back.route());
        assertEquals(e.ingestMillis(), back.ingestMillis());
        assertEquals(e.deadlineMillis(), back.deadlineMillis());
        assertEquals(e.extensions(), back.extensions());
        assertArrayEquals(e.key(), back.key());
        assertArrayEquals(payload, back.payload());
    }

    @Test
    void theTracestateTravelsBesideTheTraceparentAndBack() {
        IngestedEvent e = new IngestedEvent(
                "id-3",
                "/s",
                "t",
                null,
                null,
                null,
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "congo=t61rcWkgMzE",
                "acme",
                "r",
                5L,
                6L,
                null,
                new byte[0],
                null);
        ProducerRecord<byte[], byte[]> r = EventRecords.toRecord("t", e);
        assertEquals("congo=t61rcWkgMzE", EventRecords.text(r.headers(), "tracestate"));
        IngestedEvent back = EventRecords.fromRecord(consumed(r));
        assertEquals(e.traceparent(), back.traceparent());
        assertEquals("congo=t61rcWkgMzE", back.tracestate());
    }

    @Test
    void anExtensionCannotNameAnAttributeTheRecordWritesItself() {
        for (String name : List.of("specversion", "id", "source", "type", "subject", "time")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> bare(null, Map.of(name, "spoofed")), name);
            assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        }
    }

    @Test
    void optionalAttributesAreLeftOut() {
        ProducerRecord<byte[], byte[]> r = EventRecords.toRecord("t", bare("2020-01-01T00:00:00Z", null));
        assertNull(r.headers().lastHeader("ce_subject"));
        assertNull(r.headers().lastHeader("content-type"));
        assertNull(r.headers().lastHeader("traceparent"));
        assertNull(r.headers().lastHeader("tracestate"));
        assertEquals("2020-01-01T00:00:00Z", EventRecords.text(r.headers(), "ce_time"));
    }

    @Test
    void aRecordWithoutADeadlineNeverExpires() {
        ConsumerRecord<byte[], byte[]> foreign = new ConsumerRecord<>("t", 0, 0L, new byte[0], new byte[0]);
        assertEquals(Long.MAX_VALUE, EventRecords.deadline(foreign));
    }

    @Test
    void deadlineBytesRoundTripForAnyLong() {
        for (long v : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1_780_000_000_000L}) {
            assertEquals(v, SluiceHeaders.readLong(SluiceHeaders.longBytes(v), 99));
        }
        assertEquals(99, SluiceHeaders.readLong(new byte[3], 99));
    }

    /** An event with only the required attributes, an empty payload, and {@code time} and {@code extensions}. */
    private static IngestedEvent bare(String time, Map<String, String> extensions) {
        return new IngestedEvent(
                "id-2", "/s", "t", null, time, null, null, null, "t", "r", 5L, 6L, null, new byte[0], extensions);
    }
}
