package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The strict HTTP/1 decoder is in place however the connection's pipeline is built: over TLS
 * (HTTP/1.1 by ALPN), and in cleartext with h2c off. HttpProtocolIT covers cleartext with h2c on.
 * Each router refuses Content-Length with chunked as the first request of a fresh connection (the
 * one a late decoder swap would miss), and takes a normal event after it.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StrictFramingPathsIT {

    private static final String TOPIC = "it.framing.paths";
    private static final String SMUGGLING =
            "POST /v1/events/byid HTTP/1.1\r\nHost: x\r\nce-id: paths-smuggle-1\r\nContent-Length: 6\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
                    + "POST /v1/events/byid HTTP/1.1\r\nHost: x\r\nce-id: paths-smuggle-2\r\nContent-Length: 2\r\n\r\n{}";

    @Test
    void overTlsTheFirstRequestIsFramedStrictly(KafkaBroker kafka) throws Exception {
        Path dir = Files.createTempDirectory("sluice-tls");
        Path store = TestCertificates.routerStore(dir);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new TrustAll()}, null);
        try {
            check(
                    kafka,
                    Map.of(),
                    c -> c.toBuilder().tls(store.toString(), "changeit").build(),
                    port -> tls.getSocketFactory().createSocket("127.0.0.1", port));
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void withH2cOffTheFirstRequestIsFramedStrictly(KafkaBroker kafka) throws Exception {
        check(kafka, Map.of("router.h2c", "false"), c -> c, port -> new Socket("127.0.0.1", port));
    }

    private interface Connect {
        Socket open(int port) throws Exception;
    }

    private static void check(
            KafkaBroker kafka,
            Map<String, String> settings,
            Function<RouterConfig, RouterConfig> adjust,
            Connect connect)
            throws Exception {
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        Vertx vertx = Vertx.vertx();
        int port = Ports.freePort();
        java.util.HashMap<String, String> all = new java.util.HashMap<>(settings);
        all.put("router.instances", "1");
        all.put("router.drain.grace", "100ms");
        // A cold producer on a busy machine can take longer than the default 800 ms for its first ack.
        all.put("router.produce.timeout", "5s");
        RouterConfig config = adjust.apply(RouterConfig.from(Settings.of(all)).toBuilder()
                .ports("127.0.0.1", port, Ports.freePort())
                .build());
        RouterApp router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        RouterIT.catalog(TOPIC),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "ready"
                            .equals(router.readiness()
                                    .details()
                                    .getJsonObject("topics")
                                    .getString(TOPIC)));
            String refused = RawHttp.exchange(connect.open(port), SMUGGLING);
            RawHttp.assertProblem(refused, 400, "bad-framing");
            assertEquals(1, refused.split("HTTP/1\\.1 ", -1).length - 1, "one answer, then the close: " + refused);
            String ok = RawHttp.checked(
                    RawHttp.exchange(
                            connect.open(port),
                            "POST /v1/events/byid HTTP/1.1\r\nHost: x\r\n"
                                    + "ce-id: paths-ok\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"),
                    "/v1/events/byid");
            assertTrue(ok.startsWith("HTTP/1.1 202"), ok);
            java.util.List<String> ids = kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                    .map(r -> String.valueOf(EventRecords.text(r.headers(), "ce_id")))
                    .toList();
            assertTrue(ids.contains("paths-ok"), ids.toString());
            assertTrue(
                    ids.stream().noneMatch(id -> id.startsWith("paths-smuggle")),
                    "nothing of the refused request reached Kafka: " + ids);
        } finally {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The router's certificate is made for the test. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
