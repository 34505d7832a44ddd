package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Signals;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT publishes against a real broker, with real MQTT clients (Paho for 3.1.1 and for 5.0): a
 * QoS 1 PUBACK only once the record is in Kafka (a frozen broker gets no success PUBACK); the event
 * carries the payload untouched, its key from the topic and its attributes from the publish; a
 * topic no route binds is refused; a publish that breaks the route's schema is refused; QoS 2
 * stores a publish once. Keys and malformed packets are in {@link MqttConnectionIT}. The broker is
 * this class's own, since a test freezes it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttIT {

    private static KafkaBroker kafka;
    private static Postgres postgres;
    private static MqttRouter mqtt;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        postgres = Postgres.startOrFromEnv();
        mqtt = MqttRouter.start(kafka, postgres.createDatabase("mqtt_it"), "it.mqtt.events");
    }

    @AfterAll
    static void stop() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aQos1PublishIsAcknowledgedOnceInKafkaWithTheTopicAsKeyAndSourceAndThePayloadUntouched() throws Exception {
        MqttAsyncClient c = mqtt.v5("dev-1", null);
        try {
            String payload = "{\"t\":21.5,\"n\":\"" + System.nanoTime() + "\"}";
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            MqttProperties props = new MqttProperties();
            props.setContentType("application/json");
            props.setUserProperties(List.of(
                    new UserProperty("region", "eu"),
                    new UserProperty("id", "evt-" + System.nanoTime()),
                    // A device cannot override the attributes the router sets: not carried.
                    new UserProperty("type", "spoofed.type"),
                    new UserProperty("source", "/spoofed"),
                    new UserProperty("subject", "spoofed"),
                    new UserProperty("time", "2000-01-01T00:00:00Z"),
                    new UserProperty("specversion", "0.3")));
            props.setCorrelationData(new byte[] {1, 2, 3});
            m.setProperties(props);
            IMqttToken token = c.publish("devices/pump-7/telemetry", m);
            token.waitForCompletion(10_000);
            assertEquals(0, token.getReasonCodes()[0], "PUBACK success");
            List<ConsumerRecord<byte[], byte[]>> stored = mqtt.withPayload(payload);
            assertEquals(1, stored.size(), "acknowledged means in Kafka, once");
            ConsumerRecord<byte[], byte[]> r = stored.get(0);
            assertEquals("pump-7", new String(r.key(), StandardCharsets.UTF_8), "keyed by topic level 1, the device");
            assertEquals("/mqtt/devices/pump-7/telemetry", EventRecords.text(r.headers(), "ce_source"));
            assertEquals("dev.sluice.telemetry", EventRecords.text(r.headers(), "ce_type"));
            assertEquals("eu", EventRecords.text(r.headers(), "ce_region"));
            assertEquals("application/json", EventRecords.text(r.headers(), "content-type"));
            assertEquals("AQID", EventRecords.text(r.headers(), "ce_mqttcorrelation"));
            assertTrue(EventRecords.text(r.headers(), "ce_id").startsWith("evt-"));
            for (String core : List.of("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_time")) {
                assertEquals(
                        1,
                        java.util.stream.StreamSupport.stream(
                                        r.headers().headers(core).spliterator(), false)
                                .count(),
                        core + " once: the router's, not a user property's");
            }
            assertEquals("devices/pump-7/telemetry", EventRecords.text(r.headers(), "ce_subject"));
            assertEquals("1.0", EventRecords.text(r.headers(), "ce_specversion"));
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    @Test
    void aPublishToATopicNoRouteBindsIsRefusedWith0x90OnMqtt5AndByClosingOnMqtt311() throws Exception {
        MqttAsyncClient c = mqtt.v5("dev-unbound", null);
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
                mqtt.mqttUri, "dev-unbound-311", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
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
        MqttAsyncClient c = mqtt.v5("dev-frozen", null);
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
        MqttAsyncClient c = mqtt.v5("dev-qos2", null);
        try {
            String payload = "{\"q2\":\"" + System.nanoTime() + "\"}";
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(2);
            MqttProperties props = new MqttProperties();
            props.setUserProperties(List.of(new UserProperty("site", "plant-3")));
            m.setProperties(props);
            c.publish("alarms/fire", m).waitForCompletion(10_000);
            List<ConsumerRecord<byte[], byte[]>> stored = mqtt.withPayload(payload);
            assertEquals(1, stored.size());
            assertEquals(
                    "plant-3", new String(stored.get(0).key(), StandardCharsets.UTF_8), "keyed by the user property");
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    @Test
    void aPublishThatBreaksTheRoutesSchemaGets0x99AndIsNotStored() throws Exception {
        MqttAsyncClient c = mqtt.v5("dev-schema", null);
        try {
            String bad = "{\"v\":\"high\",\"n\":\"" + System.nanoTime() + "\"}";
            MqttMessage m = new MqttMessage(bad.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken token = c.publish("readings/r1", m);
            token.waitForCompletion(10_000);
            assertEquals(0x99, token.getReasonCodes()[0], "Payload format invalid");
            assertTrue(mqtt.withPayload(bad).isEmpty());
            String good = "{\"v\":1.5,\"n\":\"" + System.nanoTime() + "\"}";
            MqttMessage ok = new MqttMessage(good.getBytes(StandardCharsets.UTF_8));
            ok.setQos(1);
            IMqttToken t2 = c.publish("readings/r1", ok);
            t2.waitForCompletion(10_000);
            assertEquals(0, t2.getReasonCodes()[0]);
            assertEquals(1, mqtt.withPayload(good).size());
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    private static ProcessHandle brokerProcess() {
        String dir = kafka.logFile().getParent().toString();
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(dir))
                .findFirst()
                .orElseThrow();
    }
}
