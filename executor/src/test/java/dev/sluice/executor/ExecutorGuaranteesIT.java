package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor's promises against the real broker, PostgreSQL (run log), Redis (claims) and a
 * real webhook target: key order, isolation of a slow key, the deadline guard, retries bounded
 * by the deadline, and no double runs on redelivery. Restarts are in {@link ExecutorRestartIT}.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ExecutorGuaranteesIT {

    private static GuaranteeRig rig;
    private static ExecutorApp executor;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres postgres, Redis redis, WebhookTarget target) throws Exception {
        rig = new GuaranteeRig(
                broker,
                postgres,
                redis,
                target,
                "executor_guarantees",
                "order",
                "slow",
                "short",
                "retry",
                "dup",
                "pool");
        executor = rig.startExecutor(rig.group, "order", "slow", "short", "retry", "dup");
    }

    @AfterAll
    static void stop() throws Exception {
        GuaranteeRig.stop(executor);
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void eachKeysEventsRunInOrderWhileKeysRunConcurrentlyAndTheRunLogMatchesTheWebhook() throws Exception {
        long now = System.currentTimeMillis();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(rig.fixtures.send("it.g.order", "order", "key-" + (i % 50), Integer.toString(i), now, 20_000));
        }
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> rig.calls("/order").size() >= 1000);
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (WebhookTarget.Received r : rig.calls("/order")) {
            byKey.computeIfAbsent(r.header("ce-partitionkey"), k -> new ArrayList<>())
                    .add(Integer.parseInt(r.bodyAsString()));
        }
        assertEquals(50, byKey.size());
        byKey.forEach((key, seq) -> {
            for (int i = 1; i < seq.size(); i++) {
                assertTrue(seq.get(i) > seq.get(i - 1), key + " ran out of order: " + seq);
            }
            assertEquals(20, seq.size(), key);
        });
        assertEquals(
                ids, rig.calls("/order").stream().map(r -> r.header("ce-id")).collect(Collectors.toSet()));

        await().atMost(Duration.ofSeconds(10)).until(() -> rig.runLog("w-order").size() >= 1000);
        List<Row> rows = rig.runLog("w-order");
        assertEquals(1000, rows.size());
        assertTrue(rows.stream()
                .allMatch(r -> r.getString("outcome").equals("succeeded") && r.getInteger("attempts") == 1));
        assertEquals(
                ids,
                rows.stream().map(r -> r.getString("event_id")).collect(Collectors.toSet()),
                "run log = webhook record");
    }

    @Test
    void aSlowKeyDoesNotHoldUpAnotherKeyOnTheSamePartition() throws Exception {
        rig.webhook.delayFor("ce-partitionkey", "A", Duration.ofSeconds(5));
        rig.fixtures.send("it.g.slow", "slow", "A", "a", System.currentTimeMillis(), 20_000);
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.calls("/slow").size() == 1);
        long ingestB = System.currentTimeMillis();
        String b = rig.fixtures.send("it.g.slow", "slow", "B", "b", ingestB, 20_000);
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> rig.calls("/slow").stream().anyMatch(r -> b.equals(r.header("ce-id"))));
        long arrival = rig.calls("/slow").stream()
                .filter(r -> b.equals(r.header("ce-id")))
                .findFirst()
                .orElseThrow()
                .receivedAtMillis();
        // A is held 5 s by the target: B arriving well inside that is B not waiting behind A.
        assertTrue(
                arrival - ingestB < 3000,
                "B reached the webhook " + (arrival - ingestB) + " ms after ingest, while A was still running");
    }

    @Test
    void anEventWhoseDeadlinePassesWhileWaitingBehindItsKeyIsExpiredNotStarted() throws Exception {
        rig.webhook.delayFor("ce-partitionkey", "K", Duration.ofSeconds(3));
        long now = System.currentTimeMillis();
        String first = rig.fixtures.send("it.g.short", "short", "K", "1", now, 2000);
        String second = rig.fixtures.send("it.g.short", "short", "K", "2", now, 2000);
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(15)).until(() -> rig.find("it.g.short.expired", second) != null);
        assertTrue(rig.calls("/short").stream().anyMatch(r -> first.equals(r.header("ce-id"))), "the first one ran");
        assertFalse(
                rig.calls("/short").stream().anyMatch(r -> second.equals(r.header("ce-id"))),
                "the second one never started");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> rig.runLog("w-short").stream()
                        .anyMatch(r -> r.getString("event_id").equals(second)
                                && r.getString("outcome").equals("expired")));
    }

    @Test
    void aRequestStillWaitingForAConnectionAtTheDeadlineIsNeverSentAndExpires() throws Exception {
        // One event loop with one connection to the target: while A's slow call holds it, B (another
        // key, so not ordered behind A) waits in the pool until its deadline, then must not be sent.
        ExecutorApp one = rig.startExecutor(
                Map.of("executor.instances", "1", "executor.http.pool", "1"),
                "it-pool-" + ThreadLocalRandom.current().nextInt(1 << 20),
                "pool");
        try {
            rig.webhook.delayFor("ce-partitionkey", "A", Duration.ofSeconds(4));
            long now = System.currentTimeMillis();
            String a = rig.fixtures.send("it.g.pool", "pool", "A", "a", now, 20_000);
            rig.fixtures.flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> rig.calls("/pool").size() == 1);
            String b = rig.fixtures.send("it.g.pool", "pool", "B", "b", System.currentTimeMillis(), 2000);
            rig.fixtures.flush();
            await().atMost(Duration.ofSeconds(15)).until(() -> rig.find("it.g.pool.expired", b) != null);
            String reason = EventRecords.text(rig.find("it.g.pool.expired", b).headers(), "sluice_expired_reason");
            assertTrue(reason.contains("waited") && reason.contains("connection"), reason);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> rig.runLog("w-pool").stream()
                            .anyMatch(r -> r.getString("event_id").equals(b)
                                    && r.getString("outcome").equals("expired")));
            // A's call ends and frees the connection: B, already expired, must still not follow.
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> rig.runLog("w-pool").stream()
                            .anyMatch(r -> r.getString("event_id").equals(a)
                                    && r.getString("outcome").equals("succeeded")));
            assertEquals(
                    List.of(a),
                    rig.calls("/pool").stream().map(r -> r.header("ce-id")).toList());
            assertNull(rig.find("it.g.pool.dlq", b), "expired, not dead-lettered");
        } finally {
            GuaranteeRig.stop(one);
        }
    }

    @Test
    void retriesStopAtTheDeadlineAndTheEventIsDeadLettered() throws Exception {
        rig.webhook.respondWith(503);
        long ingest = System.currentTimeMillis();
        String id = rig.fixtures.send("it.g.retry", "retry", null, "r", ingest, 3000);
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(15)).until(() -> rig.find("it.g.retry.dlq", id) != null);
        ConsumerRecord<byte[], byte[]> dead = rig.find("it.g.retry.dlq", id);
        String error = EventRecords.text(dead.headers(), "sluice_error");
        assertTrue(error.contains("503") && error.contains("before the deadline"), error);
        List<WebhookTarget.Received> attempts = rig.calls("/retry").stream()
                .filter(r -> id.equals(r.header("ce-id")))
                .toList();
        assertTrue(attempts.size() >= 3, "retried: " + attempts.size());
        assertTrue(
                attempts.stream().allMatch(r -> r.receivedAtMillis() < ingest + 3000), "no attempt after the deadline");
        assertEquals(Integer.toString(attempts.size()), EventRecords.text(dead.headers(), "sluice_attempts"));
    }

    @Test
    void aRedeliveredEventIsNotRunTwiceWhileLive() throws Exception {
        String id = rig.fixtures.send("it.g.dup", "dup", null, "once", System.currentTimeMillis(), 20_000);
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.calls("/dup").size() == 1);
        // A second consumer rig.group reads the same records again: a redelivery, as after a lost commit.
        ExecutorApp second = rig.startExecutor(rig.group + "-replay", "dup");
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rig.runLog("w-dup").stream()
                            .anyMatch(r -> r.getString("event_id").equals(id)
                                    && r.getString("outcome").equals("skipped_duplicate")));
            assertEquals(1, rig.calls("/dup").size(), "the webhook saw the event once");
        } finally {
            GuaranteeRig.stop(second);
        }
    }
}
