package dev.sluice.router.impl.ingest;

import dev.sluice.core.SignatureConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Signed deliveries for the four signature schemes, made the way a sender makes them: a secret of
 * the source, a body, a signed time (and id), and any legal spelling of the signature headers.
 */
final class SignedDeliveries {

    static final Duration TOLERANCE = Duration.ofMinutes(5);

    private SignedDeliveries() {}

    /** A delivery as a sender signs it: one of the source's secrets, a body, a signed time (and id). */
    record Delivery(
            String scheme, List<String> secrets, int signer, byte[] body, long nowMillis, long t, String webhookId) {

        SignatureVerifier verifier() {
            return new SignatureVerifier(new SignatureConfig(scheme, secrets, TOLERANCE));
        }

        byte[] signed() {
            String prefix = switch (scheme) {
                case "github" -> "";
                case "standard-webhooks" -> webhookId + "." + t + ".";
                default -> t + ".";
            };
            return concat(prefix.getBytes(StandardCharsets.UTF_8), body);
        }

        byte[] mac() {
            String secret = secrets.get(signer);
            byte[] key = scheme.equals("standard-webhooks") && secret.startsWith("whsec_")
                    ? Base64.getDecoder().decode(secret.substring(6))
                    : secret.getBytes(StandardCharsets.UTF_8);
            return hmac(key, signed());
        }

        /** The id the verifier must answer: what was verified, never the header's text. */
        String expectedId() {
            return switch (scheme) {
                case "github" -> "mac:" + HexFormat.of().formatHex(mac());
                case "standard-webhooks" -> "id:" + webhookId;
                default -> "t:" + t + ":" + HexFormat.of().formatHex(mac());
            };
        }

        Delivery withBody(byte[] b) {
            return new Delivery(scheme, secrets, signer, b, nowMillis, t, webhookId);
        }
    }

    /** The request headers that carry a signature, by lower-case name. */
    record Headers(Map<String, String> values) implements UnaryOperator<String> {
        @Override
        public String apply(String name) {
            return values.get(name);
        }
    }

    static Arbitrary<Delivery> deliveries() {
        Arbitrary<String> scheme = Arbitraries.of(SignatureConfig.SCHEMES);
        Arbitrary<String> plainSecret = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> whsec = Arbitraries.bytes()
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(64)
                .map(k -> "whsec_" + Base64.getEncoder().encodeToString(k));
        Arbitrary<List<String>> secrets =
                Arbitraries.oneOf(plainSecret, whsec).list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Long> now = Arbitraries.longs().between(0, 8_000_000_000_000L);
        Arbitrary<Long> skew = Arbitraries.longs().between(-TOLERANCE.toSeconds(), TOLERANCE.toSeconds());
        Arbitrary<String> webhookId = Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("_-")
                .ofMinLength(1)
                .ofMaxLength(40);
        return Combinators.combine(scheme, secrets, Arbitraries.integers().between(0, 2), body, now, skew, webhookId)
                .as((s, sec, i, b, n, k, id) -> new Delivery(s, sec, i % sec.size(), b, n, n / 1000 + k, id));
    }

    /** One legal way to write the delivery's signature headers. */
    static Headers spelling(Delivery d, Random r) {
        Map<String, String> h = new HashMap<>();
        byte[] mac = d.mac();
        switch (d.scheme()) {
            case "github" -> h.put("x-hub-signature-256", "sha256=" + hexAnyCase(mac, r));
            case "standard-webhooks" -> {
                List<String> parts = new ArrayList<>();
                parts.add("v1," + Base64.getEncoder().encodeToString(mac));
                for (int i = r.nextInt(3); i > 0; i--) {
                    parts.add(
                            switch (r.nextInt(3)) {
                                case 0 -> "v1," + Base64.getEncoder().encodeToString(random(r, 32));
                                case 1 -> "v1a," + Base64.getEncoder().encodeToString(random(r, 64));
                                default -> "v2,x";
                            });
                }
                Collections.shuffle(parts, r);
                StringBuilder sb = new StringBuilder(spaces(r));
                for (String p : parts) {
                    sb.append(p).append(" ").append(spaces(r));
                }
                h.put("webhook-id", d.webhookId());
                h.put("webhook-timestamp", Long.toString(d.t()));
                h.put("webhook-signature", sb.toString().trim());
            }
            default -> {
                List<String> parts = new ArrayList<>();
                parts.add(spaces(r) + "t" + spaces(r) + "=" + spaces(r) + d.t() + spaces(r));
                parts.add(spaces(r) + "v1" + spaces(r) + "=" + spaces(r) + hexAnyCase(mac, r) + spaces(r));
                for (int i = r.nextInt(3); i > 0; i--) {
                    parts.add(
                            switch (r.nextInt(3)) {
                                case 0 -> "v1=" + HexFormat.of().formatHex(random(r, 32));
                                case 1 -> "v0=" + HexFormat.of().formatHex(random(r, 32));
                                default -> "scheme=other";
                            });
                }
                Collections.shuffle(parts, r);
                h.put(d.scheme() + "-signature", String.join(",", parts));
            }
        }
        return new Headers(h);
    }

    static String hexAnyCase(byte[] b, Random r) {
        String hex = HexFormat.of().formatHex(b);
        return switch (r.nextInt(3)) {
            case 0 -> hex;
            case 1 -> hex.toUpperCase(java.util.Locale.ROOT);
            default -> {
                StringBuilder sb = new StringBuilder();
                for (char ch : hex.toCharArray()) {
                    sb.append(r.nextBoolean() ? Character.toUpperCase(ch) : ch);
                }
                yield sb.toString();
            }
        };
    }

    static String spaces(Random r) {
        return r.nextInt(3) == 0 ? " ".repeat(1 + r.nextInt(2)) : "";
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
