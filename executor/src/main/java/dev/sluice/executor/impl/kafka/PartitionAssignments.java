package dev.sluice.executor.impl.kafka;

import dev.sluice.executor.impl.PartitionWorker;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's rebalance listener: an assigned partition gets a worker (and, coming back far
 * behind, skips its dead span); a revoked one commits its finished prefix first; a lost one is
 * dropped. Runs on the poll thread.
 */
record PartitionAssignments(
        Consumer<byte[], byte[]> consumer,
        Map<TopicPartition, PartitionWorker> workers,
        Set<TopicPartition> paused,
        OffsetCommits commits,
        Function<TopicPartition, PartitionWorker> workerFactory,
        DeadSpanSkip.DeadSpans deadSpans,
        boolean skipDeadSpans)
        implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionAssignments.class);

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        commits.commitSync(partitions);
        partitions.forEach(this::drop);
        if (!partitions.isEmpty()) {
            LOG.info("partitions revoked: {}", partitions);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> workers.put(tp, workerFactory.apply(tp)));
        if (partitions.isEmpty()) {
            return;
        }
        LOG.info("partitions assigned: {}", partitions);
        if (skipDeadSpans) {
            try {
                DeadSpanSkip.skip(consumer, partitions, deadSpans, workers);
            } catch (RuntimeException e) {
                LOG.warn("could not check {} for dead spans; reading them in full: {}", partitions, e.toString());
            }
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        partitions.forEach(this::drop);
        LOG.warn("partitions lost: {}", partitions);
    }

    private void drop(TopicPartition tp) {
        workers.remove(tp);
        paused.remove(tp);
        commits.forget(tp);
    }
}
