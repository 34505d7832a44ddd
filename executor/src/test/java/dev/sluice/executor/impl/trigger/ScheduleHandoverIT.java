package dev.sluice.executor.impl.trigger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Schedules run by several executors on one database: each tick reaches Kafka once, in order, with its
 * own id, while the holder dies (its lease lapses) or steps down (it gives the lease up).
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScheduleHandoverIT {

    private static final TriggerConfig CONFIG =
            TriggerConfig.from(Settings.of(Map.of("executor.triggers.lease", "2s")));

    private record Node(Vertx vertx, Triggers triggers, SimpleMeterRegistry registry) {
        double ticks(String outcome) {
            return registry.find(TriggerMetrics.TICKS).tag("outcome", outcome).counters().stream()
                    .mapToDouble(c -> c.count())
                    .sum();
        }
    }

    private static Node start(Catalog catalog, KafkaBroker kafka, String db, String holder) throws Exception {
        return start(catalog, KafkaConfig.of(kafka.bootstrapServers()), db, holder);
    }

    private static Node start(Catalog catalog, KafkaConfig kafka, String db, String holder) throws Exception {
        Vertx vertx = Vertx.vertx();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Triggers t = Triggers.start(vertx, CONFIG, catalog, kafka, db, null, registry, holder)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return new Node(vertx, t, registry);
    }

    private static void settle(io.vertx.core.Future<?> f) throws Exception {
        f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Catalog catalog(String source, String topic, String workflow, String schedule) {
        return Catalog.parse(new JsonObject(
                "{\"routes\": [{\"source\": \"" + source + "\", \"topic\": \"" + topic + "\", \"ttl\": \"20s\","
                        + " \"partitions\": 1}], \"workflows\": [{\"name\": \"" + workflow + "\", \"sources\": [\""
                        + source + "\"],"
                        + " \"steps\": [{\"url\": \"http://127.0.0.1:9/unused\"}], \"schedule\": " + schedule + "}]}"));
    }

    @Test
    void eachTickReachesKafkaOnceWhileTheHolderDiesAndThenStepsDown(KafkaBroker kafka, Postgres postgres)
            throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.schedule." + run;
        String workflow = "heartbeat-" + run;
        kafka.createTopic(topic, 1, Duration.ofHours(1));
        String db = postgres.createDatabase("schedule_handover");
        Catalog catalog = catalog("tick", topic, workflow, "{\"cron\": \"* * * * * *\", \"zone\": \"Europe/Paris\"}");
        String name = "schedule/" + workflow;

        Node a = start(catalog, kafka, db, "a");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.triggers().leading().contains(name));
        Node b = start(catalog, kafka, db, "b");
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(topic) >= 3);
        assertEquals(List.of(), b.triggers().leading(), "one holder at a time");

        // The holder dies: nothing gives its lease up; b takes it once it lapses and fires what was due meanwhile.
        settle(a.vertx().close());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> b.triggers().leading().contains(name));
        long atHandover = kafka.count(topic);
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(topic) >= atHandover + 3);

        // A holder that stops gives the lease up: the stand-by takes over at its next try.
        Node c = start(catalog, kafka, db, "c");
        settle(b.triggers().close());
        await().atMost(Duration.ofSeconds(5)).until(() -> c.triggers().leading().contains(name));
        long atStepDown = kafka.count(topic);
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(topic) >= atStepDown + 3);
        settle(c.triggers().close());
        b.vertx().close();
        c.vertx().close();

        List<Instant> ticks = ticksInOrderOnceEach(kafka, topic, workflow);
        assertTrue(ticks.size() >= 9, ticks.toString());
        assertEquals(
                ticks.size(),
                a.ticks("fired") + b.ticks("fired") + c.ticks("fired"),
                "every fired tick is counted once");
        assertTrue(b.ticks("fired") >= 3 && c.ticks("fired") >= 3, "each holder fired in turn");
        assertEquals(
                0,
                a.ticks("missed") + b.ticks("missed") + c.ticks("missed"),
                "ticks within their TTL are late, not missed");
    }

    @Test
    void aHolderKilledAfterKafkasAckButBeforeItsCommitIsNotRepeated(KafkaBroker kafka, Postgres postgres)
            throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.schedule.midtick." + run;
        String workflow = "midtick-" + run;
        kafka.createTopic(topic, 1, Duration.ofHours(1));
        String db = postgres.createDatabase("schedule_handover");
        Catalog catalog = catalog("tick", topic, workflow, "{\"cron\": \"* * * * * *\"}");
        String name = "schedule/" + workflow;
        KafkaConfig holding = new KafkaConfig(
                kafka.bootstrapServers(),
                Map.of(),
                Map.of("interceptor.classes", HeldAcks.class.getName()),
                Map.of(),
                Map.of());

        Node a = start(catalog, holding, db, "a");
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(topic) >= 2);
        Node b = start(catalog, kafka, db, "b");
        // a's next tick is in Kafka, and a waits for the acknowledgement with the tick's transaction open: it dies
        // there.
        HeldAcks.armed = true;
        assertTrue(HeldAcks.HOLDING.await(10, TimeUnit.SECONDS));
        long inKafka = kafka.count(topic);
        double firedByA = a.ticks("fired");
        a.vertx().close();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.triggers().leading().contains(name));
            await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(topic) >= inKafka + 3);
        } finally {
            HeldAcks.RELEASE.countDown();
        }
        settle(b.triggers().close());
        b.vertx().close();

        List<Instant> ticks = ticksInOrderOnceEach(kafka, topic, workflow);
        assertEquals(
                firedByA + 1 + b.ticks("fired"),
                ticks.size(),
                "the tick a died in is in Kafka once, and b did not send it again");
        assertEquals(0, b.ticks("missed"));
    }

    /** The ticks in the topic, each checked for its attributes, asserted distinct and one second apart. */
    private static List<Instant> ticksInOrderOnceEach(KafkaBroker kafka, String topic, String workflow) {
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, Duration.ofSeconds(5));
        List<Instant> ticks = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            IngestedEvent e = EventRecords.fromRecord(r);
            Instant tick = Instant.parse(
                    new JsonObject(new String(e.payload(), java.nio.charset.StandardCharsets.UTF_8)).getString("tick"));
            assertEquals(TriggerEvents.SCHEDULE_TYPE, e.type());
            assertEquals("sluice/schedule/" + workflow, e.source());
            assertEquals("tick", e.route());
            assertEquals(TriggerEvents.tickId(workflow, tick), e.id());
            assertEquals(
                    tick.toEpochMilli() + 20_000,
                    e.deadlineMillis(),
                    "a tick's deadline is its instant plus the route's TTL");
            assertTrue(ids.add(e.id()), "tick " + tick + " reached Kafka twice");
            ticks.add(tick);
        }
        for (int i = 1; i < ticks.size(); i++) {
            assertEquals(
                    Duration.ofSeconds(1),
                    Duration.between(ticks.get(i - 1), ticks.get(i)),
                    "ticks out of sequence at " + i + ": " + ticks);
        }
        return ticks;
    }
}
