package dev.sluice.router.impl.http;

import dev.sluice.router.RouterConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request body bytes the whole process holds, shared by every ingest verticle: bytes are
 * counted as they arrive (or as they are inflated) and given back when their request is answered
 * or its connection closes. Headers alone count nothing, whatever Content-Length they announce.
 * Thread-safe; the per-connection share is kept by each verticle's {@link BodyReader}.
 */
public final class BodyBudget {

    public static final String INFLIGHT_GAUGE = "sluice.router.body.inflight.bytes";
    public static final String READING_GAUGE = "sluice.router.body.reading";

    private final long processBytes;
    private final long connectionBytes;
    private final AtomicLong held = new AtomicLong();
    private final AtomicInteger reading = new AtomicInteger();

    public BodyBudget(RouterConfig.Bodies bounds, MeterRegistry registry) {
        this.processBytes = bounds.processBytes();
        this.connectionBytes = bounds.connectionBytes();
        Gauge.builder(INFLIGHT_GAUGE, held, AtomicLong::get)
                .baseUnit("bytes")
                .description("Request body bytes held in memory (received or inflated), not yet answered")
                .register(registry);
        Gauge.builder(READING_GAUGE, reading, AtomicInteger::get)
                .description("Requests whose body is being read")
                .register(registry);
    }

    long processBytes() {
        return processBytes;
    }

    long connectionBytes() {
        return connectionBytes;
    }

    /** Takes {@code n} bytes if the process bound allows it. */
    boolean tryTake(long n) {
        long now;
        do {
            now = held.get();
            if (now + n > processBytes) {
                return false;
            }
        } while (!held.compareAndSet(now, now + n));
        return true;
    }

    /** Whether {@code n} more bytes would fit now (a hint: nothing is taken). */
    boolean fits(long n) {
        return held.get() + n <= processBytes;
    }

    void give(long n) {
        held.addAndGet(-n);
    }

    void readingStarted() {
        reading.incrementAndGet();
    }

    void readingEnded() {
        reading.decrementAndGet();
    }

    public long held() {
        return held.get();
    }
}
