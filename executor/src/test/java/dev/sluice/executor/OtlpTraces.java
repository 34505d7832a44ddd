package dev.sluice.executor;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the spans out of an OTLP/HTTP export body ({@code ExportTraceServiceRequest}, protobuf) by
 * the protobuf wire format, for the tests' collector stand-in. Only what the tests look at is read:
 * each span's ids, kind and name, and its resource's {@code service.name}. (The generated classes
 * of opentelemetry-proto need a newer protobuf runtime than the one the project pins.)
 */
final class OtlpTraces {

    /** One span as the collector received it; ids in lower-case hex, {@code parentId} empty for a root span. */
    record Received(String service, String traceId, String spanId, String parentId, int kind, String name) {}

    static final int SERVER = 2;
    static final int CLIENT = 3;
    static final int PRODUCER = 4;
    static final int CONSUMER = 5;

    private final byte[] b;
    private int at;
    private final int end;

    private OtlpTraces(byte[] b, int from, int end) {
        this.b = b;
        this.at = from;
        this.end = end;
    }

    /** ExportTraceServiceRequest: 1 = ResourceSpans (repeated). */
    static List<Received> decode(byte[] body) {
        List<Received> out = new ArrayList<>();
        OtlpTraces export = new OtlpTraces(body, 0, body.length);
        while (export.more()) {
            int tag = export.tag();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                export.message().resourceSpans(out);
            } else {
                export.skip(tag);
            }
        }
        return out;
    }

    /** ResourceSpans: 1 = Resource, 2 = ScopeSpans (repeated; 2 = Span, repeated). */
    private void resourceSpans(List<Received> out) {
        String service = "";
        List<OtlpTraces> scopes = new ArrayList<>();
        while (more()) {
            int tag = tag();
            if (tag == (1 << 3 | 2)) {
                service = message().serviceName();
            } else if (tag == (2 << 3 | 2)) {
                scopes.add(message());
            } else {
                skip(tag);
            }
        }
        for (OtlpTraces scope : scopes) {
            while (scope.more()) {
                int tag = scope.tag();
                if (tag == (2 << 3 | 2)) {
                    out.add(scope.message().span(service));
                } else {
                    scope.skip(tag);
                }
            }
        }
    }

    /** Resource: 1 = KeyValue (repeated; 1 = key, 2 = AnyValue, whose 1 = string value). */
    private String serviceName() {
        String found = "";
        while (more()) {
            int tag = tag();
            if (tag != (1 << 3 | 2)) {
                skip(tag);
                continue;
            }
            OtlpTraces kv = message();
            String key = null;
            String value = null;
            while (kv.more()) {
                int t = kv.tag();
                if (t == (1 << 3 | 2)) {
                    key = new String(kv.bytes(), java.nio.charset.StandardCharsets.UTF_8);
                } else if (t == (2 << 3 | 2)) {
                    OtlpTraces any = kv.message();
                    while (any.more()) {
                        int a = any.tag();
                        if (a == (1 << 3 | 2)) {
                            value = new String(any.bytes(), java.nio.charset.StandardCharsets.UTF_8);
                        } else {
                            any.skip(a);
                        }
                    }
                } else {
                    kv.skip(t);
                }
            }
            if ("service.name".equals(key) && value != null) {
                found = value;
            }
        }
        return found;
    }

    /** Span: 1 = trace id, 2 = span id, 4 = parent span id, 5 = name, 6 = kind. */
    private Received span(String service) {
        HexFormat hex = HexFormat.of();
        String trace = "";
        String span = "";
        String parent = "";
        String name = "";
        int kind = 0;
        while (more()) {
            int tag = tag();
            switch (tag) {
                case 1 << 3 | 2 -> trace = hex.formatHex(bytes());
                case 2 << 3 | 2 -> span = hex.formatHex(bytes());
                case 4 << 3 | 2 -> parent = hex.formatHex(bytes());
                case 5 << 3 | 2 -> name = new String(bytes(), java.nio.charset.StandardCharsets.UTF_8);
                case 6 << 3 -> kind = (int) varint();
                default -> skip(tag);
            }
        }
        return new Received(service, trace, span, parent, kind, name);
    }

    private boolean more() {
        return at < end;
    }

    private int tag() {
        return (int) varint();
    }

    private long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[at++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("malformed varint at " + at);
    }

    private OtlpTraces message() {
        int len = (int) varint();
        OtlpTraces m = new OtlpTraces(b, at, at + len);
        at += len;
        return m;
    }

    private byte[] bytes() {
        int len = (int) varint();
        byte[] out = java.util.Arrays.copyOfRange(b, at, at + len);
        at += len;
        return out;
    }

    private void skip(int tag) {
        switch (tag & 7) {
            case 0 -> varint();
            case 1 -> at += 8;
            case 2 -> {
                int len = (int) varint();
                at += len;
            }
            case 5 -> at += 4;
            default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
        }
    }
}
