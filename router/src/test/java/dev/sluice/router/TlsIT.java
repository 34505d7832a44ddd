package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ingest port over TLS with a certificate made for the test: HTTP/2 negotiated by ALPN, the event in Kafka. */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsIT {

    @Test
    void http2OverTlsCarriesEvents(KafkaBroker kafka) throws Exception {
        String topic = "it.tls.events";
        kafka.createTopic(topic, 1, Duration.ofMinutes(10));
        Path dir = Files.createTempDirectory("sluice-tls");
        Path store = TestCertificates.routerStore(dir);
        Vertx vertx = Vertx.vertx();
        int port = Ports.freePort();
        RouterConfig config =
                RouterConfig.from(Settings.of(Map.of("router.instances", "1", "router.drain.grace", "100ms")))
                        .toBuilder()
                        .ports("127.0.0.1", port, Ports.freePort())
                        .tls(store.toString(), "changeit")
                        .build();
        RouterApp router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        RouterIT.catalog(topic),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setTrustAll(true)
                .setVerifyHost(false)
                .setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> router.readiness()
                            .details()
                            .getJsonObject("topics")
                            .getString(topic)
                            .equals("ready"));
            var resp = client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setURI("/v1/events/byid")
                            .putHeader("ce-id", "tls-1"))
                    .compose(req -> req.send(Buffer.buffer("{\"secure\":true}"))
                            .compose(r -> r.body().map(b -> Map.entry(r, b))))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            assertEquals(HttpVersion.HTTP_2, resp.getKey().version(), "HTTP/2 by ALPN");
            assertEquals(202, resp.getKey().statusCode(), resp.getValue().toString());
            ContractCheck.check("POST", "/v1/events/byid", resp.getKey(), resp.getValue());
            assertNotNull(kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                    .filter(r -> "tls-1".equals(EventRecords.text(r.headers(), "ce_id")))
                    .findFirst()
                    .orElse(null));
        } finally {
            client.close();
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void mqttOverTlsIsAcknowledgedOnceTheEventIsInKafka(KafkaBroker kafka) throws Exception {
        String topic = "it.tls.mqtt";
        kafka.createTopic(topic, 1, Duration.ofMinutes(10));
        Path dir = Files.createTempDirectory("sluice-tls");
        Path store = TestCertificates.routerStore(dir);
        Vertx vertx = Vertx.vertx();
        int mqttTls = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(Map.of(
                        "router.instances",
                        "1",
                        "router.drain.grace",
                        "100ms",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(Ports.freePort()),
                        "router.mqtt.tls.port",
                        Integer.toString(mqttTls))))
                .toBuilder()
                .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                .tls(store.toString(), "changeit")
                .build();
        dev.sluice.core.Catalog catalog = dev.sluice.core.Catalog.parse(
                new io.vertx.core.json.JsonObject("{\"routes\": [{\"source\": " + "\"meters\", \"topic\": \"" + topic
                        + "\", \"mqtt\": {\"topics\": [\"meters/+\"], \"key\": \"topic:1\"}}]}"));
        RouterApp router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        org.eclipse.paho.client.mqttv3.MqttClient device = new org.eclipse.paho.client.mqttv3.MqttClient(
                "ssl://127.0.0.1:" + mqttTls,
                "meter-1",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> router.readiness().ready());
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(
                    null,
                    new javax.net.ssl.TrustManager[] {
                        new javax.net.ssl.X509TrustManager() {
                            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

                            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

                            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                                return new java.security.cert.X509Certificate[0];
                            }
                        }
                    },
                    null);
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o =
                    new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setSocketFactory(tls.getSocketFactory());
            o.setHttpsHostnameVerificationEnabled(false);
            device.connect(o);
            org.eclipse.paho.client.mqttv3.MqttMessage m = new org.eclipse.paho.client.mqttv3.MqttMessage(
                    "{\"kwh\":3}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            m.setQos(1);
            device.publish("meters/m-7", m); // returns once the PUBACK came back
            var stored = kafka.readAll(topic, Duration.ofSeconds(10));
            assertEquals(1, stored.size(), "acknowledged over TLS means in Kafka");
            assertEquals("m-7", new String(stored.get(0).key(), java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            if (device.isConnected()) {
                device.disconnect();
            }
            device.close();
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }
}
