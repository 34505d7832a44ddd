package dev.sluice.router.impl.ingest;

import static dev.sluice.router.impl.ingest.SignedDeliveries.TOLERANCE;
import static dev.sluice.router.impl.ingest.SignedDeliveries.spelling;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.core.ConfigException;
import dev.sluice.core.SignatureConfig;
import dev.sluice.router.impl.ingest.SignedDeliveries.Delivery;
import dev.sluice.router.impl.ingest.SignedDeliveries.Headers;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    @Provide
    Arbitrary<Delivery> deliveries() {
        return SignedDeliveries.deliveries();
    }

    @Property
    void aSignedDeliveryVerifiesWithOneIdInEverySpelling(@ForAll("deliveries") Delivery d, @ForAll Random r)
            throws Exception {
        SignatureVerifier v = d.verifier();
        assertEquals(d.expectedId(), v.verify(spelling(d, r), d.body(), d.nowMillis()));
        assertEquals(
                d.expectedId(),
                v.verify(spelling(d, r), d.body(), d.nowMillis()),
                "a second spelling, the same delivery");
    }

    @Property
    void anyChangeToTheBodyIsRefused(@ForAll("deliveries") Delivery d, @ForAll Random r) {
        byte[] changed = Mutations.mutate(d.body(), r);
        Assume.that(!Arrays.equals(changed, d.body()));
        assertRefused(d.verifier(), spelling(d, r), changed, d.nowMillis());
    }

    /** What a forger may change besides the body: a bit of the MAC, the signed time, the webhook id. */
    enum Forgery {
        MAC_BIT,
        TIME,
        WEBHOOK_ID
    }

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
            case "github" ->
                m.put("x-hub-signature-256", "sha256=" + HexFormat.of().formatHex(forged));
            case "standard-webhooks" ->
                m.put(
                        "webhook-signature",
                        m.get("webhook-signature")
                                .replace(
                                        Base64.getEncoder().encodeToString(mac),
                                        Base64.getEncoder().encodeToString(forged)));
            default -> {
                String k = d.scheme() + "-signature";
                m.put(
                        k,
                        m.get(k)
                                .replaceAll(
                                        "(?i)" + HexFormat.of().formatHex(mac),
                                        HexFormat.of().formatHex(forged)));
            }
        }
    }

    @Property
    void aChangedHeaderIsRefusedOrTheSameDelivery(
            @ForAll("deliveries") Delivery d, @ForAll Random r, @ForAll("edits") List<Edit> edits) {
        Headers h = spelling(d, r);
        Map<String, String> m = new HashMap<>(h.values());
        List<String> names = new ArrayList<>(m.keySet());
        Collections.sort(names);
        for (Edit e : edits) {
            String name = names.get(Math.floorMod(e.header(), names.size()));
            m.put(name, e.apply(m.get(name)));
        }
        try {
            assertEquals(
                    d.expectedId(),
                    d.verifier().verify(new Headers(m), d.body(), d.nowMillis()),
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
        Arbitrary<Character> c = Arbitraries.oneOf(
                Arbitraries.of('=', ',', ' ', '0', '1', 'a', 'F', 't', 'v', '+', '-', '/', '\t'), Arbitraries.chars());
        return Combinators.combine(
                        Arbitraries.integers(), Arbitraries.integers().between(0, 2), Arbitraries.integers(), c)
                .as(Edit::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(3);
    }

    @Property
    void aSignedTimeOutsideTheToleranceIsRefused(
            @ForAll("deliveries") Delivery fresh, @ForAll("offsets") long offset, @ForAll Random r) {
        long t = fresh.nowMillis() / 1000 + offset; // wraps for extreme offsets: any long is a possible header value
        BigInteger distance = BigInteger.valueOf(t)
                .subtract(BigInteger.valueOf(fresh.nowMillis() / 1000))
                .abs();
        Assume.that(distance.compareTo(BigInteger.valueOf(TOLERANCE.toSeconds())) > 0);
        Assume.that(!fresh.scheme().equals("github")); // GitHub signs no time
        Delivery stale = new Delivery(
                fresh.scheme(), fresh.secrets(), fresh.signer(), fresh.body(), fresh.nowMillis(), t, fresh.webhookId());
        assertRefused(stale.verifier(), spelling(stale, r), stale.body(), stale.nowMillis());
    }

    /** Seconds from now: near the tolerance, anywhere, or at the ends of the range of long. */
    @Provide
    Arbitrary<Long> offsets() {
        long tol = TOLERANCE.toSeconds();
        return Arbitraries.oneOf(
                Arbitraries.longs().between(-3 * tol, 3 * tol),
                Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1));
    }

    @Provide
    Arbitrary<String> headerText() {
        Arbitrary<String> structured = Combinators.combine(
                        Arbitraries.of("t=", "v1=", "sha256=", "v1,", "t=,v1=", "v1=,t="),
                        Arbitraries.oneOf(
                                Arbitraries.longs().map(String::valueOf),
                                Arbitraries.strings().ofMaxLength(70),
                                Arbitraries.strings()
                                        .withChars("0123456789abcdefABCDEF")
                                        .ofMaxLength(66)),
                        Arbitraries.of("", ",", ",v1=", ",t=", " v1,", "=", ",,"),
                        Arbitraries.strings()
                                .withChars("0123456789abcdef=+/,t ")
                                .ofMaxLength(70))
                .as((a, b, c, e) -> a + b + c + e);
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(80), structured)
                .injectNull(0.1);
    }

    @Property
    void anyHeaderTextIsRefused(
            @ForAll("headerText") String a,
            @ForAll("headerText") String b,
            @ForAll("headerText") String c,
            @ForAll byte[] body,
            @ForAll @LongRange(min = 0, max = 8_000_000_000_000L) long now,
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
        Arbitrary<String> secret = Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(30),
                Arbitraries.strings().ofMaxLength(30).map(s -> "whsec_" + s),
                Arbitraries.bytes()
                        .array(byte[].class)
                        .ofMaxSize(40)
                        .map(k -> "whsec_" + Base64.getEncoder().encodeToString(k)));
        return Combinators.combine(
                        Arbitraries.of(SignatureConfig.SCHEMES),
                        secret.list().ofMinSize(1).ofMaxSize(3))
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
}
