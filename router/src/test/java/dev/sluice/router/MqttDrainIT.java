package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A draining router and its devices: while it drains, a new MQTT connection is refused with
 * Server unavailable and counted as {@code draining}; once the grace period is over, connected
 * MQTT 5 devices are told with a DISCONNECT that the server is shutting down, so they reconnect
 * elsewhere instead of waiting out their keep-alive.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MqttDrainIT {

    @Test
    void aDrainingRouterRefusesNewDevicesAndTellsConnectedOnesItIsGoing(KafkaBroker kafka) throws Exception {
        String topic = "it.mqtt.drain";
        kafka.createTopic(topic, 1, Duration.ofMinutes(10));
        int mqttPort = Ports.freePort();
        RouterFixture router = RouterFixture.start(
                kafka,
                """
                {"routes": [{"source": "drain", "topic": "%s", "mqtt": {"topics": ["devices/+/telemetry"]}}]}
                """.formatted(topic),
                Map.of(
                        "router.mqtt.enabled", "true",
                        "router.mqtt.port", Integer.toString(mqttPort),
                        "router.drain.grace", "4s"));
        String uri = "tcp://127.0.0.1:" + mqttPort;
        CompletableFuture<Integer> told = new CompletableFuture<>();
        MqttAsyncClient device = client(uri, "staying");
        try {
            device.setCallback(new MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse r) {
                    told.complete(r.getReturnCode());
                }

                @Override
                public void mqttErrorOccurred(MqttException e) {}

                @Override
                public void messageArrived(String t, MqttMessage m) {}

                @Override
                public void deliveryComplete(IMqttToken token) {}

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {}

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {}
            });
            device.connect(options()).waitForCompletion(10_000);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                MqttMessage m = new MqttMessage("{\"t\":1}".getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                IMqttToken t = device.publish("devices/d1/telemetry", m);
                t.waitForCompletion(10_000);
                return t.getReasonCodes()[0] == 0;
            });

            CompletableFuture<Void> closed =
                    router.app().close().toCompletionStage().toCompletableFuture();
            MqttAsyncClient late = client(uri, "late");
            try {
                MqttException e = assertThrows(
                        MqttException.class, () -> late.connect(options()).waitForCompletion(10_000));
                assertEquals(0x88, e.getReasonCode(), "Server unavailable");
            } finally {
                late.close();
            }
            Counter draining = router.registry()
                    .find("sluice.router.mqtt.connect.refused")
                    .tag("reason", "draining")
                    .counter();
            assertEquals(1, draining == null ? 0 : draining.count(), "counted as draining");

            assertEquals(0x8B, told.get(30, TimeUnit.SECONDS), "Server shutting down");
            closed.get(60, TimeUnit.SECONDS);
        } finally {
            device.close(true);
            router.close();
        }
    }

    private static MqttAsyncClient client(String uri, String id) throws MqttException {
        return new MqttAsyncClient(uri, id, new MemoryPersistence());
    }

    private static MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        return o;
    }
}
