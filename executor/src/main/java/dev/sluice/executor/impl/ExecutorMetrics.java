package dev.sluice.executor.impl;

import dev.sluice.core.MetricNames;
import dev.sluice.executor.impl.state.RunLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The executor's meters, registered once per workflow and outcome. */
public final class ExecutorMetrics {

    /** How a run ended: the outcomes a run can have (a dead span is not a run). */
    public enum Outcome {
        SUCCEEDED(RunLog.Outcome.SUCCEEDED),
        EXPIRED(RunLog.Outcome.EXPIRED),
        DEAD_LETTERED(RunLog.Outcome.DEAD_LETTERED),
        SKIPPED_DUPLICATE(RunLog.Outcome.SKIPPED_DUPLICATE),
        /** Succeeded after taking over a lapsed lease: sent again with the same webhook-id. */
        RESENT(RunLog.Outcome.RESENT);

        final String tag = name().toLowerCase(Locale.ROOT);
        private final RunLog.Outcome row;

        Outcome(RunLog.Outcome row) {
            this.row = row;
        }

        /** The outcome of the run's run-log row. */
        public RunLog.Outcome row() {
            return row;
        }
    }

    /**
     * The bounds (ms) of a workflow's ingest → start histogram: few, so each workflow adds 15 series,
     * not the ~70 of a full percentile histogram; the dashboard's p99 per workflow is read at this resolution.
     */
    private static final Duration[] WORKFLOW_START_BUCKETS = java.util.stream.LongStream.of(
                    1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    /** One workflow's run meters, looked up once per run: ingest → start, and runs started and not yet decided. */
    public record WorkflowMeters(Timer start, AtomicInteger inFlight) {}

    private final MeterRegistry registry;
    private final Map<String, Map<Outcome, Counter>> runs = new ConcurrentHashMap<>();
    private final Map<String, WorkflowMeters> workflows = new ConcurrentHashMap<>();
    private final Map<String, Counter> expired = new ConcurrentHashMap<>();
    private final Counter retries;
    private final Counter resends;
    private final Counter accountingFailures;
    private final Timer startLatency;
    private final Timer endLatency;
    private final Timer pollAge;
    private final Timer startWait;

    public ExecutorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.startLatency = latencyTimer(MetricNames.EVENT_LATENCY, "Ingest to execution start");
        this.endLatency = latencyTimer(MetricNames.EVENT_END_LATENCY, "Ingest to the end of the event's runs");
        this.pollAge = latencyTimer(
                MetricNames.EXECUTOR_POLL_AGE,
                "Ingest to the poll that hands the record to the executor: broker and fetch time, before any executor queueing");
        this.startWait = Timer.builder(MetricNames.EXECUTOR_START_WAIT)
                .description(
                        "Poll to the event's turn: the hand-off to its event loop and the wait behind earlier events of its key")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.retries = counter(registry, "sluice.executor.retries", "Step attempts after the first");
        this.resends = counter(
                registry,
                "sluice.executor.resends",
                "Retries after an unknown outcome (written, no answer): re-sends with the same webhook-id");
        this.accountingFailures = counter(
                registry,
                "sluice.executor.accounting.failures",
                "Expired or dead-lettered events whose record could not be written");
    }

    /** The counter {@code name} with these tags (key, value, ...), registered or looked up. */
    public static Counter counter(MeterRegistry registry, String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Timer latencyTimer(String name, String description) {
        // Buckets only: Prometheus computes quantiles from them; client-side percentiles would cost CPU per event.
        return Timer.builder(name)
                .description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    public void run(String workflow, Outcome outcome) {
        runs.computeIfAbsent(workflow, w -> {
                    Map<Outcome, Counter> m = new EnumMap<>(Outcome.class);
                    for (Outcome o : Outcome.values()) {
                        m.put(
                                o,
                                counter(
                                        registry,
                                        MetricNames.EXECUTOR_RUNS,
                                        "Workflow runs",
                                        MetricNames.TAG_WORKFLOW,
                                        w,
                                        MetricNames.TAG_OUTCOME,
                                        o.tag));
                    }
                    return m;
                })
                .get(outcome)
                .increment();
    }

    /** The workflow's run meters (registered at its first run). */
    public WorkflowMeters workflow(String workflow) {
        return workflows.computeIfAbsent(workflow, w -> {
            AtomicInteger inFlight = new AtomicInteger();
            Gauge.builder(MetricNames.EXECUTOR_WORKFLOW_IN_FLIGHT, inFlight, AtomicInteger::get)
                    .tag(MetricNames.TAG_WORKFLOW, w)
                    .strongReference(true)
                    .description("Runs of the workflow started and not yet decided")
                    .register(registry);
            Timer start = Timer.builder(MetricNames.EXECUTOR_WORKFLOW_START)
                    .tag(MetricNames.TAG_WORKFLOW, w)
                    .description("Ingest to the start of the workflow's run")
                    .serviceLevelObjectives(WORKFLOW_START_BUCKETS)
                    .register(registry);
            return new WorkflowMeters(start, inFlight);
        });
    }

    public void expired(String topic) {
        expired.computeIfAbsent(
                        topic,
                        t -> counter(
                                registry,
                                MetricNames.EXECUTOR_EXPIRED,
                                "Events that expired before they could start",
                                MetricNames.TAG_TOPIC,
                                t))
                .increment();
    }

    public void skipped(String topic, long count) {
        counter(
                        registry,
                        "sluice.executor.skipped",
                        "Dead events skipped on assignment without being read",
                        MetricNames.TAG_TOPIC,
                        topic)
                .increment(count);
    }

    /** A run that threw something no step expects; it is dead-lettered with the error. */
    public void unexpected(String workflow) {
        counter(
                        registry,
                        "sluice.executor.unexpected.errors",
                        "Runs that failed with an unexpected exception (dead-lettered)",
                        MetricNames.TAG_WORKFLOW,
                        workflow)
                .increment();
    }

    public void filtered(String workflow) {
        counter(
                        registry,
                        "sluice.executor.filtered",
                        "Events a workflow's filter did not match",
                        MetricNames.TAG_WORKFLOW,
                        workflow)
                .increment();
    }

    public void retry() {
        retries.increment();
    }

    public void resend() {
        resends.increment();
    }

    public void accountingFailure() {
        accountingFailures.increment();
    }

    public void started(long latencyMillis) {
        startLatency.record(Math.max(0, latencyMillis), TimeUnit.MILLISECONDS);
    }

    /** Poll to the event's turn on its loop. */
    public void startWait(long nanos) {
        startWait.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** A record's age when the consumer's poll returned it. Poll thread. */
    public void polled(long ageMillis) {
        pollAge.record(Math.max(0, ageMillis), TimeUnit.MILLISECONDS);
    }

    public void ended(long latencyMillis) {
        endLatency.record(Math.max(0, latencyMillis), TimeUnit.MILLISECONDS);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
