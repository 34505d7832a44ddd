package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fault in Sluice while it handles a PUBLISH is an answer, never silence: the publish is refused
 * (MQTT 5: PUBACK 0x80 Unspecified error whose reason string names a reference; MQTT 3.1.1, which
 * has no negative PUBACK: the connection is closed), counted as {@code internal_error} on
 * {@code /metrics}, logged with the same reference, and nothing of it reaches Kafka. The router
 * goes on serving once the fault is gone.
 *
 * <p>The fault is a real one: a stored source whose MQTT key is {@code pointer:} followed by
 * something that is not a JSON pointer ({@code /a~2}). The source is accepted (the MQTT binding
 * checks only the {@code pointer:/} prefix), and the topic routes then fail to bind on every
 * publish. Should the admin API come to refuse such a key, this test needs another fault.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MqttInternalErrorIT {

    private static final Pattern REFERENCE = Pattern.compile("reference ([0-9a-f-]{36})");
    private static final Pattern INTERNAL = Pattern.compile(
            "^sluice_router_events_total\\{(?=[^}]*outcome=\"internal_error\")(?=[^}]*route=\"_none\")[^}]*} (\\S+)$",
            Pattern.MULTILINE);
    private static MqttRouter mqtt;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        mqtt = MqttRouter.start(kafka, postgres.createDatabase("mqtt_internal_error_it"), "it.mqtt.internal");
    }

    @AfterAll
    static void stop() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    @Test
    void aFaultWhileHandlingAPublishIsRefusedCountedLoggedAndNotStoredAndTheRouterGoesOn() throws Exception {
        MqttAsyncClient device = mqtt.v5("dev-internal", null);
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        try {
            // The topic's metadata is loaded before anything is checked.
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> publish(device, "devices/warm/telemetry", "{\"warm\":true}") == 0);
            String source = breakTheTopicRoutes();

            double before = internalErrors();
            long stored = mqtt.count();
            String failed = "{\"n\":\"" + System.nanoTime() + "\"}";
            logged.start();
            root.addAppender(logged);
            IMqttToken[] refused = new IMqttToken[1];
            // Until this router has loaded the source, the topic is one no route binds (0x90).
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                refused[0] = send(device, "broken/" + source + "/x", failed);
                return refused[0].getReasonCodes()[0] != 0x90;
            });
            assertEquals(0x80, refused[0].getReasonCodes()[0], "Unspecified error, never success");
            String reason = refused[0].getResponseProperties().getReasonString();
            Matcher ref = REFERENCE.matcher(reason == null ? "" : reason);
            assertTrue(ref.find(), "the reason string names a reference: " + reason);
            assertEquals(before + 1, internalErrors(), "counted once as internal_error");
            assertTrue(
                    logged.list.stream()
                            .anyMatch(e -> e.getLevel() == Level.ERROR
                                    && e.getFormattedMessage().contains(ref.group(1))
                                    && e.getThrowableProxy() != null),
                    "the fault is logged, with its stack trace, under the reference the device was given");
            assertTrue(device.isConnected(), "an MQTT 5 device keeps its connection");

            String failedOld = "{\"n\":\"" + System.nanoTime() + "\"}";
            MqttClient old = mqtt311("dev-internal-311");
            org.eclipse.paho.client.mqttv3.MqttMessage m =
                    new org.eclipse.paho.client.mqttv3.MqttMessage(failedOld.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            assertThrows(
                    MqttException.class,
                    () -> old.publish("broken/" + source + "/y", m),
                    "3.1.1 has no negative PUBACK: the connection ends");
            await().atMost(Duration.ofSeconds(10)).until(() -> !old.isConnected());
            old.close();
            assertEquals(before + 2, internalErrors(), "the 3.1.1 publish is counted too");

            HttpResponse<String> deleted = mqtt.admin.send("DELETE", "/admin/sources/" + source, null);
            assertEquals(204, deleted.statusCode(), deleted.body());
            String good = "{\"n\":\"" + System.nanoTime() + "\"}";
            await().atMost(Duration.ofSeconds(20)).until(() -> publish(device, "devices/d1/telemetry", good) == 0);
            assertEquals(1, mqtt.withPayload(good).size(), "the same connection publishes again");
            String goodOld = "{\"n\":\"" + System.nanoTime() + "\"}";
            MqttClient again = mqtt311("dev-internal-311-again");
            try {
                org.eclipse.paho.client.mqttv3.MqttMessage ok =
                        new org.eclipse.paho.client.mqttv3.MqttMessage(goodOld.getBytes(StandardCharsets.UTF_8));
                ok.setQos(1);
                again.publish("devices/d2/telemetry", ok);
            } finally {
                again.disconnect();
                again.close();
            }
            assertEquals(1, mqtt.withPayload(goodOld).size(), "a new 3.1.1 connection publishes again");

            assertEquals(0, mqtt.withPayload(failed).size(), "the refused MQTT 5 publish is not in Kafka");
            assertEquals(0, mqtt.withPayload(failedOld).size(), "the refused 3.1.1 publish is not in Kafka");
            assertTrue(mqtt.count() >= stored + 2);
        } finally {
            root.detachAppender(logged);
            if (device.isConnected()) {
                device.disconnect().waitForCompletion(5_000);
            }
            device.close();
        }
    }

    /** Stores a source whose MQTT key cannot be parsed; returns its name (also the middle level of its topics). */
    private static String breakTheTopicRoutes() throws Exception {
        String tenant = mqtt.admin.newTenant("ie-" + System.nanoTime());
        String source = "broken-" + tenant;
        HttpResponse<String> put = mqtt.admin.send(
                "PUT",
                "/admin/sources/" + source,
                "{\"topic\": \"" + mqtt.topic + "\", \"tenant\": \"" + tenant + "\", \"auth\": \"public\","
                        + " \"mqtt\": {\"topics\": [\"broken/" + source + "/+\"], \"key\": \"pointer:/a~2\"}}");
        assertEquals(200, put.statusCode(), put.body());
        return source;
    }

    /** The reason code of the PUBACK of one QoS 1 publish. */
    private static int publish(MqttAsyncClient c, String topic, String payload) throws Exception {
        return send(c, topic, payload).getReasonCodes()[0];
    }

    private static IMqttToken send(MqttAsyncClient c, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken t = c.publish(topic, m);
        t.waitForCompletion(10_000);
        return t;
    }

    private static MqttClient mqtt311(String clientId) throws Exception {
        MqttClient c =
                new MqttClient(mqtt.mqttUri, clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        c.setTimeToWait(10_000);
        c.connect(o);
        return c;
    }

    /** {@code internal_error} events of no route, as {@code /metrics} shows them (0 while not shown). */
    private static double internalErrors() throws Exception {
        HttpResponse<String> r = mqtt.admin.send("GET", "/metrics", null);
        assertEquals(200, r.statusCode());
        Matcher m = INTERNAL.matcher(r.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
