package dev.sluice.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replicated Apache Kafka 4.x cluster of N KRaft nodes (3 by default), each a broker and a voter
 * of the controller quorum, each in its own child JVM (heap at most 512 MiB) with its own temp
 * directory, on free loopback ports. Topics get {@code min(3, N)} replicas, {@code min(2, N)} of
 * them required in sync, and no unclean leader election: the settings of a production cluster
 * such as MSK's, small.
 *
 * <p>Nodes are numbered from 1. One node at a time can be killed (SIGKILL), stopped, paused
 * (SIGSTOP) and resumed (SIGCONT), and restarted with its data; its ports stay reserved while it is
 * down. {@link #leaderOf} and {@link #awaitLeader} tell a test which node leads a partition.
 */
public final class KafkaCluster extends TestServer implements Kafka {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    /** How the nodes' JVMs compile. */
    public enum Jit {
        /**
         * C1 only: measured on 2 cores, a node needs 4.5 s of CPU to be ready instead of 7.2 s with
         * the C2 compiler too, and three nodes start on the same cores at once. Fault tests and dev
         * mode do not need C2's peak throughput; {@value KafkaBroker#JAVA_OPTS_ENV} can still turn it on
         * ({@code -XX:TieredStopAtLevel=4}).
         */
        QUICK_START(List.of("-XX:TieredStopAtLevel=1")),
        /** Both tiers: slower to start, less CPU per record once warm; for measurements under load. */
        PEAK(List.of());

        final List<String> flags;

        Jit(List<String> flags) {
            this.flags = flags;
        }
    }

    public static final int DEFAULT_NODES = 3;

    private final List<BrokerConfig.Node> specs;
    private final List<Path> dirs;
    private final List<BrokerProcess> nodes;
    private final TopicAdmin topics;

    private KafkaCluster(List<BrokerConfig.Node> specs, List<Path> dirs, Jit jit) {
        this.specs = List.copyOf(specs);
        this.dirs = List.copyOf(dirs);
        String clusterId = Uuid.randomUuid().toString();
        List<BrokerProcess> processes = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            BrokerConfig.Node spec = specs.get(i);
            Path configFile = dirs.get(i).resolve("server.properties");
            BrokerConfig.clusterNode(configFile, dirs.get(i).resolve("data"), spec, specs);
            processes.add(new BrokerProcess(
                    "Kafka node " + spec.id() + " (" + spec.client() + ")",
                    dirs.get(i),
                    configFile,
                    clusterId,
                    jit.flags,
                    spec.port(),
                    spec.controllerPort()));
        }
        this.nodes = List.copyOf(processes);
        this.topics = new TopicAdmin(bootstrapServers());
        Cleanup.register(this);
    }

    /** Starts {@value #DEFAULT_NODES} nodes and blocks until each answers clients (at most 60 s). */
    public static KafkaCluster start() {
        return start(DEFAULT_NODES);
    }

    /** Starts {@code size} nodes together (a node is ready only once a quorum is) and waits for all of them. */
    public static KafkaCluster start(int size) {
        return start(size, Jit.QUICK_START);
    }

    /** As {@link #start(int)}, the nodes compiling as {@code jit} says. */
    public static KafkaCluster start(int size, Jit jit) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, not " + size);
        }
        List<Path> dirs = new ArrayList<>();
        KafkaCluster cluster;
        try {
            List<BrokerConfig.Node> specs = new ArrayList<>();
            for (int id = 1; id <= size; id++) {
                dirs.add(TempDirs.create("kafka-node" + id));
                specs.add(new BrokerConfig.Node(id, Ports.freePort(), Ports.freePort()));
            }
            cluster = new KafkaCluster(specs, dirs, jit);
        } catch (RuntimeException e) {
            dirs.forEach(TempDirs::delete);
            throw e;
        }
        try {
            long startedAt = System.nanoTime();
            cluster.startTogether(cluster.nodes);
            LOG.info(
                    "Kafka cluster of {} nodes ready on {} in {} ms",
                    size,
                    cluster.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The replication factor of a cluster of {@code nodes}: 3, or fewer when there are fewer nodes. */
    static short replicationFactor(int nodes) {
        return (short) Math.min(3, nodes);
    }

    /** The {@code min.insync.replicas} of a cluster of {@code nodes}: 2, or 1 for a single node. */
    static int minInSyncReplicas(int nodes) {
        return Math.min(2, nodes);
    }

    /** Every node's client address, comma-separated; the same across restarts. */
    @Override
    public String bootstrapServers() {
        return specs.stream().map(BrokerConfig.Node::client).collect(Collectors.joining(","));
    }

    /** The client address of node {@code id} alone. */
    public String bootstrapServers(int id) {
        return spec(id).client();
    }

    /** How many nodes the cluster has, running or not. */
    public int size() {
        return specs.size();
    }

    @Override
    public short replicationFactor() {
        return replicationFactor(size());
    }

    public int minInSyncReplicas() {
        return minInSyncReplicas(size());
    }

    /** Creates a topic with {@link #replicationFactor()} replicas, {@link #minInSyncReplicas()} and no unclean election. */
    @Override
    public void createTopic(String name, int partitions, Duration retention) {
        checkOpen();
        Map<String, String> configs = TopicAdmin.retentionConfigs(retention);
        configs.put("min.insync.replicas", Integer.toString(minInSyncReplicas()));
        configs.put("unclean.leader.election.enable", "false");
        topics.create(new NewTopic(name, partitions, replicationFactor()).configs(configs));
    }

    /** The topic's effective configuration (set on the topic, else the cluster's defaults). */
    public Map<String, String> topicConfig(String topic) {
        return topics.config(topic);
    }

    /** The topic's partitions with their leaders, replicas and in-sync replicas, as the cluster sees them now. */
    public TopicDescription describe(String topic) {
        return topics.describe(topic);
    }

    /** The node that leads {@code partition} of {@code topic}; waits (at most 30 s) while it has none. */
    public int leaderOf(String topic, int partition) {
        return awaitLeader(topic, partition, id -> true);
    }

    /** Waits (at most 30 s) until the partition's leader is a node that {@code accept}s, and returns it. */
    public int awaitLeader(String topic, int partition, IntPredicate accept) {
        TopicDescription description = topics.await(topic, "a leader of partition " + partition + " as wanted", d -> {
            Node leader = partition(d, partition).leader();
            return leader != null && !leader.isEmpty() && accept.test(leader.id());
        });
        return partition(description, partition).leader().id();
    }

    /** Waits (at most 30 s) until every replica of every partition of the topic is in sync again. */
    public void awaitFullIsr(String topic) {
        topics.await(
                topic,
                "every replica in sync",
                d -> d.partitions().stream()
                        .allMatch(p -> p.isr().size() == p.replicas().size()));
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

    /** Kills node {@code id} with SIGKILL; it stays down, its data on disk, until {@link #restart(int)}. */
    public void kill(int id) {
        node(id).kill();
    }

    /** Stops node {@code id} gracefully (controlled shutdown: it hands its leaderships over first). */
    public void stop(int id) {
        node(id).stop();
    }

    /** Freezes node {@code id} with SIGSTOP until {@link #resume(int)}. */
    public void pause(int id) {
        node(id).pause();
    }

    public void resume(int id) {
        node(id).resume();
    }

    /** Starts node {@code id} again with its data and waits until it answers; stops it first if it runs. */
    public void restart(int id) {
        checkOpen();
        BrokerProcess node = node(id);
        node.stop();
        node.start();
    }

    public boolean isRunning(int id) {
        return node(id).isRunning();
    }

    public boolean isPaused(int id) {
        return node(id).isPaused();
    }

    /** Node {@code id}'s process id, for measuring it; only while it runs. */
    public long pid(int id) {
        return node(id).pid();
    }

    /** Node {@code id}'s log (WARN and above). */
    public Path logFile(int id) {
        return node(id).logFile();
    }

    /**
     * Resumes paused nodes and starts stopped or killed ones (together, so a lost quorum comes back
     * too); if any was down, waits until every replica of every topic is in sync again, so the
     * next test may take a node down at once.
     */
    public synchronized void ensureAllRunning() {
        checkOpen();
        boolean healed = nodes.stream().anyMatch(n -> n.isPaused() || !n.isRunning());
        nodes.forEach(BrokerProcess::resume);
        List<BrokerProcess> down = nodes.stream().filter(n -> !n.isRunning()).toList();
        if (!down.isEmpty()) {
            down.forEach(BrokerProcess::stop);
            startTogether(down);
        }
        if (healed) {
            topics.awaitAllInSync();
        }
    }

    /** Closing kills every node, then frees their ports and deletes their data. */
    @Override
    void shutDown() {
        topics.close();
        // SIGKILL: the data is deleted next, so a controlled shutdown would buy nothing, and one
        // node after another each would wait for a quorum that is leaving.
        nodes.forEach(BrokerProcess::kill);
    }

    @Override
    void release() {
        nodes.forEach(BrokerProcess::releasePorts);
        dirs.forEach(TempDirs::delete);
    }

    @Override
    public String toString() {
        return "KafkaCluster[" + bootstrapServers() + "]";
    }

    private void startTogether(List<BrokerProcess> starting) {
        long launchedAt = System.nanoTime();
        List<CompletableFuture<Void>> ready =
                starting.stream().map(BrokerProcess::launch).toList();
        for (int i = 0; i < starting.size(); i++) {
            starting.get(i).awaitReady(ready.get(i), launchedAt);
        }
    }

    private BrokerProcess node(int id) {
        return nodes.get(spec(id).id() - 1);
    }

    private BrokerConfig.Node spec(int id) {
        if (id < 1 || id > specs.size()) {
            throw new IllegalArgumentException("no node " + id + " in a cluster of " + specs.size());
        }
        return specs.get(id - 1);
    }

    private static TopicPartitionInfo partition(TopicDescription description, int partition) {
        return description.partitions().stream()
                .filter(p -> p.partition() == partition)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(description.name() + " has no partition " + partition));
    }
}
