package dev.sluice.router.impl.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * RFC 9457 problem details. Every rejection carries a {@code type} URI, a {@code title}, the
 * {@code status}, a {@code detail} for this occurrence and a machine-readable {@code reason}.
 */
public final class Problems {

    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:sluice:problem:";

    /** The problems the router answers with; the reason is also the metric's outcome family. */
    public enum Kind {
        NOT_FOUND(404, "not-found", "No such endpoint"),
        UNKNOWN_SOURCE(404, "unknown-source", "Unknown source"),
        UNKNOWN_WORKFLOW(404, "unknown-workflow", "Unknown workflow"),
        FILTERED_OUT(422, "filtered-out", "The workflow's filter does not accept this event"),
        WORKFLOWS_UNAVAILABLE(503, "workflows-unavailable", "Workflow definitions cannot be read right now"),
        BAD_SIGNATURE(401, "bad-signature", "Signature missing or invalid"),
        UNAUTHORIZED(401, "unauthorized", "A valid API key is required"),
        FORBIDDEN(403, "forbidden", "The API key may not send to this source"),
        RATE_LIMITED(429, "rate-limited", "Rate limit reached"),
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
        TOO_LARGE(413, "too-large", "Payload too large"),
        REQUEST_TIMEOUT(408, "request-timeout", "The request did not arrive in time"),
        BAD_KEY(400, "bad-partition-key", "Partition key not found"),
        MALFORMED_JSON(400, "malformed-json", "Malformed JSON"),
        INVALID_CLOUDEVENT(400, "invalid-cloudevent", "Invalid CloudEvent"),
        EMPTY_BATCH(400, "empty-batch", "Empty batch"),
        UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
        OVER_RATE_CAPACITY(413, "over-rate-capacity", "Larger than the rate limit admits in a window"),
        BATCH_TOO_LARGE(413, "batch-too-large", "Too many events in one batch"),
        BROKER_UNAVAILABLE(503, "broker-unavailable", "Kafka is unreachable"),
        TOPIC_UNAVAILABLE(503, "topic-unavailable", "The source's topic is not available"),
        OVERLOADED(503, "overloaded", "Too many events in flight"),
        PRODUCE_TIMEOUT(503, "produce-timeout", "Kafka did not acknowledge in time"),
        PRODUCE_FAILED(503, "produce-failed", "Kafka refused the event"),
        DRAINING(503, "draining", "The router is shutting down"),
        IDEMPOTENCY_UNAVAILABLE(503, "idempotency-unavailable", "Duplicates cannot be checked right now"),
        IDEMPOTENCY_IN_PROGRESS(
                503, "idempotency-in-progress", "The original request with this key is still in progress"),
        INTERNAL(500, "internal-error", "Internal error"),
        SCHEMA_VIOLATION(422, "schema-violation", "The payload does not satisfy the source's schema"),
        BAD_FRAMING(400, "bad-framing", "The request's message framing is invalid"),
        MALFORMED_ENCODING(400, "malformed-encoding", "The body does not decode by its content coding"),
        UNSUPPORTED_ENCODING(415, "unsupported-encoding", "Unsupported content coding"),
        BODIES_IN_FLIGHT(503, "bodies-in-flight", "Too many request body bytes in flight"),
        BAD_REQUEST(400, "bad-request", "Malformed HTTP request"),
        URI_TOO_LONG(414, "uri-too-long", "Request line too long"),
        HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large");

        public final int status;
        public final String reason;
        public final String title;

        Kind(int status, String reason, String title) {
            this.status = status;
            this.reason = reason;
            this.title = title;
        }
    }

    private Problems() {}

    /** The problem of a request (or event) that does not parse. */
    public static Kind kind(dev.sluice.router.impl.ingest.BadInput bad) {
        return switch (bad.reason()) {
            case MALFORMED_JSON -> Kind.MALFORMED_JSON;
            case SCHEMA_VIOLATION -> Kind.SCHEMA_VIOLATION;
            default -> Kind.INVALID_CLOUDEVENT;
        };
    }

    /** The problem; without an {@code instance} (a request whose line could not be read) that member is left out, never null. */
    public static JsonObject body(Kind kind, String detail, String instance) {
        JsonObject p = new JsonObject()
                .put("type", TYPE_PREFIX + kind.reason)
                .put("title", kind.title)
                .put("status", kind.status)
                .put("detail", detail);
        if (instance != null) {
            p.put("instance", instance);
        }
        return p.put("reason", kind.reason);
    }

    /** Writes the problem; a 503 carries {@code Retry-After}. */
    public static Future<Void> send(
            HttpServerResponse response, Kind kind, String detail, String instance, long retryAfterSeconds) {
        response.setStatusCode(kind.status).putHeader("content-type", CONTENT_TYPE);
        if (kind.status == 503) {
            response.putHeader("retry-after", Long.toString(Math.max(1, retryAfterSeconds)));
        }
        return response.end(body(kind, detail, instance).encode());
    }
}
