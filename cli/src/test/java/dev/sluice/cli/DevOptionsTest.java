package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevOptionsTest {

    private static int brokers(String... args) {
        return Main.devSettings(Settings.empty(), args).getInt(DevStack.BROKERS, 1);
    }

    @Test
    void brokersFlagSetsTheNumberOfKafkaNodesAndDefaultsToOne() {
        assertEquals(1, brokers());
        assertEquals(3, brokers("--brokers", "3"));
        assertEquals(3, brokers("--brokers=3"));
        assertEquals(3, Main.devSettings(Settings.of(Map.of(DevStack.BROKERS, "3")), new String[0]).getInt(DevStack.BROKERS, 1),
                "the setting (SLUICE_DEV_BROKERS) works without the flag");
    }

    @Test
    void rejectsWhatIsNotACountOfNodesNamingTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> brokers("--brokers", "three")).getMessage()
                .contains("--brokers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> brokers("--brokers=0")).getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> brokers("--nodes", "3")).getMessage()
                .contains("--nodes"));
        assertThrows(IllegalArgumentException.class, () -> brokers("--brokers"));
    }
}
