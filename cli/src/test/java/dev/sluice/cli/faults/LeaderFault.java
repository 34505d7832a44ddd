package dev.sluice.cli.faults;

import static org.awaitility.Awaitility.await;

import dev.sluice.cli.chaos.Ledger;
import dev.sluice.testkit.KafkaCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One fault of the node leading partition 0 of a topic, under a running {@link Ledger}: waits
 * for {@code phaseEvents} accepted events, faults the leader, waits until the partition has
 * another leader and {@code phaseEvents} events sent since then are accepted (the node still
 * down), heals the node, waits until every replica is in sync and {@code phaseEvents} more are
 * accepted, then stops the load and waits for every answer. Nothing but the node is restarted.
 *
 * @param node     the faulted node
 * @param timeline when, from the fault, the leader moved, healing began, the replicas were in
 *                 sync and the stream was accepted again, for the test's output
 */
record LeaderFault(int node, String timeline) {

    private static final Duration PHASE_WAIT = Duration.ofSeconds(20);

    static LeaderFault run(
            KafkaCluster cluster, String topic, Ledger load, int phaseEvents, IntConsumer fault, IntConsumer heal) {
        await().atMost(PHASE_WAIT).until(() -> load.accepted() >= phaseEvents);
        int leader = cluster.leaderOf(topic, 0);
        long faulted = System.nanoTime();
        fault.accept(leader);

        cluster.awaitLeader(topic, 0, id -> id != leader);
        long moved = System.nanoTime();
        await("events accepted again with node " + leader + " down")
                .atMost(PHASE_WAIT)
                .until(() -> load.acceptedSentSince(moved) >= phaseEvents);

        long healing = System.nanoTime();
        heal.accept(leader);

        cluster.awaitFullIsr(topic);
        long healed = System.nanoTime();
        await("events accepted after node " + leader + " rejoined")
                .atMost(PHASE_WAIT)
                .until(() -> load.acceptedSentSince(healed) >= phaseEvents);
        long recovered = System.nanoTime();
        load.stop();
        await("every request answered").atMost(Duration.ofSeconds(30)).until(load::drained);
        return new LeaderFault(
                leader,
                "node " + leader + " faulted; leader moved after " + millis(faulted, moved)
                        + " ms; healing began at " + millis(faulted, healing) + " ms, in sync at "
                        + millis(faulted, healed)
                        + " ms, " + phaseEvents + " accepted again at " + millis(faulted, recovered) + " ms");
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }
}
