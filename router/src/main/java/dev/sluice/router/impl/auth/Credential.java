package dev.sluice.router.impl.auth;

import java.util.Objects;

/**
 * What a connection authenticated with, checked again on each publish and on each reload of the
 * access store: an API key ({@code Bearer <key>}), a client certificate's SHA-256 fingerprint
 * (lower-case hex of its DER encoding), or nothing.
 */
public record Credential(Kind kind, String value) {

    /** The kinds of credential. */
    public enum Kind {
        NONE,
        KEY,
        CERTIFICATE
    }

    public static final Credential NONE = new Credential(Kind.NONE, "");

    public Credential {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /** {@code Bearer <key>}, or {@link #NONE} for null. */
    public static Credential key(String authorization) {
        return authorization == null ? NONE : new Credential(Kind.KEY, authorization);
    }

    public static Credential certificate(String fingerprint) {
        return new Credential(Kind.CERTIFICATE, fingerprint);
    }

    /** The value is a secret for a key: never printed. */
    @Override
    public String toString() {
        return kind == Kind.CERTIFICATE ? "certificate " + value : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
