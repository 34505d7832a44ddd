package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ingest edge at the connection level, against the real broker: HTTP/1.1 pipelining, HTTP/2
 * (prior knowledge, upgrade, many streams, the settings the router offers) and slow clients that
 * never finish their headers or body.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionEdgeIT {

    private static final String TOPIC = "it.connection.events";
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KafkaBroker kafka;
    private static RouterFixture router;
    private static Vertx clientVertx;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        router = RouterFixture.start(
                kafka,
                """
                {"routes": [{"source": "batchy", "topic": "%s", "partitions": 3, "maxBatchEvents": 5, "maxBodyBytes": 4096}]}
                """.formatted(TOPIC),
                Map.of("router.header.timeout", "1s", "router.body.timeout", "1s", "router.read.idle.timeout", "2s"));
        clientVertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        if (clientVertx != null) {
            clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (router != null) {
            router.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> record(String id) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String one = "POST /v1/events/batchy HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nce-id: pipe-1\r\n\r\n{}";
        String two = "POST /v1/events/batchy HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nce-id: pipe-2\r\n\r\n[]";
        try (Socket s = new Socket("127.0.0.1", router.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(b(one + two));
            out.flush();
            String responses = readUntil(s.getInputStream(), "\"pipe-2\"", 1);
            int first = responses.indexOf("\"pipe-1\"");
            int second = responses.indexOf("\"pipe-2\"");
            assertTrue(first > 0 && second > first, responses);
            assertEquals(2, responses.split("HTTP/1.1 202", -1).length - 1, responses);
        }
    }

    @Test
    void http2PriorKnowledgeCarriesEvents() throws Exception {
        HttpClientAgent client = clientVertx.createHttpClient(
                new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            var resp = client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(router.port())
                            .setURI("/v1/events/batchy")
                            .putHeader("ce-id", "h2-1"))
                    .compose(req -> req.send(Buffer.buffer("{\"h2\":1}"))
                            .compose(r -> r.body().map(body -> Map.entry(r, body))))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertEquals(HttpVersion.HTTP_2, resp.getKey().version());
            assertEquals(202, resp.getKey().statusCode(), resp.getValue().toString());
            assertNotNull(record("h2-1"));
        } finally {
            client.close();
        }
    }

    @Test
    void manyStreamsOfOneHttp2ConnectionAreEachAnsweredAfterTheirRecordIsStored() throws Exception {
        // One connection, 200 requests at once: their 202s leave in coalesced flushes, and every one must still arrive.
        HttpClientAgent client = clientVertx.createHttpClient(
                new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false),
                new io.vertx.core.http.PoolOptions().setHttp2MaxSize(1));
        try {
            java.util.List<io.vertx.core.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(client.request(new RequestOptions()
                                .setMethod(HttpMethod.POST)
                                .setHost("127.0.0.1")
                                .setPort(router.port())
                                .setURI("/v1/events/batchy")
                                .putHeader("ce-id", "h2-many-" + i))
                        .compose(req -> req.send(Buffer.buffer("{\"n\":1}"))
                                .compose(r -> r.body().map(body -> r.statusCode()))));
            }
            io.vertx.core.Future.all(answers)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            answers.forEach(a -> assertEquals(202, a.result()));
            java.util.Set<String> stored = new java.util.HashSet<>();
            kafka.readAll(TOPIC, Duration.ofSeconds(10))
                    .forEach(r -> stored.add(EventRecords.text(r.headers(), "ce_id")));
            for (int i = 0; i < 200; i++) {
                assertTrue(stored.contains("h2-many-" + i), "h2-many-" + i + " answered 202 but not in Kafka");
            }
        } finally {
            client.close();
        }
    }

    @Test
    void http2ClientsAreOfferedStreamsAndWindowsSizedForIngest() throws Exception {
        // Read the router's first frames off a raw prior-knowledge connection: its SETTINGS and the
        // connection-level WINDOW_UPDATE (HTTP/2's own 100-odd streams and 64 KiB windows would let a
        // connection carrying batches send a few requests per round trip).
        Map<Integer, Long> settings = new java.util.HashMap<>();
        long connectionWindowIncrement = -1;
        try (Socket s = new Socket("127.0.0.1", router.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            boolean sawSettings = false;
            while (!sawSettings || connectionWindowIncrement < 0) {
                int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (type == 4 && (flags & 1) == 0) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload);
                    while (b.remaining() >= 6) {
                        settings.put(b.getShort() & 0xffff, b.getInt() & 0xffffffffL);
                    }
                    sawSettings = true;
                } else if (type == 8 && stream == 0) {
                    connectionWindowIncrement =
                            java.nio.ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
                }
            }
        }
        assertEquals(128L, settings.get(0x3), "SETTINGS_MAX_CONCURRENT_STREAMS: " + settings);
        assertEquals(1024L * 1024, settings.get(0x4), "SETTINGS_INITIAL_WINDOW_SIZE: " + settings);
        assertEquals(4L * 1024 * 1024 - 65_535, connectionWindowIncrement, "the connection window grows to 4 MiB");
    }

    @Test
    void http2UpgradeFromHttp11Works() throws Exception {
        HttpResponse<String> resp = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/events/batchy"))
                        .version(HttpClient.Version.HTTP_2)
                        .header("ce-id", "h2u-1")
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, resp.statusCode(), resp.body());
        assertNotNull(record("h2u-1"));
    }

    @Test
    void aClientThatNeverFinishesItsHeadersIsCutOff() throws Exception {
        try (Socket s = new Socket("127.0.0.1", router.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(b("POST /v1/events/batchy HTTP/1.1\r\nHost: x\r\n"));
            s.getOutputStream().flush();
            long t0 = System.nanoTime();
            int read = s.getInputStream().read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(-1, read, "the server closed the connection");
            assertTrue(ms < 5000, "cut off after " + ms + " ms (read-idle timeout 2 s)");
        }
    }

    @Test
    void aBodyThatNeverArrivesIs408AndNothingIsProduced() throws Exception {
        long before = kafka.count(TOPIC);
        try (Socket s = new Socket("127.0.0.1", router.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(b("POST /v1/events/batchy HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"partial\""));
            s.getOutputStream().flush();
            String resp = readUntil(s.getInputStream(), "request-timeout", 1);
            assertTrue(resp.startsWith("HTTP/1.1 408"), resp);
        }
        assertEquals(before, kafka.count(TOPIC));
    }

    private static String readUntil(InputStream in, String marker, int occurrences) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (true) {
            String text = seen.toString(StandardCharsets.UTF_8);
            if (text.split(java.util.regex.Pattern.quote(marker), -1).length - 1 >= occurrences) {
                return text;
            }
            int n = in.read(buf);
            if (n < 0) {
                return text;
            }
            seen.write(buf, 0, n);
        }
    }
}
