package dev.sluice.core;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Finds an enum constant by the word that a catalog, a setting or a command line spells it with. */
public final class Spellings {

    private Spellings() {}

    /**
     * The constant of {@code values} whose {@code spelling} equals {@code text}; empty when none does
     * (a null {@code text} included). Callers throw their own error, naming the field.
     */
    public static <E extends Enum<E>> Optional<E> find(E[] values, Function<E, String> spelling, String text) {
        for (E value : values) {
            if (spelling.apply(value).equals(text)) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /**
     * The constant of {@code allowed} that {@code text} spells; otherwise a {@link ConfigException}
     * listing every allowed spelling: "{@code field} must be one of a, b, got 'x'" (just "must be
     * ..." when {@code field} is null, for callers whose exception gains the path as it goes up).
     */
    public static <E extends Enum<E>> E parse(E[] allowed, Function<E, String> spelling, String text, String field) {
        return find(allowed, spelling, text)
                .orElseThrow(() -> new ConfigException((field == null ? "" : field + " ")
                        + "must be one of "
                        + Arrays.stream(allowed).map(spelling).collect(Collectors.joining(", "))
                        + ", got '" + text + "'"));
    }
}
