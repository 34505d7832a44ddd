package dev.sluice.executor.impl.ui;

import dev.sluice.core.MetricNames;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.core.management.LiveDashboard;
import dev.sluice.core.management.MeterWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The executor's live figures from its own meters. Per workflow, over the last ten seconds: runs
 * decided per second, and of them expired and dead-lettered per second; ingest → start p99 of its
 * runs; its runs in flight; and the consumer lag of the topics its sources go to (a topic read by
 * two workflows counts in both rows). For the process: ingest → start p99 per event, records in
 * flight, and consumer lag per topic and in all. Plus the latest dead-lettered runs with their
 * errors ({@link DeadLetterFeed}). A workflow in force shows a row before its first run; one gone
 * keeps its row (without lag) while its counts are in the registry.
 */
public final class ExecutorFigures implements LiveDashboard.Figures {

    private final MeterRegistry registry;
    private final DeadLetterFeed deadLetters;
    private final Supplier<List<WorkflowConfig>> workflows;
    private final Map<String, RouteConfig> routes;

    /** {@code workflows}: those in force now; {@code routes}: every route, by source (for the topics a workflow reads). */
    public ExecutorFigures(
            MeterRegistry registry,
            DeadLetterFeed deadLetters,
            Supplier<List<WorkflowConfig>> workflows,
            Map<String, RouteConfig> routes) {
        this.registry = registry;
        this.deadLetters = deadLetters;
        this.workflows = workflows;
        this.routes = routes;
    }

    /** One workflow's run counts: every outcome, expired, dead-lettered. */
    private static final class Counts {
        double all;
        double expired;
        double dead;
    }

    /** The summed lag of {@code topics} as far as this executor knows it; null when it knows none of them (or the workflow is gone). */
    private static Double lag(Set<String> topics, Map<String, Double> lagByTopic) {
        if (topics == null) {
            return null;
        }
        Double sum = null;
        for (String t : topics) {
            Double v = lagByTopic.get(t);
            if (v != null) {
                sum = (sum == null ? 0 : sum) + v;
            }
        }
        return sum;
    }

    @Override
    public JsonObject sample(MeterWindow window) {
        Map<String, Counts> byWorkflow = new TreeMap<>();
        for (Counter c : registry.find(MetricNames.EXECUTOR_RUNS).counters()) {
            String workflow = c.getId().getTag(MetricNames.TAG_WORKFLOW);
            String outcome = c.getId().getTag(MetricNames.TAG_OUTCOME);
            if (workflow == null || outcome == null) {
                continue;
            }
            Counts n = byWorkflow.computeIfAbsent(workflow, w -> new Counts());
            n.all += c.count();
            if (outcome.equals("expired")) {
                n.expired += c.count();
            } else if (outcome.equals("dead_lettered")) {
                n.dead += c.count();
            }
        }
        Map<String, Double> lagByTopic = new TreeMap<>();
        for (Gauge g : registry.find("sluice.executor.lag").gauges()) {
            String topic = g.getId().getTag(MetricNames.TAG_TOPIC);
            double v = g.value();
            if (topic != null && !Double.isNaN(v)) {
                lagByTopic.merge(topic, v, Double::sum);
            }
        }
        Map<String, Set<String>> topicsOf = new TreeMap<>();
        for (WorkflowConfig w : workflows.get()) {
            Set<String> topics = topicsOf.computeIfAbsent(w.name(), n -> new TreeSet<>());
            w.sources().stream().map(routes::get).filter(Objects::nonNull).forEach(r -> topics.add(r.topic()));
            byWorkflow.computeIfAbsent(w.name(), n -> new Counts());
        }
        JsonArray rows = new JsonArray();
        Double[] totals = new Double[3];
        for (Map.Entry<String, Counts> e : byWorkflow.entrySet()) {
            String w = e.getKey();
            Double[] rates = {
                window.rate("runs:" + w, e.getValue().all),
                window.rate("expired:" + w, e.getValue().expired),
                window.rate("dead:" + w, e.getValue().dead)
            };
            for (int i = 0; i < 3; i++) {
                if (rates[i] != null) {
                    totals[i] = (totals[i] == null ? 0 : totals[i]) + rates[i];
                }
            }
            Timer start = registry.find(MetricNames.EXECUTOR_WORKFLOW_START)
                    .tag(MetricNames.TAG_WORKFLOW, w)
                    .timer();
            Gauge running = registry.find(MetricNames.EXECUTOR_WORKFLOW_IN_FLIGHT)
                    .tag(MetricNames.TAG_WORKFLOW, w)
                    .gauge();
            rows.add(new JsonObject()
                    .put("name", w)
                    .put("eventsPerSecond", rates[0])
                    .putNull("ackP99Ms")
                    .put("startP99Ms", start == null ? null : window.quantileMillis("start:" + w, start, 0.99))
                    .put("expiredPerSecond", rates[1])
                    .put("deadLetteredPerSecond", rates[2])
                    .put("lag", lag(topicsOf.get(w), lagByTopic))
                    .put("inFlight", running == null ? 0.0 : running.value()));
        }
        JsonArray topics = new JsonArray();
        lagByTopic.forEach((t, v) -> topics.add(new JsonObject().put("topic", t).put("lag", v)));
        Timer start = registry.find(MetricNames.EVENT_LATENCY).timer();
        Gauge inFlight = registry.find(MetricNames.EXECUTOR_IN_FLIGHT).gauge();
        JsonObject total = new JsonObject()
                .put("eventsPerSecond", totals[0])
                .putNull("ackP99Ms")
                .put("startP99Ms", start == null ? null : window.quantileMillis("start", start, 0.99))
                .put("expiredPerSecond", totals[1])
                .put("deadLetteredPerSecond", totals[2])
                .put(
                        "lag",
                        lagByTopic.isEmpty()
                                ? null
                                : lagByTopic.values().stream()
                                        .mapToDouble(Double::doubleValue)
                                        .sum())
                .put("inFlight", inFlight == null ? null : inFlight.value());
        JsonObject out = new JsonObject()
                .put("rowKind", "workflow")
                .put("totals", total)
                .put("rows", rows)
                .put("topics", topics);
        if (deadLetters.available()) {
            out.put("deadLettered", deadLetters.latest());
        }
        return out;
    }
}
