package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebhookTargetIT {

    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private WebhookTarget target;

    @BeforeEach
    void start() {
        target = WebhookTarget.start();
    }

    @AfterEach
    void close() {
        target.close();
    }

    @Test
    void recordsMethodPathHeadersAndBodyByteForByte() throws Exception {
        byte[] body = new byte[70_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        long before = System.currentTimeMillis();

        HttpResponse<Void> response = client.send(
                HttpRequest.newBuilder(URI.create(target.url("/hooks/a?x=1")))
                        .header("Content-Type", "application/octet-stream")
                        .header("X-Sluice-Key", "A")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());

        assertEquals(200, response.statusCode());
        assertTrue(target.url("/p").matches("http://127\\.0\\.0\\.1:\\d+/p"), target.url("/p"));
        List<WebhookTarget.Received> received = target.received();
        assertEquals(1, received.size());
        WebhookTarget.Received request = received.get(0);
        assertEquals("POST", request.method());
        assertEquals("/hooks/a", request.path());
        assertEquals("application/octet-stream", request.headers().get("content-type"));
        assertEquals("A", request.headers().get("x-sluice-key"));
        assertEquals("A", request.header("X-Sluice-Key"));
        assertArrayEquals(body, request.body());
        assertTrue(request.receivedAtMillis() >= before && request.receivedAtMillis() <= System.currentTimeMillis());
        assertEquals(1, target.received("/hooks/a").size());
        assertEquals(0, target.received("/hooks/b").size());
    }

    @Test
    void answersWithTheConfiguredStatusesAndResetRestoresDefaults() throws Exception {
        target.respondWith(503);
        assertEquals(503, post("/s", "x").statusCode());

        target.respondWith(200);
        target.respondNext(2, 500);
        assertEquals(500, post("/s", "1").statusCode());
        assertEquals(500, post("/s", "2").statusCode());
        assertEquals(200, post("/s", "3").statusCode());
        assertEquals(
                List.of("x", "1", "2", "3"),
                target.received("/s").stream()
                        .map(WebhookTarget.Received::bodyAsString)
                        .toList());

        target.respondWith(418);
        target.delay(Duration.ofSeconds(5));
        target.reset();

        assertEquals(List.of(), target.received());
        long started = System.nanoTime();
        assertEquals(200, post("/s", "after reset").statusCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(2)) < 0);
    }

    @Test
    void delaysAnswersWithoutHoldingUpOthers() throws Exception {
        target.delay(Duration.ofMillis(300));
        long started = System.nanoTime();
        assertEquals(200, post("/d", "slow").statusCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 300);

        target.delay(Duration.ZERO);
        target.delayFor("X-Key", "A", Duration.ofSeconds(2));
        long sentAt = System.nanoTime();
        CompletableFuture<Long> slow = timed("A");
        CompletableFuture<Long> fast = timed("B");

        long fastDone = fast.get(10, TimeUnit.SECONDS);
        assertFalse(slow.isDone(), "key B was answered while key A was still delayed");
        long slowDone = slow.get(10, TimeUnit.SECONDS);
        assertTrue(slowDone > fastDone);
        assertTrue(Duration.ofNanos(slowDone - sentAt).toMillis() >= 2_000);
    }

    @Test
    void closeStopsTheServer() {
        String url = target.url("/gone");
        target.close();
        assertThrows(
                ConnectException.class,
                () -> client.send(
                        HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()));
    }

    private HttpResponse<Void> post(String path, String body) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(target.url(path)))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Sends a request with header X-Key and completes with the nano time its answer came. */
    private CompletableFuture<Long> timed(String key) {
        return client.sendAsync(
                        HttpRequest.newBuilder(URI.create(target.url("/k")))
                                .header("X-Key", key)
                                .POST(HttpRequest.BodyPublishers.ofString(key))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> System.nanoTime());
    }
}
