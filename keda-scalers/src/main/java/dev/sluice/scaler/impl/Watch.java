package dev.sluice.scaler.impl;

import dev.sluice.scaler.Evaluation;
import dev.sluice.scaler.ScalerMetadata;
import dev.sluice.scaler.impl.kafka.KafkaOffsets;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watched (metadata → topic, group) pair: its rate history, its last evaluation, the activation
 * streams listening to it, and its gauges. Confined to the scaler's event loop.
 */
final class Watch {

    private static final Logger LOG = LoggerFactory.getLogger(Watch.class);

    final ScalerMetadata metadata;
    final KafkaOffsets kafka;
    private final RateHistory history;
    private final List<ScalerEngine.Listener> listeners = new ArrayList<>();
    private final List<Meter> meters = new ArrayList<>();
    private volatile Evaluation last;
    long lastUsedMillis;
    long samplerTimer = -1;
    private boolean refreshing;
    private boolean refreshAgain;
    private boolean failing;
    private boolean closed;

    Watch(ScalerMetadata metadata, KafkaOffsets kafka, RateHistory history) {
        this.metadata = metadata;
        this.kafka = kafka;
        this.history = history;
    }

    /** Reads Kafka, adds the sample to the history, and evaluates; listeners hear of the result. */
    Future<Evaluation> evaluate() {
        long now = System.currentTimeMillis();
        return kafka.snapshot(metadata.topic(), metadata.group(), now, metadata.ttl(), metadata.budget())
                .map(s -> {
                    history.add(s.takenAtMillis(), s.end(), s.committed());
                    Evaluation e = Evaluator.evaluate(metadata, s, history);
                    last = e;
                    if (failing) {
                        failing = false;
                        LOG.info("{}/{}: Kafka answers again", metadata.topic(), metadata.group());
                    }
                    if (LOG.isDebugEnabled()) {
                        LOG.debug(
                                "{}/{}: live={} expired={} atRisk={} λ={}/s drain={}/s members={} partitions={} → R={}/s"
                                        + " reported={}/s replicas={} active={}",
                                metadata.topic(),
                                metadata.group(),
                                e.liveBacklog(),
                                e.expiredBacklog(),
                                e.atRisk(),
                                fmt(e.arrivalRate()),
                                fmt(e.drainRate()),
                                e.members(),
                                e.partitions(),
                                fmt(e.requiredRate()),
                                fmt(e.reportedRate()),
                                e.desiredReplicas(),
                                e.active());
                    }
                    new ArrayList<>(listeners).forEach(l -> l.onEvaluation(e));
                    return e;
                });
    }

    /** A background evaluation (sampler tick, new records); coalesced so at most one is in flight. */
    void refresh() {
        if (closed) {
            return;
        }
        if (refreshing) {
            refreshAgain = true;
            return;
        }
        refreshing = true;
        evaluate().onComplete(ar -> {
            if (ar.failed() && !failing && !closed) {
                failing = true;
                LOG.warn(
                        "{}/{}: evaluation failed: {}",
                        metadata.topic(),
                        metadata.group(),
                        ar.cause().getMessage());
            }
            refreshing = false;
            if (refreshAgain) {
                refreshAgain = false;
                refresh();
            }
        });
    }

    /** Stops background evaluations (the watch is dropped). */
    void close() {
        closed = true;
    }

    Evaluation last() {
        return last;
    }

    /**
     * New records arrived (the log-end offsets moved). With no activation threshold that alone makes
     * the topic active ({@code λ > 0}), so listeners hear it before the evaluation that follows.
     */
    void arrived() {
        if (metadata.activationThreshold() == 0) {
            new ArrayList<>(listeners).forEach(ScalerEngine.Listener::onArrival);
        }
        refresh();
    }

    void listen(ScalerEngine.Listener listener) {
        listeners.add(listener);
    }

    void unlisten(ScalerEngine.Listener listener) {
        listeners.remove(listener);
    }

    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    void registerGauges(MeterRegistry registry) {
        Tags tags = Tags.of("topic", metadata.topic(), "group", metadata.group());
        gauge(registry, ScalerMetrics.LIVE_BACKLOG, "Live (unexpired, not started) events", tags, e -> e.liveBacklog());
        gauge(
                registry,
                ScalerMetrics.EXPIRED_BACKLOG,
                "Expired events after the committed offsets",
                tags,
                e -> e.expiredBacklog());
        gauge(
                registry,
                ScalerMetrics.AT_RISK,
                "Live events that will start after the budget at the current drain rate (lower bound)",
                tags,
                e -> e.atRisk());
        gauge(registry, ScalerMetrics.ARRIVAL_RATE, "Arrival rate, events/s", tags, e -> e.arrivalRate());
        gauge(
                registry,
                ScalerMetrics.DRAIN_RATE,
                "Drain rate from committed offsets, events/s",
                tags,
                e -> e.drainRate());
        gauge(
                registry,
                ScalerMetrics.DRAIN_RATE_PER_REPLICA,
                "Drain rate per group member, events/s (a capacity only while backlogged)",
                tags,
                e -> e.members() > 0 ? e.drainRate() / e.members() : Double.NaN);
        gauge(
                registry,
                ScalerMetrics.REQUIRED_RATE,
                "Required throughput λ + L_live / B, events/s",
                tags,
                e -> e.requiredRate());
        gauge(
                registry,
                ScalerMetrics.DESIRED_REPLICAS,
                "Replicas the reported metric asks for",
                tags,
                e -> e.desiredReplicas());
    }

    void removeGauges(MeterRegistry registry) {
        meters.forEach(registry::remove);
        meters.clear();
    }

    private void gauge(
            MeterRegistry registry, String name, String description, Tags tags, ToDoubleFunction<Evaluation> f) {
        meters.add(Gauge.builder(name, this, w -> {
                    Evaluation e = w.last;
                    return e == null ? Double.NaN : f.applyAsDouble(e);
                })
                .description(description)
                .tags(tags)
                .register(registry));
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "?" : String.format(java.util.Locale.ROOT, "%.1f", d);
    }
}
