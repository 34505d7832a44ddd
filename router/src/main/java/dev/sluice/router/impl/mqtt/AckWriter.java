package dev.sluice.router.impl.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes success PUBACKs, one write and one flush per connection per event-loop task rather than a
 * write and a flush per PUBACK. The broker acknowledges a whole produce request's records at once,
 * and they reach this loop as one task (see {@code LoopHandoff}); {@link MqttEndpoint#publishAcknowledge}
 * would make a system call per PUBACK of that burst, and each PUBACK would go down the pipeline in a
 * buffer of its own. Here a success PUBACK (four bytes, the same in MQTT 3.1.1 and 5: a success
 * with no properties leaves out its reason code) is appended to its connection's buffer, and each
 * buffer is written and flushed once at the end of the task. A socket that cannot be reached, or
 * whose channel is not writable (its reader is slow: Vert.x queues the writes), goes through the
 * endpoint as before. The promise is unchanged: a PUBACK is only ever written once the broker
 * acknowledged. Event-loop confined.
 */
final class AckWriter {

    private final Context context;
    private final Map<ChannelHandlerContext, ByteBuf> unflushed = new IdentityHashMap<>();
    private boolean scheduled;

    AckWriter(Context context) {
        this.context = context;
    }

    /** A success PUBACK for {@code packetId}: buffered now, written and flushed at the end of the current task. */
    void puback(MqttEndpoint endpoint, int packetId) {
        ChannelHandlerContext ch = channel(endpoint);
        if (ch == null || !ch.channel().isWritable() || !ch.executor().inEventLoop()) {
            endpoint.publishAcknowledge(packetId);
            return;
        }
        ByteBuf acks = unflushed.get(ch);
        if (acks == null) {
            acks = ch.alloc().buffer(64);
            unflushed.put(ch, acks);
            if (!scheduled) {
                scheduled = true;
                context.runOnContext(v -> flush());
            }
        }
        acks.writeByte(0x40).writeByte(2).writeShort(packetId);
    }

    private void flush() {
        scheduled = false;
        List<Map.Entry<ChannelHandlerContext, ByteBuf>> all = new ArrayList<>(unflushed.entrySet());
        unflushed.clear();
        for (Map.Entry<ChannelHandlerContext, ByteBuf> e : all) {
            e.getKey().writeAndFlush(e.getValue(), e.getKey().voidPromise());
        }
    }

    private static ChannelHandlerContext channel(MqttEndpoint endpoint) {
        NetSocket s = SocketFlow.socket(endpoint);
        return s instanceof NetSocketInternal internal ? internal.channelHandlerContext() : null;
    }
}
