package dev.sluice.cli.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.chaos.IngestAudit;
import dev.sluice.cli.chaos.Ledger;
import dev.sluice.core.Catalog;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deduplicating source (fail-closed, Redis) whose sender retries every 503 once, unchanged, after
 * its Retry-After, while the leader of a partition is paused: nothing accepted is lost, and (the
 * promise the disabled test holds the router to) a submission with the same id within the TTL is
 * produced once, also across a produce timeout.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdempotentRetryIT {

    private static final String TOPIC = "it.faults.retry";
    private static final int EVENTS_PER_SECOND = 50;
    private static final int PHASE_EVENTS = 20;

    private final KafkaCluster cluster;
    private final Redis redis;
    private Vertx vertx;
    private FaultRouter router;

    IdempotentRetryIT(KafkaCluster cluster, Redis redis) {
        this.cluster = cluster;
        this.redis = redis;
    }

    @AfterEach
    void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void retriedEventsLoseNothingWhileALeaderIsPaused() throws Exception {
        Retried run = underPause(TOPIC);

        assertTrue(
                run.retries() > 0,
                "the fault made the router refuse some events: " + run.audit().summary());
        assertEquals(
                0, run.audit().lost().size(), "LOST must be 0: " + run.audit().summary());
    }

    /** The dedup promise across a produce timeout; see the reason it is disabled. */
    @Test
    void anIdRetriedWithinTheTtlIsProducedOnceAcrossAProduceTimeout() throws Exception {
        Retried run = underPause(TOPIC + ".strict");

        assertEquals(
                0,
                run.audit().duplicated(),
                "an id sent twice within the TTL is produced once: "
                        + run.audit().summary());
    }

    private record Retried(IngestAudit audit, int retries) {}

    private Retried underPause(String topic) throws Exception {
        cluster.createTopic(topic, 3, Duration.ofMinutes(10));
        Catalog catalog = Catalog.parse(new JsonObject()
                .put("routes", new JsonArray().add(FaultRouter.route(topic).put("idempotency", "fail-closed"))));
        vertx = Vertx.vertx();
        router = FaultRouter.startWithRedis(vertx, cluster, catalog, redis.uri());
        try (Ledger load = Ledger.start(
                List.of(new Ledger.Lane(FaultRouter.SOURCE, router.ingest(), 1)), topic, EVENTS_PER_SECOND, true)) {
            LeaderFault run = LeaderFault.run(cluster, topic, load, PHASE_EVENTS, cluster::pause, cluster::resume);
            IngestAudit audit = IngestAudit.of(load, cluster, topic);
            // Phantoms are judged by the last answer only, so here only LOST and DUPLICATED count.
            Map<String, Long> duplicatedByFirstRefusal = cluster.readAll(topic, Duration.ofSeconds(30)).stream()
                    .collect(Collectors.groupingBy(
                            r -> new String(
                                    r.headers().lastHeader(SluiceHeaders.CE_ID).value(), StandardCharsets.UTF_8),
                            Collectors.counting()))
                    .entrySet()
                    .stream()
                    .filter(e -> e.getValue() > 1)
                    .map(e -> load.refusedFirst().get(e.getKey()))
                    .collect(Collectors.groupingBy(
                            a -> a == null ? "not retried" : a.reason() + " (" + a.detail() + ")",
                            TreeMap::new,
                            Collectors.counting()));
            System.out.printf(
                    "%s: %s; retried=%d; %s; duplicated ids by the first attempt's refusal: %s%n",
                    topic, run.timeline(), load.retries(), audit.summary(), duplicatedByFirstRefusal);
            return new Retried(audit, load.retries());
        }
    }
}
