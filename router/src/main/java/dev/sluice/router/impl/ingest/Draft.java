package dev.sluice.router.impl.ingest;

import java.util.Map;

/**
 * An event as parsed from a request, before the router stamps it (id if absent, deadline, key,
 * trace). Attributes that the request did not carry are null.
 *
 * @param id          CloudEvents id, or null to mint a UUIDv7
 * @param source      CloudEvents source, or null for the route's default
 * @param type        CloudEvents type, or null for the route's default
 * @param subject     CloudEvents subject, or null
 * @param time        CloudEvents time, or null for the ingest time
 * @param contentType the payload's media type, or null
 * @param payload     the payload bytes, exactly as received
 * @param extensions  further CloudEvents attributes
 */
public record Draft(
        String id,
        String source,
        String type,
        String subject,
        String time,
        String contentType,
        byte[] payload,
        Map<String, String> extensions) {

    public Draft {
        extensions = extensions == null ? Map.of() : extensions;
    }

    /** A plain payload with no CloudEvents attributes. */
    public static Draft plain(byte[] payload, String contentType) {
        return new Draft(null, null, null, null, null, contentType, payload, Map.of());
    }
}
