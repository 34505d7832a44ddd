package dev.sluice.router.impl.ingest;

import dev.sluice.core.ConfigException;
import dev.sluice.core.SignatureConfig;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a source's webhook signature (HMAC-SHA256) in the scheme its senders use. Signatures
 * are compared in constant time; any of the configured secrets may match (rotation); signed
 * timestamps must be within the tolerance (replay window). One instance per route; thread-safe.
 */
public final class SignatureVerifier {

    /** The request is not signed as the source requires; the message says how. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final SignatureConfig config;
    private final List<byte[]> keys;
    private final ThreadLocal<List<Mac>> macs;

    public SignatureVerifier(SignatureConfig config) {
        this.config = config;
        List<byte[]> k = new ArrayList<>();
        for (String secret : config.secrets()) {
            k.add(key(config.scheme(), secret));
        }
        this.keys = List.copyOf(k);
        this.macs = ThreadLocal.withInitial(() -> {
            List<Mac> out = new ArrayList<>();
            for (byte[] key : keys) {
                out.add(mac(key));
            }
            return out;
        });
    }

    /**
     * Standard Webhooks secrets are {@code whsec_<base64>}; every other scheme uses the secret's bytes.
     * A {@code whsec_} secret that is not base64 of at least one byte is a configuration error, found
     * when the route loads rather than on its first request.
     */
    static byte[] key(String scheme, String secret) {
        if (scheme.equals("standard-webhooks") && secret.startsWith("whsec_")) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("signature.secrets: a whsec_ secret must be base64 after the prefix");
            }
            if (key.length == 0) {
                throw new ConfigException("signature.secrets: a whsec_ secret must not be empty after the prefix");
            }
            return key;
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Passes when the request is signed with one of the secrets, and returns what identifies the
     * delivery for replay checks, built only from what was verified: the signed timestamp and the
     * MAC that matched (Sluice, Stripe), the MAC (GitHub, whose signature covers only the body), or
     * the signed {@code webhook-id} (Standard Webhooks). Every spelling of a header that verifies
     * the same delivery yields the same id; the header's text never enters it.
     */
    public String verify(UnaryOperator<String> headers, byte[] body, long nowMillis) throws Refused {
        return switch (config.scheme()) {
            case "sluice" -> timestamped(headers.apply("sluice-signature"), "Sluice-Signature", body, nowMillis);
            case "stripe" -> timestamped(headers.apply("stripe-signature"), "Stripe-Signature", body, nowMillis);
            case "github" -> github(headers.apply("x-hub-signature-256"), body);
            default ->
                standardWebhooks(
                        headers.apply("webhook-id"),
                        headers.apply("webhook-timestamp"),
                        headers.apply("webhook-signature"),
                        body,
                        nowMillis);
        };
    }

    /** How long a signature stays acceptable: the replay window. */
    public java.time.Duration tolerance() {
        return config.tolerance();
    }

    /** {@code t=<unix seconds>,v1=<hex>[,v1=<hex>...]} over {@code t + "." + body}. */
    private String timestamped(String header, String name, byte[] body, long nowMillis) throws Refused {
        if (header == null) {
            throw new Refused("the " + name + " header is missing");
        }
        String t = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = part.substring(0, eq).trim();
            String v = part.substring(eq + 1).trim();
            if (k.equals("t")) {
                if (t != null) {
                    throw new Refused(name + " carries more than one timestamp");
                }
                t = v;
            } else if (k.equals("v1")) {
                signatures.add(hex(v));
            }
        }
        if (t == null || signatures.isEmpty()) {
            throw new Refused(name + " must carry t=<unix time> and v1=<hex signature>");
        }
        long seconds = checkTime(t, nowMillis);
        byte[] signed = concat((t + ".").getBytes(StandardCharsets.US_ASCII), body);
        return "t:" + seconds + ":" + HexFormat.of().formatHex(match(signed, signatures));
    }

    private String github(String header, byte[] body) throws Refused {
        if (header == null || !header.startsWith("sha256=")) {
            throw new Refused("the X-Hub-Signature-256 header (sha256=<hex>) is missing");
        }
        return "mac:" + HexFormat.of().formatHex(match(body, List.of(hex(header.substring("sha256=".length())))));
    }

    private String standardWebhooks(String id, String timestamp, String header, byte[] body, long nowMillis)
            throws Refused {
        if (id == null || timestamp == null || header == null) {
            throw new Refused("webhook-id, webhook-timestamp and webhook-signature are all required");
        }
        checkTime(timestamp, nowMillis);
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.trim().split(" ")) {
            if (part.startsWith("v1,")) {
                try {
                    signatures.add(Base64.getDecoder().decode(part.substring(3)));
                } catch (IllegalArgumentException e) {
                    signatures.add(new byte[0]);
                }
            }
        }
        if (signatures.isEmpty()) {
            throw new Refused("webhook-signature carries no v1 signature");
        }
        match(concat((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body), signatures);
        return "id:" + id;
    }

    /** The signed time in seconds, once it is within the tolerance of now. */
    private long checkTime(String unixSeconds, long nowMillis) throws Refused {
        long t;
        try {
            t = Long.parseLong(unixSeconds.trim());
        } catch (NumberFormatException e) {
            throw new Refused("the signed timestamp is not a number of seconds");
        }
        long skew;
        try {
            skew = Math.absExact(Math.subtractExact(nowMillis / 1000, t));
        } catch (ArithmeticException e) {
            skew = Long.MAX_VALUE; // further from now than a long can say: certainly outside the tolerance
        }
        if (skew > config.tolerance().toSeconds()) {
            throw new Refused("the signed timestamp is " + skew + " s away from now; the tolerance is "
                    + config.tolerance().toSeconds() + " s");
        }
        return t;
    }

    /** The MAC that matched one of the given signatures. */
    private byte[] match(byte[] signed, List<byte[]> signatures) throws Refused {
        for (Mac mac : macs.get()) {
            byte[] expected = mac.doFinal(signed);
            for (byte[] given : signatures) {
                if (MessageDigest.isEqual(expected, given)) {
                    return expected;
                }
            }
        }
        throw new Refused("no signature matches the body with any of the source's secrets");
    }

    private static byte[] hex(String s) {
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
