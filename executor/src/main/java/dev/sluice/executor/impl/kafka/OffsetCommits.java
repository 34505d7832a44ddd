package dev.sluice.executor.impl.kafka;

import dev.sluice.executor.impl.PartitionWorker;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets the consumer commits: each partition's finished prefix (its worker's committable
 * offset), asynchronously on the commit interval and synchronously on revocation and shutdown.
 * Poll thread only, except {@link #pendingMillis()}.
 */
final class OffsetCommits {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommits.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, PartitionWorker> workers;
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Since when an offset has waited to be committed (epoch ms), or -1 when every committable offset is committed. */
    private volatile long pendingSince = -1;

    OffsetCommits(Consumer<byte[], byte[]> consumer, Map<TopicPartition, PartitionWorker> workers) {
        this.consumer = consumer;
        this.workers = workers;
    }

    private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionWorker w = workers.get(tp);
            if (w == null) {
                continue;
            }
            long c = w.committable();
            Long last = committed.get(tp);
            if (c >= 0 && (last == null || c > last)) {
                out.put(tp, new OffsetAndMetadata(c));
            }
        }
        return out;
    }

    /** Commits every assigned partition's committable offset, without waiting. */
    void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(workers.keySet());
        if (offsets.isEmpty()) {
            pendingSince = -1;
            return;
        }
        if (pendingSince < 0) {
            pendingSince = System.currentTimeMillis();
        }
        consumer.commitAsync(offsets, (done, err) -> {
            if (err != null) {
                LOG.warn("offset commit failed (will retry with the next one): {}", err.toString());
            } else {
                done.forEach((tp, om) -> committed.merge(tp, om.offset(), Math::max));
                pendingSince = -1;
            }
        });
    }

    /** Commits these partitions' committable offsets, waiting (bounded) for the broker. Blocking. */
    void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(5));
            offsets.forEach((tp, om) -> committed.merge(tp, om.offset(), Math::max));
        } catch (RuntimeException e) {
            LOG.warn("offset commit of {} failed: {}", offsets.keySet(), e.toString());
        }
    }

    /** The partition is no longer ours. */
    void forget(TopicPartition tp) {
        committed.remove(tp);
    }

    /** How long a committable offset has waited for a successful commit, in ms (0 when none waits). Any thread. */
    long pendingMillis() {
        long since = pendingSince;
        return since < 0 ? 0 : System.currentTimeMillis() - since;
    }
}
