package dev.sluice.router.impl.ingest;

import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators shared by the ingest properties: JSON texts and legal CloudEvents values. Byte mutations are in {@link Mutations}. */
final class Gen {

    private Gen() {}

    /** Insignificant JSON whitespace; without newlines for NDJSON lines. */
    static Arbitrary<String> ws(boolean newlines) {
        Arbitrary<Character> c = newlines ? Arbitraries.of(' ', '\t', '\n', '\r') : Arbitraries.of(' ', '\t');
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(1, c.list().ofMaxSize(3).map(Gen::join)));
    }

    private static String join(List<Character> cs) {
        StringBuilder sb = new StringBuilder();
        cs.forEach(sb::append);
        return sb.toString();
    }

    /** A code point CloudEvents allows in an attribute value (no controls, noncharacters or surrogates). */
    static boolean allowed(int cp) {
        return !(cp < 0x20
                || cp >= 0x7f && cp <= 0x9f
                || cp >= 0xD800 && cp <= 0xDFFF
                || cp >= 0xFDD0 && cp <= 0xFDEF
                || (cp & 0xFFFE) == 0xFFFE);
    }

    /** Code points weighted towards ASCII and the characters that need escaping somewhere. */
    static Arbitrary<Integer> codePoints() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0x20, 0x7e)),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.of((int) '"', (int) '\\', (int) '/', (int) '%', (int) ' ', 0xe9, 0x20ac, 0x1F600)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xa0, 0xFFFF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
    }

    /** A string of allowed characters, at most {@code maxChars} UTF-16 units long. */
    static Arbitrary<String> legalText(int minCodePoints, int maxChars) {
        return codePoints()
                .filter(Gen::allowed)
                .list()
                .ofMinSize(minCodePoints)
                .ofMaxSize(Math.min(maxChars / 2, 64))
                .map(cps -> {
                    StringBuilder sb = new StringBuilder();
                    cps.forEach(sb::appendCodePoint);
                    return sb.toString();
                });
    }

    /** Any string, control characters and lone surrogates included. */
    static Arbitrary<String> anyText() {
        return Arbitraries.strings().all().ofMaxLength(40);
    }

    /** JSON string literals of {@code text}, each character written raw or escaped at random. */
    static Arbitrary<String> jsonStrings(Arbitrary<String> text) {
        return Combinators.combine(text, Arbitraries.randoms()).as(Gen::jsonString);
    }

    /** The JSON string literal of {@code s}, each character written raw or escaped as {@code r} decides. */
    static String jsonString(String s, java.util.Random r) {
        StringBuilder sb = new StringBuilder("\"");
        int how = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // The two halves of a surrogate pair are written alike, so the text stays valid UTF-16 either way.
            if (!(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                how = r.nextInt(4);
            }
            if (c == '"' || c == '\\' || c < 0x20 || how == 0) {
                String shortForm = switch (c) {
                    case '"' -> "\\\"";
                    case '\\' -> "\\\\";
                    case '\n' -> "\\n";
                    case '\t' -> "\\t";
                    case '\r' -> "\\r";
                    case '\b' -> "\\b";
                    case '\f' -> "\\f";
                    case '/' -> "\\/";
                    default -> null;
                };
                if (shortForm != null && how != 1) {
                    sb.append(shortForm);
                } else {
                    sb.append(String.format(how == 2 ? "\\u%04X" : "\\u%04x", (int) c));
                }
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static Arbitrary<String> jsonNumber() {
        Arbitrary<String> intPart = Arbitraries.oneOf(
                Arbitraries.just("0"),
                Combinators.combine(
                                Arbitraries.integers().between(1, 9),
                                Arbitraries.strings().withCharRange('0', '9').ofMaxLength(25))
                        .as((d, rest) -> d + rest));
        Arbitrary<String> frac = Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.strings()
                        .withCharRange('0', '9')
                        .ofMinLength(1)
                        .ofMaxLength(12)
                        .map(f -> "." + f));
        Arbitrary<String> exp = Arbitraries.oneOf(
                Arbitraries.just(""),
                Combinators.combine(
                                Arbitraries.of("e", "E"),
                                Arbitraries.of("", "+", "-"),
                                Arbitraries.integers().between(0, 400))
                        .as((e, sign, n) -> e + sign + n));
        return Combinators.combine(Arbitraries.of("", "-"), intPart, frac, exp).as((s, i, f, e) -> s + i + f + e);
    }

    /** An integer as JSON writes it. */
    static Arbitrary<String> jsonInteger() {
        return Arbitraries.longs().map(String::valueOf);
    }

    static Arbitrary<String> jsonScalar() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, jsonStrings(legalOrNot())),
                net.jqwik.api.Tuple.of(2, jsonNumber()),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("true", "false", "null")));
    }

    private static Arbitrary<String> legalOrNot() {
        return Arbitraries.oneOf(legalText(0, 40), anyText());
    }

    /** A JSON text: any value, with random insignificant whitespace inside (never around) it. */
    static Arbitrary<String> json(boolean newlines) {
        return json(newlines, 3);
    }

    private static Arbitrary<String> json(boolean newlines, int depth) {
        if (depth == 0) {
            return jsonScalar();
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> json(newlines, depth - 1));
        Arbitrary<String> array = Combinators.combine(
                        inner.list().ofMaxSize(4), ws(newlines).list().ofSize(10))
                .as((items, w) -> container('[', ']', items, w));
        Arbitrary<String> member = Combinators.combine(jsonStrings(legalOrNot()), ws(newlines), ws(newlines), inner)
                .as((k, w1, w2, v) -> k + w1 + ":" + w2 + v);
        Arbitrary<String> object = Combinators.combine(
                        member.list().ofMaxSize(4), ws(newlines).list().ofSize(10))
                .as((items, w) -> container('{', '}', items, w));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, jsonScalar()),
                net.jqwik.api.Tuple.of(1, array),
                net.jqwik.api.Tuple.of(2, object));
    }

    private static String container(char open, char close, List<String> items, List<String> w) {
        StringBuilder sb = new StringBuilder().append(open).append(w.get(0));
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(w.get((2 * i) % 10)).append(',').append(w.get((2 * i + 1) % 10));
            }
            sb.append(items.get(i));
        }
        return sb.append(w.get(9)).append(close).toString();
    }

    /** An RFC 3339 date-time, in any of its spellings (T or t, Z or z or an offset, 0-9 fraction digits, leap second). */
    static Arbitrary<String> rfc3339() {
        Arbitrary<String> date = Combinators.combine(
                        Arbitraries.integers().between(0, 9999),
                        Arbitraries.integers().between(1, 12),
                        Arbitraries.integers().between(1, 31))
                .as((y, m, d) -> String.format(
                        "%04d-%02d-%02d", y, m, Math.min(d, YearMonth.of(y, m).lengthOfMonth())));
        Arbitrary<String> time = Combinators.combine(
                        Arbitraries.integers().between(0, 23),
                        Arbitraries.integers().between(0, 59),
                        Arbitraries.integers().between(0, 60))
                .as((h, m, s) -> String.format("%02d:%02d:%02d", h, m, s));
        Arbitrary<String> frac =
                Arbitraries.strings().withCharRange('0', '9').ofMaxLength(9).map(f -> f.isEmpty() ? "" : "." + f);
        Arbitrary<String> offset = Arbitraries.oneOf(
                Arbitraries.of("Z", "z"),
                Combinators.combine(
                                Arbitraries.of("+", "-"),
                                Arbitraries.integers().between(0, 23),
                                Arbitraries.integers().between(0, 59))
                        .as((s, h, m) -> String.format("%s%02d:%02d", s, h, m)));
        return Combinators.combine(date, Arbitraries.of("T", "t"), time, frac, offset)
                .as((d, t, tm, f, o) -> d + t + tm + f + o);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code part} occurs in {@code whole} as one contiguous run of bytes. */
    static boolean isSlice(byte[] whole, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= whole.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (whole[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
