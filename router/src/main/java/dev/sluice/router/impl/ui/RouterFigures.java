package dev.sluice.router.impl.ui;

import dev.sluice.core.MetricNames;
import dev.sluice.core.management.LiveDashboard;
import dev.sluice.core.management.MeterWindow;
import dev.sluice.router.impl.RouterMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The router's live figures, per route, from its own meters: events accepted per second, events
 * refused per second, and the p99 of last request byte → broker ack, over the last ten seconds; the
 * records in flight to Kafka for the whole process. Ingest → start, expiry, dead letters and lag are
 * the executors' (their dashboards show them), so they are absent here. The total ack p99 is the
 * slowest route's.
 */
public final class RouterFigures implements LiveDashboard.Figures {

    private final MeterRegistry registry;

    public RouterFigures(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Per route: accepted count, refused count. */
    private static final class Counts {
        double accepted;
        double refused;
    }

    @Override
    public JsonObject sample(MeterWindow window) {
        Map<String, Counts> byRoute = new TreeMap<>();
        for (Counter c : registry.find(MetricNames.ROUTER_EVENTS).counters()) {
            String route = c.getId().getTag(MetricNames.TAG_ROUTE);
            String outcome = c.getId().getTag(MetricNames.TAG_OUTCOME);
            if (route == null
                    || route.equals(RouterMetrics.NO_ROUTE)
                    || outcome == null
                    || outcome.equals("replayed")) {
                continue;
            }
            Counts n = byRoute.computeIfAbsent(route, r -> new Counts());
            if (outcome.equals(RouterMetrics.ACCEPTED)) {
                n.accepted += c.count();
            } else {
                n.refused += c.count();
            }
        }
        JsonArray rows = new JsonArray();
        double total = 0;
        boolean anyRate = false;
        Double worstAck = null;
        for (Map.Entry<String, Counts> e : byRoute.entrySet()) {
            String route = e.getKey();
            Double rate = window.rate("accepted:" + route, e.getValue().accepted);
            Double refused = window.rate("refused:" + route, e.getValue().refused);
            Timer ack = registry.find(MetricNames.ROUTER_PRODUCE_LATENCY)
                    .tag(MetricNames.TAG_ROUTE, route)
                    .timer();
            Double p99 = ack == null ? null : window.quantileMillis("ack:" + route, ack, 0.99);
            if (rate != null) {
                total += rate;
                anyRate = true;
            }
            if (p99 != null && (worstAck == null || p99 > worstAck)) {
                worstAck = p99;
            }
            rows.add(new JsonObject()
                    .put("name", route)
                    .put("eventsPerSecond", rate)
                    .put("refusedPerSecond", refused)
                    .put("ackP99Ms", p99)
                    .putNull("startP99Ms")
                    .putNull("expiredPerSecond")
                    .putNull("deadLetteredPerSecond")
                    .putNull("lag")
                    .putNull("inFlight"));
        }
        Gauge inFlight = registry.find(MetricNames.ROUTER_IN_FLIGHT).gauge();
        JsonObject totals = new JsonObject()
                .put("eventsPerSecond", anyRate ? total : null)
                .put("ackP99Ms", worstAck)
                .putNull("startP99Ms")
                .putNull("expiredPerSecond")
                .putNull("deadLetteredPerSecond")
                .putNull("lag")
                .put("inFlight", inFlight == null ? null : inFlight.value());
        return new JsonObject().put("rowKind", "route").put("totals", totals).put("rows", rows);
    }
}
