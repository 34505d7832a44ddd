package dev.sluice.executor.impl.guard;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Settings;
import java.time.Duration;

/**
 * Per-target limits of one executor process (docs/configuration.md).
 *
 * @param inFlight calls in flight to one target (host:port) at once, over every event loop and partition
 * @param queue    calls that may wait for that budget, each within its event's deadline; one more is dead-lettered unsent
 * @param failures consecutive failures (timeouts, lost connections, 408, 429, 5xx) that open the target's circuit
 * @param coolDown how long an open circuit refuses calls before it lets one probe through
 */
public record TargetLimits(int inFlight, int queue, int failures, Duration coolDown) {

    public TargetLimits {
        if (inFlight < 1
                || queue < 0
                || failures < 1
                || coolDown == null
                || coolDown.isNegative()
                || coolDown.isZero()) {
            throw new ConfigException(
                    "executor.target.inflight (" + inFlight + ") and executor.circuit.failures (" + failures
                            + ") must be at least 1, executor.target.queue (" + queue
                            + ") not negative, executor.circuit.cooldown ("
                            + coolDown + ") positive");
        }
    }

    public static TargetLimits from(Settings s) {
        return new TargetLimits(
                s.getInt("executor.target.inflight", 500),
                s.getInt("executor.target.queue", 2048),
                s.getInt("executor.circuit.failures", 5),
                s.getDuration("executor.circuit.cooldown", Duration.ofSeconds(5)));
    }
}
