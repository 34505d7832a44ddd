package dev.sluice.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Reads what an MQTT 3.1.1 server sends a publisher: CONNACK, PUBACK and PINGRESP, each a fixed
 * header and at most two bytes (MQTT 3.1.1, 3.2, 3.4 and 3.13); any other packet is skipped whole.
 * It hands them to its {@link Sink} straight from the socket's bytes. Netty's {@code MqttDecoder}, a
 * replaying decoder that builds a message object per packet, was a quarter of the generator's
 * sampled CPU at 30,000 QoS 1 publishes/s, one PUBACK per publish. Confined to its channel.
 */
final class ServerPackets extends ByteToMessageDecoder {

    /** What the packets say. */
    interface Sink {
        void connack(int returnCode);

        void puback(int packetId);

        void pingresp();
    }

    /** The largest packet a publisher expects (a server's CONNACK, PUBACK or PINGRESP is 2 to 4 bytes). */
    static final int MAX_SKIPPED = 1 << 16;

    private final Sink sink;
    private long skipping;

    ServerPackets(Sink sink) {
        this.sink = sink;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (skipping > 0) {
                int n = (int) Math.min(skipping, in.readableBytes());
                in.skipBytes(n);
                skipping -= n;
                continue;
            }
            int start = in.readerIndex();
            int type = in.readUnsignedByte() >> 4;
            long remaining = remainingLength(in);
            if (remaining < 0) {
                in.readerIndex(start); // the length is not all here yet
                return;
            }
            if (remaining > MAX_SKIPPED) {
                throw new DecoderException("a packet of " + remaining + " bytes from the server");
            }
            if (type == 2 || type == 4) { // CONNACK, PUBACK: two bytes of variable header
                if (remaining < 2) {
                    throw new DecoderException(
                            "a " + (type == 2 ? "CONNACK" : "PUBACK") + " of " + remaining + " bytes");
                }
                if (in.readableBytes() < remaining) {
                    in.readerIndex(start);
                    return;
                }
                int variable = in.readUnsignedShort();
                in.skipBytes((int) remaining - 2);
                if (type == 2) {
                    sink.connack(variable & 0xFF);
                } else {
                    sink.puback(variable);
                }
            } else {
                if (type == 13) {
                    sink.pingresp();
                }
                skipping = remaining;
            }
        }
    }

    /** The remaining length (MQTT 3.1.1, 2.2.3) after the first byte, or -1 when not all of it has arrived. */
    private static long remainingLength(ByteBuf in) {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            if (!in.isReadable()) {
                return -1;
            }
            int digit = in.readUnsignedByte();
            value |= (long) (digit & 0x7F) << (7 * i);
            if ((digit & 0x80) == 0) {
                return value;
            }
        }
        throw new DecoderException("a remaining length of more than four bytes");
    }
}
