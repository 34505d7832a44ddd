package dev.sluice.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.util.Map;
import java.util.function.Function;

/**
 * String templates over an event: {@code {{/a/b}}} is the payload value at that JSON pointer,
 * {@code {{$type}}} a CloudEvents attribute, {@code {{$response/x}}} the value at {@code /x} in the
 * last JSON response of an http step. A missing value renders as the empty string.
 */
public final class Templates {

    /**
     * Where template values come from: the event a condition sees (its attributes, its payload as
     * JSON) and the last http step's response.
     */
    public interface Scope extends Condition.Event {
        /** The last http step's JSON response, or null. */
        Object response();
    }

    private Templates() {}

    /** The value one placeholder stands for (a JSON value: string, number, boolean, object, array), or null. */
    public static Object value(String expression, Scope scope) {
        String e = expression.trim();
        if (e.startsWith("/")) {
            JsonPointers.check(e, "template placeholder");
            return at(scope.json(), e);
        }
        if (e.startsWith("$response")) {
            String rest = e.substring("$response".length());
            if (!rest.isEmpty()) {
                JsonPointers.check(rest, "template placeholder $response");
            }
            return rest.isEmpty() ? scope.response() : at(scope.response(), rest);
        }
        if (e.startsWith("$")) {
            return scope.attribute(e.substring(1));
        }
        throw new ConfigException("template placeholder must be a JSON pointer, $attribute or $response/pointer, got '"
                + expression + "'");
    }

    private static Object at(Object json, String pointer) {
        return json == null ? null : JsonPointer.from(pointer).queryJson(json);
    }

    /** Renders a template to text. */
    public static String render(String template, Scope scope) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int open = template.indexOf("{{", i);
            if (open < 0) {
                return out.append(template, i, template.length()).toString();
            }
            int close = template.indexOf("}}", open + 2);
            if (close < 0) {
                throw new ConfigException("unclosed '{{' in template '" + template + "'");
            }
            out.append(template, i, open);
            Object v = value(template.substring(open + 2, close), scope);
            if (v != null) {
                out.append(v instanceof JsonObject || v instanceof JsonArray ? v.toString() : String.valueOf(v));
            }
            i = close + 2;
        }
    }

    /**
     * Builds a JSON object from {@code pointer → template}: a template that is one placeholder keeps
     * the value's JSON type; anything else renders as text.
     */
    public static JsonObject build(Map<String, String> set, Scope scope) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, String> e : set.entrySet()) {
            String t = e.getValue();
            Object v;
            // One placeholder and nothing else: its first closing "}}" is the template's end (as render reads it).
            if (t.startsWith("{{") && t.indexOf("}}", 2) == t.length() - 2 && t.indexOf("{{", 2) < 0) {
                v = value(t.substring(2, t.length() - 2), scope);
            } else {
                v = render(t, scope);
            }
            JsonPointer.from(e.getKey()).writeJson(out, v, true);
        }
        return out;
    }

    /** Checks every placeholder of a template parses, so a bad workflow fails at load. */
    public static void check(String template, Function<String, RuntimeException> error) {
        try {
            render(template, new Scope() {
                public Object json() {
                    return null;
                }

                public Object response() {
                    return null;
                }

                public String attribute(String name) {
                    return null;
                }
            });
        } catch (ConfigException | IllegalArgumentException e) {
            throw error.apply(e.getMessage());
        }
    }
}
