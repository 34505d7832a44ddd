package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Signals;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT ingest against a real broker, with real MQTT clients (Paho for 3.1.1 and for 5.0): a QoS 1
 * PUBACK only once the record is in Kafka (a frozen broker gets no success PUBACK); the event
 * carries the payload untouched, its key from the topic and its attributes from the publish; a
 * topic no route binds is refused; a revoked key's connection is closed; a malformed packet closes
 * the connection and produces nothing; QoS 2 stores a publish once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttIT {

    private static final String TOPIC = "it.mqtt.events";
    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static KafkaBroker kafka;
    private static Postgres postgres;
    private static RouterFixture router;
    private static String mqttUri;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        postgres = Postgres.startOrFromEnv();
        String db = postgres.createDatabase("mqtt_it");
        String catalog = """
                {"routes": [
                  {"source": "telemetry", "topic": "%1$s", "type": "dev.sluice.telemetry",
                   "mqtt": {"topics": ["devices/+/telemetry"], "key": "topic:1"}},
                  {"source": "alarms", "topic": "%1$s", "mqtt": {"topics": ["alarms/#"], "key": "property:site"}},
                  {"source": "readings", "topic": "%1$s", "mqtt": {"topics": ["readings/+"]},
                   "schema": {"type": "object", "required": ["v"], "properties": {"v": {"type": "number"}}}}]}
                """.formatted(TOPIC);
        int mqttPort = Ports.freePort();
        router = RouterFixture.start(
                kafka,
                catalog,
                Map.of(
                        "router.instances",
                        "1",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(mqttPort)),
                b -> b.postgres(db).adminKey(ADMIN_KEY));
        mqttUri = "tcp://127.0.0.1:" + mqttPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + router.app().config().listen().managementPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    private static MqttAsyncClient v5(String clientId, String password) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(mqttUri, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        if (password != null) {
            o.setUserName("device");
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    private static List<ConsumerRecord<byte[], byte[]>> withPayload(String payload) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                .filter(r -> payload.equals(new String(r.value(), StandardCharsets.UTF_8)))
                .toList();
    }

    @Test
    void aQos1PublishIsAcknowledgedOnceInKafkaWithTheTopicAsKeyAndSourceAndThePayloadUntouched() throws Exception {
        MqttAsyncClient c = v5("dev-1", null);
        try {
            String payload = "{\"t\":21.5,\"n\":\"" + System.nanoTime() + "\"}";
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            MqttProperties props = new MqttProperties();
            props.setContentType("application/json");
            props.setUserProperties(
                    List.of(new UserProperty("region", "eu"), new UserProperty("id", "evt-" + System.nanoTime())));
            props.setCorrelationData(new byte[] {1, 2, 3});
            m.setProperties(props);
            IMqttToken token = c.publish("devices/pump-7/telemetry", m);
            token.waitForCompletion(10_000);
            assertEquals(0, token.getReasonCodes()[0], "PUBACK success");
            List<ConsumerRecord<byte[], byte[]>> stored = withPayload(payload);
            assertEquals(1, stored.size(), "acknowledged means in Kafka, once");
            ConsumerRecord<byte[], byte[]> r = stored.get(0);
            assertEquals("pump-7", new String(r.key(), StandardCharsets.UTF_8), "keyed by topic level 1, the device");
            assertEquals("/mqtt/devices/pump-7/telemetry", EventRecords.text(r.headers(), "ce_source"));
            assertEquals("dev.sluice.telemetry", EventRecords.text(r.headers(), "ce_type"));
            assertEquals("eu", EventRecords.text(r.headers(), "ce_region"));
            assertEquals("application/json", EventRecords.text(r.headers(), "content-type"));
            assertEquals("AQID", EventRecords.text(r.headers(), "ce_mqttcorrelation"));
            assertTrue(EventRecords.text(r.headers(), "ce_id").startsWith("evt-"));
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    @Test
    void aPublishToATopicNoRouteBindsIsRefusedWith0x90OnMqtt5AndByClosingOnMqtt311() throws Exception {
        MqttAsyncClient c = v5("dev-unbound", null);
        try {
            MqttMessage m = new MqttMessage("x".getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken token = c.publish("nobody/listens/here", m);
            token.waitForCompletion(10_000);
            assertEquals(0x90, token.getReasonCodes()[0], "Topic Name invalid");
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        MqttClient old = new MqttClient(
                mqttUri, "dev-unbound-311", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        old.connect(o);
        org.eclipse.paho.client.mqttv3.MqttMessage m =
                new org.eclipse.paho.client.mqttv3.MqttMessage("x".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        old.setTimeToWait(10_000);
        assertThrows(
                MqttException.class,
                () -> old.publish("nobody/listens/here", m),
                "3.1.1 has no negative PUBACK: the connection ends");
        await().atMost(Duration.ofSeconds(5)).until(() -> !old.isConnected());
        old.close();
    }

    @Test
    void noSuccessPubackWhileKafkaCannotStoreTheEvent() throws Exception {
        MqttAsyncClient c = v5("dev-frozen", null);
        ProcessHandle broker = brokerProcess();
        String payload = "{\"frozen\":\"" + System.nanoTime() + "\"}";
        try {
            Signals.send(broker, "STOP");
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken token = c.publish("devices/pump-9/telemetry", m);
            token.waitForCompletion(20_000);
            assertTrue(
                    token.getReasonCodes()[0] >= 0x80,
                    "a failure reason code, never success: " + token.getReasonCodes()[0]);
        } finally {
            Signals.send(broker, "CONT");
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    @Test
    void qos2StoresAPublishOnce() throws Exception {
        MqttAsyncClient c = v5("dev-qos2", null);
        try {
            String payload = "{\"q2\":\"" + System.nanoTime() + "\"}";
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(2);
            MqttProperties props = new MqttProperties();
            props.setUserProperties(List.of(new UserProperty("site", "plant-3")));
            m.setProperties(props);
            c.publish("alarms/fire", m).waitForCompletion(10_000);
            List<ConsumerRecord<byte[], byte[]>> stored = withPayload(payload);
            assertEquals(1, stored.size());
            assertEquals(
                    "plant-3", new String(stored.get(0).key(), StandardCharsets.UTF_8), "keyed by the user property");
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    @Test
    void aRevokedKeysConnectionIsClosedAndABadKeyIsRefusedAtConnect() throws Exception {
        String tenant = "mq-" + System.nanoTime();
        assertEquals(
                201,
                admin("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\"}").statusCode());
        HttpResponse<String> created = admin("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"device\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = new JsonObject(created.body()).getString("key");
        String source = "meters-" + tenant;
        HttpResponse<String> put = admin(
                "PUT",
                "/admin/sources/" + source,
                "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant + "\", \"mqtt\": {\"topics\": [\"meters/"
                        + tenant + "/+\"]}}");
        assertEquals(200, put.statusCode(), put.body());
        MqttAsyncClient c = v5("dev-key", key);
        String payload = "{\"kwh\":\"" + System.nanoTime() + "\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken t = c.publish("meters/" + tenant + "/m1", m);
            t.waitForCompletion(10_000);
            return t.getReasonCodes()[0] == 0;
        });
        assertFalse(withPayload(payload).isEmpty());
        assertEquals(
                200,
                admin("DELETE", "/admin/keys/" + key.substring(3, 15), null).statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());
        c.close();
        org.eclipse.paho.mqttv5.common.MqttException refused =
                assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class, () -> v5("dev-revoked", key));
        assertEquals(0x86, refused.getReasonCode(), "Bad User Name or Password");
    }

    @Test
    void aMalformedPacketClosesTheConnectionAndProducesNothing() throws Exception {
        long before = kafka.count(TOPIC);
        URI u = URI.create(mqttUri);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // CONNECT, MQTT 3.1.1, clean session, keep-alive 30 s, client id "m".
            out.write(new byte[] {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 30, 0, 1, 'm'});
            InputStream in = s.getInputStream();
            byte[] connack = in.readNBytes(4);
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, connack, "CONNACK accepted");
            // A PUBLISH with both QoS bits set: QoS 3 does not exist (MQTT 3.1.1 §3.3.1.2), the packet is malformed.
            out.write(new byte[] {0x36, 5, 0, 1, 'd', 0, 1});
            out.flush();
            assertEquals(-1, in.read(), "the router closes the connection");
        }
        assertEquals(before, kafka.count(TOPIC), "nothing produced");
    }

    private static ProcessHandle brokerProcess() {
        String dir = kafka.logFile().getParent().toString();
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(dir))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aPublishThatBreaksTheRoutesSchemaGets0x99AndIsNotStored() throws Exception {
        MqttAsyncClient c = v5("dev-schema", null);
        try {
            String bad = "{\"v\":\"high\",\"n\":\"" + System.nanoTime() + "\"}";
            MqttMessage m = new MqttMessage(bad.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken token = c.publish("readings/r1", m);
            token.waitForCompletion(10_000);
            assertEquals(0x99, token.getReasonCodes()[0], "Payload format invalid");
            assertTrue(withPayload(bad).isEmpty());
            String good = "{\"v\":1.5,\"n\":\"" + System.nanoTime() + "\"}";
            MqttMessage ok = new MqttMessage(good.getBytes(StandardCharsets.UTF_8));
            ok.setQos(1);
            IMqttToken t2 = c.publish("readings/r1", ok);
            t2.waitForCompletion(10_000);
            assertEquals(0, t2.getReasonCodes()[0]);
            assertEquals(1, withPayload(good).size());
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }
}
