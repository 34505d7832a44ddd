package dev.sluice.core;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An event as the router accepted it, ready to become one Kafka record.
 *
 * @param id            the CloudEvents id (a UUIDv7 unless the source supplied one)
 * @param source        the CloudEvents source (a URI reference)
 * @param type          the CloudEvents type
 * @param subject       the CloudEvents subject, or null
 * @param time          the CloudEvents time (RFC 3339), or null for the ingest time
 * @param contentType   the payload's media type, or null
 * @param traceparent   the W3C trace context, or null
 * @param tracestate    the W3C {@code tracestate} that came with that trace context, or null
 * @param tenant        the owning tenant
 * @param route         the route (source name) that accepted it
 * @param ingestMillis  when the router received the last byte (epoch ms); the record timestamp
 * @param deadlineMillis ingest time + TTL (epoch ms)
 * @param key           the partition key bytes, or null for none
 * @param payload       the payload bytes exactly as received
 * @param extensions    further CloudEvents attributes (name without prefix → value); may be empty; never one
 *                      with a header of its own (specversion, id, source, type, subject, time)
 */
public record IngestedEvent(
        String id,
        String source,
        String type,
        String subject,
        String time,
        String contentType,
        String traceparent,
        String tracestate,
        String tenant,
        String route,
        long ingestMillis,
        long deadlineMillis,
        byte[] key,
        byte[] payload,
        Map<String, String> extensions) {

    public IngestedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        extensions = extensions == null ? Map.of() : extensions;
        for (String name : extensions.keySet()) {
            if (HEADER_ATTRIBUTES.contains(name)) {
                // A record's last header of a name is its value: this would override the attribute.
                throw new IllegalArgumentException("the extension '" + name + "' names a CloudEvents attribute");
            }
        }
    }

    /** The attributes {@link EventRecords#toRecord} writes as {@code ce_} headers of their own. */
    private static final Set<String> HEADER_ATTRIBUTES =
            Set.of("specversion", "id", "source", "type", "subject", "time");
}
