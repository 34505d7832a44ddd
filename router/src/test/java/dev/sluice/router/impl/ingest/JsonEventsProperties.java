package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
        enum Kind {
            VALUE,
            BLANK,
            BROKEN
        }
    }

    @Provide
    Arbitrary<List<Line>> ndjsonLines() {
        Arbitrary<Line> value = Combinators.combine(Gen.ws(false), Gen.json(false), Gen.ws(false))
                .as((a, v, b) -> new Line(a + v + b, Line.Kind.VALUE));
        Arbitrary<Line> blank = Gen.ws(false).map(w -> new Line(w, Line.Kind.BLANK));
        Arbitrary<Line> broken = Arbitraries.of(
                        "{", "]", "x", "1 2", "{\"a\":}", "\"open", "[1,]", "{} {}", "tru", "01")
                .map(t -> new Line(t, Line.Kind.BROKEN));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, value),
                        net.jqwik.api.Tuple.of(1, blank),
                        net.jqwik.api.Tuple.of(1, broken))
                .list()
                .ofMaxSize(8)
                .withoutEdgeCases();
    }

    @Property
    void ndjsonKeepsEveryLineByteForByteAndRefusesBadLinesAlone(
            @ForAll("ndjsonLines") List<Line> lines, @ForAll boolean crlf, @ForAll boolean finalNewline) {
        String body =
                String.join(crlf ? "\r\n" : "\n", lines.stream().map(Line::text).toList()) + (finalNewline ? "\n" : "");
        List<Parsed> out = JsonEvents.ndjson(Gen.utf8(body));

        List<Parsed> remaining = new ArrayList<>(out);
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            if (l.kind() == Line.Kind.BLANK) {
                continue;
            }
            Parsed p = remaining.remove(0);
            if (l.kind() == Line.Kind.VALUE) {
                assertNotNull(
                        p.draft(),
                        () -> "line " + l.text() + " refused: " + p.error().getMessage());
                assertArrayEquals(Gen.utf8(l.text()), p.draft().payload(), "the line's bytes, untouched");
                assertEquals("application/json", p.draft().contentType());
            } else {
                assertNotNull(p.error(), "a broken line is refused: " + l.text());
                assertEquals(BadInput.Reason.MALFORMED_JSON, p.error().reason());
                assertTrue(
                        p.error().getMessage().startsWith("line " + (i + 1) + ": "),
                        p.error().getMessage());
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

    @Provide
    Arbitrary<CloudEventGen.Event> events() {
        return CloudEventGen.events();
    }

    @Property
    void structuredEventKeepsEveryAttributeAndItsDataExactly(@ForAll("events") CloudEventGen.Event e) throws BadInput {
        Draft d = JsonEvents.cloudEvent(Gen.utf8(e.json()));
        assertSameDraft(e.expected(), d, e.json());
    }

    @Property
    void batchSplitsEventsAndRefusesABadOneAlone(@ForAll("batchItems") List<Object> items, @ForAll Random r) {
        List<String> texts = items.stream()
                .map(i -> i instanceof CloudEventGen.Event e ? e.json() : (String) i)
                .toList();
        String body = container(texts, r);
        List<Parsed> out = assertTyped(() -> JsonEvents.cloudEventBatch(Gen.utf8(body)));
        assertNotNull(out, () -> "a well-formed batch is accepted: " + body);
        assertEquals(items.size(), out.size());
        for (int i = 0; i < items.size(); i++) {
            Parsed p = out.get(i);
            assertOneOutcome(p);
            if (items.get(i) instanceof CloudEventGen.Event e) {
                assertNotNull(p.draft(), () -> "refused: " + p.error().getMessage());
                assertSameDraft(e.expected(), p.draft(), e.json());
            } else {
                assertNotNull(p.error(), "not an event: " + items.get(i));
                assertTrue(
                        p.error().getMessage().startsWith("event " + i + ": ")
                                || p.error().getMessage().startsWith("event " + i + " "),
                        p.error().getMessage());
            }
        }
    }

    @Provide
    Arbitrary<List<Object>> batchItems() {
        Arbitrary<Object> invalid = Arbitraries.oneOf(
                Gen.jsonScalar(),
                Arbitraries.of(
                        "{}",
                        "{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"}",
                        "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\"}",
                        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":1,\"data_base64\":\"AA==\"}",
                        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"Bad\":\"x\"}",
                        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"time\":\"yesterday\"}",
                        "[{\"specversion\":\"1.0\"}]"));
        return Arbitraries.oneOf(events().map(e -> (Object) e), invalid)
                .list()
                .ofMaxSize(5)
                .withoutEdgeCases();
    }

    // ---- arbitrary and mutated bodies ----

    @Provide
    Arbitrary<byte[]> anyBody() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> nearlyJson = Mutations.mutated(Gen.json(true).map(Gen::utf8));
        Arbitrary<byte[]> nearlyEvent = Mutations.mutated(events().map(e -> Gen.utf8(e.json())));
        Arbitrary<byte[]> nearlyBatch = Mutations.mutated(events().list()
                .ofMaxSize(3)
                .map(es -> Gen.utf8("["
                        + String.join(
                                ",", es.stream().map(CloudEventGen.Event::json).toList()) + "]")));
        Arbitrary<byte[]> otherEncoding = Gen.json(true).map(j -> j.getBytes(StandardCharsets.UTF_16LE));
        return Arbitraries.oneOf(random, nearlyJson, nearlyEvent, nearlyBatch, otherEncoding)
                .withoutEdgeCases();
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
        StringBuilder sb =
                new StringBuilder().append(CloudEventGen.space(r)).append('[').append(CloudEventGen.space(r));
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : CloudEventGen.space(r) + "," + CloudEventGen.space(r))
                    .append(items.get(i));
        }
        return sb.append(CloudEventGen.space(r))
                .append(']')
                .append(CloudEventGen.space(r))
                .toString();
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
