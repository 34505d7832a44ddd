package dev.sluice.router;

import static dev.sluice.router.AccessStack.hmac;
import static dev.sluice.router.AccessStack.ingest;
import static dev.sluice.router.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A signed public source on two routers sharing Redis: a delivery is stored once and answered with
 * the original event on either router whatever spelling of its signature is sent again, and a
 * wrong, tampered or stale signature is refused with 401.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SignedDeliveryIT {

    private static AccessStack stack;
    private static RouterApp a;
    private static RouterApp b;
    private static KafkaBroker kafka;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres pg, Redis redis) throws Exception {
        SignedDeliveryIT.kafka = kafka;
        stack = AccessStack.start(kafka, pg, redis, "access_signed");
        a = stack.a;
        b = stack.b;
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aSignedPublicSourceAnswersReplaysWithTheOriginalOnEitherRouterAndRefusesBadSignatures() throws Exception {
        String tenant = stack.admin.newTenant("signed-" + System.nanoTime());
        String source = "hooks-" + tenant;
        stack.putSource(
                source,
                "{\"topic\": \"" + stack.topic + "\", \"tenant\": \"" + tenant + "\", \"auth\": \"public\", "
                        + "\"signature\": {\"scheme\": \"sluice\", \"secrets\": [\"old\", \"new\"], \"tolerance\": \"2m\"}}");
        String body = "{\"paid\": 10}";
        long now = System.currentTimeMillis() / 1000;
        String mac = hmac("new", now + "." + body);
        String sig = "t=" + now + ",v1=" + mac;
        HttpResponse<String> first = ingest(a, source, body, "Sluice-Signature", sig);
        assertEquals(202, first.statusCode(), first.body());
        String id = new JsonObject(first.body()).getString("id");
        // The same delivery, spelled as the scheme allows: every one is the original, answered with its id, never a new
        // event.
        for (String spelling : List.of(
                sig,
                sig + ",v1=00",
                sig + ",v1=" + hmac("old", "other"),
                "v1=" + mac + ",t=" + now,
                " t=" + now + " , v1=" + mac + " ",
                "t=" + now + ",v0=junk,v1=" + mac)) {
            for (RouterApp r : List.of(a, b)) {
                HttpResponse<String> again = ingest(r, source, body, "Sluice-Signature", spelling);
                assertEquals(202, again.statusCode(), spelling + ": " + again.body());
                assertEquals(id, new JsonObject(again.body()).getString("id"), spelling);
                assertEquals(
                        "true",
                        again.headers().firstValue("idempotent-replayed").orElse(null),
                        spelling);
            }
        }
        assertEquals(
                1,
                kafka.readAll(stack.topic, Duration.ofSeconds(5)).stream()
                        .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                        .count(),
                "one delivery, one event");
        String fresh = "t=" + (now + 1) + ",v1=" + hmac("old", (now + 1) + "." + body);
        assertEquals(202, ingest(b, source, body, "Sluice-Signature", fresh).statusCode(), "a new signature passes");
        assertProblem(
                ingest(a, source, body, "Sluice-Signature", "t=" + now + ",v1=" + hmac("wrong", now + "." + body)),
                401,
                "bad-signature");
        assertProblem(
                ingest(
                        a,
                        source,
                        "{\"paid\": 99}",
                        "Sluice-Signature",
                        "t=" + (now + 2) + ",v1=" + hmac("new", (now + 2) + "." + body)),
                401,
                "bad-signature");
        long stale = now - 600;
        assertProblem(
                ingest(a, source, body, "Sluice-Signature", "t=" + stale + ",v1=" + hmac("new", stale + "." + body)),
                401,
                "bad-signature");
    }
}
