package dev.sluice.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --mqtt}: one event loop's MQTT 3.1.1 connections, each a device publishing to
 * {@code devices/load-<n>/telemetry} (the dev stack's demo route binds {@code devices/+/telemetry},
 * keyed by the device). Written on Netty directly, as {@link H2Connections} is: a PUBLISH is a
 * pre-encoded frame with its packet id filled in, and the publishes of one pacer hand-off leave in
 * one flush per connection. The Vert.x client validated the topic and flushed the socket for every
 * publish, and so cost the generator 18–26 µs of CPU per QoS 1 publish at 30,000/s: most of a core
 * on a two-core machine it shares with the broker it measures.
 *
 * <p>Each connection keeps at most {@link #WINDOW} QoS 1 publishes in flight (the router's default
 * Receive Maximum) and queues the rest, so a publish that waits for room waits on the clock: its
 * latency still runs from its intended send time to its PUBACK. QoS 0 has no acknowledgement: a
 * publish counts as answered once written to the socket. QoS 0 is bounded too: a connection holds at
 * most {@link #WINDOW} publishes handed to its socket and not yet written (the peer is not reading);
 * a publish that falls due while they are that many is not sent, and is reported as
 * {@value #WRITE_QUEUE_FULL} rather than queued without bound. Confined to its event loop.
 */
final class MqttPublishers {

    /** QoS 1 publishes in flight per connection (the router's {@code router.mqtt.receive.maximum} default). */
    static final int WINDOW = 64;

    /** The error kind of a QoS 0 publish not sent because its connection's writes were not draining. */
    static final String WRITE_QUEUE_FULL = "mqtt_write_queue_full";

    /** Seconds announced as the keep-alive in CONNECT; a PINGREQ goes out at half of it. */
    private static final int KEEP_ALIVE_SECONDS = 60;

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

    private static final MqttFixedHeader PINGREQ =
            new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0);

    private final EventLoop loop;
    private final long timeoutMillis;
    private final MqttQoS qos;
    private final byte[] payload;
    private final RandomPad pad;
    private final List<Device> devices = new ArrayList<>();
    private Answers answers;
    private ScheduledFuture<?> pinger;

    private MqttPublishers(EventLoop loop, int qos, byte[] payload, RandomPad pad, long timeoutMillis) {
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
        this.qos = MqttQoS.valueOf(qos);
        this.payload = payload;
        this.pad = pad;
    }

    /**
     * Opens {@code connections} connections on {@code context}'s event loop to {@code uri} ({@code tcp://host:port}),
     * devices {@code first} to {@code first + connections - 1}; the API key, if any, is the CONNECT password.
     * Completes once every connection has its CONNACK, or fails with the first refusal.
     */
    static Future<MqttPublishers> open(
            Vertx vertx,
            Context context,
            URI uri,
            int connections,
            int first,
            int qos,
            byte[] payload,
            RandomPad pad,
            String apiKey,
            long timeoutMillis) {
        EventLoop loop = ((ContextInternal) context).nettyEventLoop();
        ChannelFactory<? extends Channel> channels =
                ((VertxInternal) vertx).transport().channelFactory(false);
        MqttPublishers p = new MqttPublishers(loop, qos, payload, pad, timeoutMillis);
        int port = uri.getPort() > 0 ? uri.getPort() : 1883;
        List<Future<Void>> connects = new ArrayList<>();
        for (int i = first; i < first + connections; i++) {
            Device d = p.new Device(i);
            p.devices.add(d);
            connects.add(d.connect(channels, uri.getHost(), port, apiKey, timeoutMillis));
        }
        return Future.all(connects).map(v -> {
            long half = TimeUnit.SECONDS.toMillis(KEEP_ALIVE_SECONDS) / 2;
            p.pinger = loop.scheduleAtFixedRate(p::ping, half, half, TimeUnit.MILLISECONDS);
            return p;
        });
    }

    void answerTo(Answers a) {
        this.answers = a;
    }

    /** Event {@code i}, due at {@code intended}: published by device {@code i mod connections}, now or when it has room. */
    void send(long i, long intended, boolean measured) {
        Device d = devices.get((int) (i % devices.size()));
        d.queued.addLast(new Pending(intended, measured));
        d.drain();
    }

    /** Flushes every connection with publishes written since its last flush: one system call each. */
    void flush() {
        for (Device d : devices) {
            d.flush();
        }
    }

    /** Disconnects every device (on its event loop). */
    Future<Void> close(Context context) {
        Promise<Void> done = Promise.promise();
        loop.execute(() -> {
            if (pinger != null) {
                pinger.cancel(false); // the generator's loops outlive a run (a knee search runs many)
            }
            List<Future<Void>> all = new ArrayList<>();
            for (Device d : devices) {
                all.add(d.disconnect());
            }
            Future.all(all).onComplete(ar -> done.complete());
        });
        return done.future();
    }

    private void ping() {
        for (Device d : devices) {
            if (d.channel != null && d.channel.isActive()) {
                d.pings++;
                d.channel.writeAndFlush(new MqttMessage(PINGREQ));
            }
        }
    }

    /** One device's connection: its PUBLISH frame, queued and in-flight publishes, and the PUBACKs it reads. */
    private final class Device extends ChannelInboundHandlerAdapter implements ServerPackets.Sink {
        private final int number;
        private final ArrayDeque<Pending> queued = new ArrayDeque<>();
        private final IntObjectHashMap<Pending> inFlight = new IntObjectHashMap<>();
        private final Promise<Void> ready = Promise.promise();
        /** The whole PUBLISH frame; for QoS 1 its packet id sits at {@link #idAt}, written per publish. */
        private ByteBuf frame;

        private int idAt;
        /** Where the payload starts in {@link #frame}. */
        private int payloadAt;

        private Channel channel;
        private int nextId;
        /** QoS 0: publishes written since the last flush, answered together once the socket has taken them. */
        private List<Pending> batch = new ArrayList<>();
        /** QoS 0: publishes handed to the socket and not yet written. */
        private int unwritten;

        private boolean dirty;
        /** PINGREQs sent and PINGRESPs read; the closing drain waits for the answer to ping {@link #drainAt}. */
        private long pings;

        private long pongs;
        private long drainAt;
        private Promise<Void> drained;

        Device(int number) {
            this.number = number;
        }

        Future<Void> connect(
                ChannelFactory<? extends Channel> channels, String host, int port, String apiKey, long timeoutMillis) {
            frame = publishFrame("devices/load-" + number + "/telemetry");
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channelFactory(channels)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ServerPackets(Device.this), MqttEncoder.INSTANCE, Device.this);
                        }
                    });
            b.connect(host, port).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    ready.tryFail(f.cause());
                    return;
                }
                channel = f.channel();
                MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
                        .protocolVersion(MqttVersion.MQTT_3_1_1)
                        .clientId("load-" + number)
                        .cleanSession(true)
                        .keepAlive(KEEP_ALIVE_SECONDS);
                if (apiKey != null) {
                    connect.hasUser(true)
                            .username("load")
                            .hasPassword(true)
                            .password(apiKey.getBytes(StandardCharsets.UTF_8));
                }
                channel.writeAndFlush(connect.build());
                loop.schedule(
                        () -> {
                            if (ready.tryFail("no CONNACK within " + timeoutMillis + " ms")) {
                                channel.close();
                            }
                        },
                        timeoutMillis,
                        TimeUnit.MILLISECONDS);
            });
            return ready.future();
        }

        /** Fixed header, topic and (QoS 1) a packet id placeholder, then the payload. */
        private ByteBuf publishFrame(String topic) {
            byte[] t = topic.getBytes(StandardCharsets.UTF_8);
            boolean acked = qos != MqttQoS.AT_MOST_ONCE;
            int remaining = 2 + t.length + (acked ? 2 : 0) + payload.length;
            ByteBuf b = Unpooled.directBuffer(5 + remaining);
            b.writeByte(0x30 | (qos.value() << 1));
            for (int r = remaining; ; ) { // the remaining length, 7 bits per byte
                int digit = r & 0x7F;
                r >>>= 7;
                b.writeByte(r > 0 ? digit | 0x80 : digit);
                if (r == 0) {
                    break;
                }
            }
            b.writeShort(t.length).writeBytes(t);
            idAt = b.writerIndex();
            if (acked) {
                b.writeShort(0);
            }
            payloadAt = b.writerIndex();
            return Unpooled.unreleasableBuffer(b.writeBytes(payload).asReadOnly());
        }

        void drain() {
            boolean acked = qos != MqttQoS.AT_MOST_ONCE;
            while (!queued.isEmpty()) {
                if (acked && inFlight.size() >= WINDOW) {
                    return;
                }
                if (channel == null || !channel.isActive()) {
                    queued.forEach(p -> answers.failed(p, "mqtt_not_connected"));
                    queued.clear();
                    return;
                }
                Pending p = queued.pollFirst();
                if (!acked) {
                    if (unwritten >= WINDOW) {
                        answers.failed(p, WRITE_QUEUE_FULL);
                        continue;
                    }
                    unwritten++;
                    batch.add(p);
                    p.sentAt = System.nanoTime();
                    channel.write(pad.length() == 0 ? frame.retainedDuplicate() : padded(), channel.voidPromise());
                    dirty = true;
                    if (batch.size() >= WINDOW / 2) {
                        flush(); // a long hand-off is not held back until its end
                    }
                    continue;
                }
                nextId = nextId == 0xFFFF ? 1 : nextId + 1;
                inFlight.put(nextId, p);
                ByteBuf out = channel.alloc().ioBuffer(frame.readableBytes());
                out.writeBytes(frame, 0, frame.readableBytes()).setShort(idAt, nextId);
                pad.fill(out, payloadAt);
                p.sentAt = System.nanoTime();
                channel.write(out, channel.voidPromise());
                dirty = true;
            }
        }

        /** A copy of the frame whose payload padding is new. */
        private ByteBuf padded() {
            ByteBuf out = channel.alloc().ioBuffer(frame.readableBytes());
            out.writeBytes(frame, 0, frame.readableBytes());
            pad.fill(out, payloadAt);
            return out;
        }

        void flush() {
            if (!dirty) {
                return;
            }
            dirty = false;
            if (!batch.isEmpty()) {
                List<Pending> written = batch;
                batch = new ArrayList<>();
                // Completes once every write before it has reached the socket.
                channel.write(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    unwritten -= written.size();
                    long end = System.nanoTime();
                    for (Pending p : written) {
                        if (f.isSuccess()) {
                            answers.acked(p, end);
                        } else {
                            answers.failed(p, "mqtt_write");
                        }
                    }
                });
            }
            channel.flush();
        }

        /**
         * Ends the connection with a DISCONNECT. QoS 0 first sends a PINGREQ and waits (up to the run's
         * timeout) for its PINGRESP: the server answers it only after reading every publish before it, so
         * the run does not end, and the process exit, with publishes still in this socket's buffers.
         */
        Future<Void> disconnect() {
            if (channel == null || !channel.isActive()) {
                return Future.succeededFuture();
            }
            Promise<Void> closed = Promise.promise();
            channel.closeFuture().addListener(f -> closed.complete());
            Future<Void> read = Future.succeededFuture();
            if (qos == MqttQoS.AT_MOST_ONCE) {
                drained = Promise.promise();
                drainAt = ++pings;
                channel.writeAndFlush(new MqttMessage(PINGREQ));
                loop.schedule(() -> drained.tryComplete(), timeoutMillis, TimeUnit.MILLISECONDS);
                read = drained.future();
            }
            read.onComplete(v -> channel.writeAndFlush(new MqttMessage(
                            new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)))
                    .addListener(ChannelFutureListener.CLOSE));
            return closed.future();
        }

        @Override
        public void puback(int packetId) {
            Pending p = inFlight.remove(packetId);
            if (p != null) {
                answers.acked(p, System.nanoTime());
            }
            drain();
        }

        @Override
        public void connack(int returnCode) {
            if (returnCode == MqttConnectReturnCode.CONNECTION_ACCEPTED.byteValue()) {
                ready.tryComplete();
            } else {
                ready.tryFail("CONNACK " + MqttConnectReturnCode.valueOf((byte) returnCode));
                channel.close();
            }
        }

        @Override
        public void pingresp() {
            if (++pongs >= drainAt && drained != null) {
                drained.tryComplete();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flush(); // what the PUBACKs made room for
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.tryFail(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFail("connection closed before CONNACK");
            if (answers == null) {
                return; // closed while connecting: nothing was published
            }
            for (Pending p : inFlight.values()) {
                answers.failed(p, "mqtt_closed");
            }
            inFlight.clear();
            // Due but never written: the connection's window stayed full until it closed.
            queued.forEach(p -> answers.failed(p, "mqtt_unsent"));
            queued.clear();
        }
    }
}
