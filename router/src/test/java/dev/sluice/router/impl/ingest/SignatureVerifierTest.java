package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.SignatureConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Each scheme checked against a signature the test computes itself, the way a sender would. */
class SignatureVerifierTest {

    private static final byte[] BODY = "{\"amount\":4200,\"currency\":\"eur\"}".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_790_000_000_000L;
    private static final String T = Long.toString(NOW / 1000);

    private static byte[] hmac(byte[] key, String prefix, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(prefix.getBytes(StandardCharsets.UTF_8));
        return mac.doFinal(body);
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    private static SignatureVerifier verifier(String scheme, String... secrets) {
        return new SignatureVerifier(new SignatureConfig(scheme, List.of(secrets), Duration.ofMinutes(5)));
    }

    private static Map<String, String> headers(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void sluiceSchemeAcceptsAnyActiveSecretAndRefusesTamperingAndStaleTimes() throws Exception {
        String sig = hex(hmac("new-secret".getBytes(StandardCharsets.UTF_8), T + ".", BODY));
        SignatureVerifier v = verifier("sluice", "old-secret", "new-secret");
        assertDoesNotThrow(() -> v.verify(headers("sluice-signature", "t=" + T + ",v1=" + sig)::get, BODY, NOW));

        byte[] tampered = "{\"amount\":9999,\"currency\":\"eur\"}".getBytes(StandardCharsets.UTF_8);
        assertThrows(
                SignatureVerifier.Refused.class,
                () -> v.verify(headers("sluice-signature", "t=" + T + ",v1=" + sig)::get, tampered, NOW));
        assertThrows(
                SignatureVerifier.Refused.class,
                () -> verifier("sluice", "other")
                        .verify(headers("sluice-signature", "t=" + T + ",v1=" + sig)::get, BODY, NOW));
        SignatureVerifier.Refused stale = assertThrows(
                SignatureVerifier.Refused.class,
                () -> v.verify(headers("sluice-signature", "t=" + T + ",v1=" + sig)::get, BODY, NOW + 301_000));
        assertTrue(stale.getMessage().contains("tolerance"), stale.getMessage());
        assertThrows(SignatureVerifier.Refused.class, () -> v.verify(headers()::get, BODY, NOW));
    }

    @Test
    void stripeStyleSignatureWithSeveralV1Values() throws Exception {
        String good = hex(hmac("whk".getBytes(StandardCharsets.UTF_8), T + ".", BODY));
        SignatureVerifier v = verifier("stripe", "whk");
        assertDoesNotThrow(() -> v.verify(
                headers("stripe-signature", "t=" + T + ",v1=deadbeef,v1=" + good + ",v0=xyz")::get, BODY, NOW));
    }

    @Test
    void githubSignatureOverTheBody() throws Exception {
        String sig = "sha256=" + hex(hmac("gh-secret".getBytes(StandardCharsets.UTF_8), "", BODY));
        SignatureVerifier v = verifier("github", "gh-secret");
        assertDoesNotThrow(() -> v.verify(headers("x-hub-signature-256", sig)::get, BODY, NOW));
        assertThrows(
                SignatureVerifier.Refused.class,
                () -> v.verify(headers("x-hub-signature-256", "sha256=00")::get, BODY, NOW));
    }

    @Test
    void standardWebhooksSignatureWithAWhsecSecret() throws Exception {
        byte[] key = "a key of some bytes 1234".getBytes(StandardCharsets.UTF_8);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        String sig = Base64.getEncoder().encodeToString(hmac(key, "msg_1." + T + ".", BODY));
        SignatureVerifier v = verifier("standard-webhooks", secret);
        assertDoesNotThrow(() -> v.verify(
                headers("webhook-id", "msg_1", "webhook-timestamp", T, "webhook-signature", "v1,bm9wZQ== v1," + sig)
                        ::get,
                BODY,
                NOW));
        assertThrows(
                SignatureVerifier.Refused.class,
                () -> v.verify(
                        headers("webhook-id", "msg_2", "webhook-timestamp", T, "webhook-signature", "v1," + sig)::get,
                        BODY,
                        NOW),
                "the id is part of what is signed");
    }

    @Test
    void theDeliveryIdComesFromWhatWasVerifiedSoEverySpellingOfOneDeliveryIsTheSame() throws Exception {
        String mac = hex(hmac("k".getBytes(StandardCharsets.UTF_8), T + ".", BODY));
        String other = hex(hmac("k".getBytes(StandardCharsets.UTF_8), "x", BODY));
        for (String scheme : List.of("sluice", "stripe")) {
            String header = scheme + "-signature";
            SignatureVerifier v = verifier(scheme, "k", "k2");
            String id = v.verify(headers(header, "t=" + T + ",v1=" + mac)::get, BODY, NOW);
            for (String spelling : List.of(
                    "t=" + T + ",v1=" + mac + ",v1=00",
                    "v1=" + other + ",v1=" + mac + ",t=" + T,
                    " t = " + T + " ,v1=" + mac,
                    "t=" + T + ",v0=abc,v1=" + mac + ",x=y",
                    "t=" + T + ",v1=" + mac.toUpperCase())) {
                assertEquals(id, v.verify(headers(header, spelling)::get, BODY, NOW), scheme + ": " + spelling);
            }
            String later = Long.toString(NOW / 1000 + 1);
            String resigned = hex(hmac("k".getBytes(StandardCharsets.UTF_8), later + ".", BODY));
            assertNotEquals(
                    id,
                    v.verify(headers(header, "t=" + later + ",v1=" + resigned)::get, BODY, NOW),
                    "a new signing is a new delivery");
            assertThrows(
                    SignatureVerifier.Refused.class,
                    () -> v.verify(headers(header, "t=" + T + ",t=" + later + ",v1=" + mac)::get, BODY, NOW),
                    "two timestamps are ambiguous");
        }
        String gh = hex(hmac("g".getBytes(StandardCharsets.UTF_8), "", BODY));
        SignatureVerifier github = verifier("github", "g");
        assertEquals(
                github.verify(headers("x-hub-signature-256", "sha256=" + gh)::get, BODY, NOW),
                github.verify(headers("x-hub-signature-256", "sha256=" + gh.toUpperCase())::get, BODY, NOW));
        byte[] key = "standard key bytes".getBytes(StandardCharsets.UTF_8);
        String sw = Base64.getEncoder().encodeToString(hmac(key, "msg_9." + T + ".", BODY));
        SignatureVerifier standard =
                verifier("standard-webhooks", "whsec_" + Base64.getEncoder().encodeToString(key));
        String swId = standard.verify(
                headers("webhook-id", "msg_9", "webhook-timestamp", T, "webhook-signature", "v1," + sw)::get,
                BODY,
                NOW);
        assertEquals(
                swId,
                standard.verify(
                        headers(
                                "webhook-id",
                                "msg_9",
                                "webhook-timestamp",
                                T,
                                "webhook-signature",
                                "v1,bm9wZQ== v1," + sw + " v2,zzz")::get,
                        BODY,
                        NOW));
    }
}
