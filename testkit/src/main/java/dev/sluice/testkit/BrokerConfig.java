package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The server.properties of a KRaft node (broker and controller in one process) that testkit runs:
 * the single-node {@link KafkaBroker}, or one node of a {@link KafkaCluster}.
 */
final class BrokerConfig {

    /** One node's id and loopback ports: clients on {@code port}, the controller quorum on {@code controllerPort}. */
    record Node(int id, int port, int controllerPort) {
        String client() {
            return Ports.LOOPBACK_HOST + ":" + port;
        }

        String controller() {
            return Ports.LOOPBACK_HOST + ":" + controllerPort;
        }
    }

    private BrokerConfig() {}

    /** A single node that is the whole controller quorum; internal topics have one replica. */
    static void single(Path configFile, Path logDir, int port, int controllerPort) {
        Node self = new Node(1, port, controllerPort);
        Properties props = common(logDir, self);
        props.setProperty("controller.quorum.bootstrap.servers", self.controller());
        replication(props, 1, 1);
        write(configFile, props, "Sluice testkit single-node KRaft broker");
    }

    /**
     * One node of a replicated cluster: every node is a voter of the static controller quorum,
     * topics default to {@code min(3, nodes)} replicas with {@code min(2, nodes)} in sync, and a
     * replica that is not in sync never becomes leader (no unclean election). A dead or paused node
     * is fenced after a few seconds, so leadership moves well inside an event's TTL.
     */
    static void clusterNode(Path configFile, Path logDir, Node self, List<Node> nodes) {
        Properties props = common(logDir, self);
        props.setProperty(
                "controller.quorum.voters",
                nodes.stream().map(n -> n.id() + "@" + n.controller()).collect(Collectors.joining(",")));
        replication(props, KafkaCluster.replicationFactor(nodes.size()), KafkaCluster.minInSyncReplicas(nodes.size()));
        props.setProperty("unclean.leader.election.enable", "false");
        // Heartbeats every 500 ms; a node silent for 4 s (killed, paused) is fenced, which takes it
        // out of every ISR and moves its leaderships (defaults: 2 s and 9 s).
        props.setProperty("broker.heartbeat.interval.ms", "500");
        props.setProperty("broker.session.timeout.ms", "4000");
        // A follower that stopped fetching leaves the ISR after 10 s (default 30 s).
        props.setProperty("replica.lag.time.max.ms", "10000");
        write(configFile, props, "Sluice testkit KRaft cluster node " + self.id() + " of " + nodes.size());
    }

    private static Properties common(Path logDir, Node self) {
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", Integer.toString(self.id()));
        String listeners = "PLAINTEXT://" + self.client() + ",CONTROLLER://" + self.controller();
        props.setProperty("listeners", listeners);
        props.setProperty("advertised.listeners", listeners);
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("log.dirs", logDir.toString());
        // Topics exist only when created on purpose.
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("num.partitions", "1");
        props.setProperty("offsets.topic.num.partitions", "4");
        props.setProperty("transaction.state.log.num.partitions", "4");
        props.setProperty("share.coordinator.state.topic.num.partitions", "1");
        // Tests want groups to form at once and may use short session timeouts.
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("group.min.session.timeout.ms", "1000");
        // Retention near the TTL must be observable: check every 5 s, from 2 s after start (the
        // default waits 30 s; 0 races the log cleaner's startup and logs an ERROR).
        props.setProperty("log.retention.check.interval.ms", "5000");
        props.setProperty("log.initial.task.delay.ms", "2000");
        props.setProperty("log.segment.delete.delay.ms", "1000");
        // Two cores: keep the thread pools and the cleaner's buffer small.
        props.setProperty("num.network.threads", "2");
        props.setProperty("num.io.threads", "2");
        props.setProperty("background.threads", "2");
        props.setProperty("num.replica.fetchers", "1");
        props.setProperty("num.recovery.threads.per.data.dir", "1");
        props.setProperty("log.cleaner.threads", "1");
        props.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return props;
    }

    /** Default replication of new topics and of the internal ones (offsets, transactions, share state). */
    private static void replication(Properties props, int factor, int minInSync) {
        String rf = Integer.toString(factor);
        String isr = Integer.toString(minInSync);
        props.setProperty("default.replication.factor", rf);
        props.setProperty("min.insync.replicas", isr);
        props.setProperty("offsets.topic.replication.factor", rf);
        props.setProperty("transaction.state.log.replication.factor", rf);
        props.setProperty("transaction.state.log.min.isr", isr);
        props.setProperty("share.coordinator.state.topic.replication.factor", rf);
        props.setProperty("share.coordinator.state.topic.min.isr", isr);
    }

    private static void write(Path configFile, Properties props, String comment) {
        try (Writer writer = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            props.store(writer, comment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }
}
