package dev.sluice.router.impl.ingest;

import dev.sluice.core.EventIds;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.PartitionKey;
import dev.sluice.core.RouteConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/** Turns a parsed {@link Draft} into the event the router produces: id, deadline, key, trace. */
public final class EventStamper {

    /** The partition key cannot be taken from the event and the route has no fallback. */
    public static final class KeyNotFound extends Exception {
        private static final long serialVersionUID = 1L;

        public KeyNotFound(String message) {
            super(message, null, false, false);
        }
    }

    static final String PARTITION_KEY = "partitionkey";
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** The longest {@code tracestate} kept: W3C Trace Context 3.3.1.5 asks that at least 512 characters be propagated. */
    static final int TRACESTATE_MAX = 512;

    private EventStamper() {}

    /**
     * @param headers the request's headers (for header-keyed routes)
     * @param traceparent the request's W3C trace context, already validated or generated
     */
    public static IngestedEvent stamp(
            RouteConfig route, Draft d, long nowMillis, UnaryOperator<String> headers, String traceparent)
            throws KeyNotFound {
        return stamp(route, d, nowMillis, headers, traceparent, null);
    }

    /** As {@link #stamp(RouteConfig, Draft, long, UnaryOperator, String)}, with the {@code tracestate} that goes with the trace context (or null). */
    public static IngestedEvent stamp(
            RouteConfig route,
            Draft d,
            long nowMillis,
            UnaryOperator<String> headers,
            String traceparent,
            String tracestate)
            throws KeyNotFound {
        String id = d.id() != null ? d.id() : EventIds.nextString(nowMillis);
        byte[] key;
        try {
            key = key(route.key(), d, id, headers);
        } catch (KeyNotFound e) {
            if (route.keyFallback() == null) {
                throw e;
            }
            key = key(route.keyFallback(), d, id, headers);
        }
        Map<String, String> extensions = d.extensions();
        if (!(route.key() instanceof PartitionKey.EventId) && !extensions.containsKey(PARTITION_KEY)) {
            // The CloudEvents partitioning extension: consumers (and webhooks) see which key ordered the event.
            extensions = new LinkedHashMap<>(extensions);
            extensions.put(PARTITION_KEY, new String(key, StandardCharsets.UTF_8));
        }
        return new IngestedEvent(
                id,
                d.source() != null ? d.source() : "/sources/" + route.source(),
                d.type() != null ? d.type() : route.eventType(),
                d.subject(),
                d.time(),
                d.contentType(),
                traceparent,
                tracestate,
                route.tenant(),
                route.source(),
                nowMillis,
                nowMillis + route.ttl().toMillis(),
                key,
                d.payload(),
                extensions);
    }

    static byte[] key(PartitionKey spec, Draft d, String id, UnaryOperator<String> headers) throws KeyNotFound {
        if (spec instanceof PartitionKey.EventId) {
            return id.getBytes(StandardCharsets.UTF_8);
        }
        if (spec instanceof PartitionKey.Header h) {
            String v = headers.apply(h.name());
            if (v == null) {
                throw new KeyNotFound("the source is keyed by header " + h.name() + ", which the request lacks");
            }
            return v.getBytes(StandardCharsets.UTF_8);
        }
        if (spec instanceof PartitionKey.Subject) {
            if (d.subject() == null) {
                throw new KeyNotFound("the source is keyed by the CloudEvents subject, which the event lacks");
            }
            return d.subject().getBytes(StandardCharsets.UTF_8);
        }
        String pointer = ((PartitionKey.Pointer) spec).pointer();
        Object value;
        try {
            value = JsonPointer.from(pointer).queryJson(Json.decodeValue(Buffer.buffer(d.payload())));
        } catch (RuntimeException e) {
            throw new KeyNotFound("the source is keyed by JSON pointer " + pointer + ", but the payload is not JSON");
        }
        if (value == null || value instanceof JsonObject || value instanceof JsonArray) {
            throw new KeyNotFound("JSON pointer " + pointer + " does not resolve to a scalar in the payload");
        }
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The request's traceparent if it is well formed (version 00, lower-case hex, neither the trace id
     * nor the parent id all zeros: W3C Trace Context 3.2.2.3 and 3.2.2.4), else a new one.
     */
    public static String traceparent(String header) {
        if (isValidTraceparent(header)) {
            return header;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[55];
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        hex(r.nextLong() | 1L, out, 3);
        hex(r.nextLong(), out, 19);
        out[35] = '-';
        hex(r.nextLong() | 1L, out, 36);
        out[52] = '-';
        out[53] = '0';
        out[54] = '1';
        return new String(out);
    }

    private static boolean isValidTraceparent(String header) {
        return header != null
                && header.length() == 55
                && header.startsWith("00-")
                && header.charAt(35) == '-'
                && header.charAt(52) == '-'
                && isLowerHex(header, 3, 35)
                && isLowerHex(header, 36, 52)
                && isLowerHex(header, 53, 55)
                && !header.startsWith("00-00000000000000000000000000000000")
                && !header.startsWith("0000000000000000", 36);
    }

    /**
     * The request's {@code tracestate}, kept as it came, when it belongs to a valid {@code traceparent}
     * (a trace Sluice restarts starts without one: W3C Trace Context 3.3.1) and is printable ASCII of
     * at most {@value #TRACESTATE_MAX} characters (the list's limit, 32 members of at most 256
     * characters, is not checked member by member); else null. It is forwarded to webhooks as a header,
     * so nothing that cannot be an HTTP header value passes.
     */
    public static String tracestate(String traceparentHeader, String header) {
        if (header == null
                || header.isEmpty()
                || header.length() > TRACESTATE_MAX
                || !isValidTraceparent(traceparentHeader)) {
            return null;
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return null;
            }
        }
        return header;
    }

    private static void hex(long v, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
    }

    private static boolean isLowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
