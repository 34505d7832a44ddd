package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void environmentVariablesBecomeDottedKeysAndSystemPropertiesWin() {
        Properties p = new Properties();
        p.setProperty("sluice.router.port", "9000");
        Settings s = Settings.fromEnvironment(
                Map.of("SLUICE_ROUTER_PORT", "8000", "SLUICE_KAFKA_PRODUCER_LINGER_MS", "5", "PATH", "/bin"), p);
        assertEquals(9000, s.getInt("router.port", 1));
        assertEquals(Map.of("linger.ms", "5"), s.withPrefix("kafka.producer."));
        assertFalse(s.asMap().containsKey("path"));
    }

    @Test
    void typedGettersExplainBadValues() {
        Settings s = Settings.of(Map.of("a", "x", "d", "3s"));
        ConfigException e = assertThrows(ConfigException.class, () -> s.getInt("a", 1));
        assertTrue(e.getMessage().contains("a must be an integer"));
        assertEquals(Duration.ofSeconds(3), s.getDuration("d", Duration.ZERO));
        assertEquals(7, s.getInt("missing", 7));
    }

    @Test
    void secretsAreRedactedInToString() {
        Settings s = Settings.of(
                Map.of("kafka.common.sasl.jaas.config", "secret-stuff", "pg.url", "postgresql://u:pw@h:5432/db"));
        String text = s.toString();
        assertFalse(text.contains("secret-stuff"), text);
        assertFalse(text.contains("pw@"), text);
        assertTrue(text.contains("postgresql://u:***@h:5432/db"), text);
    }
}
