package dev.sluice.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The faults of the brokers and of Sluice's own processes (router and executor as child JVMs),
 * each under a short load on one shared stack, audited per event id by {@link ChaosRun}.
 */
@SluiceInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterChaosIT {

    private final ChaosStack.Infra infra;
    private final WebhookTarget noisy = WebhookTarget.start();
    private ChaosStack stack;

    ClusterChaosIT(KafkaCluster cluster, Redis redis, Postgres postgres, WebhookTarget target) {
        this.infra = new ChaosStack.Infra(cluster, redis, postgres, target, noisy);
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startStack() {
        stack = ChaosStack.start(infra, "it.chaos.cluster", Drill.TTL, Child.Jvm.LEAN);
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
        noisy.close();
    }

    private ChaosReport drill(Fault fault, Duration length, Duration load, int restarted) {
        int before = stack.childrenStarted();
        ChaosReport report = Drill.run(stack, fault, length, load);
        Drill.assertHeld(stack, report, before, restarted);
        return report;
    }

    private void assertEveryNodeRuns() {
        KafkaCluster cluster = infra.cluster();
        assertTrue(
                IntStream.rangeClosed(1, cluster.size()).allMatch(cluster::isRunning),
                "every node runs again: " + cluster);
    }

    @Test
    void killingTheLeadingBrokerLosesNoAcceptedEvent() {
        drill(Fault.BROKER_KILL_LEADER, Duration.ofSeconds(4), Duration.ofSeconds(12), 0);
        assertEveryNodeRuns();
    }

    @Test
    void pausingTheLeadingBrokerLosesNoAcceptedEvent() {
        drill(Fault.BROKER_PAUSE, Duration.ofSeconds(4), Duration.ofSeconds(12), 0);
        assertEveryNodeRuns();
    }

    @Test
    void aKilledRouterIsReplacedAndNoAcceptedEventIsLost() {
        drill(Fault.ROUTER_KILL, Duration.ofSeconds(1), Duration.ofSeconds(14), 1);
    }

    /** The replacement waits out the dead member's session (10 s) before it gets the partitions. */
    @Test
    void aKilledExecutorIsReplacedAndNoAcceptedEventIsLost() {
        drill(Fault.EXECUTOR_KILL, Duration.ofSeconds(1), Duration.ofSeconds(22), 1);
    }

    @Test
    void scalingExecutorsOutAndInLosesNoAcceptedEvent() {
        drill(Fault.EXECUTOR_SCALE, Duration.ofSeconds(4), Duration.ofSeconds(12), 2);
    }
}
