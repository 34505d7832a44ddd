package dev.sluice.router;

import static dev.sluice.router.H2Frames.CANCEL;
import static dev.sluice.router.H2Frames.END_HEADERS;
import static dev.sluice.router.H2Frames.ENHANCE_YOUR_CALM;
import static dev.sluice.router.H2Frames.GOAWAY;
import static dev.sluice.router.H2Frames.HEADERS;
import static dev.sluice.router.H2Frames.REFUSED_STREAM;
import static dev.sluice.router.H2Frames.RST_STREAM;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 abuse over raw sockets (RFC 9113): rapid reset (CVE-2023-44487: HEADERS then RST_STREAM,
 * over and over on one connection), more streams than the router announced, and floods of streams
 * whose bodies never come. Each is bounded by the router (GOAWAY ENHANCE_YOUR_CALM and a closed
 * connection, or refused streams), produces nothing, holds no body memory once the connection is
 * gone, and leaves the router ready for the next client.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2AbuseIT {

    private static final String TOPIC = "it.h2abuse.events";
    private static final int MAX_STREAMS = 16;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static KafkaBroker kafka;
    private static RouterFixture router;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        router = RouterFixture.start(
                kafka,
                """
                {"routes": [{"source": "h2", "topic": "%s", "maxBodyBytes": 65536}]}
                """.formatted(TOPIC),
                Map.of(
                        "router.http2.max.streams",
                        Integer.toString(MAX_STREAMS),
                        "router.body.timeout",
                        "60s",
                        "router.read.idle.timeout",
                        "60s",
                        "router.idle.timeout",
                        "60s"));
        router.warmUp("h2");
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    @AfterEach
    void nothingIsHeldOnceTheConnectionsAreGone() {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> router.gauge("sluice.router.body.reading") == 0
                        && router.gauge("sluice.router.body.inflight.bytes") == 0);
    }

    @Test
    void rapidResetIsAnsweredWithGoAwayEnhanceYourCalmAndProducesNothing() throws Exception {
        try (Socket s = open()) {
            CompletableFuture<H2Frames.Received> seen = CompletableFuture.supplyAsync(() -> read(s));
            OutputStream out = s.getOutputStream();
            out.write(H2Frames.start());
            out.write(H2Frames.settingsAck());
            int sent = 0;
            try {
                // Ten times what any client needs to cancel, in bursts: each stream announces a body, then is reset.
                for (int stream = 1; sent < 2000; stream += 2, sent++) {
                    ByteArrayOutputStream burst = new ByteArrayOutputStream();
                    burst.writeBytes(H2Frames.frame(
                            HEADERS,
                            END_HEADERS,
                            stream,
                            H2Frames.postHeaders("/v1/events/h2", 2, "ce-id", "rapid-" + stream)));
                    burst.writeBytes(H2Frames.rstStream(stream, CANCEL));
                    out.write(burst.toByteArray());
                }
                out.flush();
            } catch (SocketException cut) {
                // The router closed the connection while resets were still going out: the bound worked.
            }
            H2Frames.Received received = seen.get(30, TimeUnit.SECONDS);
            assertTrue(received.closed(), "the router closed the connection after " + sent + " resets");
            assertTrue(
                    received.goAway(ENHANCE_YOUR_CALM),
                    "GOAWAY ENHANCE_YOUR_CALM, got "
                            + received.frames().stream()
                                    .filter(f -> f.type() == GOAWAY)
                                    .map(f -> Integer.toString(f.errorCode()))
                                    .toList());
            // The router gave everything back although this client never closed its end.
            await().atMost(Duration.ofSeconds(10)).until(() -> router.gauge("sluice.router.body.reading") == 0);
        }
        assertNothingProduced("rapid-");
        assertRouterServesOthers();
    }

    @Test
    void streamsPastTheAnnouncedConcurrencyAreRefusedAndHoldNothing() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(H2Frames.start());
            out.write(H2Frames.settingsAck());
            out.flush();
            // Let the router's SETTINGS (max concurrent streams) take effect before the flood.
            awaitSettings(s);
            int streams = 4 * MAX_STREAMS;
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0, stream = 1; i < streams; i++, stream += 2) {
                flood.writeBytes(H2Frames.frame(
                        HEADERS,
                        END_HEADERS,
                        stream,
                        H2Frames.postHeaders("/v1/events/h2", 2, "ce-id", "over-" + stream)));
            }
            out.write(flood.toByteArray());
            out.flush();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> router.gauge("sluice.router.body.reading") == MAX_STREAMS);
            s.setSoTimeout(2_000);
            H2Frames.Received received = H2Frames.read(s.getInputStream());
            long refused = received.count(RST_STREAM, REFUSED_STREAM);
            assertEquals(
                    streams - MAX_STREAMS, refused, "each stream past the announced " + MAX_STREAMS + " is refused");
            assertEquals(
                    MAX_STREAMS, router.gauge("sluice.router.body.reading"), "only the announced streams are read");
            assertEquals(
                    0.0, router.gauge("sluice.router.body.inflight.bytes"), "header-only streams hold no body bytes");
        }
        assertNothingProduced("over-");
        assertRouterServesOthers();
    }

    @Test
    void aFloodOfStreamsWhoseBodiesNeverComeIsBoundedPerConnectionAndLeavesNothingBehind() throws Exception {
        int connections = 10;
        Socket[] held = new Socket[connections];
        try {
            for (int c = 0; c < connections; c++) {
                held[c] = open();
                OutputStream out = held[c].getOutputStream();
                out.write(H2Frames.start());
                out.write(H2Frames.settingsAck());
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                // Open and reset many streams, leaving the announced number open without bodies: churn with no end.
                for (int i = 0, stream = 1; i < 100; i++, stream += 2) {
                    flood.writeBytes(H2Frames.frame(
                            HEADERS,
                            END_HEADERS,
                            stream,
                            H2Frames.postHeaders("/v1/events/h2", 1000, "ce-id", "nobody-" + c + "-" + stream)));
                    if (i < 100 - MAX_STREAMS) {
                        flood.writeBytes(H2Frames.rstStream(stream, CANCEL));
                    }
                }
                out.write(flood.toByteArray());
                out.flush();
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> router.gauge("sluice.router.body.reading") == connections * MAX_STREAMS);
            assertEquals(
                    0.0,
                    router.gauge("sluice.router.body.inflight.bytes"),
                    "streams without bodies hold no body bytes");
            assertRouterServesOthers();
        } finally {
            for (Socket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> router.gauge("sluice.router.body.reading") == 0);
        assertNothingProduced("nobody-");
    }

    // ---------------------------------------------------------------- helpers

    private static Socket open() throws Exception {
        Socket s = new Socket("127.0.0.1", router.port());
        s.setSoTimeout(15_000);
        return s;
    }

    private static H2Frames.Received read(Socket s) {
        try {
            return H2Frames.read(s.getInputStream());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the router's first frame, its SETTINGS. */
    private static void awaitSettings(Socket s) throws Exception {
        byte[] head = s.getInputStream().readNBytes(9);
        assertEquals(9, head.length);
        assertEquals(H2Frames.SETTINGS, head[3]);
        int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
        s.getInputStream().readNBytes(length);
    }

    private static void assertNothingProduced(String idPrefix) {
        Set<String> ids = kafka.readAll(TOPIC, Duration.ofSeconds(3)).stream()
                .map(r -> EventRecords.text(r.headers(), "ce_id"))
                .filter(id -> id != null && id.startsWith(idPrefix))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), ids, "nothing of the abusive streams reached Kafka");
    }

    private static HttpResponse<String> normalEvent(String id) throws Exception {
        return ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/events/h2"))
                        .header("ce-id", id)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ok\":true}"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    /** Readiness holds and another client's event is accepted and stored, right after the abuse. */
    private static void assertRouterServesOthers() throws Exception {
        assertEquals(200, router.readinessStatus());
        String id = "after-" + System.nanoTime();
        HttpResponse<String> resp = normalEvent(id);
        assertEquals(202, resp.statusCode(), resp.body());
        assertEquals(
                1,
                kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                        .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                        .count());
    }
}
