package dev.sluice.cli.chaos;

import dev.sluice.core.Spellings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The faults {@code sluice chaos} can apply, one per run: each is injected at its start and healed
 * at its end ({@link FaultActions}). Only the faulted part is touched.
 */
public enum Fault {
    BROKER_KILL_LEADER("SIGKILL the broker leading partition 0 of the topic, then restart it with its data"),
    BROKER_PAUSE("SIGSTOP the broker leading partition 0 of the topic, then SIGCONT it"),
    ROUTER_KILL("SIGKILL the router with requests in flight, then start a replacement on the same port"),
    EXECUTOR_KILL("SIGKILL the executor with runs in flight, then start a replacement"),
    EXECUTOR_SCALE("scale executors out 1 -> 3 at the start, back in 3 -> 1 (SIGTERM) at the end"),
    REDIS_PAUSE("SIGSTOP Redis, then SIGCONT it"),
    REDIS_RESTART_EMPTY("stop Redis, then start it again with its data lost"),
    POSTGRES_PAUSE("SIGSTOP PostgreSQL (postmaster and backends), then SIGCONT it"),
    POSTGRES_RESTART("stop PostgreSQL, then start it again on the same data"),
    TARGET_SLOW("the webhook target answers after 2-3 s (the step's timeout is 5 s)"),
    TARGET_FLAPPING("the webhook target answers 503 to half of the requests, at random"),
    TARGET_DOWN("the webhook target refuses connections"),
    NOISY_NEIGHBOUR("20 % of the events, another tenant on the same partitions, go to a target that answers after 3 s"
            + " (its step times out at 2 s); the steady tenant's target answers in 1 ms");

    /** The command line's name: {@code broker-kill-leader}. */
    public final String spelling;

    public final String description;

    Fault(String description) {
        this.spelling = name().toLowerCase(Locale.ROOT).replace('_', '-');
        this.description = description;
    }

    /** The fault a command line names; anything else is an error listing every name. */
    public static Fault parse(String value) {
        return Spellings.find(values(), f -> f.spelling, value)
                .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + value + "'; one of: "
                        + Arrays.stream(values()).map(f -> f.spelling).collect(Collectors.joining(", "))));
    }

    /** Whether events go partly to the noisy tenant's source during the whole run. */
    public boolean twoTenants() {
        return this == NOISY_NEIGHBOUR;
    }

    /**
     * Whether the fault makes the steady tenant's target fail calls, so that the executor may open
     * its circuit: then nothing reaches it for the circuit's cool-down, even after the heal.
     */
    public boolean tripsTargetCircuit() {
        return this == TARGET_DOWN || this == TARGET_FLAPPING;
    }

    /** The default duration of the fault when {@code --for} is not given. */
    public Duration defaultLength() {
        return switch (this) {
            case ROUTER_KILL, EXECUTOR_KILL -> Duration.ofSeconds(2);
            default -> Duration.ofSeconds(10);
        };
    }

    /** One line per fault, for {@code --help}. */
    public static String list() {
        return Arrays.stream(values())
                .map(f -> String.format(Locale.ROOT, "    %-20s %s", f.spelling, f.description))
                .collect(Collectors.joining("\n"));
    }
}
