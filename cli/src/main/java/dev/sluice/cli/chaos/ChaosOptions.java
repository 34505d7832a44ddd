package dev.sluice.cli.chaos;

import dev.sluice.core.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code sluice chaos}'s flags.
 *
 * @param fault    the fault to apply
 * @param rate     events a second, open loop
 * @param duration how long the load runs
 * @param at       when the fault starts, from the load's start
 * @param length   how long the fault lasts ({@code --for})
 * @param ttl      the route's TTL (deadline = ingest + TTL)
 * @param warmUp   how long the same load runs, unaudited, before the audited one ({@code --warmup}):
 *                 seven JVMs started a moment ago compile under it, and the audited window
 *                 measures the stack warm, as it runs in production
 * @param jvm      how the router, executor and Kafka JVMs run ({@code --jvm standard|lean})
 */
public record ChaosOptions(
        Fault fault,
        int rate,
        Duration duration,
        Duration at,
        Duration length,
        Duration ttl,
        Duration warmUp,
        Child.Jvm jvm) {

    /** The warm-up a newcomer's {@code sluice chaos} runs. */
    public static final Duration DEFAULT_WARM_UP = Duration.ofSeconds(10);

    public static final String USAGE = String.join(
            "\n",
            "usage: sluice chaos --fault <name> [--rate N] [--duration D] [--at D] [--for D] [--ttl D] [--warmup D]",
            "  Starts a replicated stack (3 KRaft nodes, RF 3, min.insync.replicas 2; Redis; PostgreSQL; webhook",
            "  targets; a router and an executor as child JVMs), sends an open-loop load, applies one fault, drains,",
            "  and audits every accepted event by id. Exits 1 when an accepted event is LOST, a run started after",
            "  its deadline, or a refusal that said \"not stored\" was stored.",
            "  --rate N       events a second (default 300)",
            "  --duration D   load duration (default 30s)",
            "  --at D         fault start, from the load's start (default 10s)",
            "  --for D        fault length (default 10s; 2s for router-kill and executor-kill: the replacement's start)",
            "  --ttl D        the route's TTL (default 20s)",
            "  --warmup D     the same load, unaudited, before the audited one (default 10s; 0s for none)",
            "  --jvm J        standard (default): router, executor and Kafka nodes with both JIT tiers, as they run;",
            "                 lean: small heaps and C1 alone, as the CI drills run (quicker to start, slower under load)",
            "  faults:",
            Fault.list());

    public ChaosOptions {
        if (rate < 1) {
            throw new IllegalArgumentException("--rate must be at least 1, not " + rate);
        }
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative: " + warmUp);
        }
        if (at.plus(length).compareTo(duration) > 0) {
            throw new IllegalArgumentException(
                    "the fault (--at " + at + " --for " + length + ") must end within --duration " + duration);
        }
    }

    /** Parses the flags after {@code chaos}; an error names the flag. */
    public static ChaosOptions parse(String[] args) {
        Optional<Fault> fault = Optional.empty();
        int rate = 300;
        Duration duration = Duration.ofSeconds(30);
        Duration at = Duration.ofSeconds(10);
        Optional<Duration> length = Optional.empty();
        Duration ttl = Duration.ofSeconds(20);
        Duration warmUp = DEFAULT_WARM_UP;
        Child.Jvm jvm = Child.Jvm.STANDARD;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(flag + " wants a value\n" + USAGE);
            }
            String value = args[++i];
            switch (flag) {
                case "--fault" -> fault = Optional.of(Fault.parse(value));
                case "--rate" -> rate = number(flag, value);
                case "--duration" -> duration = duration(flag, value);
                case "--at" -> at = duration(flag, value);
                case "--for" -> length = Optional.of(duration(flag, value));
                case "--ttl" -> ttl = duration(flag, value);
                case "--warmup" -> warmUp = duration(flag, value);
                case "--jvm" -> jvm = Child.Jvm.parse(value);
                default -> throw new IllegalArgumentException("unknown chaos option: " + flag + "\n" + USAGE);
            }
        }
        Fault chosen = fault.orElseThrow(() -> new IllegalArgumentException("--fault is required\n" + USAGE));
        return new ChaosOptions(chosen, rate, duration, at, length.orElse(chosen.defaultLength()), ttl, warmUp, jvm);
    }

    private static int number(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " wants a number, not " + value, e);
        }
    }

    private static Duration duration(String flag, String value) {
        try {
            return Durations.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " wants a duration such as 10s or 500ms, not " + value, e);
        }
    }
}
