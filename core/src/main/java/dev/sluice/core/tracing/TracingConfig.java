package dev.sluice.core.tracing;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code otel.*} settings: whether a process exports traces, where to (OTLP over HTTP with
 * protobuf bodies), under which service name, and what share of new traces it keeps. The names are
 * OpenTelemetry's own configuration properties, so a collector's documentation reads the same.
 *
 * @param enabled       {@code otel.enabled}: off by default; off, no SDK is built and nothing is traced
 * @param endpoint      {@code otel.exporter.otlp.endpoint}: the collector's base URL; spans go to {@code <endpoint>/v1/traces}
 * @param headers       {@code otel.exporter.otlp.headers}: {@code key=value} pairs, comma-separated, sent with every export
 * @param serviceName   {@code otel.service.name}: the {@code service.name} resource attribute
 * @param samplerRatio  {@code otel.traces.sampler.arg}: the share of new traces kept (0 to 1); a trace begun
 *                      upstream keeps its caller's decision (parent-based sampling)
 * @param exportDelay   {@code otel.bsp.schedule.delay}: how long finished spans wait to be exported in one batch
 */
public record TracingConfig(
        boolean enabled,
        String endpoint,
        Map<String, String> headers,
        String serviceName,
        double samplerRatio,
        Duration exportDelay) {

    public static final String DEFAULT_ENDPOINT = "http://localhost:4318";

    public TracingConfig {
        headers = Map.copyOf(headers);
        if (!(samplerRatio >= 0 && samplerRatio <= 1)) {
            throw new ConfigException("setting otel.traces.sampler.arg must be between 0 and 1, got " + samplerRatio);
        }
    }

    /** Tracing off. */
    public static TracingConfig off(String serviceName) {
        return new TracingConfig(false, DEFAULT_ENDPOINT, Map.of(), serviceName, 1.0, Duration.ofSeconds(5));
    }

    /** @param defaultService the service name when {@code otel.service.name} is not set ({@code sluice-router}, {@code sluice-executor}) */
    public static TracingConfig from(Settings s, String defaultService) {
        String ratio = s.get("otel.traces.sampler.arg", "1.0");
        double r;
        try {
            r = Double.parseDouble(ratio);
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    "setting otel.traces.sampler.arg must be a number between 0 and 1, got '" + ratio + "'", e);
        }
        return new TracingConfig(
                s.getBoolean("otel.enabled", false),
                s.get("otel.exporter.otlp.endpoint", DEFAULT_ENDPOINT),
                headers(s.get("otel.exporter.otlp.headers", "")),
                s.get("otel.service.name", defaultService),
                r,
                s.getDuration("otel.bsp.schedule.delay", Duration.ofSeconds(5)));
    }

    /** Where the exporter posts spans: the OTLP/HTTP traces path under the endpoint. */
    public String tracesUrl() {
        return (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + "/v1/traces";
    }

    static Map<String, String> headers(String list) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : list.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(
                        "setting otel.exporter.otlp.headers must be key=value pairs separated by commas");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return out;
    }

    /** Header values are credentials more often than not: only their names are shown. */
    @Override
    public String toString() {
        return "TracingConfig[enabled=" + enabled + ", endpoint=" + endpoint + ", headers=" + headers.keySet()
                + ", serviceName=" + serviceName + ", samplerRatio=" + samplerRatio + ", exportDelay=" + exportDelay
                + "]";
    }
}
