package dev.sluice.core;

/**
 * The JSON Schema (draft 2020-12) a route's payloads must satisfy, as the catalog gives it.
 *
 * @param json the schema document, or empty for a route without one
 */
public record PayloadSchema(String json) {

    /** No schema: every payload passes. */
    public static final PayloadSchema NONE = new PayloadSchema("");

    public PayloadSchema {
        json = json == null ? "" : json;
    }

    public boolean present() {
        return !json.isEmpty();
    }
}
