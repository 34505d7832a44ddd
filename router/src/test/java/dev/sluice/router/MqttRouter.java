package dev.sluice.router;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/**
 * A router with MQTT enabled (plain TCP), PostgreSQL and the admin API, and four MQTT-bound routes
 * on a topic of its own: {@code telemetry} ({@code devices/+/telemetry}, keyed by the device),
 * {@code alarms} ({@code alarms/#}, keyed by the {@code site} user property), {@code readings}
 * ({@code readings/+}, with a schema requiring a number {@code v}) and {@code small}
 * ({@code small/+}, payloads of at most 64 bytes).
 */
final class MqttRouter implements AutoCloseable {

    final String topic;
    final String mqttUri;
    final AdminClient admin;
    private final KafkaBroker kafka;
    private final RouterFixture router;

    private MqttRouter(String topic, String mqttUri, KafkaBroker kafka, RouterFixture router, AdminClient admin) {
        this.topic = topic;
        this.mqttUri = mqttUri;
        this.kafka = kafka;
        this.router = router;
        this.admin = admin;
    }

    static MqttRouter start(KafkaBroker kafka, String db, String topic) throws Exception {
        kafka.createTopic(topic, 3, Duration.ofMinutes(10));
        String catalog = """
                {"routes": [
                  {"source": "telemetry", "topic": "%1$s", "type": "dev.sluice.telemetry",
                   "mqtt": {"topics": ["devices/+/telemetry"], "key": "topic:1"}},
                  {"source": "alarms", "topic": "%1$s", "mqtt": {"topics": ["alarms/#"], "key": "property:site"}},
                  {"source": "readings", "topic": "%1$s", "mqtt": {"topics": ["readings/+"]},
                   "schema": {"type": "object", "required": ["v"], "properties": {"v": {"type": "number"}}}},
                  {"source": "small", "topic": "%1$s", "maxBodyBytes": 64, "mqtt": {"topics": ["small/+"]}}]}
                """.formatted(topic);
        int mqttPort = Ports.freePort();
        String adminKey = "admin-" + System.nanoTime();
        RouterFixture router = RouterFixture.start(
                kafka,
                catalog,
                Map.of(
                        "router.instances",
                        "1",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(mqttPort)),
                b -> b.postgres(db).adminKey(adminKey));
        return new MqttRouter(
                topic, "tcp://127.0.0.1:" + mqttPort, kafka, router, AdminClient.of(router.app(), adminKey));
    }

    /** An MQTT 5 client, connected with a clean start; with {@code password} as a key unless it is null. */
    MqttAsyncClient v5(String clientId, String password) throws Exception {
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

    /** The records in the topic whose value is {@code payload}. */
    List<ConsumerRecord<byte[], byte[]>> withPayload(String payload) {
        return kafka.readAll(topic, Duration.ofSeconds(5)).stream()
                .filter(r -> payload.equals(new String(r.value(), StandardCharsets.UTF_8)))
                .toList();
    }

    /** A counter of the router's registry, 0 while it is not registered. */
    double counter(String name) {
        io.micrometer.core.instrument.Counter c = router.registry().find(name).counter();
        return c == null ? 0 : c.count();
    }

    long count() {
        return kafka.count(topic);
    }

    @Override
    public void close() throws Exception {
        router.close();
    }
}
