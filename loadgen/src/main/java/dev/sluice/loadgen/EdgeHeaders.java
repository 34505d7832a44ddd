package dev.sluice.loadgen;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a request to a locked-down source carries besides its body: a unique body per request (the
 * router refuses a signature it has seen), the Sluice signature over it, and a unique
 * {@code Idempotency-Key}. One per sender (the MAC is not thread-safe); event-loop confined.
 *
 * <p>Cost on the generator's side, per request: one copy of the payload (its size), and with a
 * secret one HMAC-SHA256 over {@code t.body} (about a microsecond for a 200-byte body) plus the hex
 * encoding. It happens when the request falls due, before it is written; the ack latency counts
 * from the intended send instant, so it includes this, like any other client work.
 */
final class EdgeHeaders {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final Mac mac;

    /** {@code secret} null: no signature. */
    EdgeHeaders(String secret) {
        if (secret == null) {
            this.mac = null;
            return;
        }
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    boolean signs() {
        return mac != null;
    }

    /**
     * {@code template} with event {@code i}'s number written over the start of its padding, so that
     * every body differs and keeps its size (a template too short to hold the number is returned
     * with the number appended inside the JSON object instead).
     */
    static byte[] uniqueBody(byte[] template, long i) {
        byte[] digits = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
        int pad = indexOf(template, "\"pad\":\"".getBytes(StandardCharsets.US_ASCII));
        if (pad >= 0) {
            int from = pad + 7;
            int room = template.length - 2 - from;
            if (room >= digits.length) {
                byte[] out = template.clone();
                System.arraycopy(digits, 0, out, from, digits.length);
                return out;
            }
        }
        String s = new String(template, 0, template.length - 1, StandardCharsets.US_ASCII);
        return (s + ",\"n\":" + i + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code t=<unixSeconds>,v1=<hex HMAC-SHA256 of "t.body">}, Sluice's own scheme. */
    String signature(long unixSeconds, byte[] body) {
        byte[] t = Long.toString(unixSeconds).getBytes(StandardCharsets.US_ASCII);
        mac.update(t);
        mac.update((byte) '.');
        byte[] h = mac.doFinal(body);
        byte[] out = new byte[t.length + 6 + h.length * 2];
        int k = 0;
        out[k++] = 't';
        out[k++] = '=';
        System.arraycopy(t, 0, out, k, t.length);
        k += t.length;
        out[k++] = ',';
        out[k++] = 'v';
        out[k++] = '1';
        out[k++] = '=';
        for (byte b : h) {
            out[k++] = HEX[(b >> 4) & 0xf];
            out[k++] = HEX[b & 0xf];
        }
        return new String(out, StandardCharsets.US_ASCII);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
