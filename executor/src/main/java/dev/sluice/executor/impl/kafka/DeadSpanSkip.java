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

/** Skipping dead spans on assignment, for {@link ConsumerLoop}. */
public final class DeadSpanSkip {

    private static final Logger LOG = LoggerFactory.getLogger(DeadSpanSkip.class);

    private DeadSpanSkip() {}

    /** What the loop needs to skip dead spans: each topic's TTL, and where to report a skip. */
    public interface DeadSpans {
        /** Never skips: every record is read. */
        DeadSpans NONE = new DeadSpans() {
            @Override
            public long ttlMillis(String topic) {
                return -1;
            }

            @Override
            public io.vertx.core.Future<Void> skipped(TopicPartition tp, long from, long to, long deletedBeforeStart) {
                return io.vertx.core.Future.succeededFuture();
            }
        };

        /** The longest TTL of the routes on {@code topic}, in ms, or -1 to never skip there. */
        long ttlMillis(String topic);

        /**
         * Offsets [from, to) of {@code tp} were skipped unread: every one of them was past its
         * deadline. The future completes once the skip is recorded (its summary and run-log row);
         * the partition's offset is not committed past the span before that.
         */
        io.vertx.core.Future<Void> skipped(TopicPartition tp, long from, long to, long deletedBeforeStart);
    }

    /**
     * A consumer that comes back far behind seeks past the span whose deadline has certainly
     * passed (records older than now − TTL, by their ingest timestamps) instead of reading it,
     * and reports the exact span skipped. Runs on the poll thread inside the rebalance callback.
     */
    static void skip(
            Consumer<byte[], byte[]> consumer,
            Collection<TopicPartition> partitions,
            DeadSpans deadSpans,
            Map<TopicPartition, PartitionWorker> workers) {
        long now = System.currentTimeMillis();
        Map<TopicPartition, Long> since = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long ttl = deadSpans.ttlMillis(tp.topic());
            if (ttl > 0) {
                since.put(tp, now - ttl);
            }
        }
        if (since.isEmpty()) {
            return;
        }
        Duration t = Duration.ofSeconds(10);
        Map<TopicPartition, OffsetAndMetadata> committedOffsets = consumer.committed(since.keySet(), t);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(since.keySet(), t);
        Map<TopicPartition, Long> end = consumer.endOffsets(since.keySet(), t);
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> live =
                consumer.offsetsForTimes(since, t);
        for (TopicPartition tp : since.keySet()) {
            OffsetAndMetadata c = committedOffsets.get(tp);
            long start = begin.get(tp);
            long position = c == null ? start : Math.max(c.offset(), start);
            long deleted = c == null ? 0 : Math.max(0, start - c.offset());
            var firstLive = live.get(tp);
            long firstLiveOffset = firstLive == null ? end.get(tp) : firstLive.offset();
            if (firstLiveOffset > position) {
                consumer.seek(tp, firstLiveOffset);
                LOG.warn(
                        "{}: skipped offsets {}..{} ({} events past their deadline){}",
                        tp,
                        position,
                        firstLiveOffset - 1,
                        firstLiveOffset - position,
                        deleted > 0 ? "; " + deleted + " more were already deleted by retention" : "");
                // Committed with the partition's next commit, once the skip is recorded.
                workers.get(tp).hold(firstLiveOffset - 1, deadSpans.skipped(tp, position, firstLiveOffset, deleted));
            } else if (deleted > 0) {
                deadSpans.skipped(tp, position, position, deleted);
            }
        }
    }
}
