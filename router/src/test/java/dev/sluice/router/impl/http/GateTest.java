package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.router.impl.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An exception in an ingest stage is a 500 problem with a reference, never silence or a hung request. */
class GateTest {

    @Test
    void aStageThatThrowsIsAnswered500WithAReferenceAndCounted() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RouterMetrics.RouteMeters meters = new RouterMetrics(registry, List.of("r")).route("r");
        Gate gate = new Gate(null, null);
        HttpResponse<String> resp = TestHttp.post(req -> gate.guarded(req, meters, () -> {
            throw new StringIndexOutOfBoundsException("a bug");
        }));
        assertEquals(500, resp.statusCode());
        assertEquals(
                Problems.CONTENT_TYPE, resp.headers().firstValue("content-type").orElse(""));
        JsonObject problem = new JsonObject(resp.body());
        assertEquals("internal-error", problem.getString("reason"));
        assertTrue(problem.getString("detail").matches(".*reference [0-9a-f-]{36}.*"), problem.encode());
        assertEquals(1.0, TestHttp.internalErrors(registry));
    }
}
