package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.core.Catalog;
import dev.sluice.core.MetricNames;
import dev.sluice.router.impl.mqtt.MqttVerticle;
import dev.sluice.router.impl.mqtt.SessionMeters;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A fault in Sluice while it accepts an MQTT connection or handles a PUBLISH is an answer, never
 * silence: refused with a reason (MQTT 5: 0x80 naming a reference; 3.1.1: CONNACK 0x03, or the
 * connection closed), counted as {@code internal_error}, logged with the reference, not stored; the
 * router serves again once the fault is gone. The fault: the access store the MQTT edge reads (at
 * CONNECT and for each publish) throws, as a bug in it would.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MqttInternalErrorIT {

    private static final String TOPIC = "it.mqtt.internal";
    private static final Pattern REFERENCE = Pattern.compile("reference ([0-9a-f-]{36})");
    private static KafkaBroker kafka;
    private static WiredIngest ingest;
    private static String uri;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "telemetry", "topic": "%s", "tenant": "acme",
                             "mqtt": {"topics": ["devices/+/telemetry"], "key": "topic:1"}}]}
                """.formatted(TOPIC)));
        int port = Ports.freePort();
        ingest = new WiredIngest(
                kafka, catalog, Map.of("router.mqtt.enabled", "true", "router.mqtt.port", Integer.toString(port)));
        ingest.deploy(new MqttVerticle(ingest.state, ingest.access, new SessionMeters(ingest.registry), false));
        uri = "tcp://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (ingest != null) {
            ingest.close();
        }
    }

    @Test
    void aFaultWhileHandlingAPublishIsRefusedCountedLoggedAndNotStoredAndTheRouterGoesOn() throws Exception {
        MqttAsyncClient device = v5("dev-internal");
        MqttClient old = v311("dev-internal-311");
        ListAppender<ILoggingEvent> logged = logged();
        try {
            // The topic's metadata is loaded before anything is checked.
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> send(device, "devices/warm/telemetry", "{\"warm\":true}")
                                    .getReasonCodes()[0]
                            == 0);
            double before = count("sluice.router.events", "outcome", "internal_error", "route", "_none");
            String failed = "{\"n\":\"" + System.nanoTime() + "\"}";
            String failedOld = "{\"n\":\"" + System.nanoTime() + "\"}";
            ingest.fault.set("the access store broke");

            IMqttToken refused = send(device, "devices/d1/telemetry", failed);
            assertEquals(0x80, refused.getReasonCodes()[0], "Unspecified error, never success");
            String reason = refused.getResponseProperties().getReasonString();
            Matcher ref = REFERENCE.matcher(reason == null ? "" : reason);
            assertTrue(ref.find(), "the reason string names a reference: " + reason);
            assertLogged(logged, ref.group(1));
            assertEquals(before + 1, count("sluice.router.events", "outcome", "internal_error", "route", "_none"));
            assertTrue(device.isConnected(), "an MQTT 5 device keeps its connection");

            assertThrows(
                    org.eclipse.paho.client.mqttv3.MqttException.class,
                    () -> old.publish("devices/d2/telemetry", qos1(failedOld)),
                    "3.1.1 has no negative PUBACK: the connection ends");
            await().atMost(Duration.ofSeconds(10)).until(() -> !old.isConnected());
            assertEquals(before + 2, count("sluice.router.events", "outcome", "internal_error", "route", "_none"));

            ingest.fault.set(null);
            String good = "{\"n\":\"" + System.nanoTime() + "\"}";
            assertEquals(0, send(device, "devices/d1/telemetry", good).getReasonCodes()[0]);
            assertEquals(1, withPayload(good), "the same connection publishes again");
            String goodOld = "{\"n\":\"" + System.nanoTime() + "\"}";
            MqttClient again = v311("dev-internal-311-again");
            try {
                again.publish("devices/d3/telemetry", qos1(goodOld));
            } finally {
                again.disconnect();
                again.close();
            }
            assertEquals(1, withPayload(goodOld), "a new 3.1.1 connection publishes again");
            assertEquals(0, withPayload(failed), "the refused MQTT 5 publish is not in Kafka");
            assertEquals(0, withPayload(failedOld), "the refused 3.1.1 publish is not in Kafka");
        } finally {
            ingest.fault.set(null);
            detach(logged);
            if (device.isConnected()) {
                device.disconnect().waitForCompletion(5_000);
            }
            device.close();
            old.close();
        }
    }

    @Test
    void aFaultWhileAcceptingAConnectionIsACONNACKWithAReasonNeverSilence() throws Exception {
        ListAppender<ILoggingEvent> logged = logged();
        double before = count(MetricNames.ROUTER_MQTT_CONNECT_REFUSED, "reason", "internal_error");
        ingest.fault.set("the access store broke at CONNECT");
        try {
            MqttException v5 = assertThrows(MqttException.class, () -> v5("dev-connect-fault"));
            assertEquals(0x80, v5.getReasonCode(), "CONNACK Unspecified error: " + v5);
            org.eclipse.paho.client.mqttv3.MqttException v311 =
                    assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class, () -> v311("dev-connect-311"));
            assertEquals(3, v311.getReasonCode(), "CONNACK Server unavailable: " + v311);
            assertEquals(before + 2, count(MetricNames.ROUTER_MQTT_CONNECT_REFUSED, "reason", "internal_error"));
            assertLogged(logged, "accepting an MQTT connection failed (reference");
        } finally {
            ingest.fault.set(null);
            detach(logged);
        }
        MqttAsyncClient ok = v5("dev-connect-after");
        assertTrue(ok.isConnected(), "the router accepts connections again once the fault is gone");
        ok.disconnect().waitForCompletion(5_000);
        ok.close();
    }

    private static void assertLogged(ListAppender<ILoggingEvent> logged, String text) {
        assertTrue(
                logged.list.stream()
                        .anyMatch(e -> e.getLevel() == Level.ERROR
                                && e.getFormattedMessage().contains(text)
                                && e.getThrowableProxy() != null),
                "logged, with its stack trace: " + text);
    }

    private static ListAppender<ILoggingEvent> logged() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);
        return logged;
    }

    private static void detach(ListAppender<ILoggingEvent> logged) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    }

    private static double count(String name, String... tags) {
        Counter c = ingest.registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static long withPayload(String payload) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                .filter(r -> payload.equals(new String(r.value(), StandardCharsets.UTF_8)))
                .count();
    }

    private static MqttAsyncClient v5(String clientId) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setUserName("device");
        o.setPassword(ingest.key.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(10);
        try {
            c.connect(o).waitForCompletion(15_000);
        } catch (MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static MqttClient v311(String clientId) throws Exception {
        MqttClient c = new MqttClient(uri, clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setUserName("device");
        o.setPassword(ingest.key.toCharArray());
        o.setConnectionTimeout(10);
        c.setTimeToWait(10_000);
        try {
            c.connect(o);
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static org.eclipse.paho.client.mqttv3.MqttMessage qos1(String payload) {
        org.eclipse.paho.client.mqttv3.MqttMessage m =
                new org.eclipse.paho.client.mqttv3.MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return m;
    }

    private static IMqttToken send(MqttAsyncClient c, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken t = c.publish(topic, m);
        t.waitForCompletion(10_000);
        return t;
    }
}
