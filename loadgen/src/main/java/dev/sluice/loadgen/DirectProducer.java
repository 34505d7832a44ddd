package dev.sluice.loadgen;

import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code --direct}: produces each event straight to the demo topic, stamped as the router stamps
 * it (a UUIDv7 id, the ingest time as {@code ce_time} and record timestamp, the deadline
 * header, the demo route's attributes), so the executor sees what it would see behind a router.
 * One producer (thread-safe) for all senders.
 */
final class DirectProducer implements AutoCloseable {

    private static final long TTL_MILLIS = 20_000;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    private DirectProducer(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    static DirectProducer create(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // As the router produces (Kafka 4's default linger): the events reach the executor as they would.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new DirectProducer(new KafkaProducer<>(p), topic);
    }

    /** Sends one event keyed by {@code key}; {@code done} gets null or the error (on the producer's thread). Returns its id. */
    String send(String key, byte[] payload, Consumer<Exception> done) {
        long now = System.currentTimeMillis();
        String id = EventIds.nextString(now);
        IngestedEvent e = DemoEvent.of(id, now, now + TTL_MILLIS, key.getBytes(StandardCharsets.UTF_8), payload, null);
        producer.send(EventRecords.toRecord(topic, e), (md, err) -> done.accept(err));
        return id;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
