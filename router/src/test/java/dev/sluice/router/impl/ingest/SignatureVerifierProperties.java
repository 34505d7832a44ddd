package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.core.ConfigException;
import dev.sluice.core.SignatureConfig;
import java.math.BigInteger;
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
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * The four signature schemes, signed here the way a sender signs: a correctly signed request
 * verifies, with one delivery id whatever legal spelling its header takes; any change to the body
 * or to what was signed is refused; and no header text fails with anything but
 * {@link SignatureVerifier.Refused}.
 */
class SignatureVerifierProperties {

    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    /** A delivery as a sender signs it: one of the source's secrets, a body, a signed time (and id). */
    record Delivery(String scheme, List<String> secrets, int signer, byte[] body, long nowMillis, long t, String webhookId) {

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
                    ? Base64.getDecoder().decode(secret.substring(6)) : secret.getBytes(StandardCharsets.UTF_8);
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

    @Provide
    Arbitrary<Delivery> deliveries() {
        Arbitrary<String> scheme = Arbitraries.of(SignatureConfig.SCHEMES);
        Arbitrary<String> plainSecret = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> whsec = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)
                .map(k -> "whsec_" + Base64.getEncoder().encodeToString(k));
        Arbitrary<List<String>> secrets = Arbitraries.oneOf(plainSecret, whsec).list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Long> now = Arbitraries.longs().between(0, 8_000_000_000_000L);
        Arbitrary<Long> skew = Arbitraries.longs().between(-TOLERANCE.toSeconds(), TOLERANCE.toSeconds());
        Arbitrary<String> webhookId = Arbitraries.strings().alpha().numeric().withChars("_-").ofMinLength(1).ofMaxLength(40);
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
                    parts.add(switch (r.nextInt(3)) {
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
                    parts.add(switch (r.nextInt(3)) {
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

    @Property
    void aSignedDeliveryVerifiesWithOneIdInEverySpelling(@ForAll("deliveries") Delivery d, @ForAll Random r) throws Exception {
        SignatureVerifier v = d.verifier();
        assertEquals(d.expectedId(), v.verify(spelling(d, r), d.body(), d.nowMillis()));
        assertEquals(d.expectedId(), v.verify(spelling(d, r), d.body(), d.nowMillis()), "a second spelling, the same delivery");
    }

    @Property
    void anyChangeToTheBodyIsRefused(@ForAll("deliveries") Delivery d, @ForAll Random r) {
        byte[] changed = Gen.mutate(d.body(), r);
        Assume.that(!Arrays.equals(changed, d.body()));
        assertRefused(d.verifier(), spelling(d, r), changed, d.nowMillis());
    }

    /** What a forger may change besides the body: a bit of the MAC, the signed time, the webhook id. */
    enum Forgery { MAC_BIT, TIME, WEBHOOK_ID }

    @Property
    void anyChangeToWhatWasSignedIsRefused(@ForAll("deliveries") Delivery d, @ForAll Forgery f, @ForAll Random r) {
        Headers h = spelling(d, r);
        Map<String, String> m = new HashMap<>(h.values());
        switch (f) {
            case MAC_BIT -> {
                byte[] mac = d.mac();
                byte[] forged = mac.clone();
                forged[r.nextInt(forged.length)] ^= (byte) (1 << r.nextInt(8));
                replaceSignature(d, m, mac, forged);
            }
            case TIME -> {
                // Another time inside the tolerance: still fresh, but not what was signed.
                long other = d.t() + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(30));
                if (d.scheme().equals("standard-webhooks")) {
                    m.put("webhook-timestamp", Long.toString(other));
                } else if (!d.scheme().equals("github")) {
                    String k = d.scheme() + "-signature";
                    m.put(k, m.get(k).replaceFirst("t(\\s*)=(\\s*)" + d.t(), "t$1=$2" + other));
                }
                Assume.that(!d.scheme().equals("github"));
            }
            case WEBHOOK_ID -> {
                Assume.that(d.scheme().equals("standard-webhooks"));
                m.put("webhook-id", d.webhookId() + "x");
            }
        }
        assertRefused(d.verifier(), new Headers(m), d.body(), d.nowMillis());
    }

    private static void replaceSignature(Delivery d, Map<String, String> m, byte[] mac, byte[] forged) {
        switch (d.scheme()) {
            case "github" -> m.put("x-hub-signature-256", "sha256=" + HexFormat.of().formatHex(forged));
            case "standard-webhooks" -> m.put("webhook-signature", m.get("webhook-signature")
                    .replace(Base64.getEncoder().encodeToString(mac), Base64.getEncoder().encodeToString(forged)));
            default -> {
                String k = d.scheme() + "-signature";
                m.put(k, m.get(k).replaceAll("(?i)" + HexFormat.of().formatHex(mac), HexFormat.of().formatHex(forged)));
            }
        }
    }

    @Property
    void aChangedHeaderIsRefusedOrTheSameDelivery(@ForAll("deliveries") Delivery d, @ForAll Random r,
                                                  @ForAll("edits") List<Edit> edits) {
        Headers h = spelling(d, r);
        Map<String, String> m = new HashMap<>(h.values());
        List<String> names = new ArrayList<>(m.keySet());
        Collections.sort(names);
        for (Edit e : edits) {
            String name = names.get(Math.floorMod(e.header(), names.size()));
            m.put(name, e.apply(m.get(name)));
        }
        try {
            assertEquals(d.expectedId(), d.verifier().verify(new Headers(m), d.body(), d.nowMillis()),
                    "a changed header that still verifies is only another spelling of the same delivery: " + m);
        } catch (SignatureVerifier.Refused refused) {
            // refused: fine
        }
    }

    /** One character of one header replaced, inserted or deleted. */
    record Edit(int header, int kind, int at, char c) {
        String apply(String s) {
            int i = s.isEmpty() ? 0 : Math.floorMod(at, s.length());
            return switch (kind) {
                case 0 -> s.isEmpty() ? String.valueOf(c) : s.substring(0, i) + c + s.substring(i + 1);
                case 1 -> s.substring(0, i) + c + s.substring(i);
                default -> s.isEmpty() ? s : s.substring(0, i) + s.substring(i + 1);
            };
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        Arbitrary<Character> c = Arbitraries.oneOf(Arbitraries.of('=', ',', ' ', '0', '1', 'a', 'F', 't', 'v', '+', '-', '/', '\t'),
                Arbitraries.chars());
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 2), Arbitraries.integers(), c)
                .as(Edit::new).list().ofMinSize(1).ofMaxSize(3);
    }

    @Property
    void aSignedTimeOutsideTheToleranceIsRefused(@ForAll("deliveries") Delivery fresh, @ForAll("offsets") long offset, @ForAll Random r) {
        long t = fresh.nowMillis() / 1000 + offset; // wraps for extreme offsets: any long is a possible header value
        BigInteger distance = BigInteger.valueOf(t).subtract(BigInteger.valueOf(fresh.nowMillis() / 1000)).abs();
        Assume.that(distance.compareTo(BigInteger.valueOf(TOLERANCE.toSeconds())) > 0);
        Assume.that(!fresh.scheme().equals("github")); // GitHub signs no time
        Delivery stale = new Delivery(fresh.scheme(), fresh.secrets(), fresh.signer(), fresh.body(), fresh.nowMillis(), t,
                fresh.webhookId());
        assertRefused(stale.verifier(), spelling(stale, r), stale.body(), stale.nowMillis());
    }

    /** Seconds from now: near the tolerance, anywhere, or at the ends of the range of long. */
    @Provide
    Arbitrary<Long> offsets() {
        long tol = TOLERANCE.toSeconds();
        return Arbitraries.oneOf(Arbitraries.longs().between(-3 * tol, 3 * tol), Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1));
    }

    @Provide
    Arbitrary<String> headerText() {
        Arbitrary<String> structured = Combinators.combine(Arbitraries.of("t=", "v1=", "sha256=", "v1,", "t=,v1=", "v1=,t="),
                Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf), Arbitraries.strings().ofMaxLength(70),
                        Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMaxLength(66)),
                Arbitraries.of("", ",", ",v1=", ",t=", " v1,", "=", ",,"),
                Arbitraries.strings().withChars("0123456789abcdef=+/,t ").ofMaxLength(70))
                .as((a, b, c, e) -> a + b + c + e);
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(80), structured).injectNull(0.1);
    }

    @Property
    void anyHeaderTextIsRefused(@ForAll("headerText") String a, @ForAll("headerText") String b, @ForAll("headerText") String c,
                                @ForAll byte[] body, @ForAll @LongRange(min = 0, max = 8_000_000_000_000L) long now,
                                @ForAll("deliveries") Delivery config) {
        Map<String, String> m = new HashMap<>();
        m.put("sluice-signature", a);
        m.put("stripe-signature", a);
        m.put("x-hub-signature-256", a);
        m.put("webhook-id", b);
        m.put("webhook-timestamp", c);
        m.put("webhook-signature", a);
        assertRefused(config.verifier(), new Headers(m), body, now);
    }

    @Provide
    Arbitrary<SignatureConfig> configs() {
        Arbitrary<String> secret = Arbitraries.oneOf(Arbitraries.strings().ofMinLength(1).ofMaxLength(30),
                Arbitraries.strings().ofMaxLength(30).map(s -> "whsec_" + s),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(k -> "whsec_" + Base64.getEncoder().encodeToString(k)));
        return Combinators.combine(Arbitraries.of(SignatureConfig.SCHEMES), secret.list().ofMinSize(1).ofMaxSize(3))
                .as((s, sec) -> new SignatureConfig(s, sec, TOLERANCE));
    }

    @Property
    void everyConfigTheCatalogAcceptsMakesAVerifierOrAConfigError(@ForAll("configs") SignatureConfig config) {
        SignatureVerifier v;
        try {
            v = new SignatureVerifier(config);
        } catch (ConfigException e) {
            return; // a typed, named configuration error, at load
        } catch (RuntimeException e) {
            throw new AssertionError("a signature config fails only with ConfigException, got " + e, e);
        }
        // A verifier that was built answers a wrongly signed request with Refused, never an exception of its keys.
        long now = 1_790_000_000_000L;
        Map<String, String> m = new HashMap<>();
        m.put("sluice-signature", "t=" + now / 1000 + ",v1=00");
        m.put("stripe-signature", "t=" + now / 1000 + ",v1=00");
        m.put("x-hub-signature-256", "sha256=00");
        m.put("webhook-id", "msg_1");
        m.put("webhook-timestamp", Long.toString(now / 1000));
        m.put("webhook-signature", "v1,AA==");
        assertRefused(v, new Headers(m), new byte[] {1}, now);
    }

    // ---- helpers ----

    static void assertRefused(SignatureVerifier v, Headers h, byte[] body, long now) {
        try {
            String id = v.verify(h, body, now);
            fail("verified, with id " + id + ": " + h.values());
        } catch (SignatureVerifier.Refused expected) {
            // the only acceptable failure
        } catch (RuntimeException e) {
            fail("only Refused may escape, got " + e, e);
        }
    }

    private static String hexAnyCase(byte[] b, Random r) {
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

    private static String spaces(Random r) {
        return r.nextInt(3) == 0 ? " ".repeat(1 + r.nextInt(2)) : "";
    }

    private static byte[] random(Random r, int n) {
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
