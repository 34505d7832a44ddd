package dev.sluice.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of decoded JSON (Vert.x {@link JsonObject} trees) for the configuration properties. */
final class JsonGen {

    private JsonGen() {}

    /** Any JSON scalar, null included, with strings drawn from {@code words} half of the time. */
    static Arbitrary<Object> scalar(List<String> words) {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        4,
                        Arbitraries.oneOf(
                                        Arbitraries.of(words),
                                        Arbitraries.strings().ofMaxLength(12))
                                .map(s -> (Object) s)),
                Tuple.of(1, Arbitraries.integers().map(i -> (Object) i)),
                Tuple.of(1, Arbitraries.longs().map(l -> (Object) l)),
                Tuple.of(1, Arbitraries.doubles().map(d -> (Object) d)),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.just(null)));
    }

    /** Any JSON value up to {@code depth} levels deep; object keys are drawn from {@code keys} (or random). */
    static Arbitrary<Object> value(List<String> keys, List<String> words, int depth) {
        if (depth == 0) {
            return scalar(words);
        }
        Arbitrary<Object> inner = Arbitraries.lazy(() -> value(keys, words, depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(3, scalar(words)),
                Tuple.of(1, inner.list().ofMaxSize(3).map(l -> (Object) new JsonArray(new java.util.ArrayList<>(l)))),
                Tuple.of(2, object(keys, inner).map(o -> (Object) o)));
    }

    static Arbitrary<JsonObject> object(List<String> keys, Arbitrary<Object> values) {
        Arbitrary<String> key = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(keys)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(6)));
        return Combinators.combine(key, values)
                .as(java.util.AbstractMap.SimpleEntry::new)
                .list()
                .ofMaxSize(5)
                .map(es -> {
                    JsonObject o = new JsonObject();
                    es.forEach(e -> o.put(e.getKey(), e.getValue()));
                    return o;
                });
    }
}
