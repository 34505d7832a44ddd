package dev.sluice.scaler.sim;

import java.util.List;

/**
 * The HPA {@code spec.behavior}: scale-up and scale-down rules. KEDA passes a ScaledObject's
 * {@code advanced.horizontalPodAutoscalerConfig.behavior} through to the HPA it creates.
 */
public record HpaBehavior(ScalingRules scaleUp, ScalingRules scaleDown) {

    /**
     * What the API server fills in when {@code behavior} is not set (Kubernetes HPA documentation, "Default
     * Behavior"): scale up without stabilization by the larger of 4 pods or 100% per 15 s; scale down to the
     * highest recommendation of the last 300 s, by at most 100% per 15 s.
     */
    public static HpaBehavior kubernetesDefault() {
        return new HpaBehavior(
                new ScalingRules(
                        0, ScalingRules.Select.MAX, List.of(ScalingPolicy.percent(100, 15), ScalingPolicy.pods(4, 15))),
                new ScalingRules(300_000, ScalingRules.Select.MAX, List.of(ScalingPolicy.percent(100, 15))));
    }

    /**
     * The behavior the deadline-aware ScaledObject sets: no scale-up stabilization and steps large enough to
     * reach the recommendation in one sync (the larger of 64 pods or 900% per 15 s), and a 120 s scale-down
     * window instead of 300 s, removing up to 100% per 15 s.
     */
    public static HpaBehavior fastScaleUp() {
        return new HpaBehavior(
                new ScalingRules(
                        0,
                        ScalingRules.Select.MAX,
                        List.of(ScalingPolicy.percent(900, 15), ScalingPolicy.pods(64, 15))),
                new ScalingRules(120_000, ScalingRules.Select.MAX, List.of(ScalingPolicy.percent(100, 15))));
    }
}
