package dev.sluice.core;

import java.nio.charset.StandardCharsets;

/**
 * Kafka header names of a Sluice record: the CloudEvents Kafka protocol binding (binary mode)
 * plus Sluice's own. Values are UTF-8 strings except {@link #DEADLINE}, which is the deadline in
 * Unix epoch milliseconds as an 8-byte big-endian long, read without parsing.
 */
public final class SluiceHeaders {

    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_ID = "ce_id";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_TIME = "ce_time";
    public static final String CE_SUBJECT = "ce_subject";
    public static final String CE_PREFIX = "ce_";
    public static final String CONTENT_TYPE = "content-type";
    public static final String TRACEPARENT = "traceparent";
    /** The W3C {@code tracestate} that came with the event's {@code traceparent}, kept as it came. */
    public static final String TRACESTATE = "tracestate";

    public static final String TENANT = "sluice_tenant";
    public static final String ROUTE = "sluice_route";
    public static final String DEADLINE = "sluice_deadline";
    /**
     * On an event meant for one workflow only (a manual run, a schedule's tick, a poll's item): that
     * workflow's name. Executors run only it for the event; the other workflows of its route skip it.
     * Only Sluice writes it: the router makes no {@code sluice_*} header from what a client sends.
     */
    public static final String TARGET = "sluice_target";

    /** On {@code <topic>.expired}: why the event was not started. */
    public static final String EXPIRED_REASON = "sluice_expired_reason";
    /** On {@code <topic>.expired} and {@code <topic>.dlq}: the workflow concerned. */
    public static final String WORKFLOW = "sluice_workflow";
    /** On {@code <topic>.dlq}: the error that ended the run. */
    public static final String ERROR = "sluice_error";
    /** On {@code <topic>.expired} and {@code <topic>.dlq}: where the record came from, {@code topic/partition/offset}. */
    public static final String ORIGIN = "sluice_origin";
    /** On {@code <topic>.expired} and {@code <topic>.dlq}: when the decision was made (epoch ms, decimal). */
    public static final String DECIDED_AT = "sluice_decided_at";

    public static final String SPECVERSION_1_0 = "1.0";
    static final byte[] SPECVERSION_1_0_BYTES = SPECVERSION_1_0.getBytes(StandardCharsets.US_ASCII);

    private SluiceHeaders() {}

    public static byte[] longBytes(long value) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        return b;
    }

    /** The long in an 8-byte big-endian value, or {@code fallback} when the value is absent or not 8 bytes. */
    public static long readLong(byte[] b, long fallback) {
        if (b == null || b.length != 8) {
            return fallback;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFFL);
        }
        return v;
    }
}
