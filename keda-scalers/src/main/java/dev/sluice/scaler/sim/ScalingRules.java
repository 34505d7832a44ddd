package dev.sluice.scaler.sim;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One direction of an HPA {@code behavior} ({@code scaleUp} or {@code scaleDown}): the stabilization window,
 * the rate-limiting policies and how they combine.
 */
public record ScalingRules(long stabilizationMillis, Select select, List<ScalingPolicy> policies) {

    /** {@code selectPolicy}: {@code Max} (the default) allows the largest change, {@code Min} the smallest. */
    public enum Select {
        MAX,
        MIN,
        DISABLED
    }

    public ScalingRules {
        policies = List.copyOf(policies);
        if (stabilizationMillis < 0) {
            throw new IllegalArgumentException("stabilization window must be >= 0");
        }
    }

    @Override
    public String toString() {
        return "window " + stabilizationMillis / 1000 + "s, " + select.name().toLowerCase() + " of "
                + policies.stream().map(ScalingPolicy::toString).collect(Collectors.joining(", "));
    }
}
