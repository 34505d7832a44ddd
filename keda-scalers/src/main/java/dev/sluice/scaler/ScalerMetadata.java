package dev.sluice.scaler;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One ScaledObject's {@code scalerMetadata}, parsed and checked. Two ScaledObjects with equal
 * metadata share one watch (and one rate history) in the scaler.
 *
 * @param topic               the executor's input topic (required)
 * @param group               the executors' consumer group (required)
 * @param bootstrapServers    the Kafka to read (default: the scaler's own)
 * @param budget              latency budget {@code B}: the backlog must drain within it
 * @param ttl                 event TTL: records older than {@code now − ttl} are expired, not backlog
 * @param replicaRate         {@code μ}, events/s one executor replica sustains (the HPA's per-replica target)
 * @param minReplicas         lower bound of the replicas the metric asks for
 * @param maxReplicas         upper bound (also capped by the topic's partitions)
 * @param activationThreshold active when the required rate exceeds this (events/s)
 */
public record ScalerMetadata(
        String topic,
        String group,
        String bootstrapServers,
        Duration budget,
        Duration ttl,
        double replicaRate,
        int minReplicas,
        int maxReplicas,
        double activationThreshold) {

    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(20);
    /** About what one executor sustained end to end on the 2-core machine of BENCHMARKS.md. */
    public static final double DEFAULT_REPLICA_RATE = 1000;

    public static final String METRIC_PREFIX = "sluice-required-rate-";

    /** Parses KEDA's map; a bad or missing value is an INVALID_ARGUMENT that names the key and the value. */
    public static ScalerMetadata parse(Map<String, String> metadata, String defaultBootstrapServers) {
        String topic = required(metadata, "topic");
        String group = required(metadata, "group");
        String bootstrap = text(metadata, "bootstrapServers");
        Duration budget = duration(metadata, "budget", DEFAULT_BUDGET);
        Duration ttl = duration(metadata, "ttl", DEFAULT_TTL);
        double replicaRate = number(metadata, "replicaRate", DEFAULT_REPLICA_RATE);
        if (replicaRate <= 0) {
            throw ScalerException.invalid(
                    "scalerMetadata.replicaRate must be positive, got '" + metadata.get("replicaRate") + "'");
        }
        int min = integer(metadata, "minReplicas", 0);
        int max = integer(metadata, "maxReplicas", Integer.MAX_VALUE);
        if (min > max) {
            throw ScalerException.invalid(
                    "scalerMetadata.minReplicas (" + min + ") is above maxReplicas (" + max + ")");
        }
        double threshold = number(metadata, "activationThreshold", 0);
        return new ScalerMetadata(
                topic,
                group,
                bootstrap == null ? defaultBootstrapServers : bootstrap,
                budget,
                ttl,
                replicaRate,
                min,
                max,
                threshold);
    }

    /** The HPA metric's name: {@code sluice-required-rate-<topic>}. */
    public String metricName() {
        return METRIC_PREFIX + topic;
    }

    private static String text(Map<String, String> m, String key) {
        String v = m.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String required(Map<String, String> m, String key) {
        String v = text(m, key);
        if (v == null) {
            throw ScalerException.invalid("scalerMetadata." + key + " is required");
        }
        return v;
    }

    private static Duration duration(Map<String, String> m, String key, Duration dflt) {
        return parsed(m, key, dflt, v -> durationOf(key, v), d -> !d.isNegative() && !d.isZero(), "positive");
    }

    /** {@code v} as a duration; a refusal that says why, and that a plain number is milliseconds. */
    private static Duration durationOf(String key, String v) {
        try {
            return Durations.parse(v);
        } catch (ConfigException e) {
            throw ScalerException.invalid(
                    "scalerMetadata." + key + ": " + e.getMessage() + "; a plain number is milliseconds");
        }
    }

    private static double number(Map<String, String> m, String key, double dflt) {
        return parsed(
                m,
                key,
                dflt,
                Double::parseDouble,
                d -> !d.isNaN() && !d.isInfinite() && d >= 0,
                "a non-negative number");
    }

    private static int integer(Map<String, String> m, String key, int dflt) {
        return parsed(m, key, dflt, Integer::parseInt, i -> i >= 0, "a non-negative integer");
    }

    /**
     * {@code m[key]} parsed, or {@code dflt} when absent; a value that does not parse or is not {@code valid} is
     * refused. A {@code parse} that explains its own refusal throws the {@link ScalerException} itself.
     */
    private static <T> T parsed(
            Map<String, String> m, String key, T dflt, Function<String, T> parse, Predicate<T> valid, String what) {
        String v = text(m, key);
        if (v == null) {
            return dflt;
        }
        T value;
        try {
            value = parse.apply(v);
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || !valid.test(value)) {
            throw ScalerException.invalid("scalerMetadata." + key + " must be " + what + ", got '" + v + "'");
        }
        return value;
    }
}
