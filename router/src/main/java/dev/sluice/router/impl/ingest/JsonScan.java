package dev.sluice.router.impl.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;

/** The streaming JSON reading the request formats share: a bounded UTF-8 parser, byte spans of values, typed failures. */
final class JsonScan {

    /**
     * The deepest nesting of arrays and objects the parse stage reads (Jackson's own default, set
     * here so that it cannot silently change): the streaming parser keeps one small context per
     * level and never recurses, so deeper input costs only this bound before it is refused.
     */
    static final int MAX_NESTING = 1000;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    private JsonScan() {}

    /** The byte span [start, end) of the value whose first token {@code t} was just read. */
    static int[] valueSpan(JsonParser p, JsonToken t) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        return new int[] {start, end};
    }

    static void checkSingleValue(byte[] body, int start, int end) throws BadInput {
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
    static JsonParser parser(byte[] b, int off, int len) throws IOException, BadInput {
        if (len >= 2 && (b[off] == 0 || b[off + 1] == 0 || (b[off] & 0xFF) == 0xFE || (b[off] & 0xFF) == 0xFF)) {
            throw new BadInput(BadInput.Reason.MALFORMED_JSON, "malformed JSON: the body must be UTF-8");
        }
        return JSON.createParser(b, off, len);
    }

    static void expectEnd(JsonParser p) throws IOException, BadInput {
        if (p.nextToken() != null) {
            throw new BadInput(
                    BadInput.Reason.MALFORMED_JSON,
                    "unexpected content after the JSON value at column "
                            + p.currentTokenLocation().getColumnNr());
        }
    }

    static BadInput malformed(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return new BadInput(
                    BadInput.Reason.MALFORMED_JSON,
                    "malformed JSON: arrays and objects nested deeper than " + MAX_NESTING + " levels");
        }
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int cut = msg.indexOf("\n at [Source");
        return new BadInput(
                BadInput.Reason.MALFORMED_JSON, "malformed JSON: " + (cut > 0 ? msg.substring(0, cut) : msg));
    }
}
