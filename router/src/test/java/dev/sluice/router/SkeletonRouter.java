package dev.sluice.router;

import static org.awaitility.Awaitility.await;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A router with {@link RouterIT#catalog}'s routes on a topic of its own, ready for everything but
 * its route whose topic never exists: readiness answers 503 once the topic is ready.
 */
final class SkeletonRouter implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String topic;
    final int managementPort;
    private final int port;
    private final KafkaBroker kafka;
    private final Vertx vertx;
    private final RouterApp router;

    private SkeletonRouter(
            String topic, int port, int managementPort, KafkaBroker kafka, Vertx vertx, RouterApp router) {
        this.topic = topic;
        this.port = port;
        this.managementPort = managementPort;
        this.kafka = kafka;
        this.vertx = vertx;
        this.router = router;
    }

    static SkeletonRouter start(KafkaBroker kafka, String topic) throws Exception {
        kafka.createTopic(topic, 3, Duration.ofMinutes(10));
        Vertx vertx = Vertx.vertx();
        int port = Ports.freePort();
        int managementPort = Ports.freePort();
        SkeletonRouter s;
        try {
            s = new SkeletonRouter(
                    topic,
                    port,
                    managementPort,
                    kafka,
                    vertx,
                    RouterIT.startRouter(vertx, kafka, RouterIT.catalog(topic), port, managementPort));
        } catch (Exception | Error e) {
            vertx.close();
            throw e;
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> s.get("/health/ready").statusCode() == 503
                        && s.get("/health/ready").body().contains("\"" + topic + "\":\"ready\""));
        return s;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A POST to the ingest port, its answer checked against the contract. */
    HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return ContractCheck.check(send(b.build()));
    }

    /** A GET on the management port. */
    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10))
                .build());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    ConsumerRecord<byte[], byte[]> recordWithId(String id) {
        return kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    long count() {
        return kafka.count(topic);
    }

    @Override
    public void close() throws Exception {
        try {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
