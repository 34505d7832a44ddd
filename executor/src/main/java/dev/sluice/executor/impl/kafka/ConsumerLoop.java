package dev.sluice.executor.impl.kafka;

import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.PartitionWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the Kafka consumer (the consumer is not thread-safe, and its poll
 * blocks, so it never runs on an event loop). It polls, hands each partition's records to that
 * partition's worker on its event loop, pauses a partition whose in-flight bound is reached (the
 * partition, not the process), and commits each partition's finished prefix periodically and on
 * revocation.
 */
public final class ConsumerLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final ExecutorConfig config;
    private final PartitionAssignments assignments;
    /** Each record's age (ms since its ingest timestamp) when the poll hands it over. */
    private final LongConsumer pollAge;

    private final AtomicInteger processInFlight;
    private final Map<TopicPartition, PartitionWorker> workers = new ConcurrentHashMap<>();
    private final OffsetCommits commits;
    private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean polling;
    private volatile long lastPollMillis = System.currentTimeMillis();
    /** The consumer's {@code connection-count}: its open connections to brokers, once found. Poll thread. */
    private Optional<Metric> connections = Optional.empty();
    /** When the consumer last had a connection to a broker open (epoch ms), seen from the poll thread. */
    private volatile long lastConnectedMillis = System.currentTimeMillis();

    private long lastCommit = System.nanoTime();

    public ConsumerLoop(
            Consumer<byte[], byte[]> consumer,
            Collection<String> topics,
            ExecutorConfig config,
            Function<TopicPartition, PartitionWorker> workerFactory,
            AtomicInteger processInFlight,
            DeadSpanSkip.DeadSpans deadSpans,
            LongConsumer pollAge) {
        this.pollAge = pollAge;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.config = config;
        this.processInFlight = processInFlight;
        this.commits = new OffsetCommits(consumer, workers);
        this.assignments = new PartitionAssignments(
                consumer, workers, paused, commits, workerFactory, deadSpans, config.skipDeadSpans());
    }

    /** Consumer defaults: manual commits of the finished prefix, cooperative rebalancing, small fetch waits. */
    public static Map<String, Object> consumerDefaults(ExecutorConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A fetch waits up to 10 ms for 32 KiB: batches of ~80 records instead of a few, which cut the
        // executor's CPU per event by a third at 3,000 events/s (and the broker's and Redis's with it)
        // for +7 ms of median ingest → start (docs/benchmarks/history.md). Override with
        // kafka.consumer.fetch.min.bytes.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 32 * 1024);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-executor");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics, assignments);
            while (running) {
                resumeDrained();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                polling = true;
                lastPollMillis = System.currentTimeMillis();
                if (connections.isEmpty()) {
                    connections = findConnectionCount();
                }
                // Until the metric is found, a returning poll counts as connected.
                if (connections
                        .map(m -> !(m.metricValue() instanceof Number n) || n.doubleValue() > 0)
                        .orElse(true)) {
                    lastConnectedMillis = lastPollMillis;
                }
                if (!records.isEmpty()) {
                    long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        pollAge.accept(now - r.timestamp());
                    }
                }
                for (TopicPartition tp : records.partitions()) {
                    PartitionWorker w = workers.get(tp);
                    if (w == null) {
                        continue;
                    }
                    w.dispatch(records.records(tp));
                    if (w.inFlight() >= config.maxInFlightPerPartition()
                            || processInFlight.get() >= config.maxInFlight()) {
                        consumer.pause(List.of(tp));
                        paused.add(tp);
                    }
                }
                if (System.nanoTime() - lastCommit >= config.commitInterval().toNanos()) {
                    lastCommit = System.nanoTime();
                    commits.commitAsync();
                    updateLag();
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll; fall through to the drain.
        } catch (RuntimeException e) {
            LOG.error("consumer loop failed", e);
        } finally {
            polling = false;
            drainAndClose();
            stopped.countDown();
        }
    }

    private void resumeDrained() {
        if (paused.isEmpty()) {
            return;
        }
        boolean processRoom = processInFlight.get() < config.maxInFlight() * 9L / 10;
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : paused) {
            PartitionWorker w = workers.get(tp);
            if (w == null || processRoom && w.inFlight() <= config.maxInFlightPerPartition() / 2) {
                resume.add(tp);
            }
        }
        if (!resume.isEmpty()) {
            resume.forEach(paused::remove);
            consumer.resume(
                    resume.stream().filter(consumer.assignment()::contains).toList());
        }
    }

    /** Records behind the log end, per assigned partition, as the consumer last saw it (poll thread only). */
    private void updateLag() {
        for (TopicPartition tp : workers.keySet()) {
            java.util.OptionalLong l = consumer.currentLag(tp);
            if (l.isPresent()) {
                lag.put(tp, l.getAsLong());
            }
        }
        lag.keySet().retainAll(workers.keySet());
    }

    /** The last known lag of each assigned partition. Any thread. */
    public Map<TopicPartition, Long> lag() {
        return lag;
    }

    private Optional<Metric> findConnectionCount() {
        for (var e : consumer.metrics().entrySet()) {
            if (e.getKey().name().equals("connection-count")
                    && e.getKey().group().equals("consumer-metrics")) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * How long each of the consumer's signs of life has been missing, in ms: since the last poll
     * returned; since an offset became committable without a commit succeeding (0 when none
     * waits); since the consumer last had a connection to any broker open (its fetches and its
     * group keep one open while a broker is reachable), as of its last poll. Any thread.
     */
    public Health health() {
        return new Health(
                System.currentTimeMillis() - lastPollMillis,
                commits.pendingMillis(),
                Math.max(0, lastPollMillis - lastConnectedMillis));
    }

    /** See {@link #health()}. */
    public record Health(long sincePollMillis, long commitWaitMillis, long brokerSilentMillis) {}

    /** On the poll thread after the loop ends: wait (bounded) for runs in progress, commit, leave the group. */
    private void drainAndClose() {
        long until = System.nanoTime() + config.shutdownTimeout().toNanos();
        try {
            consumer.pause(consumer.assignment());
            // Runs in progress finish, and their run-log rows become durable, so that their offsets can be committed.
            while ((processInFlight.get() > 0 || workers.values().stream().anyMatch(w -> w.unrecorded() > 0))
                    && System.nanoTime() < until) {
                // poll keeps the membership alive while the last runs finish; paused partitions return nothing.
                try {
                    consumer.poll(Duration.ofMillis(50));
                } catch (WakeupException e) {
                    // a late wakeup from close(); keep draining
                }
            }
            if (processInFlight.get() > 0) {
                LOG.warn("{} runs still in progress at shutdown; they will be redelivered", processInFlight.get());
            }
            commits.commitSync(workers.keySet());
        } catch (RuntimeException e) {
            LOG.warn("error while draining the consumer: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Whether the loop has completed at least one poll and is still running. */
    public boolean polling() {
        return polling && running;
    }

    public Map<TopicPartition, PartitionWorker> workers() {
        return workers;
    }

    /** Stops polling and waits (up to the bound plus a margin) for the drain to finish. Blocking. */
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(config.shutdownTimeout().toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
