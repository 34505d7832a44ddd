package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomPadTest {

    private static final byte[] TEMPLATE = RunPlan.payload(200);

    @Test
    void everyFillRewritesAllOfThePaddingWithHexAndNothingElse() {
        RandomPad pad = RandomPad.over(TEMPLATE);
        int head = "{\"device\":{\"id\":\"d-1\"},\"pad\":\"".length();
        assertEquals(TEMPLATE.length - head - 2, pad.length());
        int at = 7; // a payload that does not start at the buffer's first byte, as in a PUBLISH frame
        Set<String> pads = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ByteBuf buf = Unpooled.buffer().writeZero(at).writeBytes(TEMPLATE).writeByte('!');
            pad.fill(buf, at);
            byte[] out = ByteBufUtil.getBytes(buf, at, TEMPLATE.length);
            assertEquals('!', buf.getByte(at + TEMPLATE.length), "the byte after the payload is left alone");
            assertArrayEquals(Arrays.copyOf(TEMPLATE, head), Arrays.copyOf(out, head), "the JSON before the padding");
            assertEquals("\"}", new String(out, out.length - 2, 2, StandardCharsets.US_ASCII));
            String padding = new String(out, head, pad.length(), StandardCharsets.US_ASCII);
            assertTrue(padding.matches("[0-9a-f]+"), padding);
            pads.add(padding);
        }
        assertEquals(1_000, pads.size(), "no two paddings alike");
    }

    @Test
    void aPayloadTooSmallForPaddingOrWithoutOneIsLeftAsItIs() {
        assertEquals(0, RandomPad.over(RunPlan.payload(0)).length());
        assertEquals(
                0,
                RandomPad.over("{\"a\":1}".getBytes(StandardCharsets.US_ASCII)).length());
        ByteBuf buf = Unpooled.wrappedBuffer("{\"a\":1}".getBytes(StandardCharsets.US_ASCII));
        RandomPad.NONE.fill(buf, 0);
        assertEquals("{\"a\":1}", buf.toString(StandardCharsets.US_ASCII));
    }
}
