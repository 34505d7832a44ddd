package dev.sluice.router.impl.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.ConfigException;
import dev.sluice.core.KafkaConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The producer's effective settings, as the Kafka client reads them, keep "202 means in Kafka" unless the operator opts out. */
class ProducerGuaranteesTest {

    private static final Duration TIMEOUT = Duration.ofMillis(800);

    private static KafkaConfig overriding(Map<String, String> producer) {
        return new KafkaConfig("127.0.0.1:9092", Map.of(), producer, Map.of(), Map.of());
    }

    @Test
    void theDefaultsAreDurableIdempotentAndBoundedInTime() {
        ProducerConfig c =
                ProducerGuarantees.effective(EventProducer.properties(overriding(Map.of()), TIMEOUT, 1 << 20, false));
        assertEquals("-1", c.getString(ProducerConfig.ACKS_CONFIG), "acks=all, as the client spells it");
        assertEquals(true, c.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertTrue(c.getInt(ProducerConfig.RETRIES_CONFIG) > 0);
        assertTrue(c.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION) <= 5);
        assertEquals(EventProducer.DEFAULT_MAX_REQUEST_SIZE, c.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        assertTrue(
                c.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG) < 20_000,
                "the producer's final word comes well inside a TTL");
    }

    @Test
    void anOverrideThatBreaksTheGuaranteeStopsTheStartNamingTheSetting() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("acks", "1"),
                Map.entry("acks", "0"),
                Map.entry("enable.idempotence", "false"),
                Map.entry("retries", "0"),
                Map.entry("max.in.flight.requests.per.connection", "6"))) {
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> EventProducer.properties(overriding(Map.ofEntries(bad)), TIMEOUT, 1 << 20, false),
                    bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
            assertTrue(e.getMessage().contains("router.unsafe.producer"), e.getMessage());
        }
    }

    @Test
    void harmlessOverridesAndTheExplicitOptOutAreAccepted() {
        EventProducer.properties(
                overriding(Map.of("acks", "-1", "linger.ms", "20", "max.in.flight.requests.per.connection", "1")),
                TIMEOUT,
                1 << 20,
                false);
        Map<String, Object> unsafe = EventProducer.properties(
                overriding(Map.of("acks", "1", "enable.idempotence", "false")), TIMEOUT, 1 << 20, true);
        assertEquals("1", ProducerGuarantees.effective(unsafe).getString(ProducerConfig.ACKS_CONFIG));
    }
}
