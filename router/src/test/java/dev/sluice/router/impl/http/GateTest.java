package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.router.impl.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An exception in an ingest stage is a 500 problem with a reference, never silence or a hung request. */
class GateTest {

    @Test
    void aStageThatThrowsIsAnswered500WithAReferenceAndCounted() throws Exception {
        Vertx vertx = Vertx.vertx();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RouterMetrics.RouteMeters meters = new RouterMetrics(registry, List.of("r")).route("r");
        Gate gate = new Gate(null, null);
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(req -> gate.guarded(req, meters, () -> {
                        throw new StringIndexOutOfBoundsException("a bug");
                    }))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            HttpResponse<String> resp = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/events/x"))
                                    .timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(500, resp.statusCode());
            assertEquals(
                    Problems.CONTENT_TYPE,
                    resp.headers().firstValue("content-type").orElse(""));
            JsonObject problem = new JsonObject(resp.body());
            assertEquals("internal-error", problem.getString("reason"));
            assertTrue(problem.getString("detail").matches(".*reference [0-9a-f-]{36}.*"), problem.encode());
            assertEquals(
                    1.0,
                    registry.get("sluice.router.events")
                            .tag("outcome", "internal_error")
                            .counter()
                            .count());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
