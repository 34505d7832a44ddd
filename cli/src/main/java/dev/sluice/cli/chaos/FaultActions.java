package dev.sluice.cli.chaos;

import dev.sluice.testkit.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What injecting and healing one {@link Fault} does to a {@link ChaosStack}. Healing returns once
 * the faulted part is started again; whether the system recovered is for the audit to say.
 */
final class FaultActions {

    private static final Duration READY = Duration.ofSeconds(90);
    /** The broker faulted, chosen at injection. */
    private int node = -1;
    /** The executors a scale-out added. */
    private final List<Child> added = new ArrayList<>();

    private final Fault fault;
    private final ChaosStack stack;

    FaultActions(Fault fault, ChaosStack stack) {
        this.fault = fault;
        this.stack = stack;
    }

    /** Applies the fault; returns a note for the report (which node, which child). */
    String inject() {
        ChaosStack.Infra infra = stack.infra();
        KafkaCluster cluster = infra.cluster();
        switch (fault) {
            case BROKER_KILL_LEADER -> {
                node = cluster.leaderOf(stack.topic(), 0);
                cluster.kill(node);
                return "killed broker " + node;
            }
            case BROKER_PAUSE -> {
                node = cluster.leaderOf(stack.topic(), 0);
                cluster.pause(node);
                return "paused broker " + node;
            }
            case ROUTER_KILL -> stack.killRouter();
            case EXECUTOR_KILL -> stack.killExecutor();
            case EXECUTOR_SCALE -> {
                added.add(stack.startExecutor());
                added.add(stack.startExecutor());
            }
            case REDIS_PAUSE -> infra.redis().pause();
            case REDIS_RESTART_EMPTY -> infra.redis().stop();
            case POSTGRES_PAUSE -> infra.postgres().pause();
            case POSTGRES_RESTART -> infra.postgres().stop();
            case TARGET_SLOW -> {
                infra.target().delay(Duration.ofSeconds(2));
                infra.target().jitter(Duration.ofSeconds(1));
            }
            case TARGET_FLAPPING -> infra.target().flap(0.5, 503);
            case TARGET_DOWN -> infra.target().takeDown();
            case NOISY_NEIGHBOUR -> infra.noisyTarget().delay(Duration.ofSeconds(3));
            default -> throw new IllegalStateException("unreachable: " + fault);
        }
        return "";
    }

    /** Ends the fault: restarts, resumes or restores the faulted part. */
    void heal() {
        ChaosStack.Infra infra = stack.infra();
        switch (fault) {
            case BROKER_KILL_LEADER -> infra.cluster().restart(node);
            case BROKER_PAUSE -> infra.cluster().resume(node);
            case ROUTER_KILL -> stack.startRouter().awaitReady(READY);
            case EXECUTOR_KILL -> stack.startExecutor().awaitReady(READY);
            case EXECUTOR_SCALE -> {
                // A scale-in takes members that joined: let both finish starting (and rebalancing) first.
                added.forEach(c -> c.awaitReady(READY));
                stack.scaleExecutorsIn(1);
            }
            case REDIS_PAUSE -> infra.redis().resume();
            case REDIS_RESTART_EMPTY -> infra.redis().restart();
            case POSTGRES_PAUSE -> infra.postgres().resume();
            case POSTGRES_RESTART -> infra.postgres().restart();
            case TARGET_SLOW -> {
                infra.target().delay(Duration.ZERO);
                infra.target().jitter(Duration.ZERO);
            }
            case TARGET_FLAPPING -> infra.target().flap(0, 503);
            case TARGET_DOWN -> infra.target().bringUp();
            case NOISY_NEIGHBOUR -> infra.noisyTarget().delay(Duration.ZERO);
            default -> throw new IllegalStateException("unreachable: " + fault);
        }
    }
}
