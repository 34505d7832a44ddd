package dev.sluice.executor;

import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test events written straight to Kafka, as the router would write them. */
final class Fixtures implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;

    Fixtures(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one event; returns its id. {@code ingest} and {@code ttl} are in ms. */
    String send(String topic, String route, String key, String payload, long ingest, long ttl) throws Exception {
        return send(topic, route, key, payload, "text/plain", ingest, ttl);
    }

    String send(String topic, String route, String key, String payload, String contentType, long ingest, long ttl) {
        String id = EventIds.nextString(ingest);
        IngestedEvent e = new IngestedEvent(
                id,
                "/sources/" + route,
                "t",
                null,
                null,
                contentType,
                null,
                null,
                "default",
                route,
                ingest,
                ingest + ttl,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                payload.getBytes(StandardCharsets.UTF_8),
                key == null ? Map.of() : Map.of("partitionkey", key));
        producer.send(EventRecords.toRecord(topic, e));
        return id;
    }

    /** Sends one event to a given partition; returns its id. */
    String send(String topic, int partition, String route, String payload, long ingest, long ttl) {
        String id = EventIds.nextString(ingest);
        IngestedEvent e = new IngestedEvent(
                id,
                "/sources/" + route,
                "t",
                null,
                null,
                "text/plain",
                null,
                null,
                "default",
                route,
                ingest,
                ingest + ttl,
                null,
                payload.getBytes(StandardCharsets.UTF_8),
                Map.of());
        var r = EventRecords.toRecord(topic, e);
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                r.topic(), partition, r.timestamp(), r.key(), r.value(), r.headers()));
        return id;
    }

    /** Sends an event built by the test (attributes exactly as given, as a lenient ingest would have stored them). */
    String send(String topic, IngestedEvent e) {
        producer.send(EventRecords.toRecord(topic, e));
        return e.id();
    }

    /** Sends a record built by the test (headers exactly as given), and waits for the broker's ack. */
    void send(org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record) throws Exception {
        producer.send(record).get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    static long now() {
        return System.currentTimeMillis();
    }
}
