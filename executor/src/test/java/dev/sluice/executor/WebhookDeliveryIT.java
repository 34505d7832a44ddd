package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outgoing http steps carry the Standard Webhooks headers: a webhook-id stable per event,
 * workflow and step over every attempt (also sent as Idempotency-Key), a webhook-timestamp, and a
 * webhook-signature per secret, checked here by a verifier written from the spec, not by Sluice's code.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebhookDeliveryIT {

    private static final String OLD_SECRET = "whsec_"
            + Base64.getEncoder().encodeToString("the old key, 32 bytes long......".getBytes(StandardCharsets.UTF_8));
    private static final String NEW_SECRET = "whsec_"
            + Base64.getEncoder()
                    .encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -1, -2, -3, -4});

    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static Fixtures fixtures;
    private static ExecutorApp executor;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres, Redis redis, WebhookTarget target) throws Exception {
        webhook = target;
        for (String t : List.of("it.h.sig", "it.h.plain")) {
            for (String suffix : List.of("", ".expired", ".dlq")) {
                kafka.createTopic(t + suffix, 1, Duration.ofHours(1));
            }
        }
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "sig", "topic": "it.h.sig", "partitions": 1},
                            {"source": "plain", "topic": "it.h.plain", "partitions": 1}],
                 "workflows": [
                   {"name": "w-sig", "sources": ["sig"], "signing": {"secrets": ["%s", "%s"]},
                    "steps": [{"url": "%s"}, {"url": "%s"}]},
                   {"name": "w-plain", "sources": ["plain"], "steps": [{"url": "%s"}]}]}
                """.formatted(
                        OLD_SECRET, NEW_SECRET, webhook.url("/sig/a"), webhook.url("/sig/b"), webhook.url("/plain"))));
        vertx = Vertx.vertx();
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "1", "executor.retry.backoff", "50ms")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-webhook-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), postgres.createDatabase("webhook_delivery"));
        executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 2);
        fixtures = new Fixtures(kafka.bootstrapServers());
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (fixtures != null) {
            fixtures.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Standard Webhooks verification, from the spec: HMAC-SHA256 over "id.timestamp.body", base64, "v1," prefix. */
    private static boolean verifies(String secret, WebhookTarget.Received r) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] content = (r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.bodyAsString())
                .getBytes(StandardCharsets.UTF_8);
        byte[] expected = Base64.getEncoder().encode(mac.doFinal(content));
        for (String entry : r.header("webhook-signature").split(" ")) {
            int comma = entry.indexOf(',');
            if (comma > 0
                    && entry.substring(0, comma).equals("v1")
                    && MessageDigest.isEqual(
                            expected, entry.substring(comma + 1).getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyAttemptOfAStepCarriesOneIdAndASignaturePerSecretThatAnIndependentVerifierAccepts() throws Exception {
        webhook.respondNext(2, 503);
        String payload = "{\"amount\": 42, \"note\": \"signed bytes\"}";
        String id =
                fixtures.send("it.h.sig", "sig", "k", payload, "application/json", System.currentTimeMillis(), 20_000);
        String other =
                fixtures.send("it.h.sig", "sig", "k", payload, "application/json", System.currentTimeMillis(), 20_000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/sig/b").size() == 2);

        List<WebhookTarget.Received> a = webhook.received("/sig/a").stream()
                .filter(r -> id.equals(r.header("ce-id")))
                .toList();
        assertTrue(a.size() >= 2, "the first step was retried after a 503: " + a.size());
        Set<String> ids = new HashSet<>();
        long now = System.currentTimeMillis() / 1000;
        List<WebhookTarget.Received> all = new ArrayList<>(webhook.received("/sig/a"));
        all.addAll(webhook.received("/sig/b"));
        for (WebhookTarget.Received r : all) {
            String webhookId = r.header("webhook-id");
            assertTrue(webhookId != null && webhookId.matches("msg_[A-Za-z0-9_-]{24}"), webhookId);
            assertEquals(webhookId, r.header("idempotency-key"));
            long ts = Long.parseLong(r.header("webhook-timestamp"));
            assertTrue(Math.abs(now - ts) < 60, "timestamp " + ts + " vs now " + now);
            assertEquals(2, r.header("webhook-signature").split(" ").length, r.header("webhook-signature"));
            assertTrue(
                    verifies(OLD_SECRET, r), "the old secret's signature verifies: " + r.header("webhook-signature"));
            assertTrue(verifies(NEW_SECRET, r), "the new secret's signature verifies");
            ids.add(webhookId);
        }
        // Every attempt of one step of one event has one id; each step and each event has its own.
        assertEquals(1, a.stream().map(r -> r.header("webhook-id")).distinct().count());
        assertEquals(4, ids.size(), "2 events x 2 steps: " + ids);
        String bOfId = webhook.received("/sig/b").stream()
                .filter(r -> id.equals(r.header("ce-id")))
                .findFirst()
                .orElseThrow()
                .header("webhook-id");
        assertNotEquals(a.get(0).header("webhook-id"), bOfId);
        assertTrue(other != null);

        // A forged body does not verify (the verifier can fail).
        WebhookTarget.Received r = a.get(0);
        WebhookTarget.Received forged = new WebhookTarget.Received(
                r.method(),
                r.path(),
                r.headers(),
                payload.replace("42", "43").getBytes(StandardCharsets.UTF_8),
                r.receivedAtMillis(),
                r.version());
        assertTrue(!verifies(OLD_SECRET, forged) && !verifies(NEW_SECRET, forged));
    }

    @Test
    void anUnsignedWorkflowStillSendsTheIdTimestampAndIdempotencyKey() throws Exception {
        String id = fixtures.send("it.h.plain", "plain", null, "x", System.currentTimeMillis(), 20_000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/plain").size() == 1);
        WebhookTarget.Received r = webhook.received("/plain").get(0);
        assertEquals(id, r.header("ce-id"));
        assertTrue(r.header("webhook-id").startsWith("msg_"));
        assertEquals(r.header("webhook-id"), r.header("idempotency-key"));
        assertTrue(Long.parseLong(r.header("webhook-timestamp")) > 0);
        assertNull(r.header("webhook-signature"));
    }
}
