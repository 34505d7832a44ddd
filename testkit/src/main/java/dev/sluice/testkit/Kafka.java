package dev.sluice.testkit;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A real Kafka that testkit runs: a single {@link KafkaBroker}, or a replicated
 * {@link KafkaCluster}. What code that only produces and consumes needs from either; every call
 * blocks and is for test threads or start-up code, never an event loop.
 */
public interface Kafka extends AutoCloseable {

    /** Where clients connect: {@code host:port[,host:port...]}, stable across restarts. */
    String bootstrapServers();

    /** How many replicas {@link #createTopic} gives each partition. */
    short replicationFactor();

    /**
     * Creates a topic and waits until every partition has a leader. Retention is {@code retention};
     * segments roll after half of it (at least 1 s) or 1 MiB, so expired data is really deleted
     * soon after the retention (brokers check every 5 s). Only waits when the topic exists already.
     */
    void createTopic(String name, int partitions, Duration retention);

    /**
     * Every record of {@code topic} from the beginning up to the end offsets as of this call, read
     * by a throwaway consumer that assigns all partitions (no group, no commits). Returns early what
     * it has if {@code wait} passes first. Records of one partition keep their order.
     */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration wait);

    /** Records currently retained in {@code topic}: the sum over partitions of end minus start offset. */
    long count(String topic);

    /** Stops every process and deletes the data. */
    @Override
    void close();
}
