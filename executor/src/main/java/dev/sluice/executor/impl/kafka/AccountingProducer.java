package dev.sluice.executor.impl.kafka;

import dev.sluice.core.KafkaConfig;
import dev.sluice.core.SluiceHeaders;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes events that could not run to {@code <topic>.expired} or {@code <topic>.dlq}: the
 * original key, payload and headers, plus why, when and where from. Durable (acks=all).
 */
public final class AccountingProducer implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    /** Topics whose metadata the producer holds, so that send() cannot block an event loop on a fetch. */
    private final java.util.Set<String> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public AccountingProducer(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /**
     * Loads the topic's metadata on a worker thread the first time it is used (a missing topic
     * fails there, within max.block.ms, instead of stalling the event loop).
     */
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

    public static AccountingProducer create(KafkaConfig kafka) {
        Map<String, Object> d = new HashMap<>();
        d.put(ProducerConfig.ACKS_CONFIG, "all");
        d.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        d.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        d.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        d.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, 24 * 3600 * 1000);
        d.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-executor-accounting");
        d.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        d.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new AccountingProducer(new KafkaProducer<>(kafka.producerProperties(d)));
    }

    /**
     * Copies {@code source} to {@code topic} with the extra headers; completes on {@code context}.
     */
    public Future<Void> publish(
            Context context, String topic, ConsumerRecord<byte[], byte[]> source, Map<String, String> extra) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : source.headers()) {
            headers.add(h);
        }
        String origin = source.topic() + "/" + source.partition() + "/" + source.offset();
        headers.add(SluiceHeaders.ORIGIN, origin.getBytes(StandardCharsets.UTF_8));
        headers.add(
                SluiceHeaders.DECIDED_AT,
                Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        extra.forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<byte[], byte[]> r =
                new ProducerRecord<>(topic, null, source.timestamp(), source.key(), source.value(), headers);
        return ensure(context, topic).compose(v -> send(context, r));
    }

    private Future<Void> send(Context context, ProducerRecord<byte[], byte[]> r) {
        Promise<Void> promise = Promise.promise();
        try {
            producer.send(
                    r,
                    (md, err) -> context.runOnContext(v -> {
                        if (err == null) {
                            promise.complete();
                        } else {
                            promise.fail(err);
                        }
                    }));
        } catch (RuntimeException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    /**
     * Produces a workflow's current payload to {@code topic} with the event's key and attributes
     * (the content type updated); completes on {@code context}. The publish step.
     */
    public Future<Void> publishPayload(
            Context context, String topic, ConsumerRecord<byte[], byte[]> source, byte[] payload, String contentType) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : source.headers()) {
            if (contentType == null || !h.key().equals(SluiceHeaders.CONTENT_TYPE)) {
                headers.add(h);
            }
        }
        if (contentType != null) {
            headers.add(SluiceHeaders.CONTENT_TYPE, contentType.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(
                SluiceHeaders.ORIGIN,
                (source.topic() + "/" + source.partition() + "/" + source.offset()).getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> r =
                new ProducerRecord<>(topic, null, source.timestamp(), source.key(), payload, headers);
        return ensure(context, topic).compose(v -> send(context, r));
    }

    /**
     * Writes a record that stands for events that were never read (a skipped dead span) to
     * {@code partition} of {@code topic}, the partition the events were in, when the topic has it
     * (else where the producer puts it). Blocking until the topic's metadata is known (up to
     * max.block.ms): call it from the poll thread or a worker, never an event loop. The future
     * completes on the producer's thread.
     */
    public Future<Void> publishSummary(String topic, int partition, byte[] value, Map<String, String> headers) {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
        h.add(
                SluiceHeaders.DECIDED_AT,
                Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        Promise<Void> written = Promise.promise();
        try {
            Integer target = producer.partitionsFor(topic).size() > partition ? partition : null;
            producer.send(new ProducerRecord<>(topic, target, null, null, value, h), (md, err) -> {
                if (err == null) {
                    written.complete();
                } else {
                    written.fail(err);
                }
            });
        } catch (RuntimeException e) {
            written.fail(e);
        }
        return written.future();
    }

    /** Blocking; not for an event loop. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
