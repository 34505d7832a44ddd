package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --raw-h2} against a real HTTP/2 server on loopback that allows only four streams per
 * connection, so requests also wait in the generator's queue: every request arrives as HTTP/2
 * with its headers and body, and every answer is counted as the server gave it.
 */
class RawH2ModeTest {

    private Vertx vertx;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final Set<String> badRequests = ConcurrentHashMap.newKeySet();
    private volatile int status = 202;

    @BeforeEach
    void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(4)))
                .requestHandler(req -> req.body().onSuccess(body -> {
                    requests.incrementAndGet();
                    int now = open.incrementAndGet();
                    maxOpen.accumulateAndGet(now, Math::max);
                    String key = req.getHeader("x-key");
                    if (req.version() != HttpVersion.HTTP_2
                            || key == null
                            || !key.startsWith("key-")
                            || body.length() != 200
                            || !String.valueOf(body.length()).equals(req.getHeader("content-length"))) {
                        badRequests.add(req.version() + " " + req.headers());
                    }
                    // Answer a little later, so streams stay open and the four-stream limit is reached.
                    vertx.setTimer(2, t -> {
                        open.decrementAndGet();
                        req.response()
                                .setStatusCode(status)
                                .putHeader("content-type", "application/json")
                                .end("{\"id\":\"" + UUID.randomUUID() + "\"}");
                    });
                }));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RunSummary run(int rate) {
        String url = "http://127.0.0.1:" + server.actualPort() + "/v1/events/demo";
        RunOptions o = RunOptions.parse(List.of(
                "--rate",
                String.valueOf(rate),
                "--duration",
                "1s",
                "--warmup",
                "0s",
                "--connections",
                "2",
                "--raw-h2",
                "--target",
                url,
                "--timeout",
                "5s"));
        try (Generator g = Generator.start(1, 0)) {
            return g.run(o, Target.external(url, null)).summary();
        }
    }

    @Test
    void everyRequestTravelsAsHttp2AndEveryAnswerIsCounted() {
        RunSummary s = run(2000);
        assertEquals(2000, s.counts().sent());
        assertEquals(2000, s.counts().acked());
        assertEquals(0, s.counts().errors());
        assertEquals(2000, requests.get());
        assertEquals(Set.of(), badRequests);
        // Two connections of four streams each: never more open at once, and the limit was reached.
        assertTrue(maxOpen.get() <= 8, "open streams " + maxOpen.get());
        assertTrue(maxOpen.get() >= 4, "the test never filled a connection: " + maxOpen.get());
    }

    @Test
    void anAnswerOtherThan202IsAnErrorOfItsStatus() {
        status = 503;
        RunSummary s = run(200);
        assertEquals(0, s.counts().acked());
        assertEquals(200, s.counts().errors());
        assertEquals(Map.of("http_503", 200L), s.errors());
    }

    @Test
    void rawH2IsItsOwnClient() {
        assertThrows(
                IllegalArgumentException.class, () -> RunOptions.parse(List.of("--rate", "10", "--raw-h2", "--http2")));
    }
}
