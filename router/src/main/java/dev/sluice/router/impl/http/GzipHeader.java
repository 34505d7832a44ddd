package dev.sluice.router.impl.http;

import java.util.zip.CRC32;

/**
 * The header of one gzip member (RFC 1952 §2.3), read a byte at a time as the body arrives:
 * magic, method 8 (deflate), flags without reserved bits, MTIME, XFL, OS, then the optional extra
 * field, file name, comment and header CRC (checked). A header longer than its bound is malformed.
 */
final class GzipHeader {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xe0;

    private final int maxBytes;
    private final CRC32 crc = new CRC32();
    private int seen;
    private int flags;
    private int extraLeft = -1;
    private int extraLenLow;
    private int crcHave;
    private int crcLow;
    private boolean complete;

    GzipHeader(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    void reset() {
        crc.reset();
        seen = 0;
        flags = 0;
        extraLeft = -1;
        crcHave = 0;
        complete = false;
    }

    boolean complete() {
        return complete;
    }

    /** Whether any byte of a header has been read (a body may only end between members). */
    boolean started() {
        return seen > 0;
    }

    /** Reads header bytes of {@code in} from {@code pos}; returns how many it used. */
    int feed(byte[] in, int pos) throws Decoding.Malformed {
        int start = pos;
        while (pos < in.length && !complete) {
            int b = in[pos++] & 0xff;
            if (++seen > maxBytes) {
                throw new Decoding.Malformed("the gzip header is longer than " + maxBytes + " bytes");
            }
            step(b);
        }
        return pos - start;
    }

    private void step(int b) throws Decoding.Malformed {
        int index = seen - 1;
        if (index < 10) {
            fixed(index, b);
            crc.update(b);
            if (index == 9) {
                next();
            }
            return;
        }
        if ((flags & FEXTRA) != 0) {
            crc.update(b);
            if (extraLeft == -1) {
                extraLenLow = b;
                extraLeft = -2;
            } else if (extraLeft == -2) {
                extraLeft = extraLenLow | b << 8;
                if (extraLeft == 0) {
                    flags &= ~FEXTRA;
                    next();
                }
            } else if (--extraLeft == 0) {
                flags &= ~FEXTRA;
                next();
            }
        } else if ((flags & FNAME) != 0) {
            crc.update(b);
            if (b == 0) {
                flags &= ~FNAME;
                next();
            }
        } else if ((flags & FCOMMENT) != 0) {
            crc.update(b);
            if (b == 0) {
                flags &= ~FCOMMENT;
                next();
            }
        } else if ((flags & FHCRC) != 0) {
            if (crcHave++ == 0) {
                crcLow = b;
            } else {
                if ((crcLow | b << 8) != (int) (crc.getValue() & 0xffff)) {
                    throw new Decoding.Malformed("the gzip header CRC does not match");
                }
                flags &= ~FHCRC;
                next();
            }
        }
    }

    private void fixed(int index, int b) throws Decoding.Malformed {
        switch (index) {
            case 0 -> expect(b == 0x1f, "the body is not gzip (no gzip magic)");
            case 1 -> expect(b == 0x8b, "the body is not gzip (no gzip magic)");
            case 2 -> expect(b == 8, "gzip compression method " + b + " is not deflate");
            case 3 -> {
                expect((b & RESERVED) == 0, "the gzip header sets reserved flags");
                flags = b;
            }
            default -> {
                // MTIME, XFL, OS: any value
            }
        }
    }

    /** After a part of the header: complete once no optional part is left. */
    private void next() {
        if ((flags & (FEXTRA | FNAME | FCOMMENT | FHCRC)) == 0) {
            complete = true;
        }
    }

    private static void expect(boolean ok, String why) throws Decoding.Malformed {
        if (!ok) {
            throw new Decoding.Malformed(why);
        }
    }
}
