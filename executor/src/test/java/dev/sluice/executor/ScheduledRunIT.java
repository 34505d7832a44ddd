package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A scheduled workflow inside a running executor: its ticks go through Kafka and run its steps like any event. */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScheduledRunIT {

    @Test
    void anExecutorRunsItsScheduledWorkflowOnEveryTick(KafkaBroker kafka, Postgres postgres, WebhookTarget webhook)
            throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.scheduled." + run;
        for (String t : List.of(topic, topic + ".expired", topic + ".dlq")) {
            kafka.createTopic(t, 1, Duration.ofHours(1));
        }
        Catalog catalog = Catalog.parse(new JsonObject(
                "{\"routes\": [{\"source\": \"clock\", \"topic\": \"" + topic + "\", \"partitions\": 1}],"
                        + " \"workflows\": [{\"name\": \"every-second-" + run + "\", \"sources\": [\"clock\"],"
                        + " \"filter\": {\"exact\": {\"type\": \"dev.sluice.schedule\"}},"
                        + " \"steps\": [{\"url\": \"" + webhook.url("/tick")
                        + "\"}], \"schedule\": {\"cron\": \"* * * * * *\"}}]}"));
        Vertx vertx = Vertx.vertx();
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of("executor.instances", "1")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-scheduled-" + run)
                .withState(null, postgres.createDatabase("scheduled_run"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> webhook.received("/tick").size() >= 3);
            WebhookTarget.Received first = webhook.received("/tick").get(0);
            assertEquals("dev.sluice.schedule", first.headers().get("ce-type"));
            assertEquals("sluice/schedule/every-second-" + run, first.headers().get("ce-source"));
            assertTrue(new JsonObject(first.bodyAsString()).containsKey("tick"), first.bodyAsString());
            assertEquals(
                    1.0,
                    registry.get("sluice.trigger.leader")
                            .tag("trigger", "schedule/every-second-" + run)
                            .gauge()
                            .value(),
                    "the holder says so");
            assertTrue(registry.get("sluice.trigger.ticks")
                            .tag("workflow", "every-second-" + run)
                            .tag("outcome", "fired")
                            .counter()
                            .count()
                    >= 3);
        } finally {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
