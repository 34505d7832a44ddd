package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Sluice's Kafka records against the CloudEvents Java SDK's Kafka binding (binary mode): what
 * Sluice writes, the SDK reads as the same event, and what the SDK writes, Sluice reads.
 */
class CloudEventsSdkConformanceTest {

    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> sent) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(
                sent.topic(),
                0,
                42L,
                sent.timestamp() == null ? 0L : sent.timestamp(),
                TimestampType.CREATE_TIME,
                -1,
                -1,
                sent.key(),
                sent.value(),
                sent.headers(),
                Optional.empty());
        return r;
    }

    @Test
    void theSdkReadsASluiceRecordAsTheSameCloudEvent() {
        Map<String, String> ext = new LinkedHashMap<>();
        ext.put("partitionkey", "pump-1");
        ext.put("averyveryverylongextensionname", "legal beyond 20 characters");
        byte[] payload = "{\"t\":21.5,\"ü\":\"ß\"}".getBytes(StandardCharsets.UTF_8);
        IngestedEvent event = new IngestedEvent(
                "01890a5d-ac96-774b-bcce-b302099a8057",
                "/devices/pump-1",
                "com.example.reading",
                "pump-1",
                "2026-12-07T10:15:30.123Z",
                "application/json",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                null,
                "acme",
                "telemetry",
                1_765_102_530_123L,
                1_765_102_550_123L,
                "pump-1".getBytes(StandardCharsets.UTF_8),
                payload,
                ext);

        MessageReader reader = KafkaMessageFactory.createReader(consumed(EventRecords.toRecord("t", event)));
        CloudEvent ce = reader.toEvent();

        assertEquals(SpecVersion.V1, ce.getSpecVersion());
        assertEquals(event.id(), ce.getId());
        assertEquals(URI.create("/devices/pump-1"), ce.getSource());
        assertEquals("com.example.reading", ce.getType());
        assertEquals("pump-1", ce.getSubject());
        assertEquals(OffsetDateTime.parse("2026-12-07T10:15:30.123Z"), ce.getTime());
        assertEquals("application/json", ce.getDataContentType());
        assertArrayEquals(payload, ce.getData().toBytes(), "the payload, byte for byte");
        assertEquals("pump-1", ce.getExtension("partitionkey"));
        assertEquals("legal beyond 20 characters", ce.getExtension("averyveryverylongextensionname"));
    }

    @Test
    void sluiceReadsARecordTheSdkWrote() {
        byte[] data = new byte[] {0, 1, 2, (byte) 0xff};
        CloudEvent ce = CloudEventBuilder.v1()
                .withId("sdk-1")
                .withSource(URI.create("https://example.com/sdk"))
                .withType("com.example.sdk")
                .withSubject("s")
                .withTime(OffsetDateTime.parse("2026-12-07T10:00:00Z"))
                .withDataContentType("application/octet-stream")
                .withExtension("region", "eu-west-1")
                .withExtension("attempt", 3)
                .withData(data)
                .build();
        ProducerRecord<byte[], byte[]> written = KafkaMessageFactory.createWriter(
                        "t", "k".getBytes(StandardCharsets.UTF_8))
                .writeBinary(ce);

        IngestedEvent event = EventRecords.fromRecord(consumed(written));

        assertEquals("sdk-1", event.id());
        assertEquals("https://example.com/sdk", event.source());
        assertEquals("com.example.sdk", event.type());
        assertEquals("s", event.subject());
        assertEquals("application/octet-stream", event.contentType());
        assertEquals(OffsetDateTime.parse("2026-12-07T10:00:00Z"), OffsetDateTime.parse(event.time()));
        assertArrayEquals(data, event.payload());
        assertEquals("eu-west-1", event.extensions().get("region"));
        assertEquals("3", event.extensions().get("attempt"));
        assertNull(event.tenant(), "not a Sluice record: no tenant");
        assertEquals(Long.MAX_VALUE, event.deadlineMillis(), "not a Sluice record: no deadline, never expires");
    }
}
