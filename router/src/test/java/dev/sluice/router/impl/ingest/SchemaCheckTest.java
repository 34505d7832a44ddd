package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertNull(CHECK.violations(b("{\"device\":\"d1\",\"t\":21.5,\"tags\":[\"a\"]}")));
        assertNull(SchemaCheck.NONE.violations(b("not even json")));
    }

    @Test
    void eachViolationIsNamedByItsPointerAndRule() {
        BadInput bad = CHECK.violations(b("{\"device\":\"\",\"t\":120,\"tags\":[\"a\",7],\"extra\":1}"));
        assertEquals(BadInput.Reason.SCHEMA_VIOLATION, bad.reason());
        String d = bad.getMessage();
        for (String expected : new String[] {"/device (minLength)", "/t (maximum)", "/tags/1 (type)", "/ (additionalProperties)"}) {
            assertTrue(d.contains(expected), expected + " in: " + d);
        }
        assertTrue(CHECK.violations(b("{\"t\":1}")).getMessage().contains("/ (required)"), CHECK.violations(b("{\"t\":1}")).getMessage());
    }

    @Test
    void aPayloadThatIsNotJsonIsRefusedAndABadSchemaDoesNotLoad() {
        assertEquals(BadInput.Reason.SCHEMA_VIOLATION, CHECK.violations(b("temperature=21")).reason());
        assertEquals(BadInput.Reason.SCHEMA_VIOLATION, CHECK.violations(new byte[0]).reason());
        assertThrows(ConfigException.class, () -> SchemaCheck.compile("s", new PayloadSchema("{\"type\": 12}")));
    }
}
