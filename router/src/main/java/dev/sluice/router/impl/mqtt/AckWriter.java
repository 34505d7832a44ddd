package dev.sluice.router.impl.mqtt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Writes success PUBACKs and flushes each connection once per event-loop task rather than once per
 * PUBACK. The broker acknowledges a whole produce request's records at once, and they reach this
 * loop as one task (see {@code LoopHandoff}); {@link MqttEndpoint#publishAcknowledge} would make a
 * write system call per PUBACK of that burst, a connection with many publishes in flight getting
 * several in a row. Here each PUBACK is written to the channel and one flush per connection follows
 * at the end of the task. A socket that cannot be reached, or whose channel is not writable (its
 * reader is slow: Vert.x queues the writes), goes through the endpoint as before. The promise is
 * unchanged: a PUBACK is only ever written once the broker acknowledged. Event-loop confined.
 */
final class AckWriter {

    private static final MqttFixedHeader PUBACK =
            new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);

    private final Context context;
    private final Set<ChannelHandlerContext> unflushed = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean scheduled;

    AckWriter(Context context) {
        this.context = context;
    }

    /** A success PUBACK for {@code packetId}: written now, flushed at the end of the current task. */
    void puback(MqttEndpoint endpoint, int packetId) {
        ChannelHandlerContext ch = channel(endpoint);
        if (ch == null || !ch.channel().isWritable() || !ch.executor().inEventLoop()) {
            endpoint.publishAcknowledge(packetId);
            return;
        }
        MqttMessage ack = MqttMessageFactory.newMessage(
                PUBACK, new MqttPubReplyMessageVariableHeader(packetId, (byte) 0, MqttProperties.NO_PROPERTIES), null);
        ch.write(ack, ch.voidPromise());
        if (unflushed.add(ch) && !scheduled) {
            scheduled = true;
            context.runOnContext(v -> flush());
        }
    }

    private void flush() {
        scheduled = false;
        List<ChannelHandlerContext> all = new ArrayList<>(unflushed);
        unflushed.clear();
        for (ChannelHandlerContext ch : all) {
            ch.flush();
        }
    }

    private static ChannelHandlerContext channel(MqttEndpoint endpoint) {
        NetSocket s = SocketFlow.socket(endpoint);
        return s instanceof NetSocketInternal internal ? internal.channelHandlerContext() : null;
    }
}
