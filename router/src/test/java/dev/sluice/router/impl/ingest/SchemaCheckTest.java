package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.ConfigException;
import dev.sluice.core.PayloadSchema;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A route's schema: each failing pointer named with its rule, a non-JSON payload refused, a bad schema a catalog error. */
class SchemaCheckTest {

    private static final SchemaCheck CHECK = SchemaCheck.compile("s", new PayloadSchema("""
            {"type": "object", "required": ["device", "t"], "additionalProperties": false,
             "properties": {"device": {"type": "string", "minLength": 1},
                            "t": {"type": "number", "minimum": -40, "maximum": 85},
                            "tags": {"type": "array", "items": {"type": "string"}}}}
            """));

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPayloadThatSatisfiesTheSchemaPasses() {
        assertTrue(CHECK.violations(b("{\"device\":\"d1\",\"t\":21.5,\"tags\":[\"a\"]}"))
                .isEmpty());
        assertTrue(SchemaCheck.NONE.violations(b("not even json")).isEmpty());
    }

    @Test
    void eachViolationIsNamedByItsPointerAndRule() {
        BadInput bad = CHECK.violations(b("{\"device\":\"\",\"t\":120,\"tags\":[\"a\",7],\"extra\":1}"))
                .orElseThrow();
        assertEquals(BadInput.Reason.SCHEMA_VIOLATION, bad.reason());
        String d = bad.getMessage();
        for (String expected :
                new String[] {"/device (minLength)", "/t (maximum)", "/tags/1 (type)", "/ (additionalProperties)"}) {
            assertTrue(d.contains(expected), expected + " in: " + d);
        }
        String message = CHECK.violations(b("{\"t\":1}")).orElseThrow().getMessage();
        assertTrue(message.contains("/ (required)"), message);
    }

    @Test
    void aPayloadThatIsNotJsonIsRefusedAndABadSchemaDoesNotLoad() {
        assertEquals(
                BadInput.Reason.SCHEMA_VIOLATION,
                CHECK.violations(b("temperature=21")).orElseThrow().reason());
        assertEquals(
                BadInput.Reason.SCHEMA_VIOLATION,
                CHECK.violations(new byte[0]).orElseThrow().reason());
        assertThrows(ConfigException.class, () -> SchemaCheck.compile("s", new PayloadSchema("{\"type\": 12}")));
    }
}
