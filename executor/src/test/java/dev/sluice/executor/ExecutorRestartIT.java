package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor's promises across restarts, against the real broker, PostgreSQL, Redis and a real
 * webhook target: an executor killed with SIGKILL mid-load loses no event and re-sends with the
 * same webhook-id, and one that comes back late skips its dead span with an exact count.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ExecutorRestartIT {

    private static GuaranteeRig rig;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres postgres, Redis redis, WebhookTarget target) throws Exception {
        rig = new GuaranteeRig(broker, postgres, redis, target, "executor_restarts", "kill", "span");
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void killingAnExecutorMidLoadLosesNoEventAndRunsNoneTwice() throws Exception {
        String killGroup = rig.group + "-kill";
        Path catalogFile = Files.createTempFile("sluice-it-catalog", ".json");
        Files.writeString(catalogFile, rig.catalogFor("kill").encode());
        // The executor that dies is a real process, killed with SIGKILL: no hook, no commit, no flush.
        ProcessBuilder pb = new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.sluice.executor.main.ExecutorMain");
        Map<String, String> env = pb.environment();
        env.put("SLUICE_KAFKA_BOOTSTRAP_SERVERS", rig.kafka.bootstrapServers());
        env.put("SLUICE_CATALOG_FILE", catalogFile.toString());
        env.put("SLUICE_REDIS_URL", rig.redisUri);
        env.put("SLUICE_PG_URL", rig.pgUri);
        env.put("SLUICE_EXECUTOR_GROUP", killGroup);
        env.put("SLUICE_EXECUTOR_MANAGEMENT_PORT", Integer.toString(Ports.freePort()));
        env.put("SLUICE_EXECUTOR_INSTANCES", "2");
        pb.redirectErrorStream(true)
                .redirectOutput(
                        Files.createTempFile("sluice-it-executor", ".log").toFile());
        Process doomed = pb.start();
        ExecutorApp survivor = null;
        Set<String> ids = new HashSet<>();
        try {
            rig.webhook.delay(Duration.ofMillis(20));
            for (int i = 0; i < 150; i++) {
                ids.add(rig.fixtures.send(
                        "it.g.kill", "kill", "k" + (i % 30), Integer.toString(i), System.currentTimeMillis(), 120_000));
            }
            rig.fixtures.flush();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> rig.calls("/kill").size() >= 40);
            doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (int i = 150; i < 300; i++) {
                ids.add(rig.fixtures.send(
                        "it.g.kill", "kill", "k" + (i % 30), Integer.toString(i), System.currentTimeMillis(), 120_000));
            }
            rig.fixtures.flush();
            survivor = rig.startExecutor(killGroup, "kill");
            // Every event reaches the webhook: sent before the kill, or by the survivor, which takes over the
            // runs whose leases the dead executor left behind and re-sends them with the same webhook-id.
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> rig.calls("/kill").stream()
                            .map(r -> r.header("ce-id"))
                            .collect(Collectors.toSet())
                            .containsAll(ids));
            Map<String, List<WebhookTarget.Received>> perId =
                    rig.calls("/kill").stream().collect(Collectors.groupingBy(r -> r.header("ce-id")));
            Set<String> lost = ids.stream().filter(id -> !perId.containsKey(id)).collect(Collectors.toSet());
            assertEquals(Set.of(), lost, "lost");
            // A run delivered more than once is a counted re-send: the survivor's run log says resent, and
            // every delivery carries the same webhook-id, so the target can tell it is the same run.
            List<String> twice = perId.entrySet().stream()
                    .filter(e -> e.getValue().size() > 1)
                    .map(Map.Entry::getKey)
                    .toList();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rig.runLog("w-kill").stream()
                            .filter(r -> r.getString("outcome").equals("resent"))
                            .map(r -> r.getString("event_id"))
                            .toList()
                            .containsAll(twice));
            Set<String> resent = rig.runLog("w-kill").stream()
                    .filter(r -> r.getString("outcome").equals("resent"))
                    .map(r -> r.getString("event_id"))
                    .collect(Collectors.toSet());
            for (String id : twice) {
                assertEquals(
                        1,
                        perId.get(id).stream()
                                .map(r -> r.header("webhook-id"))
                                .distinct()
                                .count(),
                        id + " re-sent with a new id");
            }
            assertTrue(
                    rig.runLog("w-kill").stream()
                            .filter(r -> r.getString("outcome").equals("resent"))
                            .allMatch(r -> r.getInteger("attempts") >= 2),
                    "a re-send counts the dead executor's send");
            // What the dead executor had in flight is bounded by its keys (30): one run per key at a time.
            assertTrue(resent.size() <= 30, resent.size() + " re-sends");
            System.out.printf(
                    "kill test: %d events, %d lost, %d delivered once, %d delivered twice (re-sends with the same webhook-id),"
                            + " %d re-sends in the run log%n",
                    ids.size(),
                    lost.size(),
                    perId.values().stream().filter(l -> l.size() == 1).count(),
                    twice.size(),
                    resent.size());
        } finally {
            if (doomed.isAlive()) {
                doomed.destroyForcibly();
            }
            if (survivor != null) {
                GuaranteeRig.stop(survivor);
            }
            Files.deleteIfExists(catalogFile);
        }
    }

    @Test
    void anExecutorThatComesBackLateSkipsTheDeadSpanAndReportsTheExactCount() throws Exception {
        String spanGroup = rig.group + "-span";
        // The executor reads one event, commits, and stops. Timestamps are ingest times, so they rise
        // along the partition: the first event came 70 s ago, so it is accounted as expired.
        long t0 = System.currentTimeMillis() - 70_000;
        ExecutorApp first = rig.startExecutor(spanGroup, "span");
        String early = rig.fixtures.send("it.g.span", "span", null, "early", t0, 5000);
        rig.fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.find("it.g.span.expired", early) != null);
        GuaranteeRig.stop(first);

        // While no executor runs, 40 events arrive and die (65-69 s old, past the route's 30 s TTL),
        // then 3 live ones, which stay live however long the second executor takes to start.
        Set<String> dead = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            dead.add(rig.fixtures.send("it.g.span", "span", null, "dead", t0 + 1000 + i * 100, 5000));
        }
        Set<String> live = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            live.add(rig.fixtures.send("it.g.span", "span", null, "live", System.currentTimeMillis(), 30_000));
        }
        rig.fixtures.flush();

        ExecutorApp back = rig.startExecutor(spanGroup, "span");
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rig.calls("/span").size() == 3);
            Set<String> ran =
                    rig.calls("/span").stream().map(r -> r.header("ce-id")).collect(Collectors.toSet());
            assertEquals(live, ran, "exactly the live events ran");
            assertTrue(
                    rig.kafka.readAll("it.g.span.expired", Duration.ofSeconds(10)).stream()
                            .noneMatch(r -> dead.contains(EventRecords.text(r.headers(), "ce_id"))),
                    "the dead span was not read one by one");
            ConsumerRecord<byte[], byte[]> summary = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> rig.kafka.readAll("it.g.span.expired", Duration.ofSeconds(10)).stream()
                                    .filter(r -> r.headers().lastHeader("ce_id") == null)
                                    .findFirst()
                                    .orElse(null),
                            r -> r != null);
            JsonObject s = new JsonObject(new String(summary.value(), StandardCharsets.UTF_8));
            assertEquals(40, s.getInteger("skipped"), s.encode());
            assertEquals(1, s.getInteger("fromOffset"));
            assertEquals(41, s.getInteger("toOffset"));
            assertNotNull(EventRecords.text(summary.headers(), "sluice_expired_reason"));
        } finally {
            GuaranteeRig.stop(back);
        }
    }
}
