package dev.sluice.executor.impl.trigger;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer interceptor that, once armed, holds the next acknowledgement on the producer's I/O
 * thread: the record is in Kafka, and the sender does not know it yet. Lets a test kill a holder
 * between Kafka's acknowledgement and its own commit.
 */
public final class HeldAcks implements ProducerInterceptor<byte[], byte[]> {

    static volatile boolean armed;
    static final CountDownLatch HOLDING = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        if (armed && exception == null && HOLDING.getCount() > 0) {
            armed = false;
            HOLDING.countDown();
            try {
                RELEASE.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
}
