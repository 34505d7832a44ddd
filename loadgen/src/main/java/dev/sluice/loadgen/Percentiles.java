package dev.sluice.loadgen;

import io.vertx.core.json.JsonObject;

/** A latency distribution's summary in milliseconds. */
public record Percentiles(
        long count, double mean, double p50, double p90, double p99, double p999, double p9999, double max) {

    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0, 0);

    public JsonObject toJson() {
        return new JsonObject()
                .put("count", count)
                .put("mean", mean)
                .put("p50", p50)
                .put("p90", p90)
                .put("p99", p99)
                .put("p99.9", p999)
                .put("p99.99", p9999)
                .put("max", max);
    }

    public static Percentiles fromJson(JsonObject o) {
        if (o == null) {
            return EMPTY;
        }
        return new Percentiles(
                o.getLong("count", 0L),
                o.getDouble("mean", 0.0),
                o.getDouble("p50", 0.0),
                o.getDouble("p90", 0.0),
                o.getDouble("p99", 0.0),
                o.getDouble("p99.9", 0.0),
                o.getDouble("p99.99", 0.0),
                o.getDouble("max", 0.0));
    }

    /** One line: {@code p50 1.2  p90 … max 30.1 ms (n=…)}. */
    public String line() {
        if (count == 0) {
            return "(no samples)";
        }
        return String.format(
                java.util.Locale.ROOT,
                "p50 %s  p90 %s  p99 %s  p99.9 %s  p99.99 %s  max %s ms  (n=%d)",
                fmt(p50),
                fmt(p90),
                fmt(p99),
                fmt(p999),
                fmt(p9999),
                fmt(max),
                count);
    }

    static String fmt(double ms) {
        if (ms >= 100) {
            return String.format(java.util.Locale.ROOT, "%.0f", ms);
        }
        if (ms >= 10) {
            return String.format(java.util.Locale.ROOT, "%.1f", ms);
        }
        return String.format(java.util.Locale.ROOT, "%.2f", ms);
    }
}
