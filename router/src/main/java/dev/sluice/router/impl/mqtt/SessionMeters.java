package dev.sluice.router.impl.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The router's MQTT sessions, over every MQTT listener and event loop: {@code sluice.router.mqtt.connections}
 * open, {@code sluice.router.mqtt.held} paused while they hold a publish for want of producer room,
 * and {@code sluice.router.mqtt.held.dropped}, held publishes whose connection closed before there
 * was room: never produced and never acknowledged (a QoS 1 or 2 client sends them again; a QoS 0
 * publish is gone, as MQTT allows); and {@code sluice.router.mqtt.protocol.errors}, publishes refused
 * by {@link PublishChecks}. One instance per router, shared by its MQTT verticles.
 */
public final class SessionMeters {

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final Counter dropped;
    private final Counter protocolErrors;

    public SessionMeters(MeterRegistry registry) {
        Gauge.builder("sluice.router.mqtt.connections", open, AtomicInteger::get)
                .description("Open MQTT connections")
                .register(registry);
        Gauge.builder("sluice.router.mqtt.held", held, AtomicInteger::get)
                .description("MQTT connections not read while they hold a publish until the producer has room")
                .register(registry);
        dropped = Counter.builder("sluice.router.mqtt.held.dropped")
                .description(
                        "Publishes held for producer room whose connection closed first: not produced, not acknowledged")
                .register(registry);
        protocolErrors = Counter.builder("sluice.router.mqtt.protocol.errors")
                .description("PUBLISHes that broke MQTT where the decoder does not look (a topic not UTF-8, a topic"
                        + " alias): refused, not produced, the connection ended")
                .register(registry);
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    void holding() {
        held.incrementAndGet();
    }

    /** A session stopped holding; {@code droppedPublishes} of what it held were never produced. */
    void released(int droppedPublishes) {
        held.decrementAndGet();
        if (droppedPublishes > 0) {
            dropped.increment(droppedPublishes);
        }
    }

    void protocolError() {
        protocolErrors.increment();
    }
}
