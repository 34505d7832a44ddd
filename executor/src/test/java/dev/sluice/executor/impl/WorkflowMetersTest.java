package dev.sluice.executor.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.MetricNames;
import dev.sluice.core.management.MeterWindow;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A workflow's ingest → start histogram: few fixed buckets, read by the dashboard as the p99's bucket bound. */
class WorkflowMetersTest {

    @Test
    void theWorkflowsStartP99IsTheBoundOfTheBucketItFallsIn() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ExecutorMetrics metrics = new ExecutorMetrics(registry);
        Timer perWorkflow = metrics.workflow("w").start();
        Timer perEvent = registry.find(MetricNames.EVENT_LATENCY).timer();
        for (int i = 0; i < 99; i++) {
            perWorkflow.record(20, TimeUnit.MILLISECONDS);
            metrics.started(20);
        }
        perWorkflow.record(3_000, TimeUnit.MILLISECONDS);
        metrics.started(3_000);
        MeterWindow window = new MeterWindow(10);
        window.tick(System.nanoTime());
        assertEquals(25.0, window.quantileMillis("w", perWorkflow, 0.99), "99 of 100 at or under the 25 ms bucket");
        assertEquals(5_000.0, window.quantileMillis("w1", perWorkflow, 1.0), "the slowest in the 5 s bucket");
        double perEventP99 = window.quantileMillis("e", perEvent, 0.99);
        assertEquals(true, perEventP99 >= 20 && perEventP99 <= 25, "the per-event histogram agrees: " + perEventP99);
        assertEquals(15, perWorkflow.takeSnapshot().histogramCounts().length + 1, "14 bounds and +Inf");
        metrics.workflow("w").inFlight().incrementAndGet();
        assertEquals(
                1.0,
                registry.get(MetricNames.EXECUTOR_WORKFLOW_IN_FLIGHT)
                        .tag("workflow", "w")
                        .gauge()
                        .value());
    }
}
