package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.SluiceHeaders;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Conformance with the CloudEvents Java SDK over the wire: requests the SDK writes (HTTP binding,
 * binary and structured mode) are accepted, and the records they become read back, through the
 * SDK's Kafka binding, as the event the SDK sent.
 */
@SluiceInfra
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CloudEventsSdkIT {

    private static final String TOPIC = "it.cloudevents.sdk";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KafkaBroker kafka;
    private static RouterFixture router;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        router = RouterFixture.start(
                kafka, "{\"routes\": [{\"source\": \"sdk\", \"topic\": \"" + TOPIC + "\"}]}", Map.of());
        router.warmUp("sdk");
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1()
                .withId(id)
                .withSource(URI.create("https://example.com/sdk"))
                .withType("com.example.sdk.reading")
                .withSubject("pump-7")
                .withTime(OffsetDateTime.parse("2026-12-07T11:00:00.250Z"))
                .withDataContentType("application/json")
                .withExtension("averyveryverylongextensionname", "beyond the recommended 20")
                .withExtension("attempt", 2)
                .withData("{\"t\":21.5,\"unit\":\"°C\"}".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** Posts what the SDK's HTTP writer wrote; returns the 202's event id. */
    private static String post(Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + router.port() + "/v1/events/sdk"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(req::header);
        HttpResponse<String> res = ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(202, res.statusCode(), res.body());
        return new JsonObject(res.body()).getString("id");
    }

    private static CloudEvent stored(String id) {
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(TOPIC, Duration.ofSeconds(20))) {
            Header h = r.headers().lastHeader(SluiceHeaders.CE_ID);
            if (h != null && id.equals(new String(h.value(), StandardCharsets.UTF_8))) {
                return KafkaMessageFactory.createReader(r).toEvent();
            }
        }
        throw new AssertionError("no record for " + id);
    }

    private static void assertSameEvent(CloudEvent sent, CloudEvent read) {
        assertEquals(sent.getId(), read.getId());
        assertEquals(sent.getSource(), read.getSource());
        assertEquals(sent.getType(), read.getType());
        assertEquals(sent.getSubject(), read.getSubject());
        assertEquals(sent.getTime().toInstant(), read.getTime().toInstant());
        assertEquals(sent.getDataContentType(), read.getDataContentType());
        assertEquals("beyond the recommended 20", read.getExtension("averyveryverylongextensionname"));
        assertEquals("2", String.valueOf(read.getExtension("attempt")));
    }

    @Test
    void aBinaryModeRequestTheSdkWroteIsStoredAsTheSameEvent() throws Exception {
        CloudEvent ce = event("sdk-binary-1");
        Map<String, String> headers = new LinkedHashMap<>();
        AtomicReference<byte[]> body = new AtomicReference<>();
        HttpMessageFactory.createWriter(headers::put, body::set).writeBinary(ce);

        assertEquals("sdk-binary-1", post(headers, body.get()));
        CloudEvent read = stored("sdk-binary-1");
        assertSameEvent(ce, read);
        assertArrayEquals(ce.getData().toBytes(), read.getData().toBytes(), "the payload, byte for byte");
    }

    @Test
    void aStructuredModeRequestTheSdkWroteIsStoredAsTheSameEvent() throws Exception {
        CloudEvent ce = event("sdk-structured-1");
        Map<String, String> headers = new LinkedHashMap<>();
        AtomicReference<byte[]> body = new AtomicReference<>();
        HttpMessageFactory.createWriter(headers::put, body::set).writeStructured(ce, JsonFormat.CONTENT_TYPE);

        assertEquals("sdk-structured-1", post(headers, body.get()));
        CloudEvent read = stored("sdk-structured-1");
        assertSameEvent(ce, read);
        assertEquals(
                new JsonObject(new String(ce.getData().toBytes(), StandardCharsets.UTF_8)),
                new JsonObject(new String(read.getData().toBytes(), StandardCharsets.UTF_8)),
                "data, as the JSON it was");
    }
}
