package dev.sluice.router.impl.http;

import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The content codings the router takes (RFC 9110 §8.4.1): {@code gzip} (RFC 1952, one or more
 * members), {@code deflate} (the zlib format of RFC 1950) and {@code identity}. A body is decoded as
 * it arrives, chunk by chunk, with {@link Inflater}; the inflated bytes go to a {@link Sink}, which
 * counts them, so a small body that inflates past a limit is stopped there. A body that does not
 * decode, has a wrong checksum or length, ends early, or goes on after its end is {@link Malformed}.
 */
final class Decoding {

    /** What the router answers a coding it does not decode with (RFC 9110 §12.5.3). */
    static final String ACCEPTED = "gzip, deflate, identity";

    enum Coding {
        IDENTITY,
        GZIP,
        DEFLATE
    }

    /** A body that does not decode by its content coding. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Takes inflated bytes; may throw to stop decoding (a limit passed). */
    interface Sink {
        void accept(byte[] bytes, int off, int len);
    }

    private Decoding() {}

    /**
     * The coding named by the Content-Encoding field values, or null when the router does not decode
     * it: an unknown coding, or more than one coding applied.
     */
    static Coding coding(Iterable<String> contentEncodings) {
        Coding found = Coding.IDENTITY;
        int applied = 0;
        for (String value : contentEncodings) {
            for (String element : value.split(",", -1)) {
                String name = Framing.trimOws(element).toLowerCase(Locale.ROOT);
                switch (name) {
                    case "", "identity" -> {
                        continue;
                    }
                    case "gzip", "x-gzip" -> found = Coding.GZIP;
                    case "deflate" -> found = Coding.DEFLATE;
                    default -> {
                        return null;
                    }
                }
                applied++;
            }
        }
        return applied > 1 ? null : found;
    }

    /** A decoder for one body; {@link #close} frees its native memory and must always be called. */
    static Decoder decoder(Coding coding) {
        return switch (coding) {
            case IDENTITY -> new Identity();
            case GZIP -> new Gzip();
            case DEFLATE -> new Zlib();
        };
    }

    abstract static class Decoder {
        /** Decodes the next bytes of the body into {@code out}. */
        abstract void feed(byte[] in, Sink out) throws Malformed;

        /** The body has ended: checks that it ended where its coding does. */
        abstract void finish() throws Malformed;

        /** Whether this decoder holds native memory (an {@link Inflater}). */
        boolean inflates() {
            return true;
        }

        void close() {}
    }

    private static final class Identity extends Decoder {
        @Override
        void feed(byte[] in, Sink out) {
            out.accept(in, 0, in.length);
        }

        @Override
        void finish() {}

        @Override
        boolean inflates() {
            return false;
        }
    }

    /** Shared by both compressed codings: runs the inflater over input until it needs more or ends. */
    private abstract static class Inflating extends Decoder {
        final Inflater inflater;
        private final byte[] scratch = new byte[16 * 1024];

        Inflating(boolean nowrap) {
            inflater = new Inflater(nowrap);
        }

        /** Inflates what the inflater has been given; returns the bytes of input it did not use. */
        int inflate(Sink out, CRC32 crc) throws Malformed {
            try {
                while (!inflater.finished()) {
                    int n = inflater.inflate(scratch);
                    if (n > 0) {
                        if (crc != null) {
                            crc.update(scratch, 0, n);
                        }
                        out.accept(scratch, 0, n);
                    } else if (inflater.needsInput()) {
                        return 0;
                    } else if (inflater.needsDictionary()) {
                        throw new Malformed("the deflate stream needs a preset dictionary");
                    }
                }
            } catch (DataFormatException e) {
                throw new Malformed("the deflate stream is corrupt: " + e.getMessage());
            }
            return inflater.getRemaining();
        }

        @Override
        void close() {
            inflater.end();
        }
    }

    /** {@code deflate}: one zlib stream; the inflater checks its Adler-32. */
    private static final class Zlib extends Inflating {
        Zlib() {
            super(false);
        }

        @Override
        void feed(byte[] in, Sink out) throws Malformed {
            if (inflater.finished()) {
                throw new Malformed("bytes follow the end of the deflate stream");
            }
            inflater.setInput(in);
            if (inflate(out, null) > 0) {
                throw new Malformed("bytes follow the end of the deflate stream");
            }
        }

        @Override
        void finish() throws Malformed {
            if (!inflater.finished()) {
                throw new Malformed("the deflate stream ends early");
            }
        }
    }

    /** {@code gzip}: members of a header, a deflate stream and a trailer of CRC-32 and length. */
    private static final class Gzip extends Inflating {
        private static final int MAX_HEADER = 64 * 1024;
        private final GzipHeader header = new GzipHeader(MAX_HEADER);
        private final CRC32 crc = new CRC32();
        private final byte[] trailer = new byte[8];
        private int trailerHave;
        private long memberBytes;
        private int members;
        private State state = State.HEADER;

        private enum State {
            HEADER,
            BODY,
            TRAILER
        }

        Gzip() {
            super(true);
        }

        @Override
        void feed(byte[] in, Sink out) throws Malformed {
            int pos = 0;
            Sink counting = (b, off, len) -> {
                memberBytes += len;
                out.accept(b, off, len);
            };
            while (pos < in.length) {
                switch (state) {
                    case HEADER -> {
                        int used = header.feed(in, pos);
                        pos += used;
                        if (header.complete()) {
                            state = State.BODY;
                        }
                    }
                    case BODY -> {
                        inflater.setInput(in, pos, in.length - pos);
                        int left = inflate(counting, crc);
                        pos = in.length - left;
                        if (inflater.finished()) {
                            state = State.TRAILER;
                        }
                    }
                    case TRAILER -> {
                        int n = Math.min(8 - trailerHave, in.length - pos);
                        System.arraycopy(in, pos, trailer, trailerHave, n);
                        trailerHave += n;
                        pos += n;
                        if (trailerHave == 8) {
                            endMember();
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }

        private void endMember() throws Malformed {
            long wantCrc = le32(trailer, 0);
            long wantSize = le32(trailer, 4);
            if (wantCrc != crc.getValue()) {
                throw new Malformed("the gzip CRC-32 does not match the data");
            }
            if (wantSize != (memberBytes & 0xffffffffL)) {
                throw new Malformed("the gzip length does not match the data");
            }
            members++;
            crc.reset();
            inflater.reset();
            header.reset();
            memberBytes = 0;
            trailerHave = 0;
            state = State.HEADER;
        }

        @Override
        void finish() throws Malformed {
            if (members == 0 || state != State.HEADER || header.started()) {
                throw new Malformed(
                        members == 0 && state == State.HEADER && !header.started()
                                ? "the body is empty, not a gzip stream"
                                : "the gzip stream ends early");
            }
        }

        private static long le32(byte[] b, int off) {
            return (b[off] & 0xffL)
                    | (b[off + 1] & 0xffL) << 8
                    | (b[off + 2] & 0xffL) << 16
                    | (b[off + 3] & 0xffL) << 24;
        }
    }
}
