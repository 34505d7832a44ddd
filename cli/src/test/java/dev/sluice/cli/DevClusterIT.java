package dev.sluice.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ./sluice dev --brokers 3}: the dev stack on a replicated cluster, its topics replicated as production's are. */
class DevClusterIT {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void devWithThreeBrokersRunsOnAClusterWhoseTopicsHaveThreeReplicasTwoInSyncAndNoUncleanElection() throws Exception {
        RoleCommands.Dev dev = Main.commandLine()
                .parseArgs("dev", "--brokers", "3")
                .subcommand()
                .commandSpec()
                .commandLine()
                .getCommand();
        Settings settings = dev.settings(Settings.of(Map.of(
                "router.port", Integer.toString(Ports.freePort()),
                "router.management.port", Integer.toString(Ports.freePort()),
                "executor.management.port", Integer.toString(Ports.freePort()),
                "dev.echo.port", Integer.toString(Ports.freePort()))));
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<ProcessHandle> nodes;
        try (DevStack stack = DevStack.start(settings)) {
            KafkaCluster cluster = assertInstanceOf(KafkaCluster.class, stack.kafka());
            assertEquals(3, cluster.size());
            nodes = IntStream.rangeClosed(1, 3)
                    .mapToObj(id -> ProcessHandle.of(cluster.pid(id)).orElseThrow())
                    .toList();
            assertTrue(stack.banner().contains(cluster.bootstrapServers()), stack.banner());
            for (String topic : List.of("sluice.demo", "sluice.demo.expired", "sluice.demo.dlq")) {
                TopicDescription description = cluster.describe(topic);
                for (TopicPartitionInfo partition : description.partitions()) {
                    assertEquals(3, partition.replicas().size(), topic + " " + partition);
                }
                Map<String, String> config = cluster.topicConfig(topic);
                assertEquals("2", config.get("min.insync.replicas"), topic);
                assertEquals("false", config.get("unclean.leader.election.enable"), topic);
            }

            // Sent again with the same id while refused (503, retryable): on a busy machine the first
            // produce to a fresh three-replica topic can outlast the router's produce timeout.
            HttpRequest event = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + stack.routerPort() + "/v1/events/demo"))
                    .header("content-type", "application/json")
                    .header("ce-id", "dev-cluster-1")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":\"cluster\"}"))
                    .build();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> resp = http.send(event, HttpResponse.BodyHandlers.ofString());
                assertTrue(resp.statusCode() == 202 || resp.statusCode() == 503, resp.body());
                return resp.statusCode() == 202;
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> stack.echoed() >= 1);
        }
        nodes.forEach(node -> assertFalse(node.isAlive(), "closing dev stops every Kafka node: " + node.pid()));
    }
}
