package dev.sluice.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.sluice.testkit.broker.BrokerMain;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka 4.x broker (KRaft, broker and controller in one node) in a child JVM, on
 * free loopback ports and a temporary data directory.
 *
 * <p>The child runs {@code dev.sluice.testkit.broker.BrokerMain} on its own classpath, so the
 * broker's kafka-clients 4.x never meets the application's 3.7.1. Its stdin is a pipe this object
 * holds open: when this JVM exits, even by SIGKILL, the pipe closes and the broker shuts itself
 * down. {@link #stop()} and {@link #restart()} keep the ports and the data, for outage tests.
 * Broker logs (WARN and above) go to {@link #logFile()}.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final int MIN_SEGMENT_BYTES = 1024 * 1024;
    private static final long MIN_SEGMENT_MS = 1_000;
    private static final int LOG_TAIL_LINES = 40;
    /** Extra JVM flags for the broker's child JVM, e.g. a different collector or heap. */
    public static final String JAVA_OPTS_ENV = "SLUICE_BROKER_JAVA_OPTS";

    private final int port;
    private final int controllerPort;
    private final Path dir;
    private final Path configFile;
    private final Path logFile;
    private final List<String> command;
    private final PortHolds portHolds = new PortHolds();

    private Process process;
    private Admin admin;
    private boolean closed;

    private KafkaBroker(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.configFile = dir.resolve("server.properties");
        this.logFile = dir.resolve("broker.log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m",
                "-Xmx512m",
                // Serial GC: fewest threads on a small machine. The JIT stays fully tiered (C1-only
                // starts about 0.3 s sooner but slows the broker down for load tests and dev mode).
                "-XX:+UseSerialGC",
                "-XX:-UsePerfData",
                "-XX:+ExitOnOutOfMemoryError",
                // Its pauses stall every producer and consumer at once; keep them on record.
                "-Xlog:gc:file=" + dir.resolve("gc.log") + ":utctime,uptime,level,tags",
                "-Djava.awt.headless=true"));
        // Later flags win, so these override the defaults above.
        String extra = System.getenv(JAVA_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", BrokerClasspath.resolve(), BrokerMain.MAIN_CLASS, configFile.toString()));
        this.command = List.copyOf(cmd);
        BrokerConfig.write(configFile, dir.resolve("data"), port, controllerPort);
        Cleanup.register(this);
    }

    /** Starts a broker and blocks until it answers clients (at most 60 s). */
    public static KafkaBroker start() {
        Path dir = TempDirs.create("kafka");
        KafkaBroker broker;
        try {
            broker = new KafkaBroker(dir, Ports.freePort(), Ports.freePort());
        } catch (RuntimeException e) {
            TempDirs.delete(dir);
            throw e;
        }
        try {
            broker.launch();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** {@code 127.0.0.1:PORT}, the same across {@link #stop()} and {@link #restart()}. */
    public String bootstrapServers() {
        return Ports.LOOPBACK_HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The broker's log (WARN and above), inside the temp dir that {@link #close()} deletes. */
    public Path logFile() {
        return logFile;
    }

    /**
     * Creates a topic with replication factor 1 and waits until every partition has a leader.
     * Retention is {@code retention}; segments roll after half of it (at least 1 s) or 1 MiB, so
     * expired data is really deleted soon after the retention (the broker checks every 5 s).
     * Does nothing but wait for leaders when the topic exists already.
     */
    public void createTopic(String name, int partitions, Duration retention) {
        long retentionMs = Math.max(1, retention.toMillis());
        Map<String, String> configs = Map.of(
                "retention.ms", Long.toString(retentionMs),
                "segment.ms", Long.toString(Math.max(MIN_SEGMENT_MS, retentionMs / 2)),
                "segment.bytes", Integer.toString(MIN_SEGMENT_BYTES));
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        try {
            get(admin().createTopics(List.of(topic)).all());
        } catch (KafkaOperationException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        awaitLeaders(name);
    }

    /**
     * Every record of {@code topic} from the beginning up to the end offsets as of this call, read
     * by a throwaway consumer that assigns all partitions (no group, no commits). Returns early what
     * it has if {@code wait} passes first. Records of one partition keep their order.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, ADMIN_TIMEOUT)
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, ADMIN_TIMEOUT);
            while (!reached(consumer, end) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Records currently retained in {@code topic}: the sum over partitions of end minus start offset. */
    public long count(String topic) {
        List<TopicPartition> partitions = partitions(topic);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartition partition : partitions) {
            earliest.put(partition, OffsetSpec.earliest());
            latest.put(partition, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> start = get(admin().listOffsets(earliest).all());
        Map<TopicPartition, ListOffsetsResultInfo> end = get(admin().listOffsets(latest).all());
        long total = 0;
        for (TopicPartition partition : partitions) {
            total += end.get(partition).offset() - start.get(partition).offset();
        }
        return total;
    }

    /**
     * Stops the broker process (gracefully, forcibly after 30 s). Its ports stay reserved by this
     * object and refuse connections until {@link #restart()}; its data stays on disk.
     */
    public synchronized void stop() {
        closeAdmin();
        Process running = process;
        process = null;
        if (running == null) {
            return;
        }
        try {
            running.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("closing the broker's stdin failed", e);
        }
        try {
            if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Kafka broker {} did not stop within {}; killing it", bootstrapServers(), STOP_TIMEOUT);
                running.destroyForcibly();
                running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        portHolds.hold(port, controllerPort);
    }

    /** Starts the broker again on the same ports and data; stops it first if it is running. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
        stop();
        portHolds.release();
        launch();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Stops the broker and deletes its data. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            portHolds.release();
            TempDirs.delete(dir);
            Cleanup.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + "]";
    }

    private synchronized void launch() {
        long startedAt = System.nanoTime();
        Process started;
        try {
            started = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(Redirect.PIPE)
                    .redirectOutput(Redirect.PIPE)
                    .redirectError(Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker JVM", e);
        }
        process = started;
        Leftovers.recordServer(dir, started);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> watchStdout(started, ready), "sluice-kafka-" + port + "-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            started.destroyForcibly();
            process = null;
            String why = e instanceof TimeoutException ? "was not ready within " + START_TIMEOUT : e.getCause().getMessage();
            throw new IllegalStateException("Kafka broker " + bootstrapServers() + " " + why
                    + "; broker log:" + System.lineSeparator() + TempDirs.tail(logFile, LOG_TAIL_LINES), e);
        } catch (InterruptedException e) {
            started.destroyForcibly();
            process = null;
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Kafka broker", e);
        }
        LOG.info("Kafka broker ready on {} in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
    }

    /** Completes {@code ready} on the ready line; fails it if the process ends first. */
    private static void watchStdout(Process child, CompletableFuture<Void> ready) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(BrokerMain.READY_LINE)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            LOG.debug("reading the broker's stdout failed", e);
        }
        if (!ready.isDone()) {
            String code;
            try {
                code = Integer.toString(child.waitFor());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = "unknown";
            }
            ready.completeExceptionally(new IllegalStateException("exited with code " + code + " before it was ready"));
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "sluice-testkit-admin",
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()));
        }
        return admin;
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-testkit-reader");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey(), ADMIN_TIMEOUT) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    private List<TopicPartition> partitions(String topic) {
        TopicDescription description = get(admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicPartitionInfo info : description.partitions()) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }

    /** Waits until the topic is known and each partition has a leader (metadata is asynchronous). */
    private void awaitLeaders(String topic) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description =
                        get(admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
                if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (KafkaOperationException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leader for every partition after "
                        + ADMIN_TIMEOUT);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaOperationException(e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaOperationException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaOperationException(e);
        }
    }

    /** A Kafka admin call failed; the cause is Kafka's own exception. */
    public static final class KafkaOperationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaOperationException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
