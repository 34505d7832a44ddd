package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Topic filters as MQTT 3.1.1 §4.7 defines them, and the binding's key forms. */
class MqttBindingTest {

    @Test
    void filtersMatchByWholeLevels() {
        assertTrue(MqttBinding.matches("devices/+/telemetry", "devices/pump-7/telemetry"));
        assertFalse(MqttBinding.matches("devices/+/telemetry", "devices/a/b/telemetry"));
        assertFalse(MqttBinding.matches("devices/+/telemetry", "devices/pump-7/telemetry/x"));
        assertTrue(MqttBinding.matches("devices/+/telemetry", "devices//telemetry"), "+ matches an empty level");
        assertTrue(MqttBinding.matches("alarms/#", "alarms/fire/floor-2"));
        assertTrue(MqttBinding.matches("alarms/#", "alarms"), "# also matches the parent level");
        assertFalse(MqttBinding.matches("alarms/#", "alarmsx"));
        assertTrue(MqttBinding.matches("#", "anything/at/all"));
        assertFalse(MqttBinding.matches("#", "$SYS/broker"), "topics starting with $ are never matched by wildcards");
        assertTrue(MqttBinding.matches("a/b", "a/b"));
        assertFalse(MqttBinding.matches("a/b", "a/b/"));
        assertFalse(MqttBinding.matches("a/+", "a"));
    }

    @Test
    void badFiltersAndKeysAreCatalogErrors() {
        for (String bad : List.of("a/#/b", "a/b+", "a#", "", "$SYS/#")) {
            assertThrows(ConfigException.class, () -> new MqttBinding(List.of(bad), "id"), bad);
        }
        for (String bad : List.of(
                "topic:x",
                "header:x",
                "property:",
                "pointer:nope",
                // Not RFC 6901 pointers: '~' must be followed by 0 or 1.
                "pointer:/a~2",
                "pointer:/a~",
                // The router's own names of topic levels: a property of that name would be shadowed, or fail.
                "property:mqtt.topic.1",
                "property:mqtt.topic.abc")) {
            assertThrows(ConfigException.class, () -> new MqttBinding(List.of("a/+"), bad), bad);
        }
        assertEquals("topic:1", new MqttBinding(List.of("devices/+/t"), "topic:1").key());
        assertEquals("pointer:/a~1b/~0c", new MqttBinding(List.of("a/+"), "pointer:/a~1b/~0c").key());
        assertEquals("property:mqtt.topics", new MqttBinding(List.of("a/+"), "property:mqtt.topics").key());
        assertFalse(MqttBinding.NONE.bound());
    }
}
