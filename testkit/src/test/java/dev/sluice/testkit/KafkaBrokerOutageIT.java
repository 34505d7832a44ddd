package dev.sluice.testkit;

import static dev.sluice.testkit.KafkaBrokerIT.bytes;
import static dev.sluice.testkit.KafkaBrokerIT.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Brokers of their own: taken down and brought back, and never outliving their parent. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaBrokerOutageIT {

    @Test
    void stopRefusesConnectionsAndRestartKeepsPortAndData() throws Exception {
        Path dir;
        try (KafkaBroker kafka = KafkaBroker.start()) {
            dir = kafka.logFile().getParent();
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic("durable", 2, Duration.ofMinutes(10));
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("durable", bytes("k" + i), bytes("before-" + i)))
                            .get(30, TimeUnit.SECONDS);
                }
            }

            kafka.stop();

            assertFalse(kafka.isRunning());
            assertEquals(bootstrap, kafka.bootstrapServers());
            assertThrows(ConnectException.class, () -> connect(kafka.port()));

            kafka.restart();

            assertTrue(kafka.isRunning());
            assertEquals(bootstrap, kafka.bootstrapServers());
            connect(kafka.port());
            assertEquals(5, kafka.count("durable"));
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>("durable", bytes("k0"), bytes("after")))
                        .get(30, TimeUnit.SECONDS);
            }
            List<String> values = kafka.readAll("durable", Duration.ofSeconds(30)).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .sorted()
                    .toList();
            assertEquals(List.of("after", "before-0", "before-1", "before-2", "before-3", "before-4"), values);
        }
        assertFalse(Files.exists(dir), "close() deletes the broker's temp dir");
    }

    @Test
    void brokerExitsWhenItsParentJvmIsKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process parent = new ProcessBuilder(
                        java.toString(), "-cp", System.getProperty("java.class.path"), BrokerParentMain.class.getName())
                .redirectErrorStream(true)
                .start();
        Path brokerDir = null;
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith(BrokerParentMain.READY)) {
                // Skip log output of the parent JVM.
            }
            assertTrue(line != null, "the parent JVM exited before its broker was ready");
            String[] parts = line.split(" ");
            int port = Integer.parseInt(parts[1]);
            brokerDir = Path.of(parts[2]);
            List<ProcessHandle> broker = parent.descendants().toList();
            assertEquals(1, broker.size(), "one child JVM: the broker");
            connect(port);

            parent.destroyForcibly();
            parent.waitFor(10, TimeUnit.SECONDS);

            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !broker.get(0).isAlive());
            assertThrows(ConnectException.class, () -> connect(port));

            // The killed JVM could not delete its temp dir; the next testkit JVM's sweep does.
            assertTrue(Files.exists(brokerDir));
            Leftovers.sweep(brokerDir.getParent());
            assertFalse(Files.exists(brokerDir));
        } finally {
            parent.destroyForcibly();
            if (brokerDir != null) {
                TempDirs.delete(brokerDir);
            }
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        }
    }

    /** A parent JVM that starts a broker, reports it, then waits to be killed. */
    public static final class BrokerParentMain {
        static final String READY = "BROKER-PARENT-READY";

        public static void main(String[] args) throws IOException {
            KafkaBroker kafka = KafkaBroker.start();
            System.out.println(
                    READY + " " + kafka.port() + " " + kafka.logFile().getParent());
            System.out.flush();
            while (System.in.read() != -1) {
                // Wait for the test to kill this JVM.
            }
            kafka.close();
        }
    }
}
