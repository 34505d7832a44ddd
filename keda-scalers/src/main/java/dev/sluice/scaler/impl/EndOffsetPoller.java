package dev.sluice.scaler.impl;

import dev.sluice.scaler.impl.kafka.KafkaOffsets;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads one topic's log-end offsets every {@code interval} while activation streams listen to it,
 * shared by every stream of the topic; when they move, the watches re-evaluate at once, so a record
 * arriving at an idle topic turns the stream active within about one interval plus one evaluation.
 * The next read is scheduled after the previous one answered, so a slow broker is never asked twice
 * at once. Each answered read is counted ({@link ScalerMetrics#ACTIVATION_POLLS}): a record is seen
 * as arriving only once a read before it has answered.
 */
final class EndOffsetPoller {

    private final Vertx vertx;
    private final Context context;
    private final KafkaOffsets kafka;
    private final String topic;
    private final long intervalMillis;
    private final Counter polls;
    private final Set<Watch> watches = new LinkedHashSet<>();
    private long[] lastEnd;
    private long timer = -1;
    private boolean stopped;

    EndOffsetPoller(Vertx vertx, Context context, KafkaOffsets kafka, String topic, Duration interval, Counter polls) {
        this.vertx = vertx;
        this.context = context;
        this.kafka = kafka;
        this.topic = topic;
        this.intervalMillis = Math.max(10, interval.toMillis());
        this.polls = polls;
    }

    void add(Watch w) {
        watches.add(w);
        if (timer < 0 && !stopped) {
            schedule();
        }
    }

    void remove(Watch w) {
        watches.remove(w);
        if (watches.isEmpty()) {
            stop();
        }
    }

    boolean isEmpty() {
        return watches.isEmpty();
    }

    void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void schedule() {
        timer = vertx.setTimer(intervalMillis, id -> context.runOnContext(v -> poll()));
    }

    private void poll() {
        if (stopped) {
            return;
        }
        kafka.endOffsets(topic).onComplete(ar -> {
            if (stopped) {
                return;
            }
            if (ar.succeeded()) {
                long[] end = ar.result();
                if (lastEnd != null && !Arrays.equals(lastEnd, end)) {
                    new java.util.ArrayList<>(watches).forEach(Watch::arrived);
                }
                lastEnd = end;
                polls.increment();
            }
            // failures: the watches' own sampling reports them; keep polling
            schedule();
        });
    }
}
