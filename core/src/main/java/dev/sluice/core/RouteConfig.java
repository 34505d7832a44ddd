package dev.sluice.core;

import java.time.Duration;
import java.util.List;

/**
 * One ingest source and where its events go.
 *
 * @param source       the path segment in {@code POST /v1/events/{source}}
 * @param topic        the Kafka topic; {@code <topic>.expired} and {@code <topic>.dlq} sit beside it
 * @param ttl          how long an event stays worth executing (1–300 s)
 * @param partitions   partition count used when the topic is created
 * @param maxBodyBytes the largest accepted request body
 * @param key          where the partition key comes from
 * @param eventType    the CloudEvents {@code type} of a plain (non-CloudEvents) request
 * @param tenant       the tenant that owns the source
 * @param contentTypes accepted media types of a plain request (empty: any)
 * @param maxBatchEvents the most events one batch request may carry
 * @param keyFallback  the key used when {@code key} does not resolve, or null to refuse with 400
 * @param signature    how requests must be signed, or null for unsigned sources
 * @param idempotency  whether duplicates (same {@code Idempotency-Key} or {@code ce-id}) within the TTL are
 *                     produced once, and what happens when Redis is down
 * @param auth         whether senders need an API key of the source's tenant
 * @param rateLimit    events and bytes per second for this source across all routers, or null
 * @param mqtt         the MQTT topic filters the route takes publishes from ({@link MqttBinding#NONE}: none)
 * @param schema       the JSON Schema every payload must satisfy ({@link PayloadSchema#NONE}: none)
 */
public record RouteConfig(
        String source,
        String topic,
        Duration ttl,
        int partitions,
        int maxBodyBytes,
        PartitionKey key,
        String eventType,
        String tenant,
        List<String> contentTypes,
        int maxBatchEvents,
        PartitionKey keyFallback,
        SignatureConfig signature,
        Idempotency idempotency,
        AuthMode auth,
        RateLimit rateLimit,
        MqttBinding mqtt,
        PayloadSchema schema) {

    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_PARTITIONS = 6;
    public static final int DEFAULT_MAX_BATCH_EVENTS = 1000;

    public RouteConfig {
        if (source == null || !source.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ConfigException("source must be 1-128 of [A-Za-z0-9._-], got '" + source + "'");
        }
        if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new ConfigException(
                    "topic of source " + source + " must be 1-200 of [A-Za-z0-9._-], got '" + topic + "'");
        }
        Deadlines.checkTtl(ttl);
        if (partitions < 1 || partitions > 10_000) {
            throw new ConfigException("partitions of source " + source + " must be 1-10000, got " + partitions);
        }
        contentTypes = contentTypes == null
                ? List.of()
                : contentTypes.stream()
                        .map(t -> t.toLowerCase(java.util.Locale.ROOT))
                        .toList();
        idempotency = idempotency == null ? Idempotency.NONE : idempotency;
        if (maxBatchEvents < 1 || maxBatchEvents > 100_000) {
            throw new ConfigException(
                    "maxBatchEvents of source " + source + " must be 1-100000, got " + maxBatchEvents);
        }
        auth = auth == null ? AuthMode.PUBLIC : auth;
        mqtt = mqtt == null ? MqttBinding.NONE : mqtt;
        schema = schema == null ? PayloadSchema.NONE : schema;
        if (tenant == null || !tenant.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new ConfigException(
                    "tenant of source " + source + " must be 1-64 of [A-Za-z0-9._-], got '" + tenant + "'");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > 64 * 1024 * 1024) {
            throw new ConfigException("maxBodyBytes of source " + source + " must be 1..67108864, got " + maxBodyBytes);
        }
    }

    /** This route with another partition key (an MQTT binding's), and its fallback. */
    public RouteConfig withKey(PartitionKey newKey, PartitionKey newFallback) {
        return new RouteConfig(
                source,
                topic,
                ttl,
                partitions,
                maxBodyBytes,
                newKey,
                eventType,
                tenant,
                contentTypes,
                maxBatchEvents,
                newFallback,
                signature,
                idempotency,
                auth,
                rateLimit,
                mqtt,
                schema);
    }

    /** Whether requests must carry an API key of the source's tenant. */
    public boolean requiresKey() {
        return auth == AuthMode.KEY;
    }

    /** A route with every default: topic {@code sluice.<source>}, TTL 20 s, 6 partitions, 1 MiB bodies, key = event id. */
    public static RouteConfig defaults(String source) {
        return new RouteConfig(
                source,
                "sluice." + source,
                Deadlines.DEFAULT_TTL,
                DEFAULT_PARTITIONS,
                DEFAULT_MAX_BODY_BYTES,
                new PartitionKey.EventId(),
                "dev.sluice.event",
                "default",
                List.of(),
                DEFAULT_MAX_BATCH_EVENTS,
                null,
                null,
                Idempotency.NONE,
                AuthMode.PUBLIC,
                null,
                MqttBinding.NONE,
                PayloadSchema.NONE);
    }

    /** Whether a plain request of this media type (parameters ignored) is accepted. */
    public boolean accepts(String mediaType) {
        if (contentTypes.isEmpty()) {
            return true;
        }
        if (mediaType == null) {
            return false;
        }
        int semi = mediaType.indexOf(';');
        String base =
                (semi >= 0 ? mediaType.substring(0, semi) : mediaType).trim().toLowerCase(java.util.Locale.ROOT);
        return contentTypes.contains(base);
    }

    public String expiredTopic() {
        return Topics.expired(topic);
    }

    public String deadLetterTopic() {
        return Topics.deadLetter(topic);
    }
}
