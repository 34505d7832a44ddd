package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** HTTP/1.1 spoken by hand over a socket, for the router's protocol tests: requests as text, answers read to the close. */
final class RawHttp {

    private RawHttp() {}

    /** A POST of {@code body} to a source, with its event id and length. */
    static String request(String source, String id, String body) {
        return "POST /v1/events/" + source + " HTTP/1.1\r\nHost: x\r\nce-id: " + id + "\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** The head of such a POST announcing {@code length} bytes, {@code extra} header lines (each ending in CRLF) added. */
    static String head(String source, String id, int length, String extra) {
        return "POST /v1/events/" + source + " HTTP/1.1\r\nHost: x\r\nce-id: " + id + "\r\nContent-Length: " + length
                + "\r\n" + extra + "\r\n";
    }

    /** {@code payload} as one chunk and the last chunk. */
    static String chunked(String payload) {
        return Integer.toHexString(payload.length()) + "\r\n" + payload + "\r\n0\r\n\r\n";
    }

    /** Sends the bytes on {@code s} and reads until the router closes it or falls silent for five seconds; closes {@code s}. */
    static String exchange(Socket s, String head, byte[]... bodies) throws IOException {
        try (s) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes(head));
            for (byte[] b : bodies) {
                out.write(b);
            }
            out.flush();
            return readToClose(s.getInputStream());
        }
    }

    /** What arrives until the close; "[still open]" is appended when the connection stayed open. */
    static String readToClose(InputStream in) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                seen.write(buf, 0, n);
            }
        } catch (SocketTimeoutException open) {
            // The connection stayed open: the caller's assertions say whether that was right.
            return seen.toString(StandardCharsets.ISO_8859_1) + "\n[still open]";
        } catch (IOException reset) {
            // A reset (or a TLS close) after the answer is a close too.
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    static void assertClosedAfterOneResponse(String resp) {
        assertEquals(1, resp.split("HTTP/1\\.[01] ", -1).length - 1, "exactly one response, then the close: " + resp);
    }

    static void assertProblem(String resp, int status, String reason) {
        assertTrue(resp.startsWith("HTTP/1.1 " + status) || resp.startsWith("HTTP/1.0 " + status), resp);
        assertEquals("application/problem+json", header(resp, "content-type"), resp);
        JsonObject p = problem(resp);
        assertEquals(reason, p.getString("reason"), resp);
        assertEquals(status, p.getInteger("status"));
        // Every raw exchange is an ingest request; its problem answer is checked as the contract's ingest problem.
        ContractCheck.check("POST", "/v1/events/raw", status, headers(resp), p.encode());
    }

    /** Checks the first response in {@code resp}, the answer to a POST to {@code path}, against the contract; returns it. */
    static String checked(String resp, String path) {
        int status = Integer.parseInt(resp.substring(9, 12));
        Map<String, String> headers = headers(resp);
        int start = resp.indexOf("\r\n\r\n") + 4;
        String length = headers.get("content-length");
        String body = length == null ? "" : resp.substring(start, start + Integer.parseInt(length));
        ContractCheck.check("POST", path, status, headers, body);
        return resp;
    }

    /** The headers of the first response, names in lower case (repeated ones joined by commas). */
    static Map<String, String> headers(String resp) {
        Map<String, String> out = new HashMap<>();
        String[] lines =
                resp.substring(0, Math.max(0, resp.indexOf("\r\n\r\n"))).split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                out.merge(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return out;
    }

    static JsonObject problem(String resp) {
        int start = resp.indexOf("\r\n\r\n") + 4;
        return new JsonObject(resp.substring(start, resp.lastIndexOf('}') + 1));
    }

    /** A header of the first response, or null. */
    static String header(String resp, String name) {
        for (String line :
                resp.substring(0, Math.max(0, resp.indexOf("\r\n\r\n"))).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(z)) {
            gz.write(data);
        }
        return z.toByteArray();
    }
}
