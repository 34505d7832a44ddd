package dev.sluice.core;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Maps events to Kafka records and back, by the CloudEvents Kafka protocol binding in binary mode. */
public final class EventRecords {

    private EventRecords() {}

    /** One record: value = payload untouched, key = partition key, headers = attributes, timestamp = ingest time. */
    public static ProducerRecord<byte[], byte[]> toRecord(String topic, IngestedEvent e) {
        RecordHeaders h = new RecordHeaders();
        h.add(new RecordHeader(SluiceHeaders.CE_SPECVERSION, SluiceHeaders.SPECVERSION_1_0_BYTES));
        h.add(header(SluiceHeaders.CE_ID, e.id()));
        h.add(header(SluiceHeaders.CE_SOURCE, e.source()));
        h.add(header(SluiceHeaders.CE_TYPE, e.type()));
        h.add(header(SluiceHeaders.CE_TIME, e.time() != null ? e.time() : Timestamps.rfc3339Millis(e.ingestMillis())));
        if (e.subject() != null) {
            h.add(header(SluiceHeaders.CE_SUBJECT, e.subject()));
        }
        for (Map.Entry<String, String> ext : e.extensions().entrySet()) {
            h.add(header(SluiceHeaders.CE_PREFIX + ext.getKey(), ext.getValue()));
        }
        if (e.contentType() != null) {
            h.add(header(SluiceHeaders.CONTENT_TYPE, e.contentType()));
        }
        if (e.traceparent() != null) {
            h.add(header(SluiceHeaders.TRACEPARENT, e.traceparent()));
        }
        if (e.tracestate() != null) {
            h.add(header(SluiceHeaders.TRACESTATE, e.tracestate()));
        }
        h.add(header(SluiceHeaders.TENANT, e.tenant()));
        h.add(header(SluiceHeaders.ROUTE, e.route()));
        h.add(new RecordHeader(SluiceHeaders.DEADLINE, SluiceHeaders.longBytes(e.deadlineMillis())));
        return new ProducerRecord<>(topic, null, e.ingestMillis(), e.key(), e.payload(), h);
    }

    /** Reads a record back into an event. The inverse of {@link #toRecord} (ce_time is kept as sent). */
    public static IngestedEvent fromRecord(ConsumerRecord<byte[], byte[]> r) {
        Headers h = r.headers();
        Map<String, String> ext = new java.util.LinkedHashMap<>();
        for (Header header : h) {
            String k = header.key();
            if (k.startsWith(SluiceHeaders.CE_PREFIX) && !isCoreAttribute(k)) {
                ext.put(k.substring(SluiceHeaders.CE_PREFIX.length()), string(header.value()));
            }
        }
        return new IngestedEvent(
                text(h, SluiceHeaders.CE_ID),
                text(h, SluiceHeaders.CE_SOURCE),
                text(h, SluiceHeaders.CE_TYPE),
                text(h, SluiceHeaders.CE_SUBJECT),
                text(h, SluiceHeaders.CE_TIME),
                text(h, SluiceHeaders.CONTENT_TYPE),
                text(h, SluiceHeaders.TRACEPARENT),
                text(h, SluiceHeaders.TRACESTATE),
                text(h, SluiceHeaders.TENANT),
                text(h, SluiceHeaders.ROUTE),
                r.timestamp(),
                deadline(r),
                r.key(),
                r.value() == null ? new byte[0] : r.value(),
                ext);
    }

    /** The deadline of a record in epoch ms; a record without one (not from Sluice) never expires. */
    public static long deadline(ConsumerRecord<?, ?> r) {
        Header d = r.headers().lastHeader(SluiceHeaders.DEADLINE);
        return SluiceHeaders.readLong(d == null ? null : d.value(), Long.MAX_VALUE);
    }

    /** The UTF-8 value of the last header with that name, or null. */
    public static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : string(h.value());
    }

    private static boolean isCoreAttribute(String k) {
        return k.equals(SluiceHeaders.CE_SPECVERSION)
                || k.equals(SluiceHeaders.CE_ID)
                || k.equals(SluiceHeaders.CE_SOURCE)
                || k.equals(SluiceHeaders.CE_TYPE)
                || k.equals(SluiceHeaders.CE_TIME)
                || k.equals(SluiceHeaders.CE_SUBJECT);
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
