package dev.sluice.loadgen;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --mqtt}: one event loop's MQTT 3.1.1 connections, each a device publishing to
 * {@code devices/load-<n>/telemetry} (the dev stack's demo route binds {@code devices/+/telemetry},
 * keyed by the device). A sender hands it events as they fall due; each connection keeps at most
 * {@link #WINDOW} QoS 1 publishes in flight (the router's default Receive Maximum) and queues the
 * rest, so a publish that waits for room waits on the clock: its latency still runs from its
 * intended send time to its PUBACK. QoS 0 has no acknowledgement: a publish counts as answered
 * once written to the socket. QoS 0 is bounded too: a connection holds at most {@link #WINDOW}
 * publishes handed to its socket and not yet written (the peer is not reading); a publish that
 * falls due while they are that many is not sent, and is reported as {@value #WRITE_QUEUE_FULL}
 * rather than queued without bound. Confined to its event loop.
 */
final class MqttPublishers {

    /** QoS 1 publishes in flight per connection (the router's {@code router.mqtt.receive.maximum} default). */
    static final int WINDOW = 64;

    /** The error kind of a QoS 0 publish not sent because its connection's writes were not draining. */
    static final String WRITE_QUEUE_FULL = "mqtt_write_queue_full";

    /** Where a connection's answers go (the sender of this event loop). */
    interface Answers {
        void acked(Pending p, long end);

        void failed(Pending p, String kind);
    }

    /** A publish: its intended send time, when it was written, and whether it falls in the measured window. */
    static final class Pending {
        final long intended;
        final boolean measured;
        long sentAt;

        Pending(long intended, boolean measured) {
            this.intended = intended;
            this.measured = measured;
        }
    }

    private final class Device {
        final MqttClient client;
        final String topic;
        final ArrayDeque<Pending> queued = new ArrayDeque<>();
        final Map<Integer, Pending> inFlight = new HashMap<>();
        int unassigned;
        /** QoS 0 publishes handed to the socket and not yet written. */
        int unwritten;

        Device(MqttClient client, String topic) {
            this.client = client;
            this.topic = topic;
            client.publishCompletionHandler(id -> {
                Pending p = inFlight.remove(id);
                if (p != null) {
                    answers.acked(p, System.nanoTime());
                }
                drain(this);
            });
            client.closeHandler(v -> {
                inFlight.values().forEach(p -> answers.failed(p, "mqtt_closed"));
                inFlight.clear();
                // Due but never written: the connection's window stayed full until it closed.
                queued.forEach(p -> answers.failed(p, "mqtt_unsent"));
                queued.clear();
            });
        }
    }

    private final List<Device> devices = new ArrayList<>();
    private final MqttQoS qos;
    private final Buffer payload;
    private Answers answers;

    private MqttPublishers(int qos, byte[] payload) {
        this.qos = MqttQoS.valueOf(qos);
        this.payload = Buffer.buffer(payload);
    }

    /**
     * Opens {@code connections} connections on {@code context}'s event loop to {@code uri} ({@code tcp://host:port}),
     * devices {@code first} to {@code first + connections - 1}; the API key, if any, is the CONNECT password.
     */
    static Future<MqttPublishers> open(
            Vertx vertx,
            Context context,
            URI uri,
            int connections,
            int first,
            int qos,
            byte[] payload,
            String apiKey,
            long timeoutMillis) {
        Promise<MqttPublishers> done = Promise.promise();
        context.runOnContext(v -> {
            MqttPublishers p = new MqttPublishers(qos, payload);
            List<Future<?>> connects = new ArrayList<>();
            for (int i = first; i < first + connections; i++) {
                MqttClientOptions co = new MqttClientOptions()
                        .setClientId("load-" + i)
                        .setMaxInflightQueue(WINDOW)
                        .setAutoKeepAlive(true)
                        .setCleanSession(true);
                co.setTcpNoDelay(true);
                co.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
                if (apiKey != null) {
                    co.setUsername("load").setPassword(apiKey);
                }
                MqttClient client = MqttClient.create(vertx, co);
                p.devices.add(p.new Device(client, "devices/load-" + i + "/telemetry"));
                connects.add(client.connect(uri.getPort() > 0 ? uri.getPort() : 1883, uri.getHost()));
            }
            Future.all(connects).onComplete(ar -> {
                if (ar.succeeded()) {
                    done.complete(p);
                } else {
                    done.fail(ar.cause());
                }
            });
        });
        return done.future();
    }

    void answerTo(Answers a) {
        this.answers = a;
    }

    /** Event {@code i}, due at {@code intended}: published by device {@code i mod connections}, now or when it has room. */
    void send(long i, long intended, boolean measured) {
        Device d = devices.get((int) (i % devices.size()));
        d.queued.addLast(new Pending(intended, measured));
        drain(d);
    }

    private void drain(Device d) {
        while (!d.queued.isEmpty()) {
            if (qos != MqttQoS.AT_MOST_ONCE && d.inFlight.size() + d.unassigned >= WINDOW) {
                return;
            }
            if (!d.client.isConnected()) {
                d.queued.forEach(p -> answers.failed(p, "mqtt_not_connected"));
                d.queued.clear();
                return;
            }
            Pending p = d.queued.pollFirst();
            if (qos == MqttQoS.AT_MOST_ONCE && d.unwritten >= WINDOW) {
                answers.failed(p, WRITE_QUEUE_FULL);
                continue;
            }
            p.sentAt = System.nanoTime();
            Future<Integer> f = d.client.publish(d.topic, payload, qos, false, false);
            if (qos == MqttQoS.AT_MOST_ONCE) {
                d.unwritten++;
                f.onComplete(ar -> {
                    d.unwritten--;
                    if (ar.succeeded()) {
                        answers.acked(p, System.nanoTime());
                    } else {
                        answers.failed(p, "mqtt_write");
                    }
                });
                continue;
            }
            d.unassigned++;
            f.onComplete(ar -> {
                d.unassigned--;
                if (ar.succeeded()) {
                    d.inFlight.put(ar.result(), p);
                } else {
                    answers.failed(p, "mqtt_publish");
                }
            });
        }
    }

    /** Disconnects every device (on its event loop). */
    Future<Void> close(Context context) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            List<Future<?>> all = new ArrayList<>();
            for (Device d : devices) {
                all.add(d.client.isConnected() ? d.client.disconnect().otherwiseEmpty() : Future.succeededFuture());
            }
            Future.all(all).onComplete(ar -> done.complete());
        });
        return done.future();
    }
}
