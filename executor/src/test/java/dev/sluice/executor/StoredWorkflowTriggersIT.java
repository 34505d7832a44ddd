package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Schedules of workflows kept in PostgreSQL ({@code executor.workflows=postgres}, as {@code sluice
 * admin workflows put|delete} writes them): a stored workflow's schedule starts without a restart,
 * and once it is deleted its schedule stops while a workflow put after it starts ticking.
 */
@SluiceInfra
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StoredWorkflowTriggersIT {

    @Test
    void aStoredWorkflowsScheduleStartsWhenPutAndStopsWhenDeleted(
            KafkaBroker kafka, Postgres postgres, WebhookTarget webhook) throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.stored.triggers." + run;
        for (String t : List.of(topic, topic + ".expired", topic + ".dlq")) {
            kafka.createTopic(t, 1, Duration.ofHours(1));
        }
        String db = postgres.createDatabase("stored_triggers");
        Vertx vertx = Vertx.vertx();
        Pool pg = PgBuilder.pool().connectingTo(db).using(vertx).build();
        Catalog catalog = Catalog.parse(new JsonObject(
                "{\"routes\": [{\"source\": \"clock\", \"topic\": \"" + topic + "\", \"partitions\": 1}]}"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "1", "executor.workflows", "postgres")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-stored-triggers-" + run)
                .withState(null, db);
        ExecutorApp executor = ExecutorApp.start(
                        vertx,
                        config,
                        TriggerConfig.from(Settings.of(Map.of("executor.triggers.lease", "3s"))),
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        registry,
                        Tracing.off())
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> executor.readiness().ready()
                            && !executor.assignment().isEmpty());
            upsert(
                    pg,
                    "beat",
                    "{\"sources\": [\"clock\"], \"steps\": [{\"url\": \"" + webhook.url("/beat") + "\"}],"
                            + " \"schedule\": {\"cron\": \"* * * * * *\"}}");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> webhook.received("/beat").size() >= 2);
            assertEquals(1.0, leader(registry, "schedule/beat").value(), "this executor holds the stored schedule");

            delete(pg, "beat");
            upsert(
                    pg,
                    "pulse",
                    "{\"sources\": [\"clock\"], \"steps\": [{\"url\": \"" + webhook.url("/pulse") + "\"}],"
                            + " \"schedule\": {\"cron\": \"* * * * * *\"}}");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> leader(registry, "schedule/beat") == null
                            && !webhook.received("/pulse").isEmpty());
            long beatTicks = ticks(kafka, topic, "beat");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> webhook.received("/pulse").size() >= 4);
            assertEquals(beatTicks, ticks(kafka, topic, "beat"), "the deleted workflow's schedule fires no more");
            assertEquals(1.0, leader(registry, "schedule/pulse").value());
            assertNull(leader(registry, "schedule/beat"), "a stopped trigger has no leader gauge left");
        } finally {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            pg.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static Gauge leader(PrometheusMeterRegistry registry, String trigger) {
        return registry.find("sluice.trigger.leader").tag("trigger", trigger).gauge();
    }

    /** Ticks of {@code workflow}'s schedule in the topic. */
    private static long ticks(KafkaBroker kafka, String topic, String workflow) {
        return kafka.readAll(topic, Duration.ofSeconds(1)).stream()
                .filter(r -> workflow.equals(EventRecords.text(r.headers(), SluiceHeaders.TARGET)))
                .count();
    }

    private static void upsert(Pool pg, String name, String definition) throws Exception {
        pg.preparedQuery("INSERT INTO sluice_workflows (name, definition) VALUES ($1, $2::jsonb) "
                        + "ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()")
                .execute(Tuple.of(name, new JsonObject(definition)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static void delete(Pool pg, String name) throws Exception {
        pg.preparedQuery("DELETE FROM sluice_workflows WHERE name = $1")
                .execute(Tuple.of(name))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }
}
