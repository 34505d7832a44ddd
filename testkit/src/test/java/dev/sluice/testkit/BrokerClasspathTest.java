package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerClasspathTest {

    @Test
    void brokerClasspathHasBrokerMainAndKafka4AndNoApplicationKafkaClients() {
        List<String> entries = Arrays.asList(BrokerClasspath.resolve().split(File.pathSeparator));

        entries.forEach(entry -> assertTrue(Files.exists(Path.of(entry)), entry));
        assertTrue(entries.get(0).contains("testkit-broker"), entries.get(0));
        assertTrue(entries.stream().anyMatch(e -> e.endsWith("kafka-clients-4.4.0.jar")), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.endsWith("kafka_2.13-4.4.0.jar")), entries.toString());
        assertTrue(entries.stream().noneMatch(e -> e.contains("kafka-clients-3.")), entries.toString());
    }
}
