package dev.sluice.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The faults of the parts around the router and the executor (Redis, PostgreSQL, the webhook
 * targets), each under a short load on one shared stack, audited per event id by {@link ChaosRun}.
 */
@SluiceInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InfraChaosIT {

    private static final Duration LENGTH = Duration.ofSeconds(3);
    private static final Duration LOAD = Duration.ofSeconds(10);

    private final ChaosStack.Infra infra;
    private final WebhookTarget noisy = WebhookTarget.start();
    private ChaosStack stack;

    InfraChaosIT(KafkaCluster cluster, Redis redis, Postgres postgres, WebhookTarget target) {
        this.infra = new ChaosStack.Infra(cluster, redis, postgres, target, noisy);
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startStack() {
        stack = ChaosStack.start(infra, "it.chaos.infra", Drill.TTL, Child.Jvm.LEAN);
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
        noisy.close();
    }

    private ChaosReport drill(Fault fault) {
        int before = stack.childrenStarted();
        ChaosReport report = Drill.run(stack, fault, LENGTH, LOAD);
        Drill.assertHeld(stack, report, before, 0);
        return report;
    }

    @Test
    void pausedRedisLosesNoAcceptedEvent() {
        assumeTrue(infra.redis().executable() != null, "needs a local redis-server to pause");
        ChaosReport report = drill(Fault.REDIS_PAUSE);

        assertTrue(report.refused503() > 0, "the fail-closed source refuses while Redis is paused:\n" + report.table());
    }

    @Test
    void redisRestartedWithItsDataLostLosesNoAcceptedEvent() {
        assumeTrue(infra.redis().executable() != null, "needs a local redis-server to restart");
        drill(Fault.REDIS_RESTART_EMPTY);
    }

    @Test
    void pausedPostgresLosesNoAcceptedEvent() {
        assumeTrue(infra.postgres().isEmbedded(), "needs the embedded PostgreSQL to pause");
        drill(Fault.POSTGRES_PAUSE);
    }

    @Test
    void restartedPostgresLosesNoAcceptedEvent() {
        assumeTrue(infra.postgres().isEmbedded(), "needs the embedded PostgreSQL to restart");
        drill(Fault.POSTGRES_RESTART);
    }

    @Test
    void aSlowTargetDelaysButLosesNothing() {
        drill(Fault.TARGET_SLOW);
    }

    @Test
    void aFlappingTargetIsRetriedAndLosesNothing() {
        drill(Fault.TARGET_FLAPPING);
    }

    @Test
    void aTargetRefusingConnectionsEndsEachEventWithARecord() {
        ChaosReport report = drill(Fault.TARGET_DOWN);

        assertTrue(
                report.deadLettered() + report.expired() > 0,
                "events of the down target are accounted for:\n" + report.table());
    }

    @Test
    void aNoisyNeighbourLosesNothingOfTheSteadyTenant() {
        ChaosReport report = drill(Fault.NOISY_NEIGHBOUR);

        assertTrue(report.steadyLost() == 0, report.table());
    }
}
