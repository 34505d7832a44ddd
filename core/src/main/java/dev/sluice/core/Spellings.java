package dev.sluice.core;

import java.util.Optional;
import java.util.function.Function;

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
}
