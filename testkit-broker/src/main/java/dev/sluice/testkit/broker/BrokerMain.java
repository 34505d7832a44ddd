package dev.sluice.testkit.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Entry point of the child JVM that runs one Kafka node in KRaft combined mode (broker and
 * controller in one process): a single-node broker, or one node of a replicated cluster.
 *
 * <p>Usage: {@code BrokerMain <server.properties> [<cluster-id>]}. Formats the storage on first
 * start, starts the node, waits until it answers a metadata request on its {@code PLAINTEXT}
 * listener and then prints {@link #READY_LINE} on stdout. Without a cluster id the node is its own
 * standalone controller quorum under a random cluster id. With one, the configuration names the
 * quorum's voters ({@code controller.quorum.voters}) and every node of the cluster is formatted
 * with that same id. A node of a cluster is ready only once a majority of the voters is up, so
 * the nodes are started together. Nothing else is written to stdout; logs go to stderr.
 *
 * <p>The parent keeps this process's stdin open and never writes to it. When stdin reaches end of
 * file, because the parent closed it or died (even by SIGKILL), the broker shuts down and the JVM
 * exits, so no broker outlives the process that started it.
 *
 * <p>The constants are compile-time constants, so the launcher can use them without loading this
 * class (and the Kafka 4 classes it refers to) into the application's JVM.
 */
public final class BrokerMain {

    /** The line printed on stdout once the broker accepts and answers client connections. */
    public static final String READY_LINE = "SLUICE-BROKER-READY";
    /** Resource holding the broker's runtime classpath, written at build time. */
    public static final String CLASSPATH_RESOURCE = "META-INF/sluice/kafka-broker.classpath";
    /** Fully qualified name of this class, for the launcher's command line. */
    public static final String MAIN_CLASS = "dev.sluice.testkit.broker.BrokerMain";
    /** Exit code when the arguments or the configuration are wrong. */
    public static final int EXIT_USAGE = 2;
    /** Exit code when formatting or starting the broker failed. */
    public static final int EXIT_START_FAILED = 3;

    private static final String LOG_CONFIG_RESOURCE = "META-INF/sluice/broker-log4j2.properties";
    private static final String CLIENT_LISTENER = "PLAINTEXT://";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private static final Object LOCK = new Object();
    private static KafkaRaftServer server;

    private BrokerMain() {}

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG_RESOURCE);
        }
        if (args.length != 1 && args.length != 2) {
            System.err.println("usage: BrokerMain <server.properties> [<cluster-id>]");
            System.exit(EXIT_USAGE);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(BrokerMain::shutdownBroker, "broker-shutdown"));
        watchStdin();
        try {
            Path configFile = Path.of(args[0]);
            Properties props = load(configFile);
            formatIfNeeded(configFile, props, args.length == 2 ? args[1] : null);
            KafkaRaftServer started = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            synchronized (LOCK) {
                server = started;
            }
            started.startup();
            awaitAnswering(clientBootstrap(props));
            PrintStream out = System.out;
            out.println(READY_LINE);
            out.flush();
            started.awaitShutdown();
        } catch (Exception | LinkageError e) {
            System.err.println("broker failed to start: " + e);
            e.printStackTrace(System.err);
            System.exit(EXIT_START_FAILED);
        }
    }

    /** Exits (running the shutdown hook, which stops the broker) once stdin is closed. */
    private static void watchStdin() {
        Thread watcher = new Thread(
                () -> {
                    byte[] buffer = new byte[256];
                    try (InputStream in = System.in) {
                        while (in.read(buffer) != -1) {
                            // The parent never writes; anything it does write is ignored.
                        }
                    } catch (IOException e) {
                        // A broken stdin means the parent is gone, same as end of file.
                    }
                    System.exit(0);
                },
                "broker-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void shutdownBroker() {
        KafkaRaftServer running;
        synchronized (LOCK) {
            running = server;
            server = null;
        }
        if (running == null) {
            return;
        }
        Thread stopper = new Thread(running::shutdown, "broker-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(SHUTDOWN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Properties load(Path configFile) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
            props.load(reader);
        }
        return props;
    }

    /**
     * Formats the log directory unless an earlier run already did (a restart keeps its data): as a
     * standalone quorum under a random id when {@code clusterId} is null, else under that id for
     * the static quorum the configuration names.
     */
    private static void formatIfNeeded(Path configFile, Properties props, String clusterId) {
        String logDirs = props.getProperty("log.dirs", props.getProperty("log.dir"));
        if (logDirs == null || logDirs.isBlank()) {
            throw new IllegalArgumentException("log.dirs is not set in " + configFile);
        }
        Path firstLogDir = Path.of(logDirs.split(",")[0].trim());
        if (Files.exists(firstLogDir.resolve("meta.properties"))) {
            return;
        }
        String[] formatArgs = clusterId == null
                ? new String[] {
                    "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(), "--standalone"
                }
                : new String[] {"format", "-t", clusterId, "-c", configFile.toString()};
        int code = StorageTool.execute(formatArgs, System.err);
        if (code != 0) {
            throw new IllegalStateException("formatting the broker storage failed with exit code " + code);
        }
    }

    private static String clientBootstrap(Properties props) {
        String listeners = props.getProperty("advertised.listeners", props.getProperty("listeners", ""));
        for (String listener : listeners.split(",")) {
            String trimmed = listener.trim();
            if (trimmed.startsWith(CLIENT_LISTENER)) {
                return trimmed.substring(CLIENT_LISTENER.length());
            }
        }
        throw new IllegalArgumentException("no " + CLIENT_LISTENER + " listener in " + listeners);
    }

    /** Waits until the broker answers a metadata request and lists itself as a live node. */
    private static void awaitAnswering(String bootstrap)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) READY_TIMEOUT.toMillis(),
                AdminClientConfig.CLIENT_ID_CONFIG,
                "sluice-broker-ready-check");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(config)) {
            while (admin.describeCluster()
                    .nodes()
                    .get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("broker at " + bootstrap + " lists no live node");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }
}
