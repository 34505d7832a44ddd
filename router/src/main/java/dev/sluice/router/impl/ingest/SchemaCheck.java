package dev.sluice.router.impl.ingest;

import dev.sluice.core.ConfigException;
import dev.sluice.core.PayloadSchema;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;

/**
 * A route's JSON Schema (draft 2020-12), compiled once per route change; checks each payload and
 * says, for one that fails, every failing JSON pointer with the rule it broke. Thread-safe.
 */
public final class SchemaCheck {

    /** At most this many violations are listed in one refusal. */
    private static final int MAX_LISTED = 20;

    /** The check of a route without a schema: every payload passes. */
    public static final SchemaCheck NONE = new SchemaCheck(null);

    private final Validator validator;

    private SchemaCheck(Validator validator) {
        this.validator = validator;
    }

    /** Compiles a route's schema; a document that is not a JSON object (or boolean) schema is a catalog error. */
    public static SchemaCheck compile(String source, PayloadSchema schema) {
        if (!schema.present()) {
            return NONE;
        }
        try {
            JsonSchema s = JsonSchema.of(new JsonObject(schema.json()));
            return new SchemaCheck(Validator.create(s, new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                    .setBaseUri("urn:sluice:schema:" + source).setOutputFormat(OutputFormat.Basic)));
        } catch (RuntimeException e) {
            throw new ConfigException("schema of source " + source + " is not a JSON Schema: " + e.getMessage());
        }
    }

    /** Whether this check refuses anything at all. */
    public boolean present() {
        return validator != null;
    }

    /** Null when the payload satisfies the schema; otherwise why not, each failing pointer with its rule. */
    public BadInput violations(byte[] payload) {
        if (validator == null) {
            return null;
        }
        Object value;
        try {
            value = Json.decodeValue(Buffer.buffer(payload));
        } catch (DecodeException e) {
            return new BadInput(BadInput.Reason.SCHEMA_VIOLATION, "the payload is not JSON, so it cannot satisfy the source's schema");
        }
        OutputUnit out;
        try {
            out = validator.validate(value);
        } catch (SchemaException e) {
            return new BadInput(BadInput.Reason.SCHEMA_VIOLATION, "the source's schema cannot be applied: " + e.getMessage());
        }
        if (Boolean.TRUE.equals(out.getValid())) {
            return null;
        }
        List<String> listed = new ArrayList<>();
        List<OutputUnit> errors = out.getErrors() == null || out.getErrors().isEmpty() ? List.of(out) : out.getErrors();
        for (OutputUnit e : errors) {
            if (listed.size() == MAX_LISTED) {
                listed.add("and " + (errors.size() - MAX_LISTED) + " more");
                break;
            }
            String pointer = e.getInstanceLocation() == null || e.getInstanceLocation().isEmpty() ? "/" : e.getInstanceLocation();
            listed.add(pointer + " " + rule(e.getKeywordLocation()) + ": " + e.getError());
        }
        return new BadInput(BadInput.Reason.SCHEMA_VIOLATION, "the payload does not satisfy the source's schema: "
                + String.join("; ", listed));
    }

    /** The keyword a violation broke: the last segment of its keyword location, e.g. {@code minimum}. */
    private static String rule(String keywordLocation) {
        if (keywordLocation == null || keywordLocation.isEmpty()) {
            return "(schema)";
        }
        int slash = keywordLocation.lastIndexOf('/');
        return "(" + keywordLocation.substring(slash + 1) + ")";
    }
}
