package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A problem written after an answer failed half way: no stray header from the failed one, and no second head. */
class HttpAnswerTest {

    /**
     * The answer to one POST handled by {@code handler}, waited for at most 10 s in all: the JDK
     * client's own request timeout ends once a head has arrived, and a body that never ends would
     * otherwise be waited for without end.
     */
    private static HttpResponse<String> post(Consumer<HttpServerRequest> handler) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(req -> req.end().onComplete(v -> handler.accept(req)))
                    .listen(0, "127.0.0.1")
                    .await();
            CompletableFuture<HttpResponse<String>> resp = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .sendAsync(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/events/x"))
                                    .timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            try {
                return resp.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw (Exception) e.getCause();
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void headersTheFailedAnswerHadSetDoNotGoOutWithTheProblem() throws Exception {
        HttpResponse<String> resp = post(req -> {
            req.response().putHeader("idempotent-replayed", "true").putHeader("content-type", "application/json");
            new HttpAnswer(req, new AtomicBoolean(), 1)
                    .refused(Problems.Kind.INTERNAL, "broke (reference r)", Map.of());
        });
        assertEquals(500, resp.statusCode());
        assertEquals(
                Problems.CONTENT_TYPE, resp.headers().firstValue("content-type").orElse(""));
        assertTrue(
                resp.headers().firstValue("idempotent-replayed").isEmpty(),
                resp.headers().map().toString());
        assertEquals("internal-error", new JsonObject(resp.body()).getString("reason"));
    }

    @Test
    void aProblemAfterTheHeadWentOutCutsTheConnectionInsteadOfHangingOrWritingASecondHead() {
        IOException e = assertThrows(
                IOException.class,
                () -> post(req -> {
                    req.response().setStatusCode(202).setChunked(true).write("{\"id\":");
                    new HttpAnswer(req, new AtomicBoolean(), 1)
                            .refused(Problems.Kind.INTERNAL, "broke (reference r)", Map.of());
                }));
        assertFalse(e instanceof HttpTimeoutException, "cut at once, not left for the client's timeout: " + e);
    }
}
