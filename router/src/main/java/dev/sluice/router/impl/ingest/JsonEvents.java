package dev.sluice.router.impl.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the JSON request formats with a streaming parser and slices payloads out of the original
 * bytes, so a payload is never decoded and re-encoded:
 * <ul>
 *   <li>NDJSON — one JSON value per line; a bad line is refused with its line number, the others
 *       stand;</li>
 *   <li>a JSON array — each element is one event;</li>
 *   <li>a structured CloudEvent ({@code application/cloudevents+json}) and a CloudEvents batch
 *       ({@code application/cloudevents-batch+json}): {@code data} becomes the payload as it was
 *       written, {@code data_base64} is decoded, the other attributes become {@code ce_*}
 *       headers.</li>
 * </ul>
 */
public final class JsonEvents {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final String JSON_TYPE = "application/json";

    private JsonEvents() {
    }

    /** NDJSON: every non-blank line is one event, its bytes the payload. */
    public static List<Parsed> ndjson(byte[] body) {
        List<Parsed> out = new ArrayList<>();
        int line = 0;
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '\n', start);
            if (end < 0) {
                end = body.length;
            }
            line++;
            int s = start;
            int e = end > s && body[end - 1] == '\r' ? end - 1 : end;
            if (!isBlank(body, s, e)) {
                try {
                    checkSingleValue(body, s, e);
                    out.add(Parsed.ok(Draft.plain(Arrays.copyOfRange(body, s, e), JSON_TYPE)));
                } catch (BadInput bad) {
                    out.add(Parsed.bad(new BadInput(bad.reason(), "line " + line + ": " + bad.getMessage())));
                }
            }
            start = end + 1;
        }
        return out;
    }

    /** A JSON array: each element is one event. A body that is not an array is refused whole. */
    public static List<Parsed> array(byte[] body) throws BadInput {
        List<Parsed> out = new ArrayList<>();
        try (JsonParser p = parser(body, 0, body.length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the body must be a JSON array of events");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the JSON array is not closed");
                }
                int[] span = valueSpan(p, t);
                out.add(Parsed.ok(Draft.plain(Arrays.copyOfRange(body, span[0], span[1]), JSON_TYPE)));
            }
            expectEnd(p);
        } catch (IOException e) {
            throw malformed(e);
        }
        return out;
    }

    /** One structured-mode CloudEvent. */
    public static Draft cloudEvent(byte[] body) throws BadInput {
        try (JsonParser p = parser(body, 0, body.length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "a structured CloudEvent must be a JSON object");
            }
            Draft d = cloudEventObject(p, body);
            expectEnd(p);
            return d;
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /** A CloudEvents JSON batch: an array of structured events; an invalid event is refused alone. */
    public static List<Parsed> cloudEventBatch(byte[] body) throws BadInput {
        List<Parsed> out = new ArrayList<>();
        try (JsonParser p = parser(body, 0, body.length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadInput(BadInput.Reason.MALFORMED_JSON, "a CloudEvents batch must be a JSON array");
            }
            JsonToken t;
            int index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the JSON array is not closed");
                }
                if (t != JsonToken.START_OBJECT) {
                    valueSpan(p, t);
                    out.add(Parsed.bad(new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "event " + index + " is not a JSON object")));
                } else {
                    try {
                        out.add(Parsed.ok(cloudEventObject(p, body)));
                    } catch (BadInput bad) {
                        out.add(Parsed.bad(new BadInput(bad.reason(), "event " + index + ": " + bad.getMessage())));
                    }
                }
                index++;
            }
            expectEnd(p);
        } catch (IOException e) {
            throw malformed(e);
        }
        return out;
    }

    /** Reads the object whose START_OBJECT was just consumed, up to and including its END_OBJECT. */
    private static Draft cloudEventObject(JsonParser p, byte[] body) throws IOException, BadInput {
        Map<String, String> core = new HashMap<>();
        byte[] data = null;
        String dataText = null;
        boolean hasData = false;
        boolean hasBase64 = false;
        BadInput deferred = null;
        Map<String, String> ext = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("data")) {
                int[] span = valueSpan(p, v);
                hasData = v != JsonToken.VALUE_NULL;
                if (hasData) {
                    data = Arrays.copyOfRange(body, span[0], span[1]);
                    dataText = v == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                continue;
            }
            if (name.equals("data_base64")) {
                if (v == JsonToken.VALUE_NULL) {
                    continue;
                }
                hasBase64 = true;
                if (v != JsonToken.VALUE_STRING) {
                    deferred = first(deferred, invalid("data_base64 must be a string"));
                    valueSpan(p, v);
                    continue;
                }
                try {
                    data = Base64.getDecoder().decode(p.getText());
                } catch (IllegalArgumentException e) {
                    deferred = first(deferred, invalid("data_base64 is not valid base64"));
                }
                continue;
            }
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                valueSpan(p, v);
                deferred = first(deferred, invalid("attribute '" + name + "' must be a scalar"));
                continue;
            }
            if (v == JsonToken.VALUE_NULL) {
                continue; // a null attribute is an absent one
            }
            if (CORE.contains(name)) {
                if (v != JsonToken.VALUE_STRING) {
                    deferred = first(deferred, invalid("attribute '" + name + "' must be a JSON string, got " + p.getText()));
                } else if (core.put(name, p.getText()) != null) {
                    deferred = first(deferred, invalid("attribute '" + name + "' appears twice"));
                }
                continue;
            }
            try {
                CloudEventRules.checkName(name, "attribute '" + name + "'");
            } catch (BadInput bad) {
                deferred = first(deferred, bad);
                continue;
            }
            if (v == JsonToken.VALUE_NUMBER_FLOAT) {
                deferred = first(deferred, invalid("extension '" + name + "' must be a string, an integer or a boolean"));
            } else if (ext.put(name, p.getText()) != null) {
                deferred = first(deferred, invalid("attribute '" + name + "' appears twice"));
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the CloudEvent object is not closed");
        }
        if (deferred != null) {
            throw deferred;
        }
        if (hasData && hasBase64) {
            throw invalid("an event carries data or data_base64, not both");
        }
        String specversion = core.get("specversion");
        CloudEventRules.require("specversion", specversion);
        if (!specversion.equals("1.0")) {
            throw invalid("specversion must be 1.0, got '" + specversion + "'");
        }
        String id = core.get("id");
        CloudEventRules.requireId("id", id);
        CloudEventRules.require("source", core.get("source"));
        CloudEventRules.require("type", core.get("type"));
        CloudEventRules.check("subject", core.get("subject"));
        CloudEventRules.checkTime("time", core.get("time"));
        CloudEventRules.check("datacontenttype", core.get("datacontenttype"));
        CloudEventRules.check("dataschema", core.get("dataschema"));
        if (core.containsKey("dataschema")) {
            ext.put("dataschema", core.get("dataschema"));
        }
        for (Map.Entry<String, String> e : ext.entrySet()) {
            CloudEventRules.check(e.getKey(), e.getValue());
        }
        String contentType = core.get("datacontenttype");
        if (contentType == null && data != null) {
            contentType = JSON_TYPE;
        }
        if (dataText != null && !isJson(contentType)) {
            // A string datum of a non-JSON type is the string's text, not its JSON form.
            data = dataText.getBytes(StandardCharsets.UTF_8);
        }
        return new Draft(id, core.get("source"), core.get("type"), core.get("subject"), core.get("time"), contentType,
                data == null ? new byte[0] : data, ext);
    }

    private static final Set<String> CORE = Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
            "dataschema");

    private static BadInput first(BadInput earlier, BadInput now) {
        return earlier != null ? earlier : now;
    }

    private static BadInput invalid(String detail) {
        return new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, detail);
    }

    /** The byte span [start, end) of the value whose first token {@code t} was just read. */
    private static int[] valueSpan(JsonParser p, JsonToken t) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        return new int[] {start, end};
    }

    private static void checkSingleValue(byte[] body, int start, int end) throws BadInput {
        try (JsonParser p = parser(body, start, end - start)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new BadInput(BadInput.Reason.MALFORMED_JSON, "empty");
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else {
                p.finishToken();
            }
            expectEnd(p);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /**
     * A parser of UTF-8 JSON (RFC 8259 section 8.1). Jackson guesses the encoding from the first bytes
     * and would read a body that starts with a UTF-16 or UTF-32 pattern (a NUL among the first two
     * bytes, or FE FF / FF FE) in that encoding, where offsets are no longer byte offsets. None of
     * these bytes can start a UTF-8 JSON text, so such a body is malformed.
     */
    private static JsonParser parser(byte[] b, int off, int len) throws IOException, BadInput {
        if (len >= 2 && (b[off] == 0 || b[off + 1] == 0 || (b[off] & 0xFF) == 0xFE || (b[off] & 0xFF) == 0xFF)) {
            throw new BadInput(BadInput.Reason.MALFORMED_JSON, "malformed JSON: the body must be UTF-8");
        }
        return JSON.createParser(b, off, len);
    }

    private static void expectEnd(JsonParser p) throws IOException, BadInput {
        if (p.nextToken() != null) {
            throw new BadInput(BadInput.Reason.MALFORMED_JSON, "unexpected content after the JSON value at column "
                    + p.currentTokenLocation().getColumnNr());
        }
    }

    private static BadInput malformed(IOException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int cut = msg.indexOf("\n at [Source");
        return new BadInput(BadInput.Reason.MALFORMED_JSON, "malformed JSON: " + (cut > 0 ? msg.substring(0, cut) : msg));
    }

    private static boolean isJson(String mediaType) {
        String m = mediaType.toLowerCase(java.util.Locale.ROOT);
        int semi = m.indexOf(';');
        m = (semi >= 0 ? m.substring(0, semi) : m).trim();
        return m.equals(JSON_TYPE) || m.endsWith("+json") || m.equals("text/json");
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
