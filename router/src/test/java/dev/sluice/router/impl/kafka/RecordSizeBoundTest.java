package dev.sluice.router.impl.kafka;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * The router refuses a record as too large by {@link EventProducer#sizeUpperBound} before the
 * producer sees it, so that bound must never be under the size the producer itself checks against
 * {@code max.request.size}: whatever the names and values of its headers, ASCII or not.
 */
class RecordSizeBoundTest {

    private static int kafkaEstimate(ProducerRecord<byte[], byte[]> r) {
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE,
                r.key(),
                r.value(),
                r.headers().toArray());
    }

    private static ProducerRecord<byte[], byte[]> record(byte[] key, byte[] value, List<String[]> headers) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("t", null, 0L, key, value);
        for (String[] h : headers) {
            r.headers().add(new RecordHeader(h[0], h[1] == null ? null : h[1].getBytes(StandardCharsets.UTF_8)));
        }
        return r;
    }

    @Test
    void theBoundIsNeverUnderTheProducersOwnEstimate() {
        List<List<String[]>> headerSets = List.of(
                List.of(),
                List.of(new String[] {"ce_id", "0191"}, new String[] {"ce_specversion", "1.0"}),
                // Names of two and three UTF-8 bytes per char, and one char of four bytes (a surrogate pair).
                List.of(new String[] {"ce_ünïcödé", "wert"}, new String[] {"ce_日本語", "値"}, new String[] {
                    "ce_\uD83D\uDE00", null
                }),
                List.<String[]>of(new String[] {"x".repeat(300), "y".repeat(70_000)}));
        byte[][] keys = {null, new byte[0], "device-7".getBytes(StandardCharsets.UTF_8), new byte[200]};
        byte[][] values = {new byte[0], new byte[200], new byte[1 << 20]};
        for (List<String[]> headers : headerSets) {
            for (byte[] key : keys) {
                for (byte[] value : values) {
                    ProducerRecord<byte[], byte[]> r = record(key, value, headers);
                    int ours = EventProducer.sizeUpperBound(r);
                    int theirs = kafkaEstimate(r);
                    assertTrue(ours >= theirs, "bound " + ours + " under the producer's " + theirs);
                    // And not so loose that it refuses what fits: a few bytes per header name at most.
                    int names = headers.stream().mapToInt(h -> h[0].length()).sum();
                    assertTrue(ours - theirs <= 128 + 3 * names, "bound " + ours + " far over " + theirs);
                }
            }
        }
    }
}
