package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared broker, driven by the application's own kafka-clients 3.7.1. */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaBrokerIT {

    private final KafkaBroker kafka;

    KafkaBrokerIT(KafkaBroker kafka) {
        this.kafka = kafka;
    }

    @Test
    void applicationClasspathHasKafkaClients3AndNoBroker() {
        assertEquals("3.7.1", AppInfoParser.getVersion());
        assertThrows(ClassNotFoundException.class, () -> Class.forName("kafka.server.KafkaRaftServer"));
        assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
        assertTrue(kafka.isRunning());
    }

    @Test
    void producedRecordsAreReadBackWithKeysHeadersAndBytes() throws Exception {
        kafka.createTopic("round-trip", 3, Duration.ofMinutes(5));
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = 0; i < 20; i++) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        "round-trip",
                        ("key-" + (i % 4)).getBytes(StandardCharsets.UTF_8),
                        i == 0 ? binary : bytes("value-" + i));
                record.headers().add("ce_id", bytes("id-" + i));
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll("round-trip", Duration.ofSeconds(30));

        assertEquals(20, records.size());
        assertEquals(20, kafka.count("round-trip"));
        ConsumerRecord<byte[], byte[]> first = records.stream()
                .filter(r ->
                        "id-0".equals(new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8)))
                .findFirst()
                .orElseThrow();
        assertArrayEquals(binary, first.value());
        assertArrayEquals(bytes("key-0"), first.key());
        // One key stays in one partition, in order.
        List<String> key1 = records.stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("key-1"))
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
        assertEquals(List.of("value-1", "value-5", "value-9", "value-13", "value-17"), key1);
        assertEquals(
                1,
                records.stream()
                        .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("key-1"))
                        .map(ConsumerRecord::partition)
                        .distinct()
                        .count());
    }

    @Test
    void createTopicSetsPartitionsAndRetentionAndIsIdempotent() throws Exception {
        kafka.createTopic("configured", 4, Duration.ofSeconds(20));
        kafka.createTopic("configured", 4, Duration.ofSeconds(20));

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicDescription description = admin.describeTopics(List.of("configured"))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get("configured");
            assertEquals(4, description.partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
            Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource);
            assertEquals("20000", config.get("retention.ms").value());
            assertEquals("10000", config.get("segment.ms").value());
            assertEquals("1048576", config.get("segment.bytes").value());
        }
        assertEquals(0, kafka.count("configured"));
        assertEquals(List.of(), kafka.readAll("configured", Duration.ofSeconds(10)));
    }

    @Test
    void expiredRecordsAreDeletedSoonAfterTheRetention() throws Exception {
        kafka.createTopic("short-lived", 1, Duration.ofSeconds(1));
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("short-lived", bytes("v" + i)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(5, kafka.count("short-lived"));

        // Retention is checked every 5 s; a segment older than 1 s is then rolled and deleted.
        Awaitility.await()
                .atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> kafka.count("short-lived") == 0);
    }

    static KafkaProducer<byte[], byte[]> producer(Kafka kafka) {
        return producer(kafka, 10_000);
    }

    /** As {@link #producer(Kafka)}, a request unanswered for {@code requestTimeoutMs} given up and sent again. */
    static KafkaProducer<byte[], byte[]> producer(Kafka kafka, int requestTimeoutMs) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        20_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        requestTimeoutMs),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
