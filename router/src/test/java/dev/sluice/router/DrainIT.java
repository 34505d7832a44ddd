package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM under load: the router stops taking work, answers what it has, flushes and stops. Every
 * request answered 202 is in Kafka; every request the router started reading got an answer.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrainIT {

    @Test
    void drainingUnderLoadLosesNoAcceptedEventAndLeavesNoRequestUnanswered(KafkaBroker kafka) throws Exception {
        String topic = "it.drain.events";
        kafka.createTopic(topic, 3, Duration.ofMinutes(10));
        Vertx vertx = Vertx.vertx();
        int port = Ports.freePort();
        RouterApp router = RouterIT.startRouter(vertx, kafka, RouterIT.catalog(topic), port, Ports.freePort());
        // The load starts on a warm route: the first produce to a new topic waits on its metadata, which on a
        // busy machine can outlast the produce timeout (503 produce-timeout, not what this test is about).
        java.net.http.HttpRequest warm = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v1/events/byid"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .timeout(Duration.ofSeconds(10))
                .build();
        java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> ContractCheck.check(plain.send(warm, java.net.http.HttpResponse.BodyHandlers.ofString()))
                                .statusCode()
                        == 202);
        HttpClientAgent client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(16));
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        int[] nSent = {0};
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        List<Future<Void>> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Map.Entry<io.vertx.core.http.HttpClientResponse, Buffer>> answers =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            // A steady stream of requests, one per millisecond; the drain starts half-way through. Like a
            // load balancer once readiness turns false, the client stops sending when it is told the
            // router is draining; what it already sent must all be answered.
            java.util.concurrent.CompletableFuture<Void> sent = new java.util.concurrent.CompletableFuture<>();
            int[] n = {0};
            java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
            int[] outstanding = {0};
            boolean[] closing = {false};
            vertx.setPeriodic(1, id -> {
                if (!closing[0] && accepted.size() >= 300) {
                    closing[0] = true;
                    router.close();
                }
                if (n[0] == 5000 || told.get()) {
                    vertx.cancelTimer(id);
                    sent.complete(null);
                    return;
                }
                if (outstanding[0] >= 16) {
                    return;
                }
                n[0]++;
                outstanding[0]++;
                all.add(client.request(new RequestOptions()
                                .setMethod(HttpMethod.POST)
                                .setHost("127.0.0.1")
                                .setPort(port)
                                .setURI("/v1/events/byid"))
                        .compose(req -> req.send(Buffer.buffer("{\"i\":1}")))
                        .compose(resp -> resp.body().map(body -> {
                            answers.add(Map.entry(resp, body));
                            if (resp.statusCode() == 202) {
                                accepted.add(new JsonObject(body).getString("id"));
                                outcomes.merge("202", 1, Integer::sum);
                            } else {
                                String reason = new JsonObject(body).getString("reason");
                                told.compareAndSet(false, "draining".equals(reason));
                                outcomes.merge(resp.statusCode() + " " + reason, 1, Integer::sum);
                            }
                            return (Void) null;
                        }))
                        .recover(err -> {
                            outcomes.merge(classify(err), 1, Integer::sum);
                            return Future.succeededFuture();
                        })
                        .onComplete(x -> outstanding[0]--));
            });
            sent.get(60, TimeUnit.SECONDS);
            nSent[0] = n[0];
            Future.join(all).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            client.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Set<String> stored = kafka.readAll(topic, Duration.ofSeconds(20)).stream()
                .map(r -> EventRecords.text(r.headers(), "ce_id"))
                .collect(Collectors.toSet());
        assertTrue(accepted.size() >= 300, "events were accepted before the drain: " + outcomes);
        assertTrue(
                stored.containsAll(accepted),
                "every 202 is in Kafka; missing "
                        + accepted.stream().filter(id -> !stored.contains(id)).count() + " of " + accepted.size());
        // Every request got an answer, 202 or 503 'draining' — no reset and no silence. A refused connect
        // (the listener already closed, nothing sent) is the one other outcome a client can see.
        for (String outcome : outcomes.keySet()) {
            assertTrue(
                    outcome.equals("202") || outcome.equals("503 draining") || outcome.equals("refused"),
                    "unexpected outcome " + outcome + " in " + outcomes);
        }
        assertEquals(
                nSent[0],
                outcomes.values().stream().mapToInt(Integer::intValue).sum(),
                "answers for every request sent");
        assertTrue(outcomes.containsKey("503 draining"), "the drain was observed: " + outcomes);
        answers.forEach(a -> ContractCheck.check("POST", "/v1/events/byid", a.getKey(), a.getValue()));
    }

    private static String classify(Throwable err) {
        Throwable t = err;
        while (t != null) {
            if (t instanceof ConnectException) {
                return "refused";
            }
            t = t.getCause();
        }
        return err.getClass().getSimpleName() + ": " + err.getMessage();
    }
}
