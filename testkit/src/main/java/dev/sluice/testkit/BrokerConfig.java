package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The server.properties of the single-node KRaft broker that {@link KafkaBroker} runs. */
final class BrokerConfig {

    private BrokerConfig() {
    }

    static void write(Path configFile, Path logDir, int port, int controllerPort) {
        String client = Ports.LOOPBACK_HOST + ":" + port;
        String controller = Ports.LOOPBACK_HOST + ":" + controllerPort;
        Properties props = new Properties();
        // One node is broker and controller; the controller quorum is this node alone.
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("listeners", "PLAINTEXT://" + client + ",CONTROLLER://" + controller);
        props.setProperty("advertised.listeners", "PLAINTEXT://" + client + ",CONTROLLER://" + controller);
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("controller.quorum.bootstrap.servers", controller);
        props.setProperty("log.dirs", logDir.toString());
        // Topics exist only when created on purpose; internal topics fit a single node.
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("num.partitions", "1");
        props.setProperty("default.replication.factor", "1");
        props.setProperty("min.insync.replicas", "1");
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "4");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "4");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
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
        try (Writer writer = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            props.store(writer, "Sluice testkit single-node KRaft broker");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }
}
