package dev.sluice.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Settings;
import dev.sluice.testkit.DevSecure;
import dev.sluice.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code ./sluice dev} promises: the printed curl gets a 202, a run is counted, and closing leaves nothing behind. */
class DevStackIT {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theBannersCurlIsAcceptedAndRunAndClosingLeavesNoProcessBehind() throws Exception {
        // Processes other tests of this JVM left (the shared PostgreSQL forks and reaps its own workers) are not ours.
        Set<Long> before =
                ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        Settings settings = Settings.of(Map.of(
                "router.port", Integer.toString(Ports.freePort()),
                "router.management.port", Integer.toString(Ports.freePort()),
                "executor.management.port", Integer.toString(Ports.freePort()),
                "dev.echo.port", Integer.toString(Ports.freePort()),
                "router.mqtt.port", Integer.toString(Ports.freePort())));
        // HTTP/1.1: the JDK client's default h2c upgrade to the management server has been seen to hang.
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (DevStack stack = DevStack.start(settings)) {
            String banner = stack.banner();
            String curl = banner.lines()
                    .filter(l -> l.trim().startsWith("curl -i -X POST"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(curl.contains("http://127.0.0.1:" + stack.routerPort() + "/v1/events/demo"), curl);
            assertTrue(started(before) > 0, "the broker and servers are child processes");

            HttpResponse<String> resp = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.routerPort() + "/v1/events/demo"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":\"sluice\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, resp.statusCode(), resp.body());

            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> http.send(
                                    HttpRequest.newBuilder(URI.create(
                                                    "http://127.0.0.1:" + stack.executorManagementPort() + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body()
                            .contains("sluice_executor_runs_total{outcome=\"succeeded\",workflow=\"demo-echo\"} 1.0"));
            assertEquals(1, stack.echoed());
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + stack.executorManagementPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            // At least the event's (the demo schedule's ticks are events too).
            assertTrue(
                    sample(metrics, "sluice_executor_poll_age_seconds_count") >= 1,
                    "the event's poll age was recorded");
            assertTrue(
                    sample(metrics, "sluice_executor_start_wait_seconds_count") >= 1,
                    "the event's start wait was recorded");
            assertTrue(sample(metrics, "sluice_event_loop_delay_seconds_count") > 0, "the event loops are sampled");
            assertTrue(
                    metrics.contains("jvm_memory_used_bytes{") && metrics.contains("process_cpu_usage"),
                    "JVM and process meters");
            assertTrue(
                    metrics.lines()
                                    .filter(l -> l.startsWith("kafka_consumer_fetch_manager_records_consumed_total{"))
                                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                                    .sum()
                            >= 1,
                    "the executor's Kafka consumer meters, read while it polls");

            // demo-secure: refused without the dev key, accepted with it and a fresh signature, then replayed.
            URI secure = URI.create("http://127.0.0.1:" + stack.routerPort() + "/v1/events/" + DevSecure.SOURCE);
            assertTrue(banner.contains(DevSecure.API_KEY) && banner.contains(DevSecure.SIGNING_SECRET), banner);
            HttpResponse<String> noKey = http.send(
                    HttpRequest.newBuilder(secure)
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noKey.statusCode(), noKey.body());
            String body = "{\"charge\":1}";
            long t = System.currentTimeMillis() / 1000;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(DevSecure.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = "t=" + t + ",v1="
                    + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
            HttpResponse<String> signed = http.send(
                    HttpRequest.newBuilder(secure)
                            .header("content-type", "application/json")
                            .header("authorization", "Bearer " + DevSecure.API_KEY)
                            .header("sluice-signature", signature)
                            .header("idempotency-key", "dev-it-1")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, signed.statusCode(), signed.body());
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> stack.echoed() == 2);

            // The banner's MQTT example, run as printed: a QoS 1 publish on the demo route, acknowledged, then run like
            // any event.
            String pub = banner.lines()
                    .filter(l -> l.trim().startsWith("mosquitto_pub"))
                    .findFirst()
                    .orElseThrow();
            MosquittoPub.publish(pub.trim());
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> stack.echoed() == 3);

            // The banner's manual run: the demo workflow started by hand with the dev key, then run like any event.
            String manual = banner.lines()
                    .filter(l -> l.contains("/v1/workflows/demo-echo/runs"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(manual.contains(DevSecure.API_KEY), manual);
            HttpResponse<String> run = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + stack.routerPort() + "/v1/workflows/demo-echo/runs"))
                            .header("content-type", "application/json")
                            .header("authorization", "Bearer " + DevSecure.API_KEY)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"hand\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, run.statusCode(), run.body());
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> stack.echoed() == 4);

            // The demo schedule: a tick every 10 s reaches the echo target.
            await("a demo-heartbeat tick")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> stack.heartbeats() >= 1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> started(before) == 0);
    }

    /** Live descendants started after {@code before} was taken, not counting children of processes that were already there. */
    private static long started(Set<Long> before) {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> {
                    for (ProcessHandle h = p;
                            h.pid() != ProcessHandle.current().pid();
                            h = h.parent().orElse(ProcessHandle.current())) {
                        if (before.contains(h.pid())) {
                            return false;
                        }
                    }
                    return true;
                })
                .count();
    }

    /** The value of an unlabelled sample in Prometheus text. */
    private static double sample(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst()
                .orElse(-1);
    }
}
