package dev.sluice.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What tests do to topics, against a single broker or a cluster alike: create them and wait for
 * their leaders, describe them, read them back whole, count their records. One admin client,
 * created on first use; every call blocks (at most 30 s) and is for test threads, never an event loop.
 */
final class TopicAdmin implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    /** Short, so a request to a paused node is given up soon and retried elsewhere. */
    private static final int REQUEST_TIMEOUT_MS = 5_000;

    private static final int MIN_SEGMENT_BYTES = 1024 * 1024;
    private static final long MIN_SEGMENT_MS = 1_000;

    private final String bootstrapServers;
    private Admin admin;

    TopicAdmin(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Topic settings for a retention near a TTL: segments roll after half of it (at least 1 s) or
     * 1 MiB, so expired data is really deleted soon after the retention (brokers check every 5 s).
     */
    static Map<String, String> retentionConfigs(Duration retention) {
        long retentionMs = Math.max(1, retention.toMillis());
        Map<String, String> configs = new HashMap<>();
        configs.put("retention.ms", Long.toString(retentionMs));
        configs.put("segment.ms", Long.toString(Math.max(MIN_SEGMENT_MS, retentionMs / 2)));
        configs.put("segment.bytes", Integer.toString(MIN_SEGMENT_BYTES));
        return configs;
    }

    /** Creates the topic (an existing one is left as it is) and waits until every partition has a leader. */
    void create(NewTopic topic) {
        try {
            get(admin().createTopics(List.of(topic)).all());
        } catch (KafkaOperationException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        await(
                topic.name(),
                "a leader for every partition",
                d -> d.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    }

    TopicDescription describe(String topic) {
        return get(admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
    }

    /** The topic's effective configuration: what is set on it, else the brokers' defaults. */
    Map<String, String> config(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = get(admin().describeConfigs(List.of(resource)).all()).get(resource);
        Map<String, String> values = new HashMap<>();
        config.entries().forEach(entry -> {
            if (entry.value() != null) {
                values.put(entry.name(), entry.value());
            }
        });
        return values;
    }

    /**
     * Waits (at most 30 s) until the topic's description satisfies {@code condition}. An attempt
     * that times out is retried: a paused node accepts connections (the kernel does) but never
     * answers, and the admin client may ask it until it has timed out on it.
     */
    TopicDescription await(String topic, String what, Predicate<TopicDescription> condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description = get(admin().describeTopics(
                                        List.of(topic), new DescribeTopicsOptions().timeoutMs(REQUEST_TIMEOUT_MS))
                                .allTopicNames())
                        .get(topic);
                if (condition.test(description)) {
                    return description;
                }
            } catch (KafkaOperationException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        && !(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has not " + what + " after " + TIMEOUT);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Waits (at most 30 s) until every replica of every partition of every topic, internal ones too, is in sync. */
    void awaitAllInSync() {
        Set<String> names = get(
                admin().listTopics(new ListTopicsOptions().listInternal(true)).names());
        for (String topic : names) {
            await(
                    topic,
                    "every replica in sync",
                    d -> d.partitions().stream()
                            .allMatch(p -> p.isr().size() == p.replicas().size()));
        }
    }

    /**
     * Every record of {@code topic} from the beginning up to the end offsets as of this call, read
     * by a throwaway consumer that assigns all partitions (no group, no commits). Returns early what
     * it has if {@code wait} passes first. Records of one partition keep their order.
     */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, TIMEOUT)
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            while (!reached(consumer, end) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Records currently retained in {@code topic}: the sum over partitions of end minus start offset. */
    long count(String topic) {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo info : describe(topic).partitions()) {
            TopicPartition partition = new TopicPartition(topic, info.partition());
            earliest.put(partition, OffsetSpec.earliest());
            latest.put(partition, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> start =
                get(admin().listOffsets(earliest).all());
        Map<TopicPartition, ListOffsetsResultInfo> end =
                get(admin().listOffsets(latest).all());
        long total = 0;
        for (TopicPartition partition : earliest.keySet()) {
            total += end.get(partition).offset() - start.get(partition).offset();
        }
        return total;
    }

    /** Closes the admin client; the next call opens a new one. */
    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrapServers,
                    AdminClientConfig.CLIENT_ID_CONFIG,
                    "sluice-testkit-admin",
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    REQUEST_TIMEOUT_MS,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    (int) TIMEOUT.toMillis()));
        }
        return admin;
    }

    private Map<String, Object> consumerConfig() {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG,
                "sluice-testkit-reader",
                // The poll that returns the last records sends the next fetch at once; at the default
                // 500 ms that fetch waits at the broker for new data, and closing the consumer waits
                // behind it: every readAll took half a second longer than its reading.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                20);
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey(), TIMEOUT) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaOperationException(e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaOperationException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaOperationException(e);
        }
    }
}
