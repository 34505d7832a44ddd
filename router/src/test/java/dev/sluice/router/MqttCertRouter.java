package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A router with an MQTT TLS port that asks devices for client certificates signed by the test CA
 * ({@code router.mqtt.tls.client.auth} {@code request} or {@code required}), PostgreSQL, the admin
 * API, no routes from the catalog and a Kafka topic of its own for the sources tests store.
 */
final class MqttCertRouter implements AutoCloseable {

    final TestCertificates certs;
    final String mqttTls;
    final AdminClient admin;
    private final String topic;
    private final KafkaBroker kafka;
    private final RouterFixture router;

    private MqttCertRouter(
            TestCertificates certs,
            String topic,
            String mqttTls,
            KafkaBroker kafka,
            RouterFixture router,
            AdminClient admin) {
        this.certs = certs;
        this.topic = topic;
        this.mqttTls = mqttTls;
        this.kafka = kafka;
        this.router = router;
        this.admin = admin;
    }

    /** Starts the router with certificates of its own, which {@link #close} removes. */
    static MqttCertRouter start(KafkaBroker kafka, String db, String topic, String clientAuth) throws Exception {
        kafka.createTopic(topic, 1, Duration.ofMinutes(10));
        TestCertificates certs = new TestCertificates();
        try {
            return start(kafka, certs, db, topic, clientAuth);
        } catch (Exception | Error e) {
            certs.close();
            throw e;
        }
    }

    private static MqttCertRouter start(
            KafkaBroker kafka, TestCertificates certs, String db, String topic, String clientAuth) throws Exception {
        int tlsPort = Ports.freePort();
        String adminKey = "admin-" + System.nanoTime();
        RouterFixture router = RouterFixture.start(
                kafka,
                "{\"routes\": []}",
                Map.of(
                        "router.instances",
                        "1",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(Ports.freePort()),
                        "router.mqtt.tls.port",
                        Integer.toString(tlsPort),
                        "router.mqtt.tls.client.auth",
                        clientAuth,
                        "router.mqtt.tls.trust",
                        certs.caPem().toString()),
                b -> b.postgres(db).adminKey(adminKey).tls(certs.routerStore().toString(), TestCertificates.PASSWORD));
        return new MqttCertRouter(
                certs, topic, "ssl://127.0.0.1:" + tlsPort, kafka, router, AdminClient.of(router.app(), adminKey));
    }

    /** A tenant that owns a key-guarded source bound to {@code <tenant>/+}. */
    String tenantWithSource() throws Exception {
        String tenant = admin.newTenant("t" + System.nanoTime());
        HttpResponse<String> put = admin.send(
                "PUT",
                "/admin/sources/src-" + tenant,
                "{\"topic\": \"" + topic + "\", \"tenant\": \"" + tenant + "\", \"mqtt\": {\"topics\": [\"" + tenant
                        + "/+\"]}}");
        assertEquals(200, put.statusCode(), put.body());
        return tenant;
    }

    /** An MQTT 5 client connected over TLS with {@code tls}, with {@code password} as a key unless it is null. */
    MqttAsyncClient connect(String clientId, SocketFactory tls, String password) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(mqttTls, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setSocketFactory(tls);
        o.setHttpsHostnameVerificationEnabled(false);
        if (password != null) {
            o.setUserName("device");
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            c.connect(o).waitForCompletion(10_000);
        } catch (MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Publishes at QoS 1 and returns the PUBACK's reason code. */
    static int publish(MqttAsyncClient c, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken t = c.publish(topic, m);
        t.waitForCompletion(10_000);
        return t.getReasonCodes()[0];
    }

    /**
     * Publishes at QoS 1 until a PUBACK is a success (access changes reach the router within
     * moments), each attempt with a payload of its own, and returns the acknowledged one: a failed
     * attempt may still have been stored, so a retry of the same payload could be counted twice.
     */
    static String publishUntilAcknowledged(MqttAsyncClient c, String topic, String label) {
        String[] payload = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            payload[0] = "{\"" + label + "\":\"" + System.nanoTime() + "\"}";
            return publish(c, topic, payload[0]) == 0;
        });
        return payload[0];
    }

    /** How many records in the topic have {@code payload} as their value. */
    long stored(String payload) {
        return kafka.readAll(topic, Duration.ofSeconds(5)).stream()
                .filter(r -> payload.equals(new String(r.value(), StandardCharsets.UTF_8)))
                .count();
    }

    @Override
    public void close() throws Exception {
        try {
            router.close();
        } finally {
            certs.close();
        }
    }
}
