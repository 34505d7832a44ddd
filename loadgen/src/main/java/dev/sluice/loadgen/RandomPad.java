package dev.sluice.loadgen;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh random hex over the padding of a payload made by {@link RunPlan#payload}, written into each
 * publish's own copy: every payload differs in all of its padding, not only in a counter, so producer
 * compression (lz4 finds repeats within a batch) meets data as incompressible as wrk's random bodies.
 * The rest of the payload (the JSON around the padding) stays as it was, as do its length and the
 * bytes outside it.
 */
final class RandomPad {

    /** Writes nothing: every publish carries the template as it is. */
    static final RandomPad NONE = new RandomPad(0, 0);

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAD_FIELD = "\"pad\":\"".getBytes(StandardCharsets.US_ASCII);

    private final int from;
    private final int length;

    private RandomPad(int from, int length) {
        this.from = from;
        this.length = length;
    }

    /** The padding of {@code template}: the value of its {@code "pad"} string, up to the closing {@code "}}. */
    static RandomPad over(byte[] template) {
        int at = EdgeHeaders.indexOf(template, PAD_FIELD);
        if (at < 0) {
            return NONE;
        }
        int from = at + PAD_FIELD.length;
        return new RandomPad(from, Math.max(0, template.length - 2 - from));
    }

    /** How many bytes each publish gets afresh. */
    int length() {
        return length;
    }

    /** Overwrites the padding of the payload that starts at {@code payloadAt} in {@code buf}. */
    void fill(ByteBuf buf, int payloadAt) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int at = payloadAt + from;
        int end = at + length;
        while (at < end) {
            long bits = random.nextLong();
            for (int k = 0; k < 16 && at < end; k++, bits >>>= 4) {
                buf.setByte(at++, HEX[(int) bits & 0xF]);
            }
        }
    }
}
