package dev.sluice.router.impl.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which routed topics exist and have their metadata in the producer. A missing topic is answered
 * with 503 at once: the producer would otherwise block an event loop for {@code max.block.ms}
 * waiting for metadata that never comes. Topics are never created by a produce; they are created
 * by {@code sluice topics apply}.
 */
public final class TopicReadiness {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReadiness.class);

    /** A topic's state as seen by the last check. */
    public enum State {
        UNKNOWN,
        READY,
        MISSING
    }

    private final Admin admin;
    private final EventProducer producer;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public TopicReadiness(Admin admin, EventProducer producer, Collection<String> topics) {
        this.admin = admin;
        this.producer = producer;
        topics.forEach(t -> states.put(t, State.UNKNOWN));
    }

    /** Starts tracking topics (e.g. after a catalog reload); known ones keep their state. */
    public void track(Collection<String> topics) {
        topics.forEach(t -> states.putIfAbsent(t, State.UNKNOWN));
    }

    public State state(String topic) {
        return states.getOrDefault(topic, State.UNKNOWN);
    }

    public boolean allReady() {
        return states.values().stream().allMatch(s -> s == State.READY);
    }

    public Map<String, State> states() {
        return Map.copyOf(states);
    }

    /**
     * Checks every topic not yet ready and loads its metadata into the producer. Blocking (bounded
     * by {@code timeoutMs} per topic): run it on a worker thread.
     */
    public void refresh(long timeoutMs) {
        for (Map.Entry<String, State> e : states.entrySet()) {
            if (e.getValue() == State.READY) {
                continue;
            }
            String topic = e.getKey();
            State next = check(topic, timeoutMs);
            if (next != e.getValue()) {
                if (next == State.MISSING) {
                    LOG.warn(
                            "topic {} does not exist; its route answers 503 until it does (create it with 'sluice topics apply')",
                            topic);
                } else if (next == State.READY) {
                    LOG.info("topic {} is ready", topic);
                }
            }
            states.put(topic, next);
        }
    }

    private State check(String topic, long timeoutMs) {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
            producer.unwrap().partitionsFor(topic);
            return State.READY;
        } catch (ExecutionException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException ? State.MISSING : State.UNKNOWN;
        } catch (TimeoutException | RuntimeException e) {
            return State.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return State.UNKNOWN;
        }
    }
}
