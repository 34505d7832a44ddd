package dev.sluice.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A condition over an event: CloudEvents attributes (exact, prefix, suffix), JSON-pointer tests on
 * the payload, and any/all/not. Written in JSON:
 * <pre>{@code
 * {"all": [{"exact": {"type": "com.example.order"}},
 *          {"not": {"suffix": {"subject": ".test"}}},
 *          {"pointer": "/amount", "gt": 100}]}
 * }</pre>
 * Attribute names are the CloudEvents ones ({@code id}, {@code source}, {@code type},
 * {@code subject}, {@code time}, {@code datacontenttype}, and extensions).
 */
public sealed interface Condition {

    /** What a condition is evaluated against. */
    interface Event {
        /** A CloudEvents attribute, or null. */
        String attribute(String name);

        /** The payload parsed as JSON, or null when it is not JSON (parsed at most once). */
        Object json();
    }

    boolean test(Event e);

    /** Every attribute equals the given value. */
    record Exact(Map<String, String> attributes) implements Condition {
        public boolean test(Event e) {
            return attributes.entrySet().stream().allMatch(a -> a.getValue().equals(e.attribute(a.getKey())));
        }
    }

    /** Every attribute starts with the given value. */
    record Prefix(Map<String, String> attributes) implements Condition {
        public boolean test(Event e) {
            return attributes.entrySet().stream().allMatch(a -> {
                String v = e.attribute(a.getKey());
                return v != null && v.startsWith(a.getValue());
            });
        }
    }

    /** Every attribute ends with the given value. */
    record Suffix(Map<String, String> attributes) implements Condition {
        public boolean test(Event e) {
            return attributes.entrySet().stream().allMatch(a -> {
                String v = e.attribute(a.getKey());
                return v != null && v.endsWith(a.getValue());
            });
        }
    }

    record All(List<Condition> conditions) implements Condition {
        public boolean test(Event e) {
            return conditions.stream().allMatch(c -> c.test(e));
        }
    }

    record Any(List<Condition> conditions) implements Condition {
        public boolean test(Event e) {
            return conditions.stream().anyMatch(c -> c.test(e));
        }
    }

    record Not(Condition condition) implements Condition {
        public boolean test(Event e) {
            return !condition.test(e);
        }
    }

    /**
     * A test on the payload value at a JSON pointer: {@code exists}, {@code equals} (a JSON
     * value), {@code gt} / {@code lt} (numbers).
     */
    record Pointer(String pointer, String op, Object operand, JsonPointer compiled) implements Condition {
        Pointer(String pointer, String op, Object operand) {
            this(pointer, op, operand, JsonPointer.from(pointer)); // parsed once, not per event
        }

        public boolean test(Event e) {
            Object json = e.json();
            Object v = json == null ? null : compiled.queryJson(json);
            return switch (op) {
                case "exists" -> (v != null) == Boolean.TRUE.equals(operand);
                case "equals" ->
                    v != null
                            && (v instanceof Number n && operand instanceof Number m
                                    ? n.doubleValue() == m.doubleValue()
                                    : v.equals(operand));
                case "gt" -> v instanceof Number n && n.doubleValue() > ((Number) operand).doubleValue();
                case "lt" -> v instanceof Number n && n.doubleValue() < ((Number) operand).doubleValue();
                default -> false;
            };
        }
    }

    /** Parses the JSON form; errors name the offending part. */
    static Condition parse(Object json) {
        if (!(json instanceof JsonObject o) || o.size() == 0) {
            throw new ConfigException("a condition must be a non-empty JSON object, got " + json);
        }
        if (o.containsKey("pointer")) {
            String pointer = o.getString("pointer");
            try {
                JsonPointer.from(pointer);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("pointer: not a JSON pointer: '" + pointer + "'");
            }
            for (String op : List.of("exists", "equals", "gt", "lt")) {
                if (o.containsKey(op)) {
                    Object operand = o.getValue(op);
                    if ((op.equals("gt") || op.equals("lt")) && !(operand instanceof Number)) {
                        throw new ConfigException(op + ": must be a number, got " + operand);
                    }
                    if (op.equals("exists") && !(operand instanceof Boolean)) {
                        throw new ConfigException("exists: must be true or false, got " + operand);
                    }
                    return new Pointer(pointer, op, operand);
                }
            }
            throw new ConfigException("pointer " + pointer + ": needs one of exists, equals, gt, lt");
        }
        if (o.size() != 1) {
            throw new ConfigException(
                    "a condition has exactly one of exact, prefix, suffix, all, any, not, pointer; got "
                            + o.fieldNames());
        }
        String kind = o.fieldNames().iterator().next();
        Object body = o.getValue(kind);
        Function<Object, Map<String, String>> attrs = b -> {
            if (!(b instanceof JsonObject m) || m.isEmpty()) {
                throw new ConfigException(kind + ": must map attribute names to strings");
            }
            Map<String, String> out = new java.util.LinkedHashMap<>();
            m.forEach(en -> out.put(en.getKey(), String.valueOf(en.getValue())));
            return out;
        };
        Supplier<List<Condition>> list = () -> {
            if (!(body instanceof JsonArray a) || a.isEmpty()) {
                throw new ConfigException(kind + ": must be a non-empty array of conditions");
            }
            List<Condition> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                try {
                    out.add(parse(a.getValue(i)));
                } catch (ConfigException e) {
                    throw new ConfigException(kind + "[" + i + "]: " + e.getMessage(), e);
                }
            }
            return out;
        };
        return switch (kind) {
            case "exact" -> new Exact(attrs.apply(body));
            case "prefix" -> new Prefix(attrs.apply(body));
            case "suffix" -> new Suffix(attrs.apply(body));
            case "all" -> new All(list.get());
            case "any" -> new Any(list.get());
            case "not" -> new Not(parse(body));
            default ->
                throw new ConfigException(
                        "unknown condition '" + kind + "' (known: exact, prefix, suffix, all, any, not, pointer)");
        };
    }
}
