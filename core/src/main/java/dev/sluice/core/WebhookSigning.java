package dev.sluice.core;

import java.util.Base64;
import java.util.List;

/**
 * How a workflow signs its outgoing webhooks, per the Standard Webhooks spec: each secret is
 * {@code whsec_} followed by the base64 of the key, and every request carries one {@code v1,}
 * signature per secret (several during a rotation, so targets can move from one to the next).
 * {@link #none()} signs nothing.
 *
 * @param secrets the secrets as configured ({@code whsec_<base64>}), validated here
 */
public record WebhookSigning(List<String> secrets) {

    public static final String SECRET_PREFIX = "whsec_";
    private static final WebhookSigning NONE = new WebhookSigning(List.of());

    public WebhookSigning {
        secrets = List.copyOf(secrets);
        for (int i = 0; i < secrets.size(); i++) {
            String s = secrets.get(i);
            if (s == null || !s.startsWith(SECRET_PREFIX)) {
                throw new ConfigException(
                        "secrets[" + i + "]: a signing secret is " + SECRET_PREFIX + " followed by base64");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(s.substring(SECRET_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("secrets[" + i + "]: not base64 after " + SECRET_PREFIX);
            }
            if (key.length < 16) {
                throw new ConfigException("secrets[" + i + "]: the key must be at least 16 bytes, got " + key.length);
            }
        }
    }

    public static WebhookSigning none() {
        return NONE;
    }

    public boolean signs() {
        return !secrets.isEmpty();
    }

    /** The HMAC keys, in the order of the secrets. */
    public List<byte[]> keys() {
        return secrets.stream()
                .map(s -> Base64.getDecoder().decode(s.substring(SECRET_PREFIX.length())))
                .toList();
    }

    /** Secrets are never printed. */
    @Override
    public String toString() {
        return "WebhookSigning[secrets=" + secrets.size() + " (hidden)]";
    }
}
