package dev.sluice.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sluice router} and {@code sluice executor} as real processes, stopped the way Kubernetes
 * stops them (SIGTERM): each must exit within its configured bound, not sit out a wait on a
 * future that can no longer complete once its Vert.x is closed.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessStopIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final List<Process> started = new ArrayList<>();
    private Path catalog;

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
        }
        if (catalog != null) {
            Files.deleteIfExists(catalog);
        }
    }

    private Process start(String role, Map<String, String> env, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        role)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static boolean ready(int managementPort) {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                    == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** SIGTERM, then the seconds until the process has exited. */
    private static double stop(Process p) throws Exception {
        long t0 = System.nanoTime();
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running 60 s after SIGTERM");
        return (System.nanoTime() - t0) / 1e9;
    }

    @Test
    void theRouterExitsWithinItsDrainBoundAfterSigterm(KafkaBroker kafka) throws Exception {
        kafka.createTopic("it.stop.router", 3, Duration.ofMinutes(10));
        catalog = Files.createTempFile("sluice-stop", ".json");
        Files.writeString(catalog, "{\"routes\": [{\"source\": \"stop\", \"topic\": \"it.stop.router\"}]}");
        int port = Ports.freePort();
        int management = Ports.freePort();
        Path log = Files.createTempFile("sluice-router", ".log");
        Process router = start(
                "router",
                Map.of(
                        "SLUICE_KAFKA_BOOTSTRAP_SERVERS",
                        kafka.bootstrapServers(),
                        "SLUICE_CATALOG_FILE",
                        catalog.toString(),
                        "SLUICE_ROUTER_PORT",
                        Integer.toString(port),
                        "SLUICE_ROUTER_MANAGEMENT_PORT",
                        Integer.toString(management),
                        "SLUICE_ROUTER_DRAIN_TIMEOUT",
                        "3s"),
                log);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ready(management));
        HttpResponse<String> accepted = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/stop"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());

        double seconds = stop(router);
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        // A 1 s drain grace, then the close: well inside the 3 s bound (it took 15 s when the wait could not end).
        assertTrue(seconds < 3, "the router took " + seconds + " s to exit after SIGTERM:\n" + out);
        assertTrue(out.contains("router stopped") && !out.contains("did not close"), out);
    }

    @Test
    void theExecutorExitsWithinItsShutdownBoundAfterSigtermWithARunInFlight(KafkaBroker kafka, WebhookTarget target)
            throws Exception {
        kafka.createTopic("it.stop.executor", 1, Duration.ofMinutes(10));
        catalog = Files.createTempFile("sluice-stop", ".json");
        Files.writeString(catalog, """
                {"routes": [{"source": "stop", "topic": "it.stop.executor", "partitions": 1}],
                 "workflows": [{"name": "slow", "sources": ["stop"],
                                "steps": [{"type": "http", "url": "%s", "timeout": "15s"}]}]}
                """.formatted(target.url("/slow")));
        target.delay(Duration.ofSeconds(30));
        int routerPort = Ports.freePort();
        int routerManagement = Ports.freePort();
        int executorManagement = Ports.freePort();
        Path routerLog = Files.createTempFile("sluice-router", ".log");
        Path executorLog = Files.createTempFile("sluice-executor", ".log");
        Process router = start(
                "router",
                Map.of(
                        "SLUICE_KAFKA_BOOTSTRAP_SERVERS",
                        kafka.bootstrapServers(),
                        "SLUICE_CATALOG_FILE",
                        catalog.toString(),
                        "SLUICE_ROUTER_PORT",
                        Integer.toString(routerPort),
                        "SLUICE_ROUTER_MANAGEMENT_PORT",
                        Integer.toString(routerManagement)),
                routerLog);
        Process executor = start(
                "executor",
                Map.of(
                        "SLUICE_KAFKA_BOOTSTRAP_SERVERS",
                        kafka.bootstrapServers(),
                        "SLUICE_CATALOG_FILE",
                        catalog.toString(),
                        "SLUICE_EXECUTOR_MANAGEMENT_PORT",
                        Integer.toString(executorManagement),
                        "SLUICE_EXECUTOR_GROUP",
                        "it-stop-" + System.nanoTime(),
                        "SLUICE_EXECUTOR_SHUTDOWN_TIMEOUT",
                        "2s"),
                executorLog);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ready(routerManagement) && ready(executorManagement));
        HttpResponse<String> accepted = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routerPort + "/v1/events/stop"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        // The run is in flight once the target has its request; it will not answer for 30 s.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !target.received("/slow").isEmpty());

        double seconds = stop(executor);
        String out = Files.readString(executorLog);
        stop(router);
        Files.deleteIfExists(routerLog);
        Files.deleteIfExists(executorLog);
        // The 2 s bound on finishing runs, then the commit and the group's leave (it took 2 + 15 s when the wait could
        // not end).
        assertTrue(seconds < 8, "the executor took " + seconds + " s to exit after SIGTERM:\n" + out);
        assertTrue(out.contains("executor stopped") && !out.contains("did not close"), out);
    }
}
