package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The JSON request formats: every batch splits into its items byte for byte, a structured
 * CloudEvent keeps every attribute and its data exactly, and no input, however broken, fails with
 * anything but {@link BadInput}.
 */
class JsonEventsProperties {

    // ---- NDJSON ----

    /** A line: a JSON value (kept byte for byte), a blank line, or a broken one (refused alone). */
    record Line(String text, Kind kind) {
        enum Kind { VALUE, BLANK, BROKEN }
    }

    @Provide
    Arbitrary<List<Line>> ndjsonLines() {
        Arbitrary<Line> value = Combinators.combine(Gen.ws(false), Gen.json(false), Gen.ws(false))
                .as((a, v, b) -> new Line(a + v + b, Line.Kind.VALUE));
        Arbitrary<Line> blank = Gen.ws(false).map(w -> new Line(w, Line.Kind.BLANK));
        Arbitrary<Line> broken = Arbitraries.of("{", "]", "x", "1 2", "{\"a\":}", "\"open", "[1,]", "{} {}", "tru", "01")
                .map(t -> new Line(t, Line.Kind.BROKEN));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, value), net.jqwik.api.Tuple.of(1, blank), net.jqwik.api.Tuple.of(1, broken))
                .list().ofMaxSize(8).withoutEdgeCases();
    }

    @Property
    void ndjsonKeepsEveryLineByteForByteAndRefusesBadLinesAlone(@ForAll("ndjsonLines") List<Line> lines,
                                                                 @ForAll boolean crlf, @ForAll boolean finalNewline) {
        String body = String.join(crlf ? "\r\n" : "\n", lines.stream().map(Line::text).toList()) + (finalNewline ? "\n" : "");
        List<Parsed> out = JsonEvents.ndjson(Gen.utf8(body));

        List<Parsed> remaining = new ArrayList<>(out);
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            if (l.kind() == Line.Kind.BLANK) {
                continue;
            }
            Parsed p = remaining.remove(0);
            if (l.kind() == Line.Kind.VALUE) {
                assertNotNull(p.draft(), () -> "line " + l.text() + " refused: " + p.error().getMessage());
                assertArrayEquals(Gen.utf8(l.text()), p.draft().payload(), "the line's bytes, untouched");
                assertEquals("application/json", p.draft().contentType());
            } else {
                assertNotNull(p.error(), "a broken line is refused: " + l.text());
                assertEquals(BadInput.Reason.MALFORMED_JSON, p.error().reason());
                assertTrue(p.error().getMessage().startsWith("line " + (i + 1) + ": "), p.error().getMessage());
            }
        }
        assertTrue(remaining.isEmpty(), "one item per non-blank line");
    }

    @Property
    void ndjsonOfAnyBytesYieldsOneOutcomePerLineAndSlicesOnly(@ForAll("anyBody") byte[] body) {
        for (Parsed p : JsonEvents.ndjson(body)) {
            assertOneOutcome(p);
            if (p.draft() != null) {
                assertTrue(Gen.isSlice(body, p.draft().payload()), "a payload is a slice of the body");
                // One UTF-8 JSON text, perhaps after a byte order mark (which JSON readers may ignore, RFC 8259 8.1).
                String text = new String(p.draft().payload(), StandardCharsets.UTF_8);
                String json = text.startsWith("\ufeff") ? text.substring(1) : text;
                assertTrue(isUtf8Json(json), () -> "an accepted line is one UTF-8 JSON text: " + text);
            }
        }
    }

    // ---- JSON array ----

    @Provide
    Arbitrary<List<String>> elements() {
        return Gen.json(true).list().ofMaxSize(6).withoutEdgeCases();
    }

    @Property
    void arraySplitsIntoItsElementsByteForByte(@ForAll("elements") List<String> elements, @ForAll Random r) {
        String body = container(elements, r);
        List<Parsed> out = assertTyped(() -> JsonEvents.array(Gen.utf8(body)));
        assertNotNull(out, () -> "a well-formed array is accepted: " + body);
        assertEquals(elements.size(), out.size());
        for (int i = 0; i < elements.size(); i++) {
            assertArrayEquals(Gen.utf8(elements.get(i)), out.get(i).draft().payload(), "element " + i + " of " + body);
        }
    }

    @Property
    void arrayOfAnyBytesFailsOnlyWithBadInputAndSlicesOnly(@ForAll("anyBody") byte[] body) {
        List<Parsed> out = assertTyped(() -> JsonEvents.array(body));
        if (out != null) {
            for (Parsed p : out) {
                assertNotNull(p.draft());
                assertTrue(Gen.isSlice(body, p.draft().payload()), "an element is a slice of the body");
            }
        }
    }

    // ---- structured CloudEvents ----

    /** How an event carries its data. */
    enum DataForm { NONE, NULL, JSON, TEXT, BASE64 }

    /** A valid structured event, and what parsing it must yield. */
    record Event(String json, Draft expected) {
    }

    @Provide
    Arbitrary<Event> events() {
        Arbitrary<String> value = Gen.legalText(1, 200);
        Arbitrary<String> optional = value.injectNull(0.4);
        Arbitrary<String> time = Gen.rfc3339().injectNull(0.4);
        Arbitrary<String> mediaType = Arbitraries.of("application/json", "text/plain", "application/octet-stream",
                "application/vnd.x+json; charset=utf-8", "TEXT/JSON", "application/xml").injectNull(0.3);
        Arbitrary<Map<String, String>> ext = Combinators.combine(
                        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofMinLength(1).ofMaxLength(64)
                                .filter(n -> !List.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                                        "dataschema", "data", "data_base64").contains(n)),
                        Arbitraries.oneOf(Gen.jsonStrings(value), Gen.jsonInteger(), Arbitraries.of("true", "false")))
                .as(Map::entry).list().ofMaxSize(4)
                .map(es -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    es.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return m;
                });
        Arbitrary<DataForm> form = Arbitraries.of(DataForm.class);
        Arbitrary<String> idText = Gen.legalText(1, CloudEventRules.MAX_ID_CHARS);
        Arbitrary<List<String>> attrs = Combinators.combine(List.of(idText, value, value, optional, time, mediaType, optional))
                .as(l -> l);
        return Combinators.combine(attrs, ext, form, Gen.json(true), Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                        Gen.legalText(0, 100), Arbitraries.randoms())
                .as(JsonEventsProperties::event)
                .withoutEdgeCases();
    }

    /** Writes the event's members in random order, each string escaped at random. */
    private static Event event(List<String> attrs, Map<String, String> ext, DataForm form, String dataJson, byte[] bytes, String text,
                               Random r) {
        String id = attrs.get(0);
        String source = attrs.get(1);
        String type = attrs.get(2);
        String subject = attrs.get(3);
        String time = attrs.get(4);
        String dct = attrs.get(5);
        String dataschema = attrs.get(6);
        if (form == DataForm.TEXT) {
            dct = "text/plain";
        }
        List<String> members = new ArrayList<>();
        members.add("\"specversion\":" + str("1.0", r));
        members.add("\"id\":" + str(id, r));
        members.add("\"source\":" + str(source, r));
        members.add("\"type\":" + str(type, r));
        for (String[] opt : new String[][] {{"subject", subject}, {"time", time}, {"datacontenttype", dct}, {"dataschema", dataschema}}) {
            if (opt[1] != null) {
                members.add("\"" + opt[0] + "\":" + str(opt[1], r));
            } else if (r.nextInt(4) == 0) {
                members.add("\"" + opt[0] + "\":null");
            }
        }
        Map<String, String> expectedExt = new LinkedHashMap<>();
        ext.forEach((k, v) -> {
            members.add("\"" + k + "\"" + space(r) + ":" + space(r) + v);
            expectedExt.put(k, v.startsWith("\"") ? unquote(v) : v);
        });
        if (dataschema != null) {
            expectedExt.put("dataschema", dataschema);
        }
        byte[] payload = new byte[0];
        String contentType = dct;
        switch (form) {
            case NONE -> { }
            case NULL -> members.add("\"data\":null");
            case JSON -> {
                // A JSON datum of a JSON (or no) type is kept as written; of another type, a string datum is its text.
                if (dataJson.equals("null")) {
                    payload = new byte[0]; // a null datum is an absent one
                } else if (dct == null || isJson(dct) || !dataJson.startsWith("\"")) {
                    payload = Gen.utf8(dataJson);
                } else {
                    payload = Gen.utf8(unquote(dataJson));
                }
                contentType = dct == null && !dataJson.equals("null") ? "application/json" : dct;
                members.add("\"data\"" + space(r) + ":" + space(r) + dataJson);
            }
            case TEXT -> {
                payload = Gen.utf8(text);
                members.add("\"data\":" + str(text, r));
            }
            case BASE64 -> {
                // Without datacontenttype, data is taken as JSON (the JSON format's default), data_base64 too.
                contentType = dct == null ? "application/json" : dct;
                payload = bytes;
                members.add("\"data_base64\":" + str(Base64.getEncoder().encodeToString(bytes), r));
            }
        }
        Collections.shuffle(members, r);
        StringBuilder sb = new StringBuilder("{").append(space(r));
        for (int i = 0; i < members.size(); i++) {
            sb.append(i == 0 ? "" : space(r) + "," + space(r)).append(members.get(i));
        }
        sb.append(space(r)).append('}');
        return new Event(sb.toString(), new Draft(id, source, type, subject, time, contentType, payload, expectedExt));
    }

    private static boolean isJson(String mediaType) {
        String m = mediaType.toLowerCase(java.util.Locale.ROOT);
        int semi = m.indexOf(';');
        m = (semi >= 0 ? m.substring(0, semi) : m).trim();
        return m.equals("application/json") || m.endsWith("+json") || m.equals("text/json");
    }

    private static String str(String s, Random r) {
        return Gen.jsonString(s, r);
    }

    private static String unquote(String jsonString) {
        return new io.vertx.core.json.JsonArray("[" + jsonString + "]").getString(0);
    }

    private static String space(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\n\t ";
            case 2 -> "\r\n";
            default -> "";
        };
    }

    @Property
    void structuredEventKeepsEveryAttributeAndItsDataExactly(@ForAll("events") Event e) throws BadInput {
        Draft d = JsonEvents.cloudEvent(Gen.utf8(e.json()));
        assertSameDraft(e.expected(), d, e.json());
    }

    @Property
    void batchSplitsEventsAndRefusesABadOneAlone(@ForAll("batchItems") List<Object> items, @ForAll Random r) {
        List<String> texts = items.stream().map(i -> i instanceof Event e ? e.json() : (String) i).toList();
        String body = container(texts, r);
        List<Parsed> out = assertTyped(() -> JsonEvents.cloudEventBatch(Gen.utf8(body)));
        assertNotNull(out, () -> "a well-formed batch is accepted: " + body);
        assertEquals(items.size(), out.size());
        for (int i = 0; i < items.size(); i++) {
            Parsed p = out.get(i);
            assertOneOutcome(p);
            if (items.get(i) instanceof Event e) {
                assertNotNull(p.draft(), () -> "refused: " + p.error().getMessage());
                assertSameDraft(e.expected(), p.draft(), e.json());
            } else {
                assertNotNull(p.error(), "not an event: " + items.get(i));
                assertTrue(p.error().getMessage().startsWith("event " + i + ": ") || p.error().getMessage().startsWith("event " + i + " "),
                        p.error().getMessage());
            }
        }
    }

    @Provide
    Arbitrary<List<Object>> batchItems() {
        Arbitrary<Object> invalid = Arbitraries.oneOf(Gen.jsonScalar(),
                Arbitraries.of("{}", "{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"}",
                        "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\"}",
                        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":1,\"data_base64\":\"AA==\"}",
                        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"Bad\":\"x\"}",
                        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"time\":\"yesterday\"}",
                        "[{\"specversion\":\"1.0\"}]"));
        return Arbitraries.oneOf(events().map(e -> (Object) e), invalid).list().ofMaxSize(5).withoutEdgeCases();
    }

    // ---- arbitrary and mutated bodies ----

    @Provide
    Arbitrary<byte[]> anyBody() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> nearlyJson = Gen.mutated(Gen.json(true).map(Gen::utf8));
        Arbitrary<byte[]> nearlyEvent = Gen.mutated(events().map(e -> Gen.utf8(e.json())));
        Arbitrary<byte[]> nearlyBatch = Gen.mutated(events().list().ofMaxSize(3)
                .map(es -> Gen.utf8("[" + String.join(",", es.stream().map(Event::json).toList()) + "]")));
        Arbitrary<byte[]> otherEncoding = Gen.json(true).map(j -> j.getBytes(StandardCharsets.UTF_16LE));
        return Arbitraries.oneOf(random, nearlyJson, nearlyEvent, nearlyBatch, otherEncoding).withoutEdgeCases();
    }

    @Property
    void structuredEventOfAnyBytesFailsOnlyWithBadInput(@ForAll("anyBody") byte[] body) {
        Draft d = assertTyped(() -> JsonEvents.cloudEvent(body));
        if (d != null) {
            assertAccepted(d);
        }
    }

    @Property
    void batchOfAnyBytesFailsOnlyWithBadInput(@ForAll("anyBody") byte[] body) {
        List<Parsed> out = assertTyped(() -> JsonEvents.cloudEventBatch(body));
        if (out != null) {
            for (Parsed p : out) {
                assertOneOutcome(p);
                if (p.draft() != null) {
                    assertAccepted(p.draft());
                }
            }
        }
    }

    // ---- helpers ----

    private static boolean isUtf8Json(String text) {
        try {
            io.vertx.core.json.Json.decodeValue(text);
            return true;
        } catch (io.vertx.core.json.DecodeException e) {
            return false;
        }
    }

    private static String container(List<String> items, Random r) {
        StringBuilder sb = new StringBuilder().append(space(r)).append('[').append(space(r));
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : space(r) + "," + space(r)).append(items.get(i));
        }
        return sb.append(space(r)).append(']').append(space(r)).toString();
    }

    /** What every accepted event satisfies: the required attributes are there and legal. */
    private static void assertAccepted(Draft d) {
        assertNotNull(d.payload());
        try {
            CloudEventRules.requireId("id", d.id());
            CloudEventRules.require("source", d.source());
            CloudEventRules.require("type", d.type());
            CloudEventRules.checkTime("time", d.time());
            for (Map.Entry<String, String> e : d.extensions().entrySet()) {
                CloudEventRules.checkName(e.getKey(), "extension");
                CloudEventRules.check(e.getKey(), e.getValue());
            }
        } catch (BadInput e) {
            throw new AssertionError("an accepted event breaks a rule: " + e.getMessage(), e);
        }
    }

    private static void assertSameDraft(Draft expected, Draft d, String json) {
        String where = " of " + json;
        assertEquals(expected.id(), d.id(), "id" + where);
        assertEquals(expected.source(), d.source(), "source" + where);
        assertEquals(expected.type(), d.type(), "type" + where);
        assertEquals(expected.subject(), d.subject(), "subject" + where);
        assertEquals(expected.time(), d.time(), "time" + where);
        assertEquals(expected.contentType(), d.contentType(), "content type" + where);
        assertEquals(expected.extensions(), d.extensions(), "extensions" + where);
        assertArrayEquals(expected.payload(), d.payload(), "data" + where);
    }

    private static void assertOneOutcome(Parsed p) {
        assertTrue((p.draft() == null) != (p.error() == null), "exactly one of event and error");
        if (p.error() != null) {
            assertNotNull(p.error().reason());
        }
    }

    interface Call<T> {
        T call() throws BadInput;
    }

    /** The call's result, or null when it refused with BadInput; any other exception fails the property. */
    static <T> T assertTyped(Call<T> c) {
        try {
            return c.call();
        } catch (BadInput e) {
            assertNotNull(e.reason());
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError("only BadInput may escape, got " + e, e);
        }
    }
}
