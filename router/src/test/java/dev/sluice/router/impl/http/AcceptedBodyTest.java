package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AcceptedBodyTest {

    @Test
    void theAcceptedBodyIsJsonWithTheIdAndTheDeadline() {
        long deadline = Instant.parse("2026-11-28T03:49:06.120Z").toEpochMilli();
        JsonObject plain = new JsonObject(AcceptedBody.of("0193a5b2-7c3e-7000-8000-000000000001", deadline));
        assertEquals("0193a5b2-7c3e-7000-8000-000000000001", plain.getString("id"));
        assertEquals("2026-11-28T03:49:06.120Z", plain.getString("deadline"));
    }

    @Test
    void aSendersIdIsEscaped() {
        String id = "order \"42\"\\\n\u00e9\u2028";
        assertEquals(id, new JsonObject(AcceptedBody.of(id, 0)).getString("id"));
    }
}
