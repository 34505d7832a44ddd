package dev.sluice.core.management;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long each event loop keeps a due task waiting: a sampling task on every loop of the process
 * is due every {@link #PERIOD}, and how late it runs is recorded in
 * {@code sluice_event_loop_delay_seconds}. A loop that is busy (a burst of work, a slow handler, a
 * CPU-starved pod) delays everything queued on it by that much, so this separates "the loop is
 * behind" from "the broker, Redis or a webhook is slow" when end-to-end latency rises. Costs one
 * wake-up per loop per period.
 */
public final class LoopDelay {

    public static final String METRIC = "sluice.event.loop.delay";
    static final Duration PERIOD = Duration.ofMillis(20);

    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    private LoopDelay() {}

    /** Starts sampling every event loop of {@code vertx} into {@code registry}. */
    public static LoopDelay start(Vertx vertx, MeterRegistry registry) {
        Timer delay = Timer.builder(METRIC)
                .description("How late a task due on an event loop ran (sampled every " + PERIOD.toMillis()
                        + " ms on each loop)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        LoopDelay monitor = new LoopDelay();
        long period = PERIOD.toNanos();
        for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
            long[] due = {System.nanoTime() + period};
            monitor.tasks.add(loop.scheduleWithFixedDelay(
                    () -> {
                        long now = System.nanoTime();
                        delay.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
                        due[0] = now + period;
                    },
                    period,
                    period,
                    TimeUnit.NANOSECONDS));
        }
        return monitor;
    }

    public void stop() {
        tasks.forEach(t -> t.cancel(false));
    }
}
