package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Workflow conditions: any JSON either parses or fails with {@link ConfigException}; a parsed
 * condition answers true or false for any event, never an exception; and the combinators mean
 * what they say.
 */
class ConditionProperties {

    static final List<String> KEYS = List.of(
            "exact", "prefix", "suffix", "all", "any", "not", "pointer", "exists", "equals", "gt", "lt", "type",
            "source", "subject", "id", "a");
    static final List<String> WORDS =
            List.of("", "/", "/a", "/a/0", "/~0", "/~1", "/~2", "~", "a", "com.example", "/a/b", "-");

    @Provide
    Arbitrary<Object> anyJson() {
        return JsonGen.value(KEYS, WORDS, 4).withoutEdgeCases();
    }

    /** An event with a few attributes and a payload that may or may not be JSON. */
    record Event(Map<String, String> attributes, Object json) implements Condition.Event {
        public String attribute(String name) {
            return attributes.get(name);
        }
    }

    @Provide
    Arbitrary<Event> events() {
        Arbitrary<Map<String, String>> attrs = Arbitraries.maps(
                        Arbitraries.of("type", "source", "subject", "id", "a"),
                        Arbitraries.oneOf(
                                Arbitraries.of(WORDS), Arbitraries.strings().ofMaxLength(6)))
                .ofMaxSize(5);
        return Combinators.combine(attrs, JsonGen.value(KEYS, WORDS, 3))
                .as(Event::new)
                .withoutEdgeCases();
    }

    @Property
    void anyJsonParsesOrFailsWithConfigException(@ForAll("anyJson") Object json, @ForAll("events") Event e) {
        Condition c;
        try {
            c = Condition.parse(json);
        } catch (ConfigException expected) {
            return;
        } catch (RuntimeException other) {
            throw new AssertionError("only ConfigException may escape, got " + other + " for " + json, other);
        }
        try {
            c.test(e);
        } catch (RuntimeException other) {
            fail("a parsed condition " + json + " threw " + other + " on " + e, other);
        }
    }

    @Provide
    Arbitrary<Map<String, String>> attributeTests() {
        return Arbitraries.maps(
                        Arbitraries.of("type", "source", "subject", "a"),
                        Arbitraries.strings().ofMaxLength(4))
                .ofMinSize(1)
                .ofMaxSize(3);
    }

    @Property
    void attributeTestsMeanWhatTheySay(
            @ForAll("attributeTests") Map<String, String> wanted, @ForAll("events") Event e) {
        JsonObject w = new JsonObject();
        wanted.forEach(w::put);
        boolean exact = wanted.entrySet().stream().allMatch(x -> x.getValue().equals(e.attribute(x.getKey())));
        boolean prefix = wanted.entrySet().stream()
                .allMatch(x -> e.attribute(x.getKey()) != null
                        && e.attribute(x.getKey()).startsWith(x.getValue()));
        boolean suffix = wanted.entrySet().stream()
                .allMatch(x -> e.attribute(x.getKey()) != null
                        && e.attribute(x.getKey()).endsWith(x.getValue()));
        assertEquals(exact, Condition.parse(new JsonObject().put("exact", w)).test(e));
        assertEquals(prefix, Condition.parse(new JsonObject().put("prefix", w)).test(e));
        assertEquals(suffix, Condition.parse(new JsonObject().put("suffix", w)).test(e));
        assertEquals(
                !exact,
                Condition.parse(new JsonObject().put("not", new JsonObject().put("exact", w)))
                        .test(e));
    }

    @Property
    void allAnyAndNotCombineAsLogicDoes(
            @ForAll("attributeTests") Map<String, String> a,
            @ForAll("attributeTests") Map<String, String> b,
            @ForAll("events") Event e) {
        JsonObject ca = new JsonObject().put("prefix", new JsonObject(Map.copyOf(a)));
        JsonObject cb = new JsonObject().put("suffix", new JsonObject(Map.copyOf(b)));
        boolean x = Condition.parse(ca).test(e);
        boolean y = Condition.parse(cb).test(e);
        assertEquals(
                x && y,
                Condition.parse(new JsonObject()
                                .put("all", new JsonArray().add(ca).add(cb)))
                        .test(e));
        assertEquals(
                x || y,
                Condition.parse(new JsonObject()
                                .put("any", new JsonArray().add(ca).add(cb)))
                        .test(e));
        assertEquals(
                x,
                Condition.parse(new JsonObject().put("not", new JsonObject().put("not", ca)))
                        .test(e));
    }

    @Property
    void pointerTestsReadThePayload(@ForAll long value, @ForAll long other) {
        Event e = new Event(Map.of(), new JsonObject().put("a", new JsonObject().put("b", value)));
        assertEquals(
                true,
                Condition.parse(new JsonObject().put("pointer", "/a/b").put("exists", true))
                        .test(e));
        assertEquals(
                false,
                Condition.parse(new JsonObject().put("pointer", "/a/c").put("exists", true))
                        .test(e));
        assertEquals(
                (double) value > (double) other,
                Condition.parse(new JsonObject().put("pointer", "/a/b").put("gt", other))
                        .test(e));
        assertEquals(
                (double) value < (double) other,
                Condition.parse(new JsonObject().put("pointer", "/a/b").put("lt", other))
                        .test(e));
        assertEquals(
                true,
                Condition.parse(new JsonObject().put("pointer", "/a/b").put("equals", value))
                        .test(e));
    }
}
