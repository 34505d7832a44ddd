package dev.sluice.router;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A router with the production ingest edge's routes (batches, content types, pointer keys,
 * signatures) on a topic of its own, short header, body and idle timeouts, and its catalog file
 * watched every 200 ms, so a test can add a route by rewriting the file.
 */
final class EdgeRouter implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final String CATALOG = """
            {"routes": [
              {"source": "batchy", "topic": "%1$s", "partitions": 3, "maxBatchEvents": 5, "maxBodyBytes": 4096},
              {"source": "typed", "topic": "%1$s", "contentTypes": ["application/json"]},
              {"source": "bypointer", "topic": "%1$s", "key": "pointer:/device"},
              {"source": "lenient", "topic": "%1$s", "key": "pointer:/device", "keyFallback": "id"},
              {"source": "signed", "topic": "%1$s", "signature": {"scheme": "sluice", "secrets": ["s3cret"]}}%2$s]}
            """;

    final String topic;
    final Path catalogFile;
    private final KafkaBroker kafka;
    private final RouterFixture router;

    private EdgeRouter(String topic, Path catalogFile, KafkaBroker kafka, RouterFixture router) {
        this.topic = topic;
        this.catalogFile = catalogFile;
        this.kafka = kafka;
        this.router = router;
    }

    static EdgeRouter start(KafkaBroker kafka, String topic) throws Exception {
        kafka.createTopic(topic, 3, Duration.ofMinutes(10));
        Path file = Files.createTempFile("sluice-catalog", ".json");
        try {
            Files.writeString(file, catalog(topic, ""));
            RouterFixture router = RouterFixture.start(
                    kafka,
                    catalog(topic, ""),
                    Map.of(
                            "router.header.timeout",
                            "1s",
                            "router.body.timeout",
                            "1s",
                            "router.catalog.reload",
                            "200ms",
                            "router.read.idle.timeout",
                            "2s"));
            router.app().watchCatalog(file);
            return new EdgeRouter(topic, file, kafka, router);
        } catch (Exception | Error e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** The catalog of the edge's routes on {@code topic}, with {@code moreRoutes} (",{...}") appended. */
    static String catalog(String topic, String moreRoutes) {
        return CATALOG.formatted(topic, moreRoutes);
    }

    HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path))
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return ContractCheck.check(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** The record whose {@code ce_id} is {@code id}, or null. */
    ConsumerRecord<byte[], byte[]> record(String id) {
        return kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    long count() {
        return kafka.count(topic);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        try {
            router.close();
        } finally {
            Files.deleteIfExists(catalogFile);
        }
    }
}
