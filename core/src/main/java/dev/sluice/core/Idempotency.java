package dev.sluice.core;

/** Whether a source deduplicates its events, and what happens while duplicates cannot be checked (Redis unreachable). */
public enum Idempotency {
    /** No deduplication. */
    NONE("none"),
    /** Refuse (503 {@code idempotency-unavailable}) rather than risk a duplicate. */
    FAIL_CLOSED("fail-closed"),
    /** Accept unchecked, and count it. */
    FAIL_OPEN("fail-open");

    /** The catalog's spelling. */
    public final String spelling;

    Idempotency(String spelling) {
        this.spelling = spelling;
    }

    /** The mode a catalog names; absent is {@link #NONE}; anything else is an error naming the field. */
    public static Idempotency parse(String value, String where) {
        return value == null
                ? NONE
                : Spellings.parse(
                        new Idempotency[] {FAIL_CLOSED, FAIL_OPEN}, i -> i.spelling, value, "idempotency of " + where);
    }
}
