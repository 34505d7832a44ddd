package dev.sluice.core;

/** How a source authenticates its senders. */
public enum AuthMode {
    /** No API key (a signature may still be required). */
    PUBLIC("public"),
    /** {@code Authorization: Bearer} with a live key of the source's tenant. */
    KEY("key");

    /** The catalog's spelling. */
    public final String spelling;

    AuthMode(String spelling) {
        this.spelling = spelling;
    }

    /** The mode a catalog names; absent is {@link #PUBLIC}; anything else is an error naming the field. */
    public static AuthMode parse(String value, String where) {
        return value == null ? PUBLIC : Spellings.parse(values(), m -> m.spelling, value, "auth of " + where);
    }
}
