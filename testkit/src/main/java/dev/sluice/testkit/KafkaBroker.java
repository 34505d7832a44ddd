package dev.sluice.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

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
public final class KafkaBroker extends RestartableServer implements Kafka {

    /** Extra JVM flags for the broker's child JVM (and each node of a cluster), e.g. a different collector or heap. */
    public static final String JAVA_OPTS_ENV = "SLUICE_BROKER_JAVA_OPTS";

    private final int port;
    private final Path dir;
    private final BrokerProcess process;
    private final TopicAdmin topics;

    private KafkaBroker(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        Path configFile = dir.resolve("server.properties");
        BrokerConfig.single(configFile, dir.resolve("data"), port, controllerPort);
        this.process = new BrokerProcess(
                "Kafka broker " + Ports.LOOPBACK_HOST + ":" + port,
                dir,
                configFile,
                null,
                List.of(),
                port,
                controllerPort);
        this.topics = new TopicAdmin(bootstrapServers());
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
        return launched(broker);
    }

    /** {@code 127.0.0.1:PORT}, the same across {@link #stop()} and {@link #restart()}. */
    @Override
    public String bootstrapServers() {
        return Ports.LOOPBACK_HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The broker's log (WARN and above), inside the temp dir that {@link #close()} deletes. */
    public Path logFile() {
        return process.logFile();
    }

    /** One: a single broker holds the only replica. */
    @Override
    public short replicationFactor() {
        return 1;
    }

    @Override
    public void createTopic(String name, int partitions, Duration retention) {
        checkOpen();
        topics.create(
                new NewTopic(name, partitions, replicationFactor()).configs(TopicAdmin.retentionConfigs(retention)));
    }

    @Override
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration wait) {
        return topics.readAll(topic, wait);
    }

    @Override
    public long count(String topic) {
        checkOpen();
        return topics.count(topic);
    }

    /**
     * Stops the broker process (gracefully, forcibly after 30 s). Its ports stay reserved by this
     * object and refuse connections until {@link #restart()}; its data stays on disk.
     */
    @Override
    public synchronized void stop() {
        topics.close();
        process.stop();
    }

    @Override
    synchronized void launch() {
        process.start();
    }

    @Override
    public synchronized boolean isRunning() {
        return process.isRunning();
    }

    /** Closing stops the broker, then frees its ports and deletes its data. */
    @Override
    void release() {
        process.releasePorts();
        TempDirs.delete(dir);
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + "]";
    }
}
