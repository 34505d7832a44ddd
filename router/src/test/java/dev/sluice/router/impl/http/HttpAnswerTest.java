package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A problem written after an answer failed half way: no stray header from the failed one, and no second head. */
class HttpAnswerTest {

    @Test
    void headersTheFailedAnswerHadSetDoNotGoOutWithTheProblem() throws Exception {
        HttpResponse<String> resp = TestHttp.post(req -> {
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
                () -> TestHttp.post(req -> {
                    req.response().setStatusCode(202).setChunked(true).write("{\"id\":");
                    new HttpAnswer(req, new AtomicBoolean(), 1)
                            .refused(Problems.Kind.INTERNAL, "broke (reference r)", Map.of());
                }));
        assertFalse(e instanceof HttpTimeoutException, "cut at once, not left for the client's timeout: " + e);
    }
}
