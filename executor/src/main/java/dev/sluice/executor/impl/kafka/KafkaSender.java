package dev.sluice.executor.impl.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The executor's way to write to Kafka, shared by its producers: durable settings, a topic's
 * metadata fetched on a worker the first time (so a send from an event loop never blocks on it),
 * and a send whose future completes once the broker acknowledged.
 */
public final class KafkaSender {

    private final Producer<byte[], byte[]> producer;
    /** Topics whose metadata the producer holds, so that send() cannot block an event loop on a fetch. */
    private final Set<String> ready = ConcurrentHashMap.newKeySet();

    public KafkaSender(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** Producer settings every executor producer starts from: acks=all, idempotent, byte arrays, a send blocks at most 2 s. */
    public static Map<String, Object> durable(String clientId) {
        Map<String, Object> d = new HashMap<>();
        d.put(ProducerConfig.ACKS_CONFIG, "all");
        d.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        d.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        d.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        d.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        d.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return d;
    }

    /** Sends {@code record} once its topic's metadata is known; completes on {@code context}. */
    public Future<Void> send(Context context, ProducerRecord<byte[], byte[]> record) {
        return ensure(context, record.topic())
                .compose(v -> acked(() -> record, task -> context.runOnContext(x -> task.run())));
    }

    /**
     * Sends {@code value} to {@code partition} of {@code topic} when the topic has it, else where the
     * producer puts it. Blocking until the topic's metadata is known (up to max.block.ms): not for an
     * event loop. Completes on the producer's thread; anything thrown fails the future.
     */
    public Future<Void> sendBlocking(String topic, int partition, byte[] value, Headers headers) {
        return acked(
                () -> new ProducerRecord<>(
                        topic,
                        producer.partitionsFor(topic).size() > partition ? partition : null,
                        null,
                        null,
                        value,
                        headers),
                Runnable::run);
    }

    /** Loads the topic's metadata on a worker the first time (a missing topic fails there, within max.block.ms). */
    private Future<Void> ensure(Context context, String topic) {
        if (ready.contains(topic)) {
            return Future.succeededFuture();
        }
        return context.owner()
                .executeBlocking(
                        () -> {
                            producer.partitionsFor(topic);
                            ready.add(topic);
                            return null;
                        },
                        false);
    }

    /** The send's acknowledgement, handed to {@code completion}; a record or send that throws fails the future. */
    private Future<Void> acked(Supplier<ProducerRecord<byte[], byte[]>> record, Executor completion) {
        Promise<Void> acked = Promise.promise();
        try {
            producer.send(
                    record.get(),
                    (md, err) -> completion.execute(() -> {
                        if (err == null) {
                            acked.complete();
                        } else {
                            acked.fail(err);
                        }
                    }));
        } catch (RuntimeException e) {
            acked.fail(e);
        }
        return acked.future();
    }

    /** Blocking; not for an event loop. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
