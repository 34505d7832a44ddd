package dev.sluice.router.impl.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void anIssuedKeyCarriesItsLookupIdAndMatchesOnlyItsOwnHash() {
        ApiKeys.Issued k = ApiKeys.issue();
        assertTrue(k.key().startsWith("sk_" + k.id() + "_"), k.key());
        assertEquals(12, k.id().length());
        assertEquals(k.id(), ApiKeys.id(k.key()));
        assertArrayEquals(ApiKeys.hash(k.key()), k.hash());
        assertTrue(ApiKeys.matches(k.key(), k.hash()));
        assertFalse(ApiKeys.matches(k.key() + "x", k.hash()));
        assertNotEquals(k.key(), ApiKeys.issue().key());
    }

    @Test
    void malformedKeysHaveNoId() {
        assertNull(ApiKeys.id(null));
        assertNull(ApiKeys.id("sk_short"));
        assertNull(ApiKeys.id("pk_0123456789ab_secret"));
        assertNull(ApiKeys.id("sk_0123456789abXsecret"));
    }

    @Test
    void bearerTakesTheTokenCaseInsensitively() {
        assertEquals("abc", ApiKeys.bearer("Bearer abc"));
        assertEquals("abc", ApiKeys.bearer("bearer  abc "));
        assertNull(ApiKeys.bearer("Basic abc"));
        assertNull(ApiKeys.bearer("Bearer "));
        assertNull(ApiKeys.bearer(null));
    }
}
