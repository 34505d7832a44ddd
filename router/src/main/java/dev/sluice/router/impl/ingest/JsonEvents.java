package dev.sluice.router.impl.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 *       headers ({@link StructuredCloudEvent}).</li>
 * </ul>
 * Arrays and objects nested deeper than {@link JsonScan#MAX_NESTING} levels are malformed.
 */
public final class JsonEvents {

    private static final String JSON_TYPE = "application/json";

    private JsonEvents() {}

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
                    JsonScan.checkSingleValue(body, s, e);
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
        return elements(body, "the body must be a JSON array of events", (p, t, index) -> {
            int[] span = JsonScan.valueSpan(p, t);
            return Parsed.ok(Draft.plain(Arrays.copyOfRange(body, span[0], span[1]), JSON_TYPE));
        });
    }

    /** One structured-mode CloudEvent. */
    public static Draft cloudEvent(byte[] body) throws BadInput {
        try (JsonParser p = JsonScan.parser(body, 0, body.length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "a structured CloudEvent must be a JSON object");
            }
            Draft d = StructuredCloudEvent.read(p, body);
            JsonScan.expectEnd(p);
            return d;
        } catch (IOException e) {
            throw JsonScan.malformed(e);
        }
    }

    /** A CloudEvents JSON batch: an array of structured events; an invalid event is refused alone. */
    public static List<Parsed> cloudEventBatch(byte[] body) throws BadInput {
        return elements(body, "a CloudEvents batch must be a JSON array", (p, t, index) -> {
            if (t != JsonToken.START_OBJECT) {
                JsonScan.valueSpan(p, t);
                return Parsed.bad(
                        new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "event " + index + " is not a JSON object"));
            }
            try {
                return Parsed.ok(StructuredCloudEvent.read(p, body));
            } catch (BadInput bad) {
                return Parsed.bad(new BadInput(bad.reason(), "event " + index + ": " + bad.getMessage()));
            }
        });
    }

    /** Reads one element of a JSON array, its first token {@code first} already read. */
    @FunctionalInterface
    private interface Element {
        Parsed read(JsonParser p, JsonToken first, int index) throws IOException, BadInput;
    }

    /** Each element of a JSON array body, as {@code each} reads it; a body that is not an array ({@code notArray}) is refused whole. */
    private static List<Parsed> elements(byte[] body, String notArray, Element each) throws BadInput {
        List<Parsed> out = new ArrayList<>();
        try (JsonParser p = JsonScan.parser(body, 0, body.length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BadInput(BadInput.Reason.MALFORMED_JSON, notArray);
            }
            JsonToken t;
            int index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new BadInput(BadInput.Reason.MALFORMED_JSON, "the JSON array is not closed");
                }
                out.add(each.read(p, t, index++));
            }
            JsonScan.expectEnd(p);
        } catch (IOException e) {
            throw JsonScan.malformed(e);
        }
        return out;
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
