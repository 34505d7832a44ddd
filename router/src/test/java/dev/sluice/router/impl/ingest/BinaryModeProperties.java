package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Binary-mode CloudEvents: attributes percent-encoded by the CloudEvents HTTP binding (3.1.3.2)
 * decode to exactly what was sent, the body is the data untouched, and no header text fails with
 * anything but {@link BadInput}.
 */
class BinaryModeProperties {

    /**
     * Percent-encodes as the binding requires (space, {@code "}, {@code %} and everything outside
     * U+0021-U+007E, as UTF-8), plus, at random, characters a sender may encode anyway; hex digits
     * in either case.
     */
    static String encode(String value, Random r) {
        StringBuilder sb = new StringBuilder();
        value.codePoints().forEach(cp -> {
            boolean must = cp == ' ' || cp == '"' || cp == '%' || cp < 0x21 || cp > 0x7e;
            if (must || r.nextInt(8) == 0) {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    String hex = String.format("%02X", b & 0xFF);
                    sb.append('%').append(r.nextInt(4) == 0 ? hex.toLowerCase(Locale.ROOT) : hex);
                }
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    /** A binary-mode event's attributes (extension names without the ce- prefix). */
    record Attributes(
            String id, String source, String type, String subject, String time, Map<String, String> extensions) {}

    @Provide
    Arbitrary<Attributes> attributes() {
        Arbitrary<String> value = Gen.legalText(1, 120);
        Arbitrary<Map<String, String>> ext = Combinators.combine(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withCharRange('0', '9')
                                .ofMinLength(1)
                                .ofMaxLength(64)
                                .filter(n -> !List.of("specversion", "id", "source", "type", "subject", "time")
                                        .contains(n)),
                        Gen.legalText(0, 120))
                .as(Map::entry)
                .list()
                .ofMaxSize(4)
                .map(es -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    es.forEach(e -> m.put(e.getKey(), e.getValue()));
                    return m;
                });
        return Combinators.combine(
                        Gen.legalText(1, CloudEventRules.MAX_ID_CHARS),
                        value,
                        value,
                        value.injectNull(0.5),
                        Gen.rfc3339().injectNull(0.5),
                        ext)
                .as(Attributes::new)
                .withoutEdgeCases();
    }

    private static String anyCase(String name, Random r) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            sb.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return sb.toString();
    }

    @Property
    void percentEncodedAttributesDecodeToWhatWasSent(
            @ForAll("attributes") Attributes a, @ForAll byte[] body, @ForAll Random r) throws BadInput {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        h.add(anyCase("ce-specversion", r), "1.0");
        h.add(anyCase("ce-id", r), encode(a.id(), r));
        h.add(anyCase("ce-source", r), encode(a.source(), r));
        h.add(anyCase("ce-type", r), encode(a.type(), r));
        if (a.subject() != null) {
            h.add(anyCase("ce-subject", r), encode(a.subject(), r));
        }
        if (a.time() != null) {
            h.add(anyCase("ce-time", r), encode(a.time(), r));
        }
        a.extensions().forEach((k, v) -> h.add(anyCase("ce-" + k, r), encode(v, r)));
        h.add("content-type", "application/octet-stream");

        Draft d = BinaryMode.decode(h, body, "application/octet-stream");

        assertEquals(a.id(), d.id());
        assertEquals(a.source(), d.source());
        assertEquals(a.type(), d.type());
        assertEquals(a.subject(), d.subject());
        assertEquals(a.time(), d.time());
        assertEquals(a.extensions(), d.extensions());
        assertEquals("application/octet-stream", d.contentType());
        assertArrayEquals(body, d.payload(), "the body is the data, untouched");
    }

    @Property
    void percentDecodingInvertsEncoding(@ForAll("legal") String value, @ForAll Random r) throws BadInput {
        assertEquals(value, BinaryMode.percentDecoded("ce-x", encode(value, r)));
    }

    @Provide
    Arbitrary<String> legal() {
        return Gen.legalText(0, 200);
    }

    @Property
    void aMalformedEscapeIsRefused(@ForAll("legal") String before, @ForAll("badEscape") String escape) {
        assertThrows(BadInput.class, () -> BinaryMode.percentDecoded("ce-x", encode(before, new Random(1)) + escape));
    }

    @Provide
    Arbitrary<String> badEscape() {
        // A % without two hex digits, or escapes that are not UTF-8 (a lone continuation byte, a cut sequence, an
        // overlong form).
        return Arbitraries.oneOf(Arbitraries.of(
                "%",
                "%4",
                "%G0",
                "%0g",
                "%%",
                "% 1",
                "%80",
                "%C3",
                "%C3%28",
                "%E2%82",
                "%C0%AF",
                "%ED%A0%80",
                "%F8%88%80%80%80"));
    }

    @Provide
    Arbitrary<MultiMap> anyHeaders() {
        Arbitrary<String> name = Arbitraries.oneOf(
                Arbitraries.of(
                        "ce-specversion",
                        "ce-id",
                        "ce-source",
                        "ce-type",
                        "ce-subject",
                        "ce-time",
                        "CE-ID",
                        "ce-",
                        "ce-Ext",
                        "ce-ext",
                        "ce-dataschema",
                        "ce-datacontenttype",
                        "content-type"),
                Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars("-_")
                        .ofMaxLength(12)
                        .map(s -> "ce-" + s));
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.strings().withChars("%0123456789abcdefABCDEFG xz").ofMaxLength(30),
                Arbitraries.of("1.0", "", "%"),
                Gen.rfc3339());
        return Combinators.combine(name, value)
                .as(Map::entry)
                .list()
                .ofMaxSize(10)
                .map(es -> {
                    MultiMap h = MultiMap.caseInsensitiveMultiMap();
                    h.add("ce-specversion", "1.0");
                    es.forEach(e -> h.add(e.getKey(), e.getValue()));
                    return h;
                })
                .withoutEdgeCases();
    }

    @Property
    void anyHeadersFailOnlyWithBadInput(@ForAll("anyHeaders") MultiMap headers, @ForAll byte[] body) {
        try {
            Draft d = BinaryMode.decode(headers, body, headers.get("content-type"));
            assertArrayEquals(body, d.payload());
        } catch (BadInput expected) {
            // the typed refusal
        } catch (RuntimeException e) {
            fail("only BadInput may escape, got " + e + " for " + headers.entries(), e);
        }
        try {
            BinaryMode.plainId(headers);
        } catch (BadInput expected) {
            // the typed refusal
        } catch (RuntimeException e) {
            fail("only BadInput may escape, got " + e + " for " + headers.entries(), e);
        }
    }
}
