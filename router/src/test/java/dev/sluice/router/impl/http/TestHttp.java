package dev.sluice.router.impl.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** One request to a throwaway server, and the counts the pipeline's unit tests read. */
final class TestHttp {

    private TestHttp() {}

    /**
     * The answer to one POST handled by {@code handler}, waited for at most 10 s in all: the JDK
     * client's own request timeout ends once a head has arrived, and a body that never ends would
     * otherwise be waited for without end.
     */
    static HttpResponse<String> post(Consumer<HttpServerRequest> handler) throws Exception {
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

    /** Events counted {@code internal_error}: a fault in Sluice, answered with a reference. */
    static double internalErrors(MeterRegistry registry) {
        return registry.get("sluice.router.events")
                .tag("outcome", "internal_error")
                .counter()
                .count();
    }
}
