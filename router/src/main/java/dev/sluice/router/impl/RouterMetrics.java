package dev.sluice.router.impl;

import dev.sluice.core.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The router's meters, looked up once per route and outcome, never per request. */
public final class RouterMetrics {

    /** What became of a request. The tag value is the lower-case name. */
    public enum Outcome {
        ACCEPTED, TOO_LARGE, UNKNOWN_SOURCE, METHOD_NOT_ALLOWED, BAD_REQUEST, UNAVAILABLE, OVERLOADED, TIMEOUT, FAILED, DRAINING;

        final String tag = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The meters of one route. */
    public static final class RouteMeters {
        private final Map<Outcome, Counter> events = new EnumMap<>(Outcome.class);
        private final Counter bytes;
        private final Timer produceLatency;

        RouteMeters(MeterRegistry registry, String route) {
            for (Outcome o : Outcome.values()) {
                events.put(o, Counter.builder(MetricNames.ROUTER_EVENTS).description("Events handled by the router")
                        .tag(MetricNames.TAG_ROUTE, route).tag(MetricNames.TAG_OUTCOME, o.tag).register(registry));
            }
            bytes = Counter.builder(MetricNames.ROUTER_BYTES).description("Payload bytes accepted").baseUnit("bytes")
                    .tag(MetricNames.TAG_ROUTE, route).register(registry);
            produceLatency = Timer.builder(MetricNames.ROUTER_PRODUCE_LATENCY)
                    .description("Last request byte to broker ack").tag(MetricNames.TAG_ROUTE, route)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        }

        public void count(Outcome outcome) {
            events.get(outcome).increment();
        }

        public void accepted(int payloadBytes, long produceNanos) {
            events.get(Outcome.ACCEPTED).increment();
            bytes.increment(payloadBytes);
            produceLatency.record(produceNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** Requests for a path that names no route share one set of meters. */
    public static final String NO_ROUTE = "_none";

    private final MeterRegistry registry;
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();

    public RouterMetrics(MeterRegistry registry, Iterable<String> routeNames) {
        this.registry = registry;
        routeNames.forEach(this::route);
        route(NO_ROUTE);
    }

    public RouteMeters route(String name) {
        return routes.computeIfAbsent(name, n -> new RouteMeters(registry, n));
    }

    public MeterRegistry registry() {
        return registry;
    }
}
