package dev.sluice.executor.impl.trigger;

import dev.sluice.core.KafkaConfig;
import dev.sluice.executor.impl.kafka.KafkaSender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends trigger events to their route's topic, durably (acks=all, idempotent), and completes on the
 * caller's context once the broker acknowledged. A topic's metadata is fetched on a worker the first
 * time, so a send never blocks the event loop on it. Sends are bounded well under any TTL, because a
 * schedule's row stays locked while its tick is being produced.
 */
final class TriggerProducer implements AutoCloseable {

    private final KafkaSender sender;

    TriggerProducer(Producer<byte[], byte[]> producer) {
        this.sender = new KafkaSender(producer);
    }

    static TriggerProducer create(KafkaConfig kafka) {
        Map<String, Object> d = KafkaSender.durable("sluice-executor-triggers");
        d.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        d.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        d.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000);
        return new TriggerProducer(new KafkaProducer<>(kafka.producerProperties(d)));
    }

    Future<Void> send(Context context, ProducerRecord<byte[], byte[]> record) {
        return sender.send(context, record);
    }

    /** Blocking: call from a worker. */
    @Override
    public void close() {
        sender.close(Duration.ofSeconds(2));
    }
}
