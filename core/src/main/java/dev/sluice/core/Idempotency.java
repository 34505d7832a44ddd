package dev.sluice.core;

import java.util.Arrays;
import java.util.stream.Collectors;

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
        if (value == null) {
            return NONE;
        }
        return Spellings.find(values(), i -> i.spelling, value)
                .filter(i -> i != NONE)
                .orElseThrow(() -> new ConfigException("idempotency of " + where + " must be one of "
                        + Arrays.stream(values())
                                .filter(i -> i != NONE)
                                .map(i -> i.spelling)
                                .collect(Collectors.joining(", "))
                        + ", got '" + value + "'"));
    }
}
