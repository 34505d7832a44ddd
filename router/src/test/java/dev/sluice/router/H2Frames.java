package dev.sluice.router;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Just enough HTTP/2 (RFC 9113) to open, reset and read streams by hand: frames, and HEADERS blocks in HPACK literals. */
final class H2Frames {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int GOAWAY = 7;
    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;
    static final int REFUSED_STREAM = 0x7;
    static final int CANCEL = 0x8;
    static final int ENHANCE_YOUR_CALM = 0xb;

    private H2Frames() {}

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    /** The client's side of the connection start: the preface and an empty SETTINGS frame. */
    static byte[] start() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(PREFACE);
        b.writeBytes(frame(SETTINGS, 0, 0, new byte[0]));
        return b.toByteArray();
    }

    static byte[] settingsAck() {
        return frame(SETTINGS, ACK, 0, new byte[0]);
    }

    static byte[] rstStream(int stream, int error) {
        return frame(RST_STREAM, 0, stream, int32(error));
    }

    /**
     * :method POST and :scheme http from the static table; :path, :authority and content-length (when
     * not negative) as literals; then each extra name and value as a literal with a new name.
     */
    static byte[] postHeaders(String path, long contentLength, String... extra) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x83);
        b.write(0x86);
        literal(b, 0x04, path);
        literal(b, 0x01, "x");
        if (contentLength >= 0) {
            b.write(0x0f);
            b.write(28 - 15);
            string(b, Long.toString(contentLength));
        }
        for (int i = 0; i + 1 < extra.length; i += 2) {
            b.write(0x00);
            string(b, extra[i]);
            string(b, extra[i + 1]);
        }
        return b.toByteArray();
    }

    private static void literal(ByteArrayOutputStream b, int nameIndex, String value) {
        b.write(nameIndex);
        string(b, value);
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        if (v.length > 126) {
            throw new IllegalArgumentException("literal too long for this encoder: " + s);
        }
        b.write(v.length);
        b.writeBytes(v);
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** One frame the router sent. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY frame. */
        int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return (payload[at] & 0xff) << 24
                    | (payload[at + 1] & 0xff) << 16
                    | (payload[at + 2] & 0xff) << 8
                    | payload[at + 3] & 0xff;
        }
    }

    /**
     * What the router sent on one connection, read until it closed the connection (end of stream or
     * reset) or fell silent for the socket's read timeout.
     */
    record Received(List<Frame> frames, boolean closed) {
        long count(int type, int error) {
            return frames.stream()
                    .filter(f -> f.type() == type && f.errorCode() == error)
                    .count();
        }

        boolean goAway(int error) {
            return count(GOAWAY, error) > 0;
        }
    }

    /** Reads the router's frames (after nothing: HTTP/2 servers send no preface of their own but SETTINGS). */
    static Received read(InputStream in) {
        DataInputStream data = new DataInputStream(in);
        List<Frame> frames = new ArrayList<>();
        try {
            while (true) {
                byte[] head = new byte[9];
                data.readFully(head);
                int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
                byte[] payload = new byte[length];
                data.readFully(payload);
                int stream = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
                frames.add(new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload));
            }
        } catch (SocketTimeoutException silent) {
            return new Received(frames, false);
        } catch (EOFException | SocketException closed) {
            return new Received(frames, true);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
