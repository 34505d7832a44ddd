package dev.sluice.router.impl;

import dev.sluice.core.MetricNames;
import dev.sluice.router.impl.http.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The router's meters, registered once per route and outcome, never per request. The outcome tag
 * is {@code accepted} or the rejection's reason ({@code too_large}, {@code overloaded}, …).
 */
public final class RouterMetrics {

    public static final String ACCEPTED = "accepted";

    /** The meters of one route. */
    public static final class RouteMeters {
        private final Counter accepted;
        private final Map<Problems.Kind, Counter> rejected = new EnumMap<>(Problems.Kind.class);
        private final Counter bytes;
        private final Counter replayed;
        private final Counter unchecked;
        private final Counter unanswered;
        private final Counter replayUnchecked;
        private final Timer produceLatency;

        RouteMeters(MeterRegistry registry, String route) {
            accepted = events(registry, route, ACCEPTED);
            for (Problems.Kind k : Problems.Kind.values()) {
                rejected.put(k, events(registry, route, k.reason.replace('-', '_')));
            }
            replayed = events(registry, route, "replayed");
            unchecked = Counter.builder("sluice.router.idempotency.unchecked")
                    .description("Events of fail-open sources accepted without a duplicate check (Redis down)")
                    .tag(MetricNames.TAG_ROUTE, route)
                    .register(registry);
            unanswered = Counter.builder("sluice.router.unanswered")
                    .description(
                            "Events whose sender had gone before the answer was written (each still counted by its outcome)")
                    .baseUnit("events")
                    .tag(MetricNames.TAG_ROUTE, route)
                    .register(registry);
            replayUnchecked = Counter.builder("sluice.router.replay.unchecked")
                    .description("Events of signed deliveries accepted without the replay check (Redis unreachable)")
                    .tag(MetricNames.TAG_ROUTE, route)
                    .register(registry);
            bytes = Counter.builder(MetricNames.ROUTER_BYTES)
                    .description("Payload bytes accepted")
                    .baseUnit("bytes")
                    .tag(MetricNames.TAG_ROUTE, route)
                    .register(registry);
            produceLatency = Timer.builder(MetricNames.ROUTER_PRODUCE_LATENCY)
                    .description("Last request byte to broker ack")
                    .tag(MetricNames.TAG_ROUTE, route)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
        }

        private static Counter events(MeterRegistry registry, String route, String outcome) {
            return Counter.builder(MetricNames.ROUTER_EVENTS)
                    .description("Events handled by the router")
                    .tag(MetricNames.TAG_ROUTE, route)
                    .tag(MetricNames.TAG_OUTCOME, outcome)
                    .register(registry);
        }

        /** A duplicate answered with the original event's id, not produced again. */
        public void replayed() {
            replayed.increment();
        }

        public void unchecked() {
            unchecked.increment();
        }

        /** An event of a signed delivery accepted without its replay check. */
        public void replayUnchecked() {
            replayUnchecked.increment();
        }

        /** Events whose answer found the sender gone. */
        public void unanswered(int events) {
            unanswered.increment(events);
        }

        public void rejected(Problems.Kind kind) {
            rejected.get(kind).increment();
        }

        public void rejected(Problems.Kind kind, int events) {
            rejected.get(kind).increment(events);
        }

        public void accepted(int payloadBytes, long produceNanos) {
            accepted.increment();
            bytes.increment(payloadBytes);
            produceLatency.record(produceNanos, TimeUnit.NANOSECONDS);
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
