package dev.sluice.loadgen;

import dev.sluice.core.IngestedEvent;

/**
 * An event of the dev stack's {@code demo} route as the router stamps it (source, type, content
 * type, tenant and route), for what produces or decodes such records without a router in front.
 */
public final class DemoEvent {

    private DemoEvent() {}

    /**
     * @param id          the event id (a UUIDv7)
     * @param ingestMillis the ingest time: {@code ce_time} and the record timestamp
     * @param deadline    the deadline header's value (epoch ms)
     * @param key         the partition key bytes, or null
     * @param traceparent a W3C traceparent, or null
     */
    public static IngestedEvent of(
            String id, long ingestMillis, long deadline, byte[] key, byte[] payload, String traceparent) {
        return new IngestedEvent(
                id,
                "/sources/demo",
                "dev.sluice.demo",
                null,
                null,
                "application/json",
                traceparent,
                null,
                "dev",
                "demo",
                ingestMillis,
                deadline,
                key,
                payload,
                null);
    }
}
