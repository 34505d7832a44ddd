package dev.sluice.router.impl.ingest;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Near misses of valid input for the ingest properties: bytes flipped, inserted or deleted, the
 * end cut off, or a prefix some decoders take for another encoding, drawn by jqwik or from a
 * {@link java.util.Random}.
 */
final class Mutations {

    private Mutations() {}

    /** {@code original} changed in one to three places: a byte flipped, inserted, deleted, or the end cut off. */
    static Arbitrary<byte[]> mutated(Arbitrary<byte[]> originals) {
        return Combinators.combine(originals, mutations()).as(Mutations::apply);
    }

    static Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(
                        Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.oneOf(
                                Arbitraries.bytes(),
                                Arbitraries.of(
                                        (byte) 0,
                                        (byte) 0xFE,
                                        (byte) 0xFF,
                                        (byte) '"',
                                        (byte) '\\',
                                        (byte) '{',
                                        (byte) '}',
                                        (byte) '[',
                                        (byte) ']',
                                        (byte) ',',
                                        (byte) ':',
                                        (byte) '\n',
                                        (byte) 0xC3)))
                .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    static byte[] apply(byte[] original, List<Mutation> ms) {
        byte[] b = original;
        for (Mutation m : ms) {
            b = m.apply(b);
        }
        return b;
    }

    /** {@code original} with one to three mutations drawn from {@code r}. */
    static byte[] mutate(byte[] original, java.util.Random r) {
        List<Mutation> ms = new ArrayList<>();
        byte[] special = {0, (byte) 0xFE, (byte) 0xFF, '"', '\\', '{', '}', '[', ']', ',', ':', '\n', (byte) 0xC3};
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            ms.add(new Mutation(
                    r.nextInt(5),
                    r.nextInt(Integer.MAX_VALUE),
                    r.nextBoolean() ? (byte) r.nextInt(256) : special[r.nextInt(special.length)]));
        }
        return apply(original, ms);
    }

    record Mutation(int kind, int at, byte value) {
        byte[] apply(byte[] b) {
            int i = b.length == 0 ? 0 : at % b.length;
            switch (kind) {
                case 0 -> {
                    if (b.length == 0) {
                        return new byte[] {value};
                    }
                    byte[] out = b.clone();
                    out[i] = out[i] == value ? (byte) (value ^ 1) : value;
                    return out;
                }
                case 1 -> {
                    byte[] out = new byte[b.length + 1];
                    System.arraycopy(b, 0, out, 0, i);
                    out[i] = value;
                    System.arraycopy(b, i, out, i + 1, b.length - i);
                    return out;
                }
                case 2 -> {
                    if (b.length == 0) {
                        return b;
                    }
                    byte[] out = new byte[b.length - 1];
                    System.arraycopy(b, 0, out, 0, i);
                    System.arraycopy(b, i + 1, out, i, b.length - i - 1);
                    return out;
                }
                case 3 -> {
                    return java.util.Arrays.copyOf(b, i);
                }
                default -> {
                    // A prefix some decoders take for another encoding: a BOM or a NUL.
                    byte[][] prefixes = {
                        {0},
                        {(byte) 0xFE, (byte) 0xFF},
                        {(byte) 0xFF, (byte) 0xFE},
                        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        {0, 0, (byte) 0xFE, (byte) 0xFF},
                        {value, 0}
                    };
                    byte[] p = prefixes[Math.floorMod(value, prefixes.length)];
                    byte[] out = new byte[p.length + b.length];
                    System.arraycopy(p, 0, out, 0, p.length);
                    System.arraycopy(b, 0, out, p.length, b.length);
                    return out;
                }
            }
        }
    }
}
