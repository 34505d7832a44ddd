package dev.sluice.router.impl.kafka;

import dev.sluice.core.ConfigException;
import dev.sluice.core.KafkaConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one producer of a router process, shared by every event loop. It bounds what is in flight
 * (records and bytes) so that {@code send} never waits for buffer space, and its metadata for
 * routed topics is loaded before traffic (see {@link TopicReadiness}) and never evicted, so
 * {@code send} does not block on metadata either: both are what would otherwise block an event loop.
 */
public final class EventProducer implements AutoCloseable {

    /** Why a send was not even attempted. */
    public enum Refusal {
        RECORDS,
        BYTES
    }

    /** Completion of one send, called on the producer's I/O thread. */
    public interface Callback {
        void done(RecordMetadata metadata, Exception error);
    }

    /**
     * Sluice's default {@code max.request.size}: a default route's 1 MiB body plus room for its
     * key and headers. Kafka's own default (1 MiB) would refuse a default route's largest events.
     */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024 + 64 * 1024;

    /** Room kept beside a route's largest body for the key, headers and Kafka's framing of one record. */
    public static final int RECORD_ALLOWANCE = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EventProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final int maxRecords;
    private final long maxBytes;
    private final int maxRecordBytes;
    private final AtomicInteger inFlightRecords = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();

    public EventProducer(Producer<byte[], byte[]> producer, int maxRecords, long maxBytes, int maxRecordBytes) {
        this.producer = producer;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Sluice's producer defaults: durable (acks=all, idempotent) and failing fast, well inside any TTL. */
    public static Map<String, Object> defaults(Duration produceTimeout, long maxInFlightBytes) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // Kafka's own default since 4.0. Against 1 ms it measured a quarter less broker CPU and a tenth
        // less router CPU per single event at 30k/s (fewer, fuller produce requests); under load the
        // batches fill before the linger ends, so it only adds latency when the router is quiet.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        // lz4: a batch's repeated header names and values compress even when payloads do not, and the
        // broker validates a compressed batch without parsing each record's headers. With payloads of
        // random hex it halved the broker's CPU per event for batches and let QoS 0 MQTT at 100,000/s
        // reach Kafka whole in 3 of 3 runs (against 1 of 3 with none), at no measurable cost to single
        // HTTP events (BENCHMARKS.md). SLUICE_KAFKA_PRODUCER_COMPRESSION_TYPE=none turns it off.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // The in-flight bound keeps usage under buffer.memory, so send() never waits for space.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(64L * 1024 * 1024, maxInFlightBytes * 2));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DEFAULT_MAX_REQUEST_SIZE);
        // The producer's final word on every record comes within delivery.timeout.ms: a request answered
        // 503 produce-timeout keeps its idempotency claim "in flight" until then (never longer).
        long request = Math.max(1000, produceTimeout.toMillis() * 2);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) request);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (request + 1000));
        // Routed topics' metadata must stay cached: an evicted topic would make send() block on a fetch.
        p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, 24 * 3600 * 1000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-router");
        return p;
    }

    /**
     * The producer's properties: Sluice's defaults under the {@code kafka.*} pass-through. Refuses
     * settings that would break "202 means in Kafka" unless {@code unsafe} (then logged).
     */
    public static Map<String, Object> properties(
            KafkaConfig kafka, Duration produceTimeout, long maxBytes, boolean unsafe) {
        Map<String, Object> props = kafka.producerProperties(defaults(produceTimeout, maxBytes));
        List<String> broken = ProducerGuarantees.violations(props);
        if (!broken.isEmpty()) {
            if (!unsafe) {
                throw new ConfigException("the producer settings would break \"202 means the event is in Kafka\": "
                        + String.join("; ", broken)
                        + ". Remove the override, or set router.unsafe.producer=true to run anyway");
            }
            LOG.warn(
                    "router.unsafe.producer=true: running with producer settings that break \"202 means the event is in Kafka\": {}",
                    String.join("; ", broken));
        }
        return props;
    }

    public static EventProducer create(
            KafkaConfig kafka, Duration produceTimeout, int maxRecords, long maxBytes, boolean unsafe) {
        Map<String, Object> props = properties(kafka, produceTimeout, maxBytes, unsafe);
        int maxRecordBytes = ProducerGuarantees.effective(props).getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return new EventProducer(new KafkaProducer<>(props), maxRecords, maxBytes, maxRecordBytes);
    }

    /** The largest record (key, value, headers and framing) this producer sends: its {@code max.request.size}. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * An upper bound of the record's size as the producer checks it against {@code max.request.size}:
     * a batch header, the record's framing, its key, value and headers. A header name counts three
     * bytes per {@code char}, the most UTF-8 takes for one, rather than its exact UTF-8 length: the
     * names are a dozen short constants per record, and measuring them cost 2 % of an event loop at
     * 30,000 MQTT publishes/s (the producer measures them again itself). The slack, a few dozen
     * bytes, is far inside the room {@link #RECORD_ALLOWANCE} keeps beside a route's largest body.
     */
    public static int sizeUpperBound(ProducerRecord<byte[], byte[]> record) {
        // The record batch header, one record's framing and attributes, and the varints of its key's
        // length, its value's length and its count of headers (at most 5 bytes each).
        long size = 61 + 21 + 3 * 5;
        size += record.key() == null ? 0 : record.key().length;
        size += record.value() == null ? 0 : record.value().length;
        for (Header h : record.headers()) {
            size += 10
                    + 3L * h.key().length()
                    + (h.value() == null ? 0 : h.value().length); // two varints of at most 5 bytes
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /**
     * Sends unless the in-flight bound is reached, in which case nothing is sent and the refusal
     * says which bound. The callback runs on the producer's I/O thread.
     */
    public Refusal trySend(ProducerRecord<byte[], byte[]> record, Callback callback) {
        int size = record.value().length;
        if (inFlightRecords.incrementAndGet() > maxRecords) {
            inFlightRecords.decrementAndGet();
            return Refusal.RECORDS;
        }
        if (inFlightBytes.addAndGet(size) > maxBytes) {
            inFlightBytes.addAndGet(-size);
            inFlightRecords.decrementAndGet();
            return Refusal.BYTES;
        }
        try {
            producer.send(record, (md, err) -> {
                inFlightRecords.decrementAndGet();
                inFlightBytes.addAndGet(-size);
                callback.done(md, err);
            });
        } catch (RuntimeException e) {
            // send() throws for a closed producer or a serialization/size problem; the callback is not called then.
            inFlightRecords.decrementAndGet();
            inFlightBytes.addAndGet(-size);
            callback.done(null, e);
        }
        return null;
    }

    public int inFlightRecords() {
        return inFlightRecords.get();
    }

    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    public Producer<byte[], byte[]> unwrap() {
        return producer;
    }

    /** Blocking, bounded. Not for an event loop. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
