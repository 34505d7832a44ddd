package dev.sluice.router;

import static dev.sluice.router.RawHttp.assertClosedAfterOneResponse;
import static dev.sluice.router.RawHttp.assertProblem;
import static dev.sluice.router.RawHttp.chunked;
import static dev.sluice.router.RawHttp.gzip;
import static dev.sluice.router.RawHttp.head;
import static dev.sluice.router.RawHttp.header;
import static dev.sluice.router.RawHttp.problem;
import static dev.sluice.router.RawHttp.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The router's HTTP protocol edge, spoken over raw sockets against the real broker: message framing
 * (RFC 9112 §6: request smuggling), content codings (RFC 9110 §8.4) and the codec's own refusals
 * (what bodies may hold: {@link BodyBoundsIT}). Every refusal is checked for its status and
 * problem body or for the closed connection, for nothing reaching Kafka, and for the router taking
 * a normal event afterwards.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HttpProtocolIT {

    private static final String TOPIC = "it.protocol.events";

    private static KafkaBroker kafka;
    private static RouterFixture it;
    private static RouterApp router;
    private static int port;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        it = RouterFixture.start(
                kafka,
                """
                {"routes": [
                  {"source": "proto", "topic": "%1$s", "maxBodyBytes": 65536}]}
                """.formatted(TOPIC),
                Map.of("router.body.timeout", "60s", "router.read.idle.timeout", "60s", "router.idle.timeout", "60s"));
        router = it.app();
        port = it.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    @AfterEach
    void nothingIsHeldAfterwards() {
        // Whatever a test held is given back once its connections are gone.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> it.gauge("sluice.router.body.inflight.bytes") <= 0
                        && it.gauge("sluice.router.body.reading") <= 0);
    }

    // ---------------------------------------------------------------- framing (RFC 9112 §6.1)

    @Test
    void contentLengthWithTransferEncodingIs400AndClosesAndTheSmuggledRequestIsNeverProduced() throws Exception {
        String smuggled = request("proto", "smuggle-clte-2", "{}");
        String first = "POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nce-id: smuggle-clte-1\r\nContent-Length: 6\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
        assertRefusedAndClosed(first + smuggled, 400, "bad-framing", "smuggle-clte-");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "xchunked",
                "chunked, gzip",
                "gzip, chunked",
                "chunked, chunked",
                "identity",
                "chunked;q=1",
                "chunked\r\nTransfer-Encoding: chunked",
                "chunked\r\nTransfer-Encoding: x"
            })
    void aTransferCodingOtherThanExactlyChunkedIs400AndCloses(String coding) throws Exception {
        String tag = "smuggle-te-" + Integer.toHexString(coding.hashCode()) + "-";
        String smuggled = request("proto", tag + "2", "{}");
        String first = "POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nce-id: " + tag + "1\r\nTransfer-Encoding: "
                + coding + "\r\n\r\n" + chunked(smuggled);
        assertRefusedAndClosed(first + smuggled, 400, "bad-framing", tag);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Transfer-Encoding : chunked",
                "Transfer-Encoding:\u000bchunked",
                "Transfer-Encoding\u0000: chunked"
            })
    void anObfuscatedTransferEncodingFieldIs400AndCloses(String field) throws Exception {
        String tag = "smuggle-ob-" + Integer.toHexString(field.hashCode()) + "-";
        String smuggled = request("proto", tag + "2", "{}");
        String first = "POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nce-id: " + tag + "1\r\n" + field + "\r\n\r\n"
                + chunked(smuggled);
        String resp = exchange(first + smuggled);
        // The codec refuses the field's syntax (bad-request) or Sluice its coding (bad-framing): either way 400 and
        // closed.
        assertTrue(resp.startsWith("HTTP/1.1 400") || resp.startsWith("HTTP/1.0 400"), resp);
        String reason = problem(resp).getString("reason");
        assertTrue(Set.of("bad-request", "bad-framing").contains(reason), resp);
        assertClosedAfterOneResponse(resp);
        assertNothingProduced(tag);
        assertNormalEventAccepted();
    }

    @Test
    void http10WithTransferEncodingIs400AndCloses() throws Exception {
        String first =
                "POST /v1/events/proto HTTP/1.0\r\nHost: x\r\nce-id: smuggle-10-1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "2\r\n{}\r\n0\r\n\r\n";
        assertRefusedAndClosed(first + request("proto", "smuggle-10-2", "{}"), 400, "bad-framing", "smuggle-10-");
    }

    @Test
    void exactlyChunkedInAnyCaseIsAccepted() throws Exception {
        String resp = exchange("POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nce-id: chunked-ok\r\nConnection: close\r\n"
                + "Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        assertTrue(resp.startsWith("HTTP/1.1 202"), resp);
        assertEquals(1, produced("chunked-ok"));
    }

    // ---------------------------------------------------------------- the codec's own refusals

    @Test
    void codecRefusalsAreProblemsAndClose() throws Exception {
        String tooLongUri = "POST /v1/events/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertProblem(exchange(tooLongUri), 414, "uri-too-long");
        String hugeHeaders = "POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nx-pad: " + "b".repeat(20_000) + "\r\n\r\n";
        assertProblem(exchange(hugeHeaders), 431, "headers-too-large");
        assertProblem(exchange("NOT A REQUEST LINE AT ALL\r\n\r\n"), 400, "bad-request");
        assertProblem(
                exchange("POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n{}"),
                400,
                "bad-request");
        assertNormalEventAccepted();
    }

    // ---------------------------------------------------------------- content codings (RFC 9110 §8.4)

    @Test
    void aTruncatedGzipBodyIs400AndNothingIsStored() throws Exception {
        byte[] whole = gzip(("{\"long\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEncodingRefused(Arrays.copyOf(whole, whole.length - 12), "gzip", 400, "malformed-encoding");
        assertEncodingRefused(Arrays.copyOf(whole, whole.length / 2), "gzip", 400, "malformed-encoding");
    }

    @Test
    void aGzipBodyWithABadCrcIs400() throws Exception {
        byte[] bad = gzip("{\"crc\":1}".getBytes(StandardCharsets.UTF_8));
        bad[bad.length - 8] ^= 0x5a;
        assertEncodingRefused(bad, "gzip", 400, "malformed-encoding");
    }

    @Test
    void aBodyThatIsNotGzipAtAllIs400() throws Exception {
        assertEncodingRefused("{\"plain\":true}".getBytes(StandardCharsets.UTF_8), "gzip", 400, "malformed-encoding");
        assertEncodingRefused(new byte[0], "gzip", 400, "malformed-encoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "compress", "zstd", "gzip, gzip", "gzip, br", "x-unknown"})
    void aCodingTheRouterDoesNotDecodeIs415WithAcceptEncoding(String coding) throws Exception {
        String resp =
                assertEncodingRefused(gzip("{}".getBytes(StandardCharsets.UTF_8)), coding, 415, "unsupported-encoding");
        String accept = header(resp, "accept-encoding");
        assertTrue(accept != null && accept.contains("gzip"), resp);
    }

    @Test
    void aGzipBombIs413OnTheInflatedSize() throws Exception {
        byte[] bomb = gzip(new byte[4 * 1024 * 1024]);
        assertTrue(bomb.length < 8 * 1024, "the bomb is small: " + bomb.length);
        assertEncodingRefused(bomb, "gzip", 413, "too-large");
    }

    @Test
    void gzipAndDeflateBodiesAreStoredInflated() throws Exception {
        byte[] json = "{\"inflated\":true}".getBytes(StandardCharsets.UTF_8);
        String gz = exchange(
                head("proto", "enc-gzip", gzip(json).length, "Content-Encoding: GZip\r\nConnection: close\r\n"),
                gzip(json));
        assertTrue(gz.startsWith("HTTP/1.1 202"), gz);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(json);
        }
        String df = exchange(
                head("proto", "enc-deflate", z.size(), "Content-Encoding: deflate\r\nConnection: close\r\n"),
                z.toByteArray());
        assertTrue(df.startsWith("HTTP/1.1 202"), df);
        for (String id : List.of("enc-gzip", "enc-deflate")) {
            var r = kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                    .filter(x -> id.equals(EventRecords.text(x.headers(), "ce_id")))
                    .findFirst()
                    .orElseThrow();
            assertEquals("{\"inflated\":true}", new String(r.value(), StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------- helpers

    private void assertRefusedAndClosed(String raw, int status, String reason, String idPrefix) throws Exception {
        String resp = exchange(raw);
        assertProblem(resp, status, reason);
        assertClosedAfterOneResponse(resp);
        assertNothingProduced(idPrefix);
        assertNormalEventAccepted();
    }

    private String assertEncodingRefused(byte[] body, String coding, int status, String reason) throws Exception {
        String id = "enc-" + Integer.toHexString(Arrays.hashCode(body) ^ coding.hashCode() ^ status);
        String resp = exchange(
                head(
                        "proto",
                        id,
                        body.length,
                        "Content-Type: application/json\r\nConnection: close\r\nContent-Encoding: " + coding + "\r\n"),
                body);
        assertProblem(resp, status, reason);
        assertNothingProduced(id);
        assertNormalEventAccepted();
        return resp;
    }

    /** Sends the bytes on a new connection and reads until the router closes it or falls silent for a while. */
    private static String exchange(String head, byte[]... bodies) throws Exception {
        return RawHttp.exchange(new Socket("127.0.0.1", port), head, bodies);
    }

    private static long produced(String id) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .count();
    }

    private static void assertNothingProduced(String idPrefix) {
        Set<String> ids = kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                .map(r -> EventRecords.text(r.headers(), "ce_id"))
                .filter(id -> id != null && id.startsWith(idPrefix))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), ids, "nothing of the refused request reached Kafka");
    }

    private static void assertNormalEventAccepted() throws Exception {
        String id = "normal-" + System.nanoTime();
        String resp = exchange(
                request("proto", id, "{\"ok\":true}").replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"));
        assertTrue(resp.startsWith("HTTP/1.1 202"), resp);
        assertEquals(1, produced(id));
        assertTrue(router.readiness().ready());
    }
}
