package dev.sluice.benchmarks.jmh;

import dev.sluice.core.Deadlines;
import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.loadgen.DemoEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The CloudEvents Kafka binding both ways: the router's {@code IngestedEvent → ProducerRecord}
 * (headers built, ce_time rendered, deadline encoded) and the executor's
 * {@code ConsumerRecord → IngestedEvent} (every header decoded). The payload is carried as is,
 * so its size should matter little; the parameter shows whether it does.
 */
public class RecordCodecBenchmark extends NanoBenchmark {

    @Param({"200", "1024", "16384"})
    public int payloadBytes;

    private IngestedEvent event;
    private ConsumerRecord<byte[], byte[]> consumed;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] payload = new byte[payloadBytes];
        ThreadLocalRandom.current().nextBytes(payload);
        long now = System.currentTimeMillis();
        String id = EventIds.nextString(now);
        event = DemoEvent.of(
                id,
                now,
                Deadlines.deadline(now, Deadlines.DEFAULT_TTL),
                id.getBytes(StandardCharsets.UTF_8),
                payload,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        consumed = Consumed.of(EventRecords.toRecord("sluice.demo", event), 3, 42L);
    }

    @Benchmark
    public ProducerRecord<byte[], byte[]> toRecord() {
        return EventRecords.toRecord("sluice.demo", event);
    }

    @Benchmark
    public IngestedEvent fromRecord() {
        return EventRecords.fromRecord(consumed);
    }
}
