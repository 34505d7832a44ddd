package dev.sluice.router.impl.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]{1,20}");
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
        try (JsonParser p = JSON.createParser(body)) {
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
        try (JsonParser p = JSON.createParser(body)) {
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
        try (JsonParser p = JSON.createParser(body)) {
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
        String specversion = null;
        String id = null;
        String source = null;
        String type = null;
        String subject = null;
        String time = null;
        String contentType = null;
        byte[] data = null;
        String dataText = null;
        BadInput deferred = null;
        Map<String, String> ext = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("data")) {
                int[] span = valueSpan(p, v);
                data = Arrays.copyOfRange(body, span[0], span[1]);
                dataText = v == JsonToken.VALUE_STRING ? p.getText() : null;
                continue;
            }
            if (name.equals("data_base64")) {
                if (v != JsonToken.VALUE_STRING) {
                    deferred = new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "data_base64 must be a string");
                    valueSpan(p, v);
                    continue;
                }
                try {
                    data = Base64.getDecoder().decode(p.getText());
                } catch (IllegalArgumentException e) {
                    deferred = new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "data_base64 is not valid base64");
                }
                continue;
            }
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                valueSpan(p, v);
                deferred = new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "attribute '" + name + "' must be a scalar");
                continue;
            }
            String value = v == JsonToken.VALUE_NULL ? null : p.getText();
            switch (name) {
                case "specversion" -> specversion = value;
                case "id" -> id = value;
                case "source" -> source = value;
                case "type" -> type = value;
                case "subject" -> subject = value;
                case "time" -> time = value;
                case "datacontenttype" -> contentType = value;
                default -> {
                    if (!ATTRIBUTE_NAME.matcher(name).matches()) {
                        deferred = new BadInput(BadInput.Reason.INVALID_CLOUDEVENT,
                                "attribute name '" + name + "' must be 1-20 lower-case letters or digits");
                    } else if (value != null) {
                        ext.put(name, value);
                    }
                }
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the CloudEvent object is not closed");
        }
        if (deferred != null) {
            throw deferred;
        }
        requireAttribute("specversion", specversion);
        if (!specversion.equals("1.0")) {
            throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "specversion must be 1.0, got '" + specversion + "'");
        }
        requireAttribute("id", id);
        requireAttribute("source", source);
        requireAttribute("type", type);
        if (contentType == null && data != null) {
            contentType = JSON_TYPE;
        }
        if (dataText != null && !isJson(contentType)) {
            // A string datum of a non-JSON type is the string's text, not its JSON form.
            data = dataText.getBytes(StandardCharsets.UTF_8);
        }
        return new Draft(id, source, type, subject, time, contentType, data == null ? new byte[0] : data, ext);
    }

    /** Checks binary-mode {@code ce-*} attributes the same way as structured ones. */
    public static void requireAttribute(String name, String value) throws BadInput {
        if (value == null || value.isEmpty()) {
            throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "the required attribute '" + name + "' is missing");
        }
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
        try (JsonParser p = JSON.createParser(body, start, end - start)) {
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
