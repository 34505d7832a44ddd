package dev.sluice.executor.impl.workflow;

import dev.sluice.core.WebhookSigning;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks headers of an outgoing request: {@code webhook-id} (also sent as
 * {@code Idempotency-Key}), {@code webhook-timestamp} and {@code webhook-signature}.
 *
 * <p>The id is derived from the event's route and id, the workflow and the step's position, so it
 * is the same on every attempt and on every re-send by any executor, and a target can deduplicate
 * on it. It is made of URL-safe base64 only, whatever the event id holds. The signature is
 * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, one per secret, space-separated.
 *
 * <p>One instance per event loop: the digest and the MAC are reused and not thread-safe.
 */
final class WebhookHeaders {

    static final String ID = "webhook-id";
    static final String TIMESTAMP = "webhook-timestamp";
    static final String SIGNATURE = "webhook-signature";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final MessageDigest sha256;
    private final Mac hmac;
    private final Map<WebhookSigning, List<SecretKeySpec>> keys = new IdentityHashMap<>();

    WebhookHeaders() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
            hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256 or HmacSHA256", e);
        }
    }

    /** {@code msg_} and 24 URL-safe base64 characters (144 bits of SHA-256 over the run's identity). */
    String id(String route, String eventId, String workflow, int step) {
        sha256.reset();
        part(route);
        part(eventId);
        part(workflow);
        part(Integer.toString(step));
        byte[] digest = sha256.digest();
        return "msg_" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 18));
    }

    /** Each part length-prefixed, so that no two different identities hash the same bytes. */
    private void part(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha256.update((byte) (b.length >>> 24));
        sha256.update((byte) (b.length >>> 16));
        sha256.update((byte) (b.length >>> 8));
        sha256.update((byte) b.length);
        sha256.update(b);
    }

    /** The {@code webhook-signature} value for this id, timestamp (Unix seconds) and body. */
    String signature(WebhookSigning signing, String id, long timestampSeconds, byte[] body) {
        List<SecretKeySpec> specs = keys.computeIfAbsent(
                signing,
                s -> s.keys().stream()
                        .map(k -> new SecretKeySpec(k, "HmacSHA256"))
                        .toList());
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(specs.size() * 48);
        for (SecretKeySpec key : specs) {
            try {
                hmac.init(key);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot use a signing key", e);
            }
            hmac.update(prefix);
            hmac.update(body);
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append("v1,").append(Base64.getEncoder().encodeToString(hmac.doFinal()));
        }
        return out.toString();
    }
}
