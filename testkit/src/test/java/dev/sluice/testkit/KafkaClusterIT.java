package dev.sluice.testkit;

import static dev.sluice.testkit.KafkaBrokerIT.bytes;
import static dev.sluice.testkit.KafkaBrokerIT.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared three-node cluster: replicated topics, and a node killed, paused and brought back
 * under a producer with acks=all. Each test gets the cluster with every node running again.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaClusterIT {

    private final KafkaCluster cluster;

    KafkaClusterIT(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void threeNodesEachItsOwnJvmAndTopicsHaveThreeReplicasTwoInSyncAndNoUncleanElection() {
        assertEquals(3, cluster.size());
        assertEquals(3, cluster.bootstrapServers().split(",").length);
        assertEquals(
                3,
                IntStream.rangeClosed(1, 3).mapToLong(cluster::pid).distinct().count(),
                "one JVM per node");
        cluster.createTopic("cluster.replicated", 6, Duration.ofMinutes(5));

        TopicDescription description = cluster.describe("cluster.replicated");
        assertEquals(6, description.partitions().size());
        for (TopicPartitionInfo partition : description.partitions()) {
            assertEquals(3, partition.replicas().size(), partition.toString());
            assertEquals(3, partition.isr().size(), partition.toString());
        }
        assertEquals(
                3,
                description.partitions().stream()
                        .map(p -> p.leader().id())
                        .distinct()
                        .count(),
                "leaders are spread over the nodes");
        Map<String, String> config = cluster.topicConfig("cluster.replicated");
        assertEquals("2", config.get("min.insync.replicas"));
        assertEquals("false", config.get("unclean.leader.election.enable"));
    }

    @Test
    void aKilledLeaderHandsOverAndComesBackWithItsData() throws Exception {
        cluster.createTopic("cluster.kill", 1, Duration.ofMinutes(5));
        int leader = cluster.leaderOf("cluster.kill", 0);
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster)) {
            send(producer, "cluster.kill", "before", 10);

            cluster.kill(leader);

            assertFalse(cluster.isRunning(leader));
            int next = cluster.awaitLeader("cluster.kill", 0, id -> id != leader);
            assertNotEquals(leader, next);
            send(producer, "cluster.kill", "during", 10);

            cluster.restart(leader);

            assertTrue(cluster.isRunning(leader));
            cluster.awaitFullIsr("cluster.kill");
            send(producer, "cluster.kill", "after", 10);
        }
        assertEquals(30, cluster.count("cluster.kill"));
        assertEquals(30, values("cluster.kill").size());
    }

    @Test
    void aPausedLeaderIsFencedAndRejoinsWhenResumed() throws Exception {
        cluster.createTopic("cluster.pause", 1, Duration.ofMinutes(5));
        int leader = cluster.leaderOf("cluster.pause", 0);
        // The producer's first send after the pause goes to the frozen node, which never answers: it
        // is sent again to the new leader after the request timeout, 3 s here rather than 10 s.
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster, 3_000)) {
            send(producer, "cluster.pause", "before", 10);

            cluster.pause(leader);

            assertTrue(cluster.isPaused(leader));
            cluster.awaitLeader("cluster.pause", 0, id -> id != leader);
            send(producer, "cluster.pause", "during", 10);

            cluster.resume(leader);

            assertFalse(cluster.isPaused(leader));
            cluster.awaitFullIsr("cluster.pause");
        }
        List<String> values = values("cluster.pause");
        assertEquals(20, values.size());
        assertEquals(10, values.stream().filter(v -> v.startsWith("during")).count());
    }

    @Test
    void theSharedClusterHasEveryNodeRunningAndInSyncAgainWhenAskedFor() {
        cluster.createTopic("cluster.shared", 3, Duration.ofMinutes(5));
        cluster.kill(1);
        cluster.pause(2);

        assertSame(cluster, Infra.kafkaCluster());

        for (int id = 1; id <= 3; id++) {
            assertTrue(cluster.isRunning(id) && !cluster.isPaused(id), "node " + id);
        }
        cluster.describe("cluster.shared")
                .partitions()
                .forEach(p -> assertEquals(3, p.isr().size(), "in sync again: " + p));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String prefix, int count)
            throws Exception {
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes(prefix + "-" + i)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private List<String> values(String topic) {
        return cluster.readAll(topic, Duration.ofSeconds(30)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }
}
