package dev.sluice.router.impl.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: {@code sk_<id>_<secret>}, where {@code id} (12 hex digits) is the lookup prefix stored in
 * the clear and {@code secret} carries 256 random bits. Only the SHA-256 of the whole key is
 * stored; with that much entropy a fast hash is enough (nothing to brute-force), and it keeps the
 * check to a map lookup and one digest on the hot path.
 */
public final class ApiKeys {

    /** A newly made key: the secret is shown once, the hash is what gets stored. */
    public record Issued(String id, String key, byte[] hash) {}

    private static final String PREFIX = "sk_";
    private static final int ID_HEX = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    });

    private ApiKeys() {}

    public static Issued issue() {
        byte[] id = new byte[ID_HEX / 2];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String idHex = HexFormat.of().formatHex(id);
        String key =
                PREFIX + idHex + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Issued(idHex, key, hash(key));
    }

    /** The lookup id of a presented key, or null when it is not shaped like a Sluice key. */
    public static String id(String key) {
        if (key == null
                || key.length() < PREFIX.length() + ID_HEX + 2
                || !key.startsWith(PREFIX)
                || key.charAt(PREFIX.length() + ID_HEX) != '_') {
            return null;
        }
        return key.substring(PREFIX.length(), PREFIX.length() + ID_HEX);
    }

    public static byte[] hash(String key) {
        return SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Constant-time comparison of the presented key's hash with the stored one. */
    public static boolean matches(String presented, byte[] storedHash) {
        return MessageDigest.isEqual(hash(presented), storedHash);
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    public static String bearer(String authorization) {
        if (authorization == null
                || authorization.length() < 8
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
