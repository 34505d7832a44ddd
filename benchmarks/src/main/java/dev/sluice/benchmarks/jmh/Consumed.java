package dev.sluice.benchmarks.jmh;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;

/** A produced record as a consumer would receive it, for benchmarks of the executor's side. */
final class Consumed {

    private Consumed() {}

    static ConsumerRecord<byte[], byte[]> of(ProducerRecord<byte[], byte[]> r, int partition, long offset) {
        return new ConsumerRecord<>(
                r.topic(),
                partition,
                offset,
                r.timestamp(),
                TimestampType.CREATE_TIME,
                r.key() == null ? 0 : r.key().length,
                r.value().length,
                r.key(),
                r.value(),
                r.headers(),
                Optional.empty());
    }
}
