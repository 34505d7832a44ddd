package dev.sluice.loadgen;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * {@code sluice bench mqtt}: an open-loop MQTT 3.1.1 publisher. {@code --connections} devices
 * publish to {@code devices/<n>/telemetry} at a constant total {@code --rate}; with QoS 1 each
 * publish's latency runs from its intended send time to its PUBACK (a publish that waits for a
 * free in-flight slot waits on the clock, so queueing is never hidden). Works against Sluice's
 * MQTT listener or any MQTT broker (Mosquitto as the anchor). The first {@code --warmup} is not
 * recorded.
 */
public final class MqttLoad {

    private record Options(URI target, int connections, int rate, Duration duration, Duration warmup, int qos, int payloadBytes,
                           String password, int inflight) {
    }

    /** One device: its client, the intended send times of its queued and in-flight publishes. */
    private static final class Device {
        final MqttClient client;
        final String topic;
        final ArrayDeque<Long> queued = new ArrayDeque<>();
        final Map<Integer, Long> inFlight = new HashMap<>();
        int unassigned;

        Device(MqttClient client, String topic) {
            this.client = client;
            this.topic = topic;
        }
    }

    private MqttLoad() {
    }

    public static int run(String[] args) throws Exception {
        Options o = parse(args);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong sent = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Device> devices = new ArrayList<>();
        byte[] payload = new byte[o.payloadBytes()];
        java.util.Arrays.fill(payload, (byte) 'x');
        Buffer body = Buffer.buffer(payload);
        try {
            List<Future<?>> connects = new ArrayList<>();
            for (int i = 0; i < o.connections(); i++) {
                MqttClientOptions co = new MqttClientOptions().setClientId("load-" + i).setMaxInflightQueue(o.inflight())
                        .setAutoKeepAlive(true).setCleanSession(true);
                if (o.password() != null) {
                    co.setUsername("load").setPassword(o.password());
                }
                Device d = new Device(MqttClient.create(vertx, co), "devices/load-" + i + "/telemetry");
                devices.add(d);
                connects.add(d.client.connect(o.target().getPort(), o.target().getHost()));
            }
            long connecting = System.nanoTime();
            Future.all(connects).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            System.out.printf("  %d connections accepted (CONNACK) in %d ms%n", o.connections(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connecting));
            long start = System.nanoTime();
            long recordFrom = start + o.warmup().toNanos();
            long end = recordFrom + o.duration().toNanos();
            double intervalNanos = 1e9 / o.rate();
            CountDownLatch done = new CountDownLatch(1);
            long[] next = {0};
            for (Device d : devices) {
                d.client.publishCompletionHandler(id -> {
                    Long intended = d.inFlight.remove(id);
                    if (intended != null) {
                        acked.incrementAndGet();
                        if (intended >= recordFrom) {
                            latency.recordValue(Math.max(1, System.nanoTime() - intended));
                        }
                    }
                    drain(d, body, o.qos(), sent, failed);
                });
            }
            vertx.setPeriodic(1, t -> {
                long now = System.nanoTime();
                while (true) {
                    long intended = start + (long) (next[0] * intervalNanos);
                    if (intended > now || intended >= end) {
                        break;
                    }
                    Device d = devices.get((int) (next[0] % devices.size()));
                    d.queued.addLast(intended);
                    next[0]++;
                    drain(d, body, o.qos(), sent, failed);
                }
                boolean over = now >= end && devices.stream().allMatch(d -> d.queued.isEmpty() && d.inFlight.isEmpty() && d.unassigned == 0);
                if (over || now >= end + TimeUnit.SECONDS.toNanos(30)) {
                    vertx.cancelTimer(t);
                    done.countDown();
                }
            });
            done.await();
            double seconds = (o.warmup().toNanos() + o.duration().toNanos()) / 1e9;
            System.out.printf("mqtt %s qos %d: %d connections, offered %d/s for %s after %s warm-up%n", o.target(), o.qos(),
                    o.connections(), o.rate(), o.duration(), o.warmup());
            System.out.printf("  sent %d (%.0f/s), acknowledged %d, failed %d%n", sent.get(), sent.get() / seconds, acked.get(),
                    failed.get());
            if (o.qos() > 0 && latency.getTotalCount() > 0) {
                System.out.printf("  publish -> PUBACK ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  (%d recorded)%n",
                        ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(90)), ms(latency.getValueAtPercentile(99)),
                        ms(latency.getValueAtPercentile(99.9)), ms(latency.getMaxValue()), latency.getTotalCount());
            }
            return failed.get() == 0 ? 0 : 1;
        } finally {
            for (Device d : devices) {
                d.client.disconnect();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Sends a device's queued publishes while it has in-flight room (QoS 0 has no window). */
    private static void drain(Device d, Buffer body, int qos, AtomicLong sent, AtomicLong failed) {
        while (!d.queued.isEmpty()) {
            if (qos > 0 && d.inFlight.size() + d.unassigned >= MAX_WINDOW.get()) {
                return;
            }
            long intended = d.queued.pollFirst();
            Future<Integer> f = d.client.publish(d.topic, body, MqttQoS.valueOf(qos), false, false);
            sent.incrementAndGet();
            if (qos > 0) {
                d.unassigned++;
                f.onComplete(ar -> {
                    d.unassigned--;
                    if (ar.succeeded()) {
                        d.inFlight.put(ar.result(), intended);
                    } else {
                        failed.incrementAndGet();
                    }
                });
            }
        }
    }

    /** The client's in-flight window, shared by every device (set from {@code --inflight}). */
    private static final java.util.concurrent.atomic.AtomicInteger MAX_WINDOW = new java.util.concurrent.atomic.AtomicInteger(64);

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static Options parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --flag value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        int inflight = Integer.parseInt(a.getOrDefault("inflight", "64"));
        MAX_WINDOW.set(inflight);
        return new Options(URI.create(a.getOrDefault("target", "tcp://127.0.0.1:1883")), Integer.parseInt(a.getOrDefault("connections", "50")),
                Integer.parseInt(a.getOrDefault("rate", "10000")), Duration.parse("PT" + a.getOrDefault("duration", "20s").toUpperCase()),
                Duration.parse("PT" + a.getOrDefault("warmup", "5s").toUpperCase()), Integer.parseInt(a.getOrDefault("qos", "1")),
                Integer.parseInt(a.getOrDefault("payload", "200")), a.get("password"), inflight);
    }
}
