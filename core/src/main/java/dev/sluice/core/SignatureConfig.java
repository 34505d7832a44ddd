package dev.sluice.core;

import java.time.Duration;
import java.util.List;

/**
 * How a source's webhooks are signed.
 *
 * @param scheme    {@code sluice} ({@code Sluice-Signature: t=<unix>,v1=<hex>} over {@code t + "." + body}),
 *                  {@code stripe} (the same over {@code Stripe-Signature}), {@code github}
 *                  ({@code X-Hub-Signature-256: sha256=<hex>} over the body) or
 *                  {@code standard-webhooks} ({@code webhook-id}, {@code webhook-timestamp},
 *                  {@code webhook-signature: v1,<base64>} over {@code id.timestamp.body})
 * @param secrets   every secret currently accepted (several during a rotation)
 * @param tolerance how far a signed timestamp may be from now (replay window)
 */
public record SignatureConfig(String scheme, List<String> secrets, Duration tolerance) {

    public static final List<String> SCHEMES = List.of("sluice", "stripe", "github", "standard-webhooks");

    public SignatureConfig {
        if (!SCHEMES.contains(scheme)) {
            throw new ConfigException("scheme must be one of " + SCHEMES + ", got '" + scheme + "'");
        }
        if (secrets == null || secrets.isEmpty() || secrets.stream().anyMatch(s -> s == null || s.isEmpty())) {
            throw new ConfigException("secrets: at least one non-empty secret is needed");
        }
        secrets = List.copyOf(secrets);
        tolerance = tolerance == null ? Duration.ofMinutes(5) : tolerance;
    }

    /** Secrets are never printed. */
    @Override
    public String toString() {
        return "SignatureConfig[scheme=" + scheme + ", secrets=" + secrets.size() + " (hidden), tolerance=" + tolerance
                + "]";
    }
}
