package dev.sluice.executor.impl.trigger;

import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.SluiceHeaders;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What Kafka already holds of a schedule. A holder that died after Kafka acknowledged a tick and
 * before its transaction committed leaves that tick in Kafka but not in PostgreSQL; the next holder
 * reads the schedule's partition from the recorded tick on (records are stamped with their firing
 * time, never before their tick) and continues after the latest tick it finds, instead of sending it again.
 */
final class TickLedger {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private final KafkaConfig kafka;

    TickLedger(KafkaConfig kafka) {
        this.kafka = kafka;
    }

    /**
     * The latest tick of {@code workflow} in {@code topic} fired at or after {@code after} (epoch ms), or {@code after}
     * when there is none. Runs on a worker; fails when the partition cannot be read to its end within a few seconds.
     */
    Future<Long> latestTick(Vertx vertx, String topic, String workflow, long after) {
        return vertx.executeBlocking(() -> scan(topic, workflow, after), false);
    }

    private long scan(String topic, String workflow, long after) {
        Map<String, Object> d = new HashMap<>();
        d.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        d.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-executor-tick-ledger");
        d.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        d.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, Object> props = kafka.consumerProperties(d);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        String source = "sluice/schedule/" + workflow;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, BOUND);
            // Where the producer's default partitioner puts the schedule's key (the workflow name).
            int p = Utils.toPositive(Utils.murmur2(workflow.getBytes(StandardCharsets.UTF_8))) % partitions.size();
            TopicPartition tp = new TopicPartition(topic, p);
            consumer.assign(List.of(tp));
            OffsetAndTimestamp from =
                    consumer.offsetsForTimes(Map.of(tp, after), BOUND).get(tp);
            if (from == null) {
                return after;
            }
            long end = consumer.endOffsets(List.of(tp), BOUND).get(tp);
            consumer.seek(tp, from.offset());
            long latest = after;
            long giveUp = System.nanoTime() + BOUND.toNanos();
            while (consumer.position(tp, BOUND) < end) {
                if (System.nanoTime() > giveUp) {
                    throw new IllegalStateException(
                            "could not read " + tp + " up to offset " + end + " within " + BOUND.toMillis() + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end && source.equals(EventRecords.text(r.headers(), SluiceHeaders.CE_SOURCE))) {
                        latest = Math.max(latest, tick(r, latest));
                    }
                }
            }
            return latest;
        }
    }

    private static long tick(ConsumerRecord<byte[], byte[]> r, long otherwise) {
        String time = EventRecords.text(r.headers(), SluiceHeaders.CE_TIME);
        try {
            return time == null ? otherwise : Instant.parse(time).toEpochMilli();
        } catch (DateTimeParseException e) {
            return otherwise;
        }
    }
}
