package dev.sluice.cli.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.chaos.IngestAudit;
import dev.sluice.cli.chaos.Ledger;
import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A router under a steady stream of events while the node leading a partition of its route's
 * topic fails, on the replicated cluster (3 nodes, RF 3, min.insync.replicas 2), then the audit
 * per event id: no 202 is lost or altered, and a refused event is in Kafka only where the refusal
 * said it might be. The router is never restarted: only the faulted node is.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokerFaultIT {

    private static final int EVENTS_PER_SECOND = 50;
    /** Accepted events the stream must show in each phase (before, during, after the fault). */
    private static final int PHASE_EVENTS = 20;

    private final KafkaCluster cluster;
    private Vertx vertx;
    private FaultRouter router;

    BrokerFaultIT(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    @AfterEach
    void stopRouter() throws Exception {
        if (router != null) {
            router.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killingThePartitionLeaderLosesNoAcceptedEventAndTheRestartedNodeRejoins() throws Exception {
        IngestAudit audit = underFault("it.faults.kill", cluster::kill, cluster::restart);

        assertNoAcceptedEventLost(audit);
    }

    @Test
    void pausingThePartitionLeaderLosesNoAcceptedEventAndTheResumedNodeRejoins() throws Exception {
        IngestAudit audit = underFault("it.faults.pause", cluster::pause, cluster::resume);

        assertNoAcceptedEventLost(audit);
    }

    /**
     * The phantom rule without the exception that {@link #assertNoAcceptedEventLost} makes for the
     * known router bug: a refusal must never say "not accepted" for an event that is in Kafka.
     */
    @Test
    void aRefusalAfterTheProducersDeliveryTimeoutNeverSaysNotAcceptedForAStoredEvent() throws Exception {
        IngestAudit audit = underFault("it.faults.pause.strict", cluster::pause, cluster::resume);

        assertEquals(
                List.of(), audit.misreportedTimeouts(), "refused as not accepted, yet in Kafka: " + audit.summary());
    }

    /** Streams events through a router, faults and heals the leader of partition 0 ({@link LeaderFault}), then audits. */
    private IngestAudit underFault(String topic, IntConsumer fault, IntConsumer heal) throws Exception {
        cluster.createTopic(topic, 3, Duration.ofMinutes(10));
        vertx = Vertx.vertx();
        router = FaultRouter.start(vertx, cluster, topic);
        try (Ledger load = Ledger.start(router.ingest(), topic, EVENTS_PER_SECOND)) {
            LeaderFault run = LeaderFault.run(cluster, topic, load, PHASE_EVENTS, fault, heal);
            IngestAudit audit = IngestAudit.of(load, cluster, topic);
            System.out.printf("%s: %s; %s%n", topic, run.timeline(), audit.summary());
            return audit;
        }
    }

    private static void assertNoAcceptedEventLost(IngestAudit audit) {
        assertTrue(audit.accepted() >= 3 * PHASE_EVENTS, audit.summary());
        assertEquals(0, audit.unanswered(), "every request is answered: " + audit.summary());
        assertEquals(0, audit.lost().size(), "LOST must be 0; lost ids " + audit.lost() + ": " + audit.summary());
        assertEquals(0, audit.altered().size(), "accepted events are stored as sent: " + audit.altered());
        // Phantoms of the known router bug (misreportedTimeouts) are asserted apart, in the disabled
        // test above, so that this one still guards every other refusal.
        assertEquals(
                0,
                audit.forbiddenPhantoms().size(),
                "a refused event is in Kafka only after a produce-timeout: " + audit.forbiddenPhantoms());
        assertEquals(0, audit.strangers(), audit.summary());
    }
}
