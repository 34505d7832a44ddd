package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The CloudEvents 1.0.2 attribute rules: every legal value passes, one forbidden character
 * anywhere fails, every RFC 3339 date-time is a legal {@code time}, and no string fails with
 * anything but {@link BadInput}.
 */
class CloudEventRulesProperties {

    @Provide
    Arbitrary<String> legal() {
        return Gen.legalText(1, CloudEventRules.MAX_ID_CHARS);
    }

    @Property
    void everyLegalValuePasses(@ForAll("legal") String value) throws BadInput {
        CloudEventRules.requireId("id", value);
        CloudEventRules.require("source", value);
        CloudEventRules.check("subject", value);
    }

    @Provide
    Arbitrary<String> forbidden() {
        return Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u001f').map(String::valueOf),
                Arbitraries.chars().range('\u007f', '\u009f').map(String::valueOf),
                Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf), // a lone surrogate
                Arbitraries.chars().range('\ufdd0', '\ufdef').map(String::valueOf),
                Arbitraries.of("\ufffe", "\uffff"),
                Arbitraries.integers().between(1, 16).map(plane -> new String(Character.toChars(plane << 16 | 0xFFFE))),
                Arbitraries.integers()
                        .between(1, 16)
                        .map(plane -> new String(Character.toChars(plane << 16 | 0xFFFF))));
    }

    @Property
    void oneForbiddenCharacterAnywhereIsRefused(
            @ForAll("legal") String value,
            @ForAll("forbidden") String bad,
            @ForAll @IntRange(min = 0, max = 1000) int at) {
        int i = value.offsetByCodePoints(0, at % (value.codePointCount(0, value.length()) + 1));
        String tainted = value.substring(0, i) + bad + value.substring(i);
        assertThrows(BadInput.class, () -> CloudEventRules.check("subject", tainted));
        assertThrows(BadInput.class, () -> CloudEventRules.requireId("id", tainted));
    }

    @Property
    void tooLongIsRefused(@ForAll @IntRange(min = 1, max = 3) int extra) {
        assertThrows(
                BadInput.class,
                () -> CloudEventRules.requireId("id", "x".repeat(CloudEventRules.MAX_ID_CHARS + extra)));
        assertThrows(
                BadInput.class,
                () -> CloudEventRules.check("subject", "x".repeat(CloudEventRules.MAX_VALUE_CHARS + extra)));
    }

    @Provide
    Arbitrary<String> times() {
        return Gen.rfc3339();
    }

    @Property
    void everyRfc3339DateTimeIsALegalTime(@ForAll("times") String time) throws BadInput {
        CloudEventRules.checkTime("time", time);
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withChars("0123456789-:TtZz+.").ofMaxLength(40),
                Gen.rfc3339().map(t -> t.replace('0', '9')), // out-of-range fields: month 19, hour 29, day 39
                Arbitraries.strings().withCharRange('a', 'z').withChars("0-_A").ofMaxLength(70));
    }

    @Property
    void anyStringFailsOnlyWithBadInput(@ForAll("anyText") String s) {
        typed(() -> CloudEventRules.check("x", s));
        typed(() -> CloudEventRules.require("x", s));
        typed(() -> CloudEventRules.requireId("x", s));
        typed(() -> CloudEventRules.checkTime("x", s));
        typed(() -> CloudEventRules.checkName(s, "x"));
    }

    interface Check {
        void run() throws BadInput;
    }

    private static void typed(Check c) {
        try {
            c.run();
        } catch (BadInput expected) {
            // the typed refusal
        } catch (RuntimeException e) {
            fail("only BadInput may escape, got " + e, e);
        }
    }
}
