package dev.sluice.executor.impl.trigger;

import dev.sluice.core.KafkaConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends trigger events to their route's topic, durably (acks=all, idempotent), and completes on the
 * caller's context once the broker acknowledged. A topic's metadata is fetched on a worker the first
 * time, so a send never blocks the event loop on it. Sends are bounded well under any TTL, because a
 * schedule's row stays locked while its tick is being produced.
 */
final class TriggerProducer implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final Set<String> ready = ConcurrentHashMap.newKeySet();

    TriggerProducer(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    static TriggerProducer create(KafkaConfig kafka) {
        Map<String, Object> d = new HashMap<>();
        d.put(ProducerConfig.ACKS_CONFIG, "all");
        d.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        d.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        d.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        d.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        d.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000);
        d.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-executor-triggers");
        d.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        d.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new TriggerProducer(new KafkaProducer<>(kafka.producerProperties(d)));
    }

    Future<Void> send(Context context, ProducerRecord<byte[], byte[]> record) {
        return ensure(context, record.topic()).compose(v -> {
            Promise<Void> acked = Promise.promise();
            try {
                producer.send(
                        record,
                        (md, err) -> context.runOnContext(x -> {
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
        });
    }

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

    /** Blocking: call from a worker. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
