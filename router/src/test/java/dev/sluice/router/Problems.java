package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;

/** Checks that an answer is the problem (RFC 9457) the router gives for one refusal. */
final class Problems {

    private Problems() {}

    static void assertProblem(HttpResponse<String> r, int status, String reason) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/problem+json",
                r.headers().firstValue("content-type").orElse(""));
        JsonObject p = new JsonObject(r.body());
        assertEquals(status, p.getInteger("status"));
        assertEquals(reason, p.getString("reason"), r.body());
        assertEquals("urn:sluice:problem:" + reason, p.getString("type"));
        assertNotNull(p.getString("title"));
        assertNotNull(p.getString("detail"));
    }
}
