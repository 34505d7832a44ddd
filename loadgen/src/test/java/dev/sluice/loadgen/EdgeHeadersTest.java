package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.SignatureConfig;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import dev.sluice.testkit.DevSecure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The locked-down source's flags and the generator's own Sluice signature, checked by the router's verifier. */
class EdgeHeadersTest {

    private static SignatureVerifier verifier(String secret) {
        return new SignatureVerifier(new SignatureConfig("sluice", List.of(secret), Duration.ofMinutes(5)));
    }

    @Test
    void theRoutersVerifierAcceptsTheGeneratorsSignature() throws Exception {
        byte[] body = EdgeHeaders.uniqueBody(RunPlan.payload(200), 42);
        long now = System.currentTimeMillis();
        String header = new EdgeHeaders("s3cret").signature(now / 1000, body);
        assertTrue(header.matches("t=\\d+,v1=[0-9a-f]{64}"), header);
        verifier("s3cret").verify(Map.of("sluice-signature", header)::get, body, now);
    }

    @Test
    void aSignatureWithAnotherSecretOrOverAnotherBodyIsRefused() {
        byte[] body = EdgeHeaders.uniqueBody(RunPlan.payload(200), 1);
        long now = System.currentTimeMillis();
        String header = new EdgeHeaders("s3cret").signature(now / 1000, body);
        assertThrows(
                SignatureVerifier.Refused.class,
                () -> verifier("other").verify(Map.of("sluice-signature", header)::get, body, now));
        byte[] other = EdgeHeaders.uniqueBody(RunPlan.payload(200), 2);
        assertThrows(
                SignatureVerifier.Refused.class,
                () -> verifier("s3cret").verify(Map.of("sluice-signature", header)::get, other, now));
    }

    @Test
    void uniqueBodiesDifferPerEventAndKeepTheirSize() {
        byte[] template = RunPlan.payload(200);
        byte[] a = EdgeHeaders.uniqueBody(template, 7);
        byte[] b = EdgeHeaders.uniqueBody(template, 123456789);
        assertEquals(200, a.length);
        assertEquals(200, b.length);
        assertFalse(new String(a, StandardCharsets.US_ASCII).equals(new String(b, StandardCharsets.US_ASCII)));
        assertTrue(new String(b, StandardCharsets.US_ASCII).contains("\"pad\":\"123456789x"));
        // A template without room for the number still yields a distinct, valid JSON object.
        String tiny = new String(
                EdgeHeaders.uniqueBody("{\"a\":1}".getBytes(StandardCharsets.US_ASCII), 5), StandardCharsets.US_ASCII);
        assertEquals("{\"a\":1,\"n\":5}", tiny);
    }

    @Test
    void readsTheEdgeFlags() {
        RunOptions o = RunOptions.parse(List.of("--api-key", "sk_x", "--sign-secret=abc", "--idempotency"));
        assertEquals("sk_x", o.apiKey());
        assertEquals("abc", o.signSecret());
        assertTrue(o.idempotency());
        assertFalse(o.secure());
        assertEquals("api-key signature idempotency-key", o.describe().get("edgeChecks"));
        assertFalse(o.toString().contains("sk_x") || o.toString().contains("abc"), o.toString());
        RunOptions plain = RunOptions.parse(List.of("--rate", "10"));
        assertNull(plain.apiKey());
        assertNull(plain.signSecret());
        assertFalse(plain.idempotency());
        assertFalse(plain.describe().containsKey("edgeChecks"));
    }

    @Test
    void secureTurnsOnAllThreeWithTheDevCredentials() {
        RunOptions o = RunOptions.parse(List.of("--self", "--split", "--secure", "--rate", "500"));
        assertTrue(o.secure());
        assertTrue(o.idempotency());
        assertEquals(DevSecure.API_KEY, o.apiKey());
        assertEquals(DevSecure.SIGNING_SECRET, o.signSecret());
        RunOptions own = RunOptions.parse(List.of("--self", "--secure", "--api-key", "sk_mine"));
        assertEquals("sk_mine", own.apiKey());
    }

    @Test
    void refusesEdgeFlagsWhereTheyCannotApply() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--secure")));
        assertTrue(e.getMessage().contains("--self"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> RunOptions.parse(List.of("--sign-secret", "x", "--batch", "10")));
        assertTrue(e.getMessage().contains("--batch 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--idempotency", "--batch", "10")));
        assertThrows(
                IllegalArgumentException.class,
                () -> RunOptions.parse(List.of("--self", "--e2e", "--direct", "--secure")));
        assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--api-key")));
        assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--idempotency=yes")));
    }

    @Test
    void theDevKeyIsShapedLikeARouterKey() {
        assertEquals(DevSecure.API_KEY.substring(3, 15), dev.sluice.router.impl.auth.ApiKeys.id(DevSecure.API_KEY));
        assertTrue(DevSecure.seedStatements()
                .get(1)
                .contains(java.util.HexFormat.of()
                        .formatHex(dev.sluice.router.impl.auth.ApiKeys.hash(DevSecure.API_KEY))));
    }
}
