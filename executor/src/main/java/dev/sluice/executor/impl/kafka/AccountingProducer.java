package dev.sluice.executor.impl.kafka;

import dev.sluice.core.KafkaConfig;
import dev.sluice.core.SluiceHeaders;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes events that could not run to {@code <topic>.expired} or {@code <topic>.dlq}: the
 * original key, payload and headers, plus why, when and where from. Durable (acks=all).
 */
public final class AccountingProducer implements AutoCloseable {

    private final KafkaSender sender;

    public AccountingProducer(Producer<byte[], byte[]> producer) {
        this.sender = new KafkaSender(producer);
    }

    public static AccountingProducer create(KafkaConfig kafka) {
        Map<String, Object> d = KafkaSender.durable("sluice-executor-accounting");
        d.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        d.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, 24 * 3600 * 1000);
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
        return sender.send(context, r);
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
        return sender.send(context, r);
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
        return sender.sendBlocking(topic, partition, value, h);
    }

    /** Blocking; not for an event loop. */
    public void close(Duration timeout) {
        sender.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
