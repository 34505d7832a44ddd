package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonEventsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void ndjsonKeepsEachLineAsWrittenAndNamesTheBadLine() {
        List<Parsed> items = JsonEvents.ndjson(b("{\"a\": 1}\r\n\n{\"b\":[1, 2]}\n{broken\n\"text\"\n"));
        assertEquals(4, items.size(), "blank lines are skipped");
        assertEquals("{\"a\": 1}", s(items.get(0).draft().payload()));
        assertEquals("{\"b\":[1, 2]}", s(items.get(1).draft().payload()));
        assertNull(items.get(2).draft());
        assertTrue(
                items.get(2).error().getMessage().startsWith("line 4: "),
                items.get(2).error().getMessage());
        assertEquals(BadInput.Reason.MALFORMED_JSON, items.get(2).error().reason());
        assertEquals("\"text\"", s(items.get(3).draft().payload()));
    }

    @Test
    void ndjsonRefusesTwoValuesOnOneLine() {
        List<Parsed> items = JsonEvents.ndjson(b("{} {}"));
        assertNotNull(items.get(0).error());
    }

    @Test
    void arrayElementsAreSlicedFromTheOriginalBytes() throws BadInput {
        List<Parsed> items = JsonEvents.array(b("[ {\"x\" :  1.50}, \"s\\u0041\", 7, [1,{}], null ]"));
        assertEquals(
                List.of("{\"x\" :  1.50}", "\"s\\u0041\"", "7", "[1,{}]", "null"),
                items.stream().map(p -> s(p.draft().payload())).toList());
        assertEquals("application/json", items.get(0).draft().contentType());
    }

    @Test
    void aBodyThatIsNotAnArrayIsRefusedWhole() {
        assertThrows(BadInput.class, () -> JsonEvents.array(b("{\"a\":1}")));
        BadInput e = assertThrows(BadInput.class, () -> JsonEvents.array(b("[1, 2")));
        assertEquals(BadInput.Reason.MALFORMED_JSON, e.reason());
        assertThrows(BadInput.class, () -> JsonEvents.array(b("[1] [2]")));
    }

    @Test
    void structuredCloudEventMapsAttributesAndKeepsJsonDataAsWritten() throws BadInput {
        Draft d = JsonEvents.cloudEvent(
                b(
                        "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/s\",\"type\":\"t\","
                                + "\"subject\":\"sub\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":{\"k\": [1, 2]},\"tenantid\":\"acme\",\"n\":5}"));
        assertEquals("e1", d.id());
        assertEquals("/s", d.source());
        assertEquals("t", d.type());
        assertEquals("sub", d.subject());
        assertEquals("2026-01-01T00:00:00Z", d.time());
        assertEquals("application/json", d.contentType());
        assertEquals("{\"k\": [1, 2]}", s(d.payload()));
        assertEquals(Map.of("tenantid", "acme", "n", "5"), d.extensions());
    }

    @Test
    void structuredCloudEventDecodesBase64DataAndTextData() throws BadInput {
        Draft bin = JsonEvents.cloudEvent(b("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"t\","
                + "\"datacontenttype\":\"application/octet-stream\",\"data_base64\":\"AAEC/w==\"}"));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xFF}, bin.payload());
        Draft text =
                JsonEvents.cloudEvent(b("{\"data\":\"hello\",\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\","
                        + "\"type\":\"t\",\"datacontenttype\":\"text/plain\"}"));
        assertEquals("hello", s(text.payload()), "a string datum of a text type is its text, whatever the field order");
    }

    @Test
    void aCloudEventWithoutARequiredAttributeIsRefused() {
        BadInput e = assertThrows(
                BadInput.class,
                () -> JsonEvents.cloudEvent(b("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\"}")));
        assertEquals(BadInput.Reason.INVALID_CLOUDEVENT, e.reason());
        assertTrue(e.getMessage().contains("'type'"), e.getMessage());
        assertThrows(
                BadInput.class,
                () -> JsonEvents.cloudEvent(
                        b("{\"specversion\":\"0.3\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"t\"}")));
        assertThrows(
                BadInput.class,
                () -> JsonEvents.cloudEvent(b("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"t\","
                        + "\"Bad-Name\":\"x\"}")));
    }

    @Test
    void aCloudEventsBatchRefusesOnlyItsInvalidEvents() throws BadInput {
        List<Parsed> items =
                JsonEvents.cloudEventBatch(b("[{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"},"
                        + "{\"specversion\":\"1.0\",\"id\":\"b\",\"source\":\"/s\"}, 42]"));
        assertEquals(3, items.size());
        assertEquals("a", items.get(0).draft().id());
        assertTrue(
                items.get(1).error().getMessage().startsWith("event 1: "),
                items.get(1).error().getMessage());
        assertTrue(
                items.get(2).error().getMessage().startsWith("event 2 "),
                items.get(2).error().getMessage());
    }

    private static String ce(String more) {
        return "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"t\"" + more + "}";
    }

    private static String refusal(String body) {
        BadInput e = assertThrows(BadInput.class, () -> JsonEvents.cloudEvent(b(body)), body);
        assertEquals(BadInput.Reason.INVALID_CLOUDEVENT, e.reason(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void attributeValuesThatNoHeaderCanCarryAreRefusedNamingTheAttribute() {
        assertTrue(refusal("{\"specversion\":\"1.0\",\"id\":\"a\\r\\nX-Evil: 1\",\"source\":\"/s\",\"type\":\"t\"}")
                .contains("'id'"));
        assertTrue(refusal(ce(",\"subject\":\"s\\u0000\"")).contains("'subject'"));
        assertTrue(refusal(ce(",\"traceref\":\"line\\nbreak\"")).contains("'traceref'"));
        assertTrue(refusal(ce(",\"subject\":\"tab\\there\"")).contains("'subject'"));
        assertTrue(refusal(ce(",\"subject\":\"c1\\u0085\"")).contains("U+0085"));
        assertTrue(refusal(ce(",\"subject\":\"lone \\ud800 surrogate\"")).contains("surrogate"));
        assertTrue(refusal(ce(",\"subject\":\"\\ufffe\"")).contains("noncharacter"));
    }

    @Test
    void cloudEventsRulesAreFollowedWhereTheSpecSaysMust() throws BadInput {
        assertTrue(refusal(ce(",\"time\":\"yesterday\"")).contains("RFC 3339"));
        assertTrue(refusal(ce(",\"time\":\"2026-13-01T00:00:00Z\"")).contains("time"));
        assertTrue(refusal(ce(",\"time\":\"2026-01-01 00:00:00Z\"")).contains("RFC 3339"));
        assertTrue(refusal(ce(",\"data\":{},\"data_base64\":\"AA==\"")).contains("not both"));
        assertTrue(refusal("{\"specversion\":\"1.0\",\"id\":42,\"source\":\"/s\",\"type\":\"t\"}")
                .contains("'id'"));
        assertTrue(refusal(ce(",\"subject\":true")).contains("'subject'"));
        assertTrue(refusal(ce(",\"ratio\":1.5")).contains("'ratio'"));
        assertTrue(refusal("{\"specversion\":\"1.0\",\"id\":\"" + "x".repeat(CloudEventRules.MAX_ID_CHARS + 1)
                        + "\",\"source\":\"/s\",\"type\":\"t\"}")
                .contains("at most " + CloudEventRules.MAX_ID_CHARS));
        assertTrue(refusal(ce(",\"subject\":\"" + "s".repeat(CloudEventRules.MAX_VALUE_CHARS + 1) + "\""))
                .contains("subject"));
        // Legal, and accepted: a leap second, lower-case separators, a 25-character extension name, integer and boolean
        // extensions.
        assertEquals(
                "2016-12-31T23:59:60z",
                JsonEvents.cloudEvent(b(ce(",\"time\":\"2016-12-31T23:59:60z\"")))
                        .time());
        assertEquals(
                "2026-01-01t00:00:00.123456+05:30",
                JsonEvents.cloudEvent(b(ce(",\"time\":\"2026-01-01t00:00:00.123456+05:30\"")))
                        .time());
        Draft d = JsonEvents.cloudEvent(b(ce(",\"abcdefghijklmnopqrstuvwxy\":\"v\",\"count\":3,\"flag\":false")));
        assertEquals(Map.of("abcdefghijklmnopqrstuvwxy", "v", "count", "3", "flag", "false"), d.extensions());
        assertEquals(
                "x".repeat(CloudEventRules.MAX_ID_CHARS),
                JsonEvents.cloudEvent(b("{\"specversion\":\"1.0\",\"id\":\"" + "x".repeat(CloudEventRules.MAX_ID_CHARS)
                                + "\",\"source\":\"/s\",\"type\":\"t\"}"))
                        .id());
    }

    @Test
    void binaryModeHeadersArePercentDecodedAndCheckedLikeStructuredOnes() throws BadInput {
        io.vertx.core.MultiMap h = io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                .add("ce-specversion", "1.0")
                .add("ce-id", "id%201")
                .add("ce-source", "/s")
                .add("ce-type", "t")
                .add("ce-note", "caf%C3%A9 50%25")
                .add("ce-abcdefghijklmnopqrstuvwxy", "ok");
        Draft d = BinaryMode.decode(h, new byte[0], "text/plain");
        assertEquals("id 1", d.id());
        assertEquals("café 50%", d.extensions().get("note"));
        assertEquals("ok", d.extensions().get("abcdefghijklmnopqrstuvwxy"));
        for (String[] bad : new String[][] {
            {"ce-id", "a%0Ab"},
            {"ce-id", "a%00b"},
            {"ce-note", "50%"},
            {"ce-note", "%C3%28"},
            {"ce-time", "soon"},
            {"ce-note", "raw\u00e9"}
        }) {
            io.vertx.core.MultiMap m =
                    io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(h).set(bad[0], bad[1]);
            BadInput e = assertThrows(
                    BadInput.class, () -> BinaryMode.decode(m, new byte[0], "text/plain"), bad[0] + ": " + bad[1]);
            assertEquals(BadInput.Reason.INVALID_CLOUDEVENT, e.reason());
        }
    }
}
