package dev.sluice.router.impl.mqtt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.router.impl.kafka.EventProducer;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the producer has room for a publish: under both in-flight bounds, records and bytes, and
 * again once an ack frees room. The producer here is Kafka's in-memory one, completed by hand: what
 * is tested is the bookkeeping, not Kafka.
 */
class ProducerRoomTest {

    private final Vertx vertx = Vertx.vertx();
    private final MockProducer<byte[], byte[]> kafka =
            new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());
    private final EventProducer producer = new EventProducer(kafka, 3, 1 << 20, 1 << 20);
    private final ProducerRoom room = new ProducerRoom(vertx.getOrCreateContext(), producer, 3, 1 << 20);

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private void send() {
        send(10);
    }

    private void send(int bytes) {
        assertNull(producer.trySend(new ProducerRecord<>("t", new byte[bytes]), (md, err) -> {}));
    }

    @Test
    void theRecordBoundIsNoRoomWhateverTheAcks() {
        send();
        send();
        assertFalse(room.full(10));
        send();
        assertTrue(room.full(10), "three records in flight: the bound");
        kafka.completeNext();
        assertFalse(room.full(10));
    }

    @Test
    void theByteBoundIsNoRoomForAPublishThatWouldPassItButAnyPayloadTooLargeForItNeverWaits() {
        send((1 << 20) - 100);
        assertFalse(room.full(100), "exactly at the byte bound: room");
        assertTrue(room.full(101), "one byte over: held");
        assertFalse(room.full((1 << 20) + 1), "larger than the whole bound: never fits, refused rather than held");
        kafka.completeNext();
        assertFalse(room.full(101));
    }
}
