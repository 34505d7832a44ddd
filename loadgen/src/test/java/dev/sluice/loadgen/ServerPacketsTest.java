package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The publisher's reader of server packets, fed whole, byte by byte, and with packets it does not know. */
class ServerPacketsTest {

    private final List<String> seen = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ServerPackets(new ServerPackets.Sink() {
        @Override
        public void connack(int returnCode) {
            seen.add("connack " + returnCode);
        }

        @Override
        public void puback(int packetId) {
            seen.add("puback " + packetId);
        }

        @Override
        public void pingresp() {
            seen.add("pingresp");
        }
    }));

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /** A CONNACK (accepted), two PUBACKs, a SUBACK it skips (remaining length 200, two length bytes), a PINGRESP, a refused CONNACK. */
    private static byte[] stream() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(bytes(0x20, 2, 0, 0));
        b.writeBytes(bytes(0x40, 2, 0x00, 0x07));
        b.writeBytes(bytes(0x40, 2, 0xFF, 0xFF));
        b.writeBytes(bytes(0x90, 0xC8, 0x01)).writeZero(200);
        b.writeBytes(bytes(0xD0, 0));
        b.writeBytes(bytes(0x20, 2, 0, 5));
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private static final List<String> EXPECTED =
            List.of("connack 0", "puback 7", "puback 65535", "pingresp", "connack 5");

    @Test
    void readsEveryPacketItKnowsAndSkipsTheRestWhole() {
        channel.writeInbound(Unpooled.wrappedBuffer(stream()));
        assertEquals(EXPECTED, seen);
    }

    @Test
    void readsTheSameWhenEveryByteArrivesAlone() {
        for (byte b : stream()) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertEquals(EXPECTED, seen);
    }

    @Test
    void aRemainingLengthOfFiveBytesOrAPubackTooShortIsAnError() {
        assertThrows(
                DecoderException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(bytes(0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x01))));
        EmbeddedChannel other = new EmbeddedChannel(new ServerPackets(new ServerPackets.Sink() {
            @Override
            public void connack(int returnCode) {}

            @Override
            public void puback(int packetId) {}

            @Override
            public void pingresp() {}
        }));
        assertThrows(DecoderException.class, () -> other.writeInbound(Unpooled.wrappedBuffer(bytes(0x40, 1, 0))));
    }
}
