package dev.sluice.router.impl.ingest;

import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The CloudEvents HTTP binary mode: attributes in {@code ce-*} headers, the body is the data.
 * Header values are percent-decoded as the HTTP binding requires (section 3.1.3.2: a sender
 * percent-encodes UTF-8 bytes outside printable ASCII, and {@code %} and {@code "}), then checked
 * by the same {@link CloudEventRules} as structured events.
 */
public final class BinaryMode {

    private BinaryMode() {}

    /** The event a binary-mode request carries; required attributes are checked as in structured mode. */
    public static Draft decode(MultiMap headers, byte[] body, String contentType) throws BadInput {
        String specversion = headers.get("ce-specversion");
        if (!"1.0".equals(specversion)) {
            throw new BadInput(
                    BadInput.Reason.INVALID_CLOUDEVENT, "ce-specversion must be 1.0, got '" + specversion + "'");
        }
        String id = value(headers, "ce-id");
        String source = value(headers, "ce-source");
        String type = value(headers, "ce-type");
        String subject = value(headers, "ce-subject");
        String time = value(headers, "ce-time");
        CloudEventRules.requireId("id (ce-id)", id);
        CloudEventRules.require("source (ce-source)", source);
        CloudEventRules.require("type (ce-type)", type);
        CloudEventRules.check("subject (ce-subject)", subject);
        CloudEventRules.checkTime("time (ce-time)", time);
        Map<String, String> ext = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("ce-") && !isCoreHeader(name)) {
                String attr = name.substring(3);
                CloudEventRules.checkName(attr, "header " + h.getKey());
                String v = percentDecoded(h.getKey(), h.getValue());
                CloudEventRules.check(attr + " (" + h.getKey() + ")", v);
                if (ext.put(attr, v) != null) {
                    throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "header " + h.getKey() + " appears twice");
                }
            }
        }
        return new Draft(id, source, type, subject, time, contentType, body, ext);
    }

    /** The plain (non-CloudEvents) request's optional {@code ce-id}: checked like any event id. */
    public static String plainId(MultiMap headers) throws BadInput {
        String id = value(headers, "ce-id");
        if (id != null) {
            CloudEventRules.requireId("id (ce-id)", id);
        }
        return id;
    }

    private static String value(MultiMap headers, String name) throws BadInput {
        if (headers.getAll(name).size() > 1) {
            throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "header " + name + " appears more than once");
        }
        String raw = headers.get(name);
        return raw == null ? null : percentDecoded(name, raw);
    }

    /** Decodes {@code %XX} escapes as UTF-8; a malformed escape or invalid UTF-8 is refused. */
    static String percentDecoded(String header, String raw) throws BadInput {
        if (raw.indexOf('%') < 0) {
            for (int i = 0; i < raw.length(); i++) {
                if (raw.charAt(i) > 0x7e) {
                    throw new BadInput(
                            BadInput.Reason.INVALID_CLOUDEVENT,
                            "header " + header
                                    + " holds a byte outside printable ASCII; the CloudEvents HTTP binding requires it percent-encoded as UTF-8");
                }
            }
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new BadInput(
                            BadInput.Reason.INVALID_CLOUDEVENT,
                            "header " + header + " holds a malformed percent escape at " + i
                                    + " (a literal % is sent as %25)");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e) {
                throw new BadInput(
                        BadInput.Reason.INVALID_CLOUDEVENT,
                        "header " + header
                                + " holds a byte outside printable ASCII; the CloudEvents HTTP binding requires it percent-encoded as UTF-8");
            } else {
                out.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadInput(
                    BadInput.Reason.INVALID_CLOUDEVENT, "header " + header + " does not percent-decode to valid UTF-8");
        }
    }

    private static boolean isCoreHeader(String name) {
        return name.equals("ce-specversion")
                || name.equals("ce-id")
                || name.equals("ce-source")
                || name.equals("ce-type")
                || name.equals("ce-subject")
                || name.equals("ce-time");
    }
}
