package dev.sluice.core.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

class KafkaClientMetersTest {

    private static Map<String, Object> consumerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // never reached: the test needs no broker
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "meters-test");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "meters-test-client");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    @Test
    void aConsumersMetricsAreScrapedFromAnotherThreadWhilePollRunsAndGoWithTheConsumer() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(KafkaClientMeters.report(consumerProps(), registry));
        consumer.subscribe(List.of("t"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> pollFailure = new AtomicReference<>();
        Thread poller = new Thread(() -> {
            try {
                while (!stop.get()) {
                    consumer.poll(Duration.ofMillis(50));
                }
            } catch (Throwable t) {
                pollFailure.set(t);
            }
        });
        poller.start();
        String scrape = "";
        for (int i = 0; i < 20; i++) { // scraping while the consumer thread polls: nothing refuses
            scrape = registry.scrape();
            Thread.sleep(10);
        }
        assertNotNull(
                registry.find("kafka.consumer.fetch.manager.fetch.total").functionCounter(),
                "a -total metric is a counter");
        stop.set(true);
        poller.join(10_000);
        consumer.close(Duration.ofSeconds(1));
        assertEquals(null, pollFailure.get(), "the consumer's own thread was not disturbed");
        assertTrue(
                scrape.contains("kafka_consumer_fetch_manager_fetch_total{client_id=\"meters-test-client\""), scrape);
        assertTrue(scrape.contains("kafka_consumer_connection_count{client_id=\"meters-test-client\""), scrape);
        assertFalse(scrape.contains("topic=\""), "no per-topic or per-partition meters");
        assertTrue(registry.find("kafka.consumer.connection.count").gauges().isEmpty(), "closed: its meters are gone");
    }

    @Test
    void namesFollowMicrometersKafkaBinder() {
        assertEquals(
                "kafka.consumer.fetch.manager.records.lag.max",
                KafkaClientMeters.meterName(new org.apache.kafka.common.MetricName(
                        "records-lag-max", "consumer-fetch-manager-metrics", "", Map.of())));
        assertEquals(
                "kafka.producer.record.error.total",
                KafkaClientMeters.meterName(new org.apache.kafka.common.MetricName(
                        "record-error-total", "producer-metrics", "", Map.of())));
    }
}
