package dev.sluice.scaler.impl.kafka;

import dev.sluice.scaler.ScalerException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Reads offsets with one Kafka {@link Admin} (one per bootstrap servers). Every call is asynchronous
 * (the admin client's own thread does the I/O) and completes on {@code context}, the scaler's event
 * loop, so the callers' state needs no locks.
 */
public final class KafkaOffsets {

    private final Admin admin;
    private final Context context;
    private final Duration partitionsTtl;
    private final Map<String, CachedPartitions> partitions = new HashMap<>();

    private record CachedPartitions(int count, long readAtMillis) {}

    public KafkaOffsets(Admin admin, Context context, Duration partitionsTtl) {
        this.admin = admin;
        this.context = context;
        this.partitionsTtl = partitionsTtl;
    }

    public Admin admin() {
        return admin;
    }

    /** The topic's partition count, read again after {@code partitionsTtl}. */
    public Future<Integer> partitionCount(String topic) {
        long now = System.currentTimeMillis();
        CachedPartitions cached = partitions.get(topic);
        if (cached != null && now - cached.readAtMillis() < partitionsTtl.toMillis()) {
            return Future.succeededFuture(cached.count());
        }
        return on(admin.describeTopics(List.of(topic)).allTopicNames())
                .map(all -> {
                    TopicDescription d = all.get(topic);
                    int count = d.partitions().size();
                    partitions.put(topic, new CachedPartitions(count, System.currentTimeMillis()));
                    return count;
                })
                .recover(e -> Future.failedFuture(classify(e, topic, null)));
    }

    /** Log-end offsets only: what the activation poller reads ten times a second. */
    public Future<long[]> endOffsets(String topic) {
        return partitionCount(topic)
                .compose(n -> offsets(topic, n, OffsetSpec.latest()))
                .recover(e -> Future.failedFuture(classify(e, topic, null)));
    }

    /** Everything one evaluation needs, read in parallel. */
    public Future<OffsetSnapshot> snapshot(String topic, String group, long nowMillis, Duration ttl, Duration budget) {
        return partitionCount(topic)
                .compose(n -> {
                    Future<ConsumerGroupDescription> described = on(admin.describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group));
                    Future<Map<TopicPartition, OffsetAndMetadata>> committed =
                            on(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
                    Future<long[]> end = offsets(topic, n, OffsetSpec.latest());
                    Future<long[]> live = offsets(topic, n, OffsetSpec.forTimestamp(nowMillis - ttl.toMillis()));
                    Future<long[]> young = offsets(topic, n, OffsetSpec.forTimestamp(nowMillis - budget.toMillis()));
                    return Future.all(described, committed, end, live, young).map(all -> {
                        ConsumerGroupDescription group0 = described.result();
                        Map<TopicPartition, OffsetAndMetadata> offsets = committed.result();
                        if (group0.state() == ConsumerGroupState.DEAD && offsets.isEmpty()) {
                            throw new GroupIdNotFoundException(group);
                        }
                        long[] c = new long[n];
                        for (int p = 0; p < n; p++) {
                            OffsetAndMetadata om = offsets.get(new TopicPartition(topic, p));
                            c[p] = om == null ? -1 : om.offset();
                        }
                        return new OffsetSnapshot(
                                nowMillis,
                                end.result(),
                                c,
                                live.result(),
                                young.result(),
                                group0.members().size());
                    });
                })
                .recover(e -> Future.failedFuture(classify(e, topic, group)));
    }

    private Future<long[]> offsets(String topic, int partitionCount, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        List<TopicPartition> tps = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            tps.add(tp);
            request.put(tp, spec);
        }
        return on(admin.listOffsets(request).all()).map(result -> {
            long[] out = new long[partitionCount];
            for (int p = 0; p < partitionCount; p++) {
                ListOffsetsResult.ListOffsetsResultInfo info = result.get(tps.get(p));
                out[p] = info == null ? -1 : info.offset();
            }
            return out;
        });
    }

    private <T> Future<T> on(KafkaFuture<T> f) {
        return Future.fromCompletionStage(f.toCompletionStage(), context);
    }

    /** Turns a Kafka failure into the kind the gRPC status is made of; the message names the topic or group. */
    static ScalerException classify(Throwable e, String topic, String group) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ScalerException se) {
            return se;
        }
        if (t instanceof UnknownTopicOrPartitionException || t instanceof InvalidTopicException) {
            return new ScalerException(ScalerException.Kind.NOT_FOUND, "topic '" + topic + "' does not exist", t);
        }
        if (t instanceof GroupIdNotFoundException) {
            return new ScalerException(
                    ScalerException.Kind.NOT_FOUND,
                    "consumer group '" + group + "' does not exist (no members and no committed offsets)",
                    t);
        }
        return new ScalerException(
                ScalerException.Kind.UNAVAILABLE,
                "Kafka did not answer for topic '" + topic + "'" + (group == null ? "" : " and group '" + group + "'")
                        + ": " + t,
                t);
    }
}
