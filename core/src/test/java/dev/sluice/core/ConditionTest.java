package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionTest {

    private static Condition.Event event(Map<String, String> attrs, String json) {
        return new Condition.Event() {
            public String attribute(String name) {
                return attrs.get(name);
            }

            public Object json() {
                return json == null ? null : new JsonObject(json);
            }
        };
    }

    private static Condition parse(String json) {
        return Condition.parse(new JsonObject(json));
    }

    @Test
    void attributeMatchersAndCombinators() {
        Condition c =
                parse("{\"all\": [{\"exact\": {\"type\": \"order.created\"}}, {\"prefix\": {\"source\": \"/eu/\"}},"
                        + " {\"not\": {\"suffix\": {\"subject\": \".test\"}}}]}");
        assertTrue(c.test(event(Map.of("type", "order.created", "source", "/eu/shop", "subject", "o-1"), null)));
        assertFalse(c.test(event(Map.of("type", "order.created", "source", "/eu/shop", "subject", "o-1.test"), null)));
        assertFalse(c.test(event(Map.of("type", "order.created", "source", "/us/shop", "subject", "o-1"), null)));
        assertFalse(c.test(event(Map.of("source", "/eu/shop"), null)), "a missing attribute matches nothing");
        Condition any = parse("{\"any\": [{\"exact\": {\"type\": \"a\"}}, {\"exact\": {\"type\": \"b\"}}]}");
        assertTrue(any.test(event(Map.of("type", "b"), null)));
        assertFalse(any.test(event(Map.of("type", "c"), null)));
    }

    @Test
    void pointerConditionsOnThePayload() {
        Condition.Event e = event(Map.of(), "{\"amount\": 150, \"currency\": \"EUR\", \"tags\": [\"vip\"]}");
        assertTrue(parse("{\"pointer\": \"/amount\", \"gt\": 100}").test(e));
        assertFalse(parse("{\"pointer\": \"/amount\", \"lt\": 100}").test(e));
        assertTrue(parse("{\"pointer\": \"/currency\", \"equals\": \"EUR\"}").test(e));
        assertTrue(parse("{\"pointer\": \"/amount\", \"equals\": 150.0}").test(e));
        assertTrue(parse("{\"pointer\": \"/tags/0\", \"exists\": true}").test(e));
        assertTrue(parse("{\"pointer\": \"/missing\", \"exists\": false}").test(e));
        assertFalse(
                parse("{\"pointer\": \"/amount\", \"gt\": 1}").test(event(Map.of(), null)), "no JSON payload: false");
    }

    @Test
    void badConditionsAreRejectedWithTheirPlace() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> parse("{\"all\": [{\"exact\": {\"type\": \"a\"}}, {\"nope\": 1}]}"));
        assertTrue(e.getMessage().startsWith("all[1]: unknown condition 'nope'"), e.getMessage());
        assertThrows(ConfigException.class, () -> parse("{\"pointer\": \"/a\", \"gt\": \"x\"}"));
        assertThrows(ConfigException.class, () -> parse("{\"pointer\": \"a\", \"exists\": true}"));
        assertThrows(
                ConfigException.class, () -> parse("{\"exact\": {\"type\": \"a\"}, \"prefix\": {\"source\": \"/\"}}"));
    }

    @Test
    void templatesRenderPointersAttributesAndResponses() {
        Templates.Scope scope = new Templates.Scope() {
            public Object json() {
                return new JsonObject("{\"device\": {\"id\": \"d-7\", \"temp\": 21.5}}");
            }

            public Object response() {
                return new JsonObject("{\"status\": \"ok\"}");
            }

            public String attribute(String name) {
                return name.equals("id") ? "e-1" : null;
            }
        };
        assertEquals("counter:d-7", Templates.render("counter:{{/device/id}}", scope));
        assertEquals("e-1/ok/", Templates.render("{{$id}}/{{$response/status}}/{{/missing}}", scope));
        JsonObject out = Templates.build(
                Map.of("/who", "{{/device/id}}", "/reading/celsius", "{{/device/temp}}", "/note", "id {{$id}}"), scope);
        assertEquals(new JsonObject("{\"who\": \"d-7\", \"reading\": {\"celsius\": 21.5}, \"note\": \"id e-1\"}"), out);
    }

    @Test
    void workflowStepsParseAndValidate() {
        Catalog c = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "s"}],
                 "workflows": [{"name": "w", "sources": ["s"], "filter": {"exact": {"type": "t"}},
                   "steps": [{"type": "filter", "condition": {"pointer": "/a", "exists": true}},
                             {"type": "transform", "set": {"/x": "{{/a}}"}},
                             {"type": "redis", "command": "incr", "key": "n:{{/a}}", "ttl": "60s"},
                             {"type": "publish", "topic": "out"},
                             {"type": "http", "url": "http://h/"}]}]}
                """));
        assertEquals(5, c.workflows().get(0).steps().size());
        ConfigException e = assertThrows(ConfigException.class, () -> Catalog.parse(new JsonObject("""
                {"routes": [{"source": "s"}], "workflows": [{"name": "w", "sources": ["s"],
                  "steps": [{"type": "transform", "set": {"/x": "{{oops}}"}}]}]}
                """)));
        assertTrue(e.getMessage().startsWith("workflows[0]: steps[0]: set./x: "), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Catalog.parse(new JsonObject("""
                {"routes": [{"source": "s"}], "workflows": [{"name": "w", "sources": ["s"],
                  "steps": [{"type": "redis", "command": "del", "key": "k"}]}]}
                """)));
        // An unknown command is a catalog error that names the field, never a fallthrough to another command.
        assertTrue(
                e.getMessage().endsWith("steps[0]: command: must be one of set, incr, expire, got 'del'"),
                e.getMessage());
    }
}
