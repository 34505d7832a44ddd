package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

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
 * Templates: checking any text fails only with the caller's error; text without placeholders is
 * itself; a placeholder renders the value it points at; and a template that passed the load-time
 * check renders for any event.
 */
class TemplatesProperties {

    /** The error a caller of {@link Templates#check} asks for. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    static final List<String> EXPRESSIONS = List.of(
            "/a",
            "/a/0",
            "/a/b",
            "/",
            "",
            " ",
            "/~0",
            "/~1",
            "/~2",
            "/~",
            "$type",
            "$id",
            "$",
            "$response",
            "$response/x",
            "$response/",
            "$response~x",
            "$responsex",
            " /a ",
            "x",
            "a/b");

    @Provide
    Arbitrary<String> templates() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(5),
                Arbitraries.of("{{", "}}", "{", "}", "{{{", "}}}"),
                Arbitraries.oneOf(
                                Arbitraries.of(EXPRESSIONS),
                                Arbitraries.strings().ofMaxLength(4))
                        .map(e -> "{{" + e + "}}"));
        return piece.list().ofMaxSize(5).map(ps -> String.join("", ps)).withoutEdgeCases();
    }

    /** A scope whose payload and response are any JSON, and whose attributes are all set. */
    record Scope(Object json, Object response) implements Templates.Scope {
        public String attribute(String name) {
            return "attr-" + name;
        }
    }

    @Provide
    Arbitrary<Scope> scopes() {
        List<String> keys = List.of("a", "b", "x", "0", "~", "/", "");
        Arbitrary<Object> json = JsonGen.value(keys, List.of("v"), 3);
        return Combinators.combine(json, json).as(Scope::new).withoutEdgeCases();
    }

    @Property
    void checkingAnyTextFailsOnlyWithTheCallersError(@ForAll("templates") String template) {
        try {
            Templates.check(template, Refused::new);
        } catch (Refused expected) {
            // the error asked for
        } catch (RuntimeException e) {
            fail("only the caller's error may escape, got " + e + " for " + template, e);
        }
    }

    @Property
    void aTemplateThatPassedTheCheckRendersForAnyEvent(
            @ForAll("templates") String template, @ForAll("scopes") Scope scope) {
        try {
            Templates.check(template, Refused::new);
        } catch (Refused notLoaded) {
            return;
        }
        try {
            Templates.render(template, scope);
        } catch (RuntimeException e) {
            fail("a template that loaded failed to render: " + e + " for " + template + " over " + scope, e);
        }
    }

    @Property
    void textWithoutPlaceholdersIsItself(@ForAll String text) {
        net.jqwik.api.Assume.that(!text.contains("{{"));
        assertEquals(text, Templates.render(text, new Scope(null, null)));
    }

    @Property
    void aPlaceholderRendersTheValueAtItsPointer(
            @ForAll("segments") List<String> path,
            @ForAll("scalars") Object value,
            @ForAll("literal") String before,
            @ForAll("literal") String after) {
        Object node = value;
        StringBuilder pointer = new StringBuilder();
        for (int i = path.size() - 1; i >= 0; i--) {
            node = new JsonObject().put(path.get(i), node);
        }
        for (String s : path) {
            pointer.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        }
        Scope scope = new Scope(node, new JsonObject().put("r", value));
        assertEquals(before + value + after, Templates.render(before + "{{" + pointer + "}}" + after, scope));
        assertEquals(before + value + "|attr-type", Templates.render(before + "{{$response/r}}|{{$type}}", scope));
        // A template that is one placeholder keeps the value's JSON type.
        assertEquals(
                value,
                Templates.build(Map.of("/out", "{{" + pointer + "}}"), scope).getValue("out"));
    }

    @Provide
    Arbitrary<List<String>> segments() {
        return Arbitraries.strings()
                .withChars("ab~/.")
                .ofMinLength(1)
                .ofMaxLength(4)
                .list()
                .ofMinSize(1)
                .ofMaxSize(3);
    }

    @Provide
    Arbitrary<Object> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8), Arbitraries.integers(), Arbitraries.of(true, false));
    }

    @Provide
    Arbitrary<String> literal() {
        return Arbitraries.strings().ofMaxLength(6).filter(s -> !s.contains("{") && !s.contains("}"));
    }

    @Provide
    Arbitrary<Map<String, String>> sets() {
        Arbitrary<String> field = Arbitraries.oneOf(
                Arbitraries.of("/a", "/b", "/a/b", "/~0", "/~1", "/~2", "/a~", "/0", "/-", "/"),
                Arbitraries.strings().withChars("ab/~012").ofMaxLength(5).map(s -> "/" + s));
        return Arbitraries.maps(field, templates()).ofMinSize(1).ofMaxSize(3).withoutEdgeCases();
    }

    @Property
    void aTransformThatLoadedBuildsForAnyEvent(@ForAll("sets") Map<String, String> set, @ForAll("scopes") Scope scope) {
        StepConfig.Transform t;
        try {
            t = new StepConfig.Transform(set);
        } catch (ConfigException notLoaded) {
            return;
        }
        try {
            Templates.build(t.set(), scope);
        } catch (RuntimeException e) {
            fail("a transform that loaded failed: " + e + " for " + set + " over " + scope, e);
        }
    }
}
