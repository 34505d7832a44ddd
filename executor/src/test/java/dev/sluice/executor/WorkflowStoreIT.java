package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.StepConfig;
import dev.sluice.executor.impl.state.WorkflowStore;
import dev.sluice.executor.impl.workflow.WorkflowTable;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Workflows kept in PostgreSQL: loaded at start, hot-reloaded on change through LISTEN/NOTIFY, bad rows left out. */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkflowStoreIT {

    @Test
    void aWorkflowEditedInPostgresTakesEffectWithoutARestart(
            KafkaBroker kafka, Postgres postgres, WebhookTarget webhook) throws Exception {
        for (String t : List.of("it.pgw", "it.pgw.expired", "it.pgw.dlq")) {
            kafka.createTopic(t, 1, Duration.ofHours(1));
        }
        String db = postgres.createDatabase("workflow_store");
        Vertx vertx = Vertx.vertx();
        Pool pg = PgBuilder.pool().connectingTo(db).using(vertx).build();
        Catalog catalog = Catalog.parse(
                new JsonObject("{\"routes\": [{\"source\": \"pgw\", \"topic\": \"it.pgw\", \"partitions\": 1}]}"));
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "1", "executor.workflows", "postgres")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-pgw-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(null, db);
        ExecutorApp executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        try (Fixtures fixtures = new Fixtures(kafka.bootstrapServers())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> executor.readiness().ready()
                            && !executor.assignment().isEmpty());
            upsert(pg, "hook", "{\"sources\": [\"pgw\"], \"steps\": [{\"url\": \"" + webhook.url("/a") + "\"}]}");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                fixtures.send("it.pgw", "pgw", null, "x", System.currentTimeMillis(), 20_000);
                fixtures.flush();
                return !webhook.received("/a").isEmpty();
            });

            upsert(pg, "hook", "{\"sources\": [\"pgw\"], \"steps\": [{\"url\": \"" + webhook.url("/b") + "\"}]}");
            upsert(pg, "broken", "{\"sources\": [\"nowhere\"], \"steps\": [{\"url\": \"" + webhook.url("/c") + "\"}]}");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                fixtures.send("it.pgw", "pgw", null, "y", System.currentTimeMillis(), 20_000);
                fixtures.flush();
                return !webhook.received("/b").isEmpty();
            });
            assertTrue(webhook.received("/c").isEmpty());
            // The two edits notify separately; the bad row's reload may end after /b was called.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> executor.readiness()
                                    .details()
                                    .getJsonArray("workflowsRejected")
                                    .size()
                            == 1);
            JsonObject details = executor.readiness().details();
            assertTrue(
                    details.getJsonArray("workflowsRejected").getString(0).contains("unknown source 'nowhere'"),
                    details.encode());

            // A burst of reload requests costs two reads, not one each, and they all see the latest rows.
            WorkflowTable table = new WorkflowTable(List.of());
            WorkflowStore store = new WorkflowStore(vertx, pg, null, catalog.routes(), table);
            List<Future<Void>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(store.reload());
            }
            Future.all(calls).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(store.loads() <= 2, store.loads() + " reads for 20 overlapping reloads");
            assertEquals(
                    webhook.url("/b"),
                    ((StepConfig.Http) table.forSource("pgw").get(0).steps().get(0)).url());
            assertEquals(1, store.rejected().size(), store.rejected().toString());
        } finally {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            pg.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void upsert(Pool pg, String name, String definition) throws Exception {
        pg.preparedQuery("INSERT INTO sluice_workflows (name, definition) VALUES ($1, $2::jsonb) "
                        + "ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()")
                .execute(Tuple.of(name, new JsonObject(definition)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }
}
