package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.core.Catalog;
import dev.sluice.router.impl.http.IngestVerticle;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A manual run whose workflow lookup fails: an exception nobody expects (here, the directory itself
 * throws) is a 500 problem whose reference is in the log, answered at once, never a hung request;
 * a PostgreSQL that does not answer stays a 503 {@code workflows-unavailable}. Nothing reaches Kafka.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManualRunFailureIT {

    private static final String TOPIC = "it.manual.failure";
    // HTTP/1.1: what is tested is the answer, not the protocol. The JDK client's h2c upgrade of a POST
    // was once answered with a GOAWAY before the 500 arrived (1 CI run in 4); HTTP/2 has ITs of its own.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** What the directory's pool supplier does: throw, or give a pool that cannot connect. */
    private static final AtomicReference<Supplier<Pool>> POOL = new AtomicReference<>();

    private static KafkaBroker kafka;
    private static WiredIngest ingest;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "orders", "topic": "%s", "tenant": "acme"}],
                 "workflows": [{"name": "notify", "sources": ["orders"], "steps": [{"url": "http://127.0.0.1:9/hook"}]}]}
                """.formatted(TOPIC)));
        ingest = new WiredIngest(kafka, catalog, Map.of());
        WorkflowDirectory directory =
                new WorkflowDirectory(catalog.workflows(), () -> POOL.get().get());
        ingest.deploy(new IngestVerticle(ingest.state, directory, ingest.access));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ingest != null) {
            ingest.close();
        }
    }

    private static HttpResponse<String> run() throws Exception {
        return ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.httpPort + "/v1/workflows/notify/runs"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + ingest.key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"by\": \"hand\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void anUnexpectedExceptionInTheLookupIs500WithTheReferenceItLogged() throws Exception {
        POOL.set(() -> {
            throw new IllegalStateException("the directory exploded");
        });
        Logger gate = (Logger) LoggerFactory.getLogger("dev.sluice.router.impl.http.Gate");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        gate.addAppender(logged);
        try {
            HttpResponse<String> r = run();
            assertEquals(500, r.statusCode(), r.body());
            assertEquals(
                    "application/problem+json",
                    r.headers().firstValue("content-type").orElse(""));
            JsonObject problem = new JsonObject(r.body());
            assertEquals("internal-error", problem.getString("reason"), r.body());
            Matcher ref = Pattern.compile("reference ([0-9a-f-]{36})").matcher(problem.getString("detail"));
            assertTrue(ref.find(), "the answer names a reference: " + r.body());
            assertTrue(
                    logged.list.stream()
                            .anyMatch(e ->
                                    e.getFormattedMessage().contains(ref.group(1)) && e.getThrowableProxy() != null),
                    "the same reference is logged with the exception");
            assertEquals(0, kafka.count(TOPIC));
            // The router goes on: the next run is answered too.
            assertEquals(500, run().statusCode());
        } finally {
            gate.detachAppender(logged);
        }
    }

    @Test
    void aPostgresThatDoesNotAnswerIs503WorkflowsUnavailable() throws Exception {
        Pool unreachable = PgBuilder.pool()
                .connectingTo("postgresql://sluice@127.0.0.1:" + Ports.freePort() + "/none")
                .using(ingest.vertx)
                .build();
        POOL.set(() -> unreachable);
        try {
            HttpResponse<String> r = run();
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("workflows-unavailable", new JsonObject(r.body()).getString("reason"), r.body());
            assertEquals(0, kafka.count(TOPIC));
        } finally {
            unreachable.close();
        }
    }
}
