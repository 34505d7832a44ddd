package dev.sluice.scaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalerMetadataTest {

    @Test
    void defaultsFillEverythingButTopicAndGroup() {
        ScalerMetadata md = ScalerMetadata.parse(Map.of("topic", "orders", "group", "sluice-executor"), "k:9092");
        assertEquals("orders", md.topic());
        assertEquals("sluice-executor", md.group());
        assertEquals("k:9092", md.bootstrapServers());
        assertEquals(Duration.ofSeconds(2), md.budget());
        assertEquals(Duration.ofSeconds(20), md.ttl());
        assertEquals(1000, md.replicaRate());
        assertEquals(0, md.minReplicas());
        assertEquals(Integer.MAX_VALUE, md.maxReplicas());
        assertEquals(0, md.activationThreshold());
        assertEquals("sluice-required-rate-orders", md.metricName());
    }

    @Test
    void readsEveryKey() {
        ScalerMetadata md = ScalerMetadata.parse(
                Map.of(
                        "topic",
                        "t",
                        "group",
                        "g",
                        "bootstrapServers",
                        "b:1",
                        "budget",
                        "1500",
                        "ttl",
                        "30s",
                        "replicaRate",
                        "250.5",
                        "minReplicas",
                        "1",
                        "maxReplicas",
                        "8",
                        "activationThreshold",
                        "3"),
                "x");
        assertEquals("b:1", md.bootstrapServers());
        assertEquals(Duration.ofMillis(1500), md.budget());
        assertEquals(Duration.ofSeconds(30), md.ttl());
        assertEquals(250.5, md.replicaRate());
        assertEquals(1, md.minReplicas());
        assertEquals(8, md.maxReplicas());
        assertEquals(3, md.activationThreshold());
    }

    @Test
    void rejectsMissingTopicAndGroup() {
        assertInvalid(Map.of("group", "g"), "scalerMetadata.topic is required");
        assertInvalid(Map.of("topic", " ", "group", "g"), "scalerMetadata.topic is required");
        assertInvalid(Map.of("topic", "t"), "scalerMetadata.group is required");
    }

    @Test
    void rejectsBadNumbersNamingKeyAndValue() {
        assertInvalid(with("budget", "soon"), "scalerMetadata.budget: not a duration: 'soon'");
        assertInvalid(with("budget", "0"), "scalerMetadata.budget must be positive");
        assertInvalid(with("ttl", "-5s"), "scalerMetadata.ttl must be positive");
        assertInvalid(
                with("replicaRate", "fast"), "scalerMetadata.replicaRate must be a non-negative number, got 'fast'");
        assertInvalid(with("replicaRate", "0"), "scalerMetadata.replicaRate must be positive");
        assertInvalid(
                with("maxReplicas", "2.5"), "scalerMetadata.maxReplicas must be a non-negative integer, got '2.5'");
        assertInvalid(with("activationThreshold", "NaN"), "scalerMetadata.activationThreshold");
        Map<String, String> m = with("minReplicas", "5");
        m.put("maxReplicas", "2");
        assertInvalid(m, "minReplicas (5) is above maxReplicas (2)");
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = new HashMap<>(Map.of("topic", "t", "group", "g"));
        m.put(key, value);
        return m;
    }

    private static void assertInvalid(Map<String, String> metadata, String message) {
        ScalerException e = assertThrows(ScalerException.class, () -> ScalerMetadata.parse(metadata, "b"));
        assertEquals(ScalerException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
