package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class DecodingTest {

    private static final byte[] TEXT = ("{\"reading\":" + "42,".repeat(2000) + "1}").getBytes(StandardCharsets.UTF_8);

    @Test
    void namesTheCodingsItDecodesAndNoOther() {
        assertEquals(Decoding.Coding.IDENTITY, Decoding.coding(List.of()));
        assertEquals(Decoding.Coding.IDENTITY, Decoding.coding(List.of("identity")));
        assertEquals(Decoding.Coding.GZIP, Decoding.coding(List.of(" GZIP ")));
        assertEquals(Decoding.Coding.GZIP, Decoding.coding(List.of("x-gzip")));
        assertEquals(Decoding.Coding.DEFLATE, Decoding.coding(List.of("identity, deflate")));
        assertNull(Decoding.coding(List.of("br")));
        assertNull(Decoding.coding(List.of("gzip, gzip")));
        assertNull(Decoding.coding(List.of("gzip", "deflate")));
        assertNull(Decoding.coding(List.of("gzip;q=1")));
    }

    @Test
    void gzipInflatesWhateverTheChunkBoundaries() throws Exception {
        byte[] z = gzip(TEXT);
        for (int chunk : new int[] {1, 3, 10, 11, 4096, z.length}) {
            assertArrayEquals(TEXT, decode(Decoding.Coding.GZIP, z, chunk), "chunks of " + chunk);
        }
    }

    @Test
    void gzipWithOptionalHeaderFieldsAndTwoMembersInflatesToBoth() throws Exception {
        byte[] member = gzip(TEXT);
        // FEXTRA + FNAME + FCOMMENT + FHCRC, built by hand around the same deflate data and trailer.
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3});
        h.writeBytes(new byte[] {3, 0, 'a', 'b', 'c'});
        h.writeBytes("name\0".getBytes(StandardCharsets.ISO_8859_1));
        h.writeBytes("comment\0".getBytes(StandardCharsets.ISO_8859_1));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(h.toByteArray());
        h.write((int) crc.getValue() & 0xff);
        h.write((int) (crc.getValue() >>> 8) & 0xff);
        h.writeBytes(Arrays.copyOfRange(member, 10, member.length));
        byte[] both = concat(h.toByteArray(), member);
        assertArrayEquals(concat(TEXT, TEXT), decode(Decoding.Coding.GZIP, both, 7));
    }

    @Test
    void brokenGzipIsMalformed() throws Exception {
        byte[] z = gzip(TEXT);
        byte[] badCrc = z.clone();
        badCrc[z.length - 8] ^= 1;
        byte[] badSize = z.clone();
        badSize[z.length - 1] ^= 1;
        byte[] trailing = concat(z, new byte[] {'x'});
        for (byte[] bad : List.of(
                Arrays.copyOf(z, z.length - 1), Arrays.copyOf(z, 20), badCrc, badSize, trailing, TEXT, new byte[0])) {
            assertThrows(Decoding.Malformed.class, () -> decode(Decoding.Coding.GZIP, bad, 5));
        }
    }

    @Test
    void deflateIsTheZlibFormatWithItsChecksum() throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(TEXT);
        }
        byte[] zlib = z.toByteArray();
        assertArrayEquals(TEXT, decode(Decoding.Coding.DEFLATE, zlib, 9));
        byte[] badAdler = zlib.clone();
        badAdler[zlib.length - 1] ^= 1;
        assertThrows(Decoding.Malformed.class, () -> decode(Decoding.Coding.DEFLATE, badAdler, 9));
        assertThrows(
                Decoding.Malformed.class,
                () -> decode(Decoding.Coding.DEFLATE, Arrays.copyOf(zlib, zlib.length - 3), 9));
        assertThrows(Decoding.Malformed.class, () -> decode(Decoding.Coding.DEFLATE, concat(zlib, new byte[] {0}), 9));
    }

    @Test
    void aBombIsStoppedByItsSinkNotInflatedWhole() throws Exception {
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]);
        assertTrue(bomb.length < 128 * 1024);
        long[] seen = {0};
        Decoding.Decoder d = Decoding.decoder(Decoding.Coding.GZIP);
        try {
            RuntimeException stop = assertThrows(
                    RuntimeException.class,
                    () -> d.feed(bomb, (b, off, len) -> {
                        seen[0] += len;
                        if (seen[0] > 1024 * 1024) {
                            throw new IllegalStateException("limit");
                        }
                    }));
            assertEquals("limit", stop.getMessage());
            assertTrue(
                    seen[0] <= 1024 * 1024 + 16 * 1024, "stopped within one scratch buffer of the limit: " + seen[0]);
        } finally {
            d.close();
        }
    }

    private static byte[] decode(Decoding.Coding coding, byte[] body, int chunk) throws Exception {
        Decoding.Decoder d = Decoding.decoder(coding);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (int i = 0; i < body.length; i += chunk) {
                d.feed(Arrays.copyOfRange(body, i, Math.min(body.length, i + chunk)), out::write);
            }
            d.finish();
        } finally {
            d.close();
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(z)) {
            gz.write(data);
        }
        return z.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
