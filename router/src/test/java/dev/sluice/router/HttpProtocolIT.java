package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The router's HTTP protocol edge, spoken over raw sockets against the real broker: message framing
 * (RFC 9112 §6: request smuggling), content codings (RFC 9110 §8.4), what headers alone may cost
 * (HTTP/1.1 and HTTP/2), and the codec's own refusals. Every refusal is checked for its status and
 * problem body or for the closed connection, for nothing reaching Kafka, and for the router taking
 * a normal event afterwards.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HttpProtocolIT {

    private static final String TOPIC = "it.protocol.events";
    private static final int BIG = 1024 * 1024;
    /** Small bounds, so that a test reaches them with a few bodies. */
    private static final long PROCESS_BOUND = 5L * 1024 * 1024 / 2;
    private static final long CONNECTION_BOUND = 2L * 1024 * 1024;

    private static KafkaBroker kafka;
    private static TestRouter it;
    private static RouterApp router;
    private static PrometheusMeterRegistry registry;
    private static int port;
    private final List<Socket> held = new ArrayList<>();

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        it = TestRouter.start(kafka, """
                {"routes": [
                  {"source": "proto", "topic": "%1$s", "maxBodyBytes": 65536},
                  {"source": "big", "topic": "%1$s", "maxBodyBytes": %2$d}]}
                """.formatted(TOPIC, BIG), Map.of("router.body.timeout", "60s", "router.read.idle.timeout", "60s",
                "router.idle.timeout", "60s", "router.body.inflight.bytes", Long.toString(PROCESS_BOUND),
                "router.body.inflight.connection.bytes", Long.toString(CONNECTION_BOUND)));
        router = it.app();
        registry = it.registry();
        port = it.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    @AfterEach
    void release() throws Exception {
        for (Socket s : held) {
            s.close();
        }
        held.clear();
        // Whatever a test held is given back once its connections are gone.
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge("sluice.router.body.inflight.bytes") <= 0
                && gauge("sluice.router.body.reading") <= 0);
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
    @ValueSource(strings = {"xchunked", "chunked, gzip", "gzip, chunked", "chunked, chunked", "identity", "chunked;q=1",
            "chunked\r\nTransfer-Encoding: chunked", "chunked\r\nTransfer-Encoding: x"})
    void aTransferCodingOtherThanExactlyChunkedIs400AndCloses(String coding) throws Exception {
        String tag = "smuggle-te-" + Integer.toHexString(coding.hashCode()) + "-";
        String smuggled = request("proto", tag + "2", "{}");
        String first = "POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nce-id: " + tag + "1\r\nTransfer-Encoding: " + coding
                + "\r\n\r\n" + chunked(smuggled);
        assertRefusedAndClosed(first + smuggled, 400, "bad-framing", tag);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding : chunked", "Transfer-Encoding:\u000bchunked", "Transfer-Encoding\u0000: chunked"})
    void anObfuscatedTransferEncodingFieldIs400AndCloses(String field) throws Exception {
        String tag = "smuggle-ob-" + Integer.toHexString(field.hashCode()) + "-";
        String smuggled = request("proto", tag + "2", "{}");
        String first = "POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nce-id: " + tag + "1\r\n" + field + "\r\n\r\n"
                + chunked(smuggled);
        String resp = exchange(first + smuggled);
        // The codec refuses the field's syntax (bad-request) or Sluice its coding (bad-framing): either way 400 and closed.
        assertTrue(resp.startsWith("HTTP/1.1 400") || resp.startsWith("HTTP/1.0 400"), resp);
        String reason = problem(resp).getString("reason");
        assertTrue(Set.of("bad-request", "bad-framing").contains(reason), resp);
        assertClosedAfterOneResponse(resp);
        assertNothingProduced(tag);
        assertNormalEventAccepted();
    }

    @Test
    void http10WithTransferEncodingIs400AndCloses() throws Exception {
        String first = "POST /v1/events/proto HTTP/1.0\r\nHost: x\r\nce-id: smuggle-10-1\r\nTransfer-Encoding: chunked\r\n\r\n"
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
        assertProblem(exchange("POST /v1/events/proto HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n{}"), 400, "bad-request");
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
        String resp = assertEncodingRefused(gzip("{}".getBytes(StandardCharsets.UTF_8)), coding, 415, "unsupported-encoding");
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
        String gz = exchange(head("proto", "enc-gzip", gzipLength(json), "Content-Encoding: GZip\r\nConnection: close\r\n"),
                gzip(json));
        assertTrue(gz.startsWith("HTTP/1.1 202"), gz);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(json);
        }
        String df = exchange(head("proto", "enc-deflate", z.size(), "Content-Encoding: deflate\r\nConnection: close\r\n"),
                z.toByteArray());
        assertTrue(df.startsWith("HTTP/1.1 202"), df);
        for (String id : List.of("enc-gzip", "enc-deflate")) {
            var r = kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                    .filter(x -> id.equals(EventRecords.text(x.headers(), "ce_id"))).findFirst().orElseThrow();
            assertEquals("{\"inflated\":true}", new String(r.value(), StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------- what headers alone may hold

    @Test
    void headerOnlyRequestsHoldNoBodyMemory() throws Exception {
        for (int i = 0; i < 200; i++) {
            Socket s = hold();
            s.getOutputStream().write(bytes("POST /v1/events/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + (BIG - 10) + "\r\n\r\n"));
            s.getOutputStream().flush();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge("sluice.router.body.reading") == 200);
        assertEquals(0.0, gauge("sluice.router.body.inflight.bytes"), "headers alone reserve no body bytes");
        assertNormalEventAccepted();
    }

    @Test
    void bodiesPastTheProcessBoundAre503WithRetryAfterAndNothingIsStored() throws Exception {
        long before = kafka.count(TOPIC);
        // Two connections each hold nearly 1 MiB of an unfinished body: 2 MiB of the 2.5 MiB bound.
        byte[] part = new byte[BIG - 100];
        Arrays.fill(part, (byte) 'a');
        for (int i = 0; i < 2; i++) {
            Socket s = hold();
            s.getOutputStream().write(bytes("POST /v1/events/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + (BIG - 10) + "\r\n\r\n"));
            s.getOutputStream().write(part);
            s.getOutputStream().flush();
        }
        // Without waiting the third body could arrive before the first two are counted.
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge("sluice.router.body.inflight.bytes") >= 2 * (BIG - 100));
        // A third body that cannot fit is refused at its headers, before the client sends it.
        String resp = exchange(head("big", "over-bound", BIG - 10, ""));
        assertProblem(resp, 503, "bodies-in-flight");
        assertTrue(header(resp, "retry-after") != null, resp);
        assertTrue(counter("bodies_in_flight") >= 1, "the refusal is counted by reason");
        for (Socket s : held) {
            s.close();
        }
        held.clear();
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge("sluice.router.body.inflight.bytes") == 0);
        assertEquals(before, kafka.count(TOPIC), "nothing reached Kafka");
        assertNormalEventAccepted();
    }

    @Test
    void http2HeaderOnlyStreamFloodsHoldNoBodyMemory() throws Exception {
        for (int c = 0; c < 8; c++) {
            Socket s = hold();
            OutputStream out = s.getOutputStream();
            out.write(H2Frames.PREFACE);
            out.write(H2Frames.frame(4, 0, 0, new byte[0]));
            for (int stream = 1; stream < 2 * 128; stream += 2) {
                out.write(H2Frames.frame(1, 0x4, stream, H2Frames.postHeaders("/v1/events/big", BIG - 10)));
            }
            out.flush();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("sluice.router.body.reading") == 8 * 128);
        assertEquals(0.0, gauge("sluice.router.body.inflight.bytes"), "header-only streams reserve no body bytes");
        assertNormalEventAccepted();
    }

    @Test
    void oneHttp2ConnectionIsHeldToItsOwnBound() throws Exception {
        long before = kafka.count(TOPIC);
        Socket s = hold();
        OutputStream out = s.getOutputStream();
        out.write(H2Frames.PREFACE);
        out.write(H2Frames.frame(4, 0, 0, new byte[0]));
        byte[] data = new byte[16 * 1024];
        Arrays.fill(data, (byte) 'c');
        // Three streams, each 700 KiB into a body of unannounced length: 2.1 MiB on one connection, over its 2 MiB.
        for (int stream = 1; stream <= 5; stream += 2) {
            out.write(H2Frames.frame(1, 0x4, stream, H2Frames.postHeaders("/v1/events/big", -1)));
            for (int i = 0; i < 700 / 16; i++) {
                out.write(H2Frames.frame(0, 0, stream, data));
            }
        }
        out.flush();
        await().atMost(Duration.ofSeconds(20)).until(() -> counter("bodies_in_flight") >= 1 + countedBefore);
        assertTrue(gauge("sluice.router.body.inflight.bytes") <= CONNECTION_BOUND, "one connection stays within its bound");
        assertEquals(before, kafka.count(TOPIC));
        assertNormalEventAccepted();
    }

    private double countedBefore;

    @org.junit.jupiter.api.BeforeEach
    void countBefore() {
        countedBefore = counter("bodies_in_flight");
    }

    // ---------------------------------------------------------------- helpers

    private Socket hold() throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        held.add(s);
        return s;
    }

    private static double gauge(String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? -1 : g.value();
    }

    private static double counter(String reason) {
        return registry.find("sluice.router.events").tag("outcome", reason).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static String request(String source, String id, String body) {
        return "POST /v1/events/" + source + " HTTP/1.1\r\nHost: x\r\nce-id: " + id + "\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String head(String source, String id, int length, String extra) {
        return "POST /v1/events/" + source + " HTTP/1.1\r\nHost: x\r\nce-id: " + id + "\r\nContent-Length: " + length + "\r\n" + extra + "\r\n";
    }

    private static String chunked(String payload) {
        return Integer.toHexString(payload.length()) + "\r\n" + payload + "\r\n0\r\n\r\n";
    }

    private void assertRefusedAndClosed(String raw, int status, String reason, String idPrefix) throws Exception {
        String resp = exchange(raw);
        assertProblem(resp, status, reason);
        assertClosedAfterOneResponse(resp);
        assertNothingProduced(idPrefix);
        assertNormalEventAccepted();
    }

    private static void assertClosedAfterOneResponse(String resp) {
        assertEquals(1, resp.split("HTTP/1\\.[01] ", -1).length - 1, "exactly one response, then the close: " + resp);
    }

    private String assertEncodingRefused(byte[] body, String coding, int status, String reason) throws Exception {
        String id = "enc-" + Integer.toHexString(Arrays.hashCode(body) ^ coding.hashCode() ^ status);
        String resp = exchange(head("proto", id, body.length, "Content-Type: application/json\r\nConnection: close\r\nContent-Encoding: " + coding + "\r\n"),
                body);
        assertProblem(resp, status, reason);
        assertNothingProduced(id);
        assertNormalEventAccepted();
        return resp;
    }

    /** Sends the bytes on a new connection and reads until the router closes it or falls silent for a while. */
    private static String exchange(String head, byte[]... bodies) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes(head));
            for (byte[] b : bodies) {
                out.write(b);
            }
            out.flush();
            return readToClose(s.getInputStream());
        }
    }

    private static String readToClose(InputStream in) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                seen.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException open) {
            // The connection stayed open: the caller's assertions say whether that was right.
            return seen.toString(StandardCharsets.ISO_8859_1) + "\n[still open]";
        } catch (java.net.SocketException reset) {
            // A reset after the answer is a close too.
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    private static void assertProblem(String resp, int status, String reason) {
        assertTrue(resp.startsWith("HTTP/1.1 " + status) || resp.startsWith("HTTP/1.0 " + status), resp);
        assertEquals("application/problem+json", header(resp, "content-type"), resp);
        JsonObject p = problem(resp);
        assertEquals(reason, p.getString("reason"), resp);
        assertEquals(status, p.getInteger("status"));
    }

    private static JsonObject problem(String resp) {
        int start = resp.indexOf("\r\n\r\n") + 4;
        return new JsonObject(resp.substring(start, resp.lastIndexOf('}') + 1));
    }

    private static String header(String resp, String name) {
        for (String line : resp.substring(0, Math.max(0, resp.indexOf("\r\n\r\n"))).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static long produced(String id) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream().filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id"))).count();
    }

    private static void assertNothingProduced(String idPrefix) {
        Set<String> ids = kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream().map(r -> EventRecords.text(r.headers(), "ce_id"))
                .filter(id -> id != null && id.startsWith(idPrefix)).collect(Collectors.toSet());
        assertEquals(Set.of(), ids, "nothing of the refused request reached Kafka");
    }

    private static void assertNormalEventAccepted() throws Exception {
        String id = "normal-" + System.nanoTime();
        String resp = exchange(request("proto", id, "{\"ok\":true}").replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"));
        assertTrue(resp.startsWith("HTTP/1.1 202"), resp);
        assertEquals(1, produced(id));
        assertTrue(router.readiness().ready());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(z)) {
            gz.write(data);
        }
        return z.toByteArray();
    }

    private static int gzipLength(byte[] data) throws Exception {
        return gzip(data).length;
    }
}
