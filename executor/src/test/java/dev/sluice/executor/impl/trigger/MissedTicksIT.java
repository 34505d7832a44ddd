package dev.sluice.executor.impl.trigger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.db.Migrations;
import dev.sluice.core.trigger.Ticks;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ticks whose deadline passed while no executor ran the schedule: counted, then fired once or skipped, by policy. */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MissedTicksIT {

    @Test
    void missedTicksAreCountedAndFiredOnceOrSkippedByPolicy(KafkaBroker kafka, Postgres postgres) throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String onceTopic = "it.missed.once." + run;
        String skipTopic = "it.missed.skip." + run;
        kafka.createTopic(onceTopic, 1, Duration.ofHours(1));
        kafka.createTopic(skipTopic, 1, Duration.ofHours(1));
        Catalog catalog = Catalog.parse(new JsonObject("{\"routes\": ["
                + "{\"source\": \"once\", \"topic\": \"" + onceTopic + "\", \"ttl\": \"5s\", \"partitions\": 1},"
                + "{\"source\": \"skip\", \"topic\": \"" + skipTopic + "\", \"ttl\": \"5s\", \"partitions\": 1}],"
                + " \"workflows\": ["
                + "{\"name\": \"once-" + run
                + "\", \"sources\": [\"once\"], \"steps\": [{\"url\": \"http://127.0.0.1:9/x\"}],"
                + " \"schedule\": {\"cron\": \"* * * * * *\", \"missed\": \"fire-once\"}},"
                + "{\"name\": \"skip-" + run
                + "\", \"sources\": [\"skip\"], \"steps\": [{\"url\": \"http://127.0.0.1:9/x\"}],"
                + " \"schedule\": {\"cron\": \"* * * * * *\", \"missed\": \"skip\"}}]}"));
        String db = postgres.createDatabase("missed_ticks");
        Vertx vertx = Vertx.vertx();
        Pool pg = PgBuilder.pool().connectingTo(db).using(vertx).build();
        // Both schedules last fired 40 minutes ago, and nobody has held them since: more ticks than one walk takes.
        long lastFired =
                Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(2400).toEpochMilli();
        Migrations.apply(pg)
                .compose(
                        v -> pg.preparedQuery("INSERT INTO sluice_triggers (name, last_tick) VALUES ($1, $3), ($2, $3)")
                                .execute(Tuple.of("schedule/once-" + run, "schedule/skip-" + run, lastFired)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Triggers triggers = Triggers.start(
                        vertx,
                        TriggerConfig.from(Settings.of(Map.of("executor.triggers.lease", "2s"))),
                        catalog,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        db,
                        null,
                        registry,
                        "only")
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> kafka.count(onceTopic) >= 8 && kafka.count(skipTopic) >= 3);
        } finally {
            triggers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        List<IngestedEvent> once = kafka.readAll(onceTopic, Duration.ofSeconds(5)).stream()
                .map(EventRecords::fromRecord)
                .toList();
        long onceMissed = missed(registry, "once-" + run);
        assertTrue(onceMissed > 2 * Ticks.MAX_ENUMERATED, "40 minutes less the TTL were missed, counted " + onceMissed);
        IngestedEvent first = once.get(0);
        assertEquals(
                Long.toString(onceMissed),
                first.extensions().get(TriggerEvents.MISSED_EXTENSION),
                "the one event names the whole count");
        assertEquals(onceMissed, payload(first).getLong("missed"));
        assertEquals(lastFired + onceMissed * 1000, tick(first).toEpochMilli(), "it stands for the latest missed tick");
        assertTrue(first.deadlineMillis() > first.ingestMillis(), "with a fresh deadline");
        for (int i = 1; i < once.size(); i++) {
            assertEquals(tick(once.get(i - 1)).plusSeconds(1), tick(once.get(i)), "live ticks follow without a gap");
            assertEquals(null, once.get(i).extensions().get(TriggerEvents.MISSED_EXTENSION));
        }

        List<IngestedEvent> skipped = kafka.readAll(skipTopic, Duration.ofSeconds(5)).stream()
                .map(EventRecords::fromRecord)
                .toList();
        long skipMissed = missed(registry, "skip-" + run);
        assertTrue(skipMissed > 2 * Ticks.MAX_ENUMERATED, "counted " + skipMissed);
        assertEquals(
                lastFired + (skipMissed + 1) * 1000,
                tick(skipped.get(0)).toEpochMilli(),
                "the first event is the first tick not missed");
        assertTrue(skipped.stream().noneMatch(e -> e.extensions().containsKey(TriggerEvents.MISSED_EXTENSION)));
        pg.close();
        vertx.close();
    }

    private static long missed(SimpleMeterRegistry registry, String workflow) {
        return (long) registry.get(TriggerMetrics.TICKS)
                .tag("workflow", workflow)
                .tag("outcome", "missed")
                .counter()
                .count();
    }

    private static JsonObject payload(IngestedEvent e) {
        return new JsonObject(new String(e.payload(), StandardCharsets.UTF_8));
    }

    private static Instant tick(IngestedEvent e) {
        return Instant.parse(payload(e).getString("tick"));
    }
}
