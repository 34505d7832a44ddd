package dev.sluice.router;

import static dev.sluice.router.RawHttp.assertProblem;
import static dev.sluice.router.RawHttp.bytes;
import static dev.sluice.router.RawHttp.head;
import static dev.sluice.router.RawHttp.header;
import static dev.sluice.router.RawHttp.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What request bodies may hold in the router's memory, over raw sockets (HTTP/1.1 and HTTP/2):
 * headers alone reserve nothing, and bodies are bounded per process and per connection by the bytes
 * that arrived, never by what a Content-Length announces. Past a bound the answer is 503
 * {@code bodies-in-flight}; nothing reaches Kafka and the router takes a normal event afterwards.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BodyBoundsIT {

    private static final String TOPIC = "it.bodies.events";
    private static final int BIG = 1024 * 1024;
    /** Small bounds, so that a test reaches them with a few bodies. */
    private static final long PROCESS_BOUND = 5L * 1024 * 1024 / 2;

    private static final long CONNECTION_BOUND = 2L * 1024 * 1024;

    private static KafkaBroker kafka;
    private static RouterFixture it;
    private final List<Socket> held = new ArrayList<>();
    private double countedBefore;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        it = RouterFixture.start(
                kafka,
                """
                {"routes": [
                  {"source": "proto", "topic": "%1$s", "maxBodyBytes": 65536},
                  {"source": "big", "topic": "%1$s", "maxBodyBytes": %2$d}]}
                """.formatted(TOPIC, BIG),
                Map.of(
                        "router.body.timeout",
                        "60s",
                        "router.read.idle.timeout",
                        "60s",
                        "router.idle.timeout",
                        "60s",
                        "router.body.inflight.bytes",
                        Long.toString(PROCESS_BOUND),
                        "router.body.inflight.connection.bytes",
                        Long.toString(CONNECTION_BOUND)));
        it.warmUp("proto");
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    @BeforeEach
    void countBefore() {
        countedBefore = counter("bodies_in_flight");
    }

    @AfterEach
    void release() throws Exception {
        for (Socket s : held) {
            s.close();
        }
        held.clear();
        // Whatever a test held is given back once its connections are gone.
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        gauge("sluice.router.body.inflight.bytes") <= 0 && gauge("sluice.router.body.reading") <= 0);
    }

    @Test
    void headerOnlyRequestsHoldNoBodyMemory() throws Exception {
        for (int i = 0; i < 200; i++) {
            Socket s = hold();
            s.getOutputStream()
                    .write(bytes(
                            "POST /v1/events/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + (BIG - 10) + "\r\n\r\n"));
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
            s.getOutputStream()
                    .write(bytes(
                            "POST /v1/events/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + (BIG - 10) + "\r\n\r\n"));
            s.getOutputStream().write(part);
            s.getOutputStream().flush();
        }
        // Without waiting the third body could arrive before the first two are counted.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> gauge("sluice.router.body.inflight.bytes") >= 2 * (BIG - 100));
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
        assertTrue(
                gauge("sluice.router.body.inflight.bytes") <= CONNECTION_BOUND,
                "one connection stays within its bound");
        assertEquals(before, kafka.count(TOPIC));
        assertNormalEventAccepted();
    }

    // ---------------------------------------------------------------- helpers

    private Socket hold() throws Exception {
        Socket s = new Socket("127.0.0.1", it.port());
        s.setSoTimeout(20_000);
        held.add(s);
        return s;
    }

    private static double gauge(String name) {
        return it.gauge(name);
    }

    private static double counter(String reason) {
        return it.events(reason);
    }

    private static String exchange(String head) throws Exception {
        return RawHttp.exchange(new Socket("127.0.0.1", it.port()), head);
    }

    private static void assertNormalEventAccepted() throws Exception {
        String id = "normal-" + System.nanoTime();
        String resp = exchange(
                request("proto", id, "{\"ok\":true}").replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"));
        assertTrue(resp.startsWith("HTTP/1.1 202"), resp);
        assertEquals(
                1,
                kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                        .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                        .count());
        assertTrue(it.app().readiness().ready());
    }
}
