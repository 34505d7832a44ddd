package dev.sluice.core.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeterWindowTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aCountersRateIsItsIncreaseOverTheWindowPerSecond() {
        MeterWindow w = new MeterWindow(3);
        Counter c = Counter.builder("c").register(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        w.tick(0);
        assertNull(w.rate("c", c.count()), "one sample has no rate");
        c.increment(10);
        w.tick(SECOND);
        assertEquals(10.0, w.rate("c", c.count()), 1e-9);
        c.increment(30);
        w.tick(2 * SECOND);
        assertEquals(20.0, w.rate("c", c.count()), 1e-9);
        w.tick(3 * SECOND);
        w.rate("c", c.count());
        w.tick(4 * SECOND);
        assertEquals(10.0, w.rate("c", c.count()), 1e-9, "the first second has left the 3-sample window");
    }

    @Test
    void aTimersP99ComesFromWhatWasRecordedInTheWindowOnly() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Timer t = Timer.builder("t")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        MeterWindow w = new MeterWindow(2);
        w.tick(0);
        assertNull(w.quantileMillis("t", t, 0.99), "nothing recorded yet");
        for (int i = 0; i < 100; i++) {
            t.record(2000, TimeUnit.MILLISECONDS);
        }
        w.tick(SECOND);
        double slow = w.quantileMillis("t", t, 0.99);
        assertTrue(slow >= 2000 && slow < 3000, "p99 near 2 s: " + slow);
        for (int i = 0; i < 1000; i++) {
            t.record(5, TimeUnit.MILLISECONDS);
        }
        w.tick(2 * SECOND);
        w.quantileMillis("t", t, 0.99);
        w.tick(3 * SECOND);
        double fast = w.quantileMillis("t", t, 0.99);
        assertTrue(fast >= 5 && fast < 10, "the 2 s values left the window; p99 near 5 ms: " + fast);
    }

    @Test
    void quantilesOfAMixedWindowReadTheBucketsCumulatively() {
        Timer t = Timer.builder("m")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        for (int i = 0; i < 50; i++) {
            t.record(5, TimeUnit.MILLISECONDS);
            t.record(2000, TimeUnit.MILLISECONDS);
        }
        MeterWindow w = new MeterWindow(5);
        w.tick(0);
        double p50 = w.quantileMillis("m", t, 0.5);
        double p99 = w.quantileMillis("m2", t, 0.99);
        assertTrue(p50 >= 5 && p50 < 10, "p50: " + p50);
        assertTrue(p99 >= 2000 && p99 < 3000, "p99: " + p99);
    }
}
