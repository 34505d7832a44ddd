package dev.sluice.testkit.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The contract with testkit: what the build records for the child JVM and how it logs. */
class RecordedClasspathTest {

    @Test
    void recordsTheBrokersRuntimeJarsOnly() throws IOException {
        List<String> entries =
                Arrays.asList(read(BrokerMain.CLASSPATH_RESOURCE).trim().split(File.pathSeparator));

        entries.forEach(entry -> assertTrue(Path.of(entry).isAbsolute() && Files.isRegularFile(Path.of(entry)), entry));
        assertTrue(has(entries, "kafka_2.13-4.4.0.jar"), entries.toString());
        assertTrue(has(entries, "kafka-clients-4.4.0.jar"), "the broker's own kafka-clients, not the application's");
        assertTrue(has(entries, "kafka-server-4.4.0.jar"), entries.toString());
        assertTrue(has(entries, "log4j-slf4j2-impl-"), "Kafka's slf4j logging needs a provider");
        assertTrue(entries.stream().noneMatch(e -> e.contains("kafka-clients-3.")), entries.toString());
        assertTrue(entries.stream().noneMatch(e -> e.contains("junit")), "test scope is not recorded");
    }

    @Test
    void logsWarningsToStderrOnly() throws IOException {
        Properties config = new Properties();
        config.load(new StringReader(read("META-INF/sluice/broker-log4j2.properties")));

        assertEquals("warn", config.getProperty("rootLogger.level"));
        assertEquals("SYSTEM_ERR", config.getProperty("appender.err.target"));
    }

    @Test
    void mainClassConstantNamesThisClass() {
        assertEquals(BrokerMain.class.getName(), BrokerMain.MAIN_CLASS);
    }

    private static boolean has(List<String> entries, String fileName) {
        return entries.stream()
                .anyMatch(e -> Path.of(e).getFileName().toString().startsWith(fileName));
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = RecordedClasspathTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
