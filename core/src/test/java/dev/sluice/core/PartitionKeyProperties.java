package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.pointer.JsonPointer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Partition-key specs ({@code id}, {@code subject}, {@code header:<name>}, {@code pointer:/a/b}):
 * any text parses or fails with {@link ConfigException}; each legal spec parses to its kind; a
 * pointer that parses is a JSON pointer.
 */
class PartitionKeyProperties {

    @Provide
    Arbitrary<String> specs() {
        Arbitrary<String> prefix =
                Arbitraries.of("", "id", "subject", "header:", "pointer:", "pointer:/", "header", "pointer", " ", "ID");
        Arbitrary<String> rest = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8),
                Arbitraries.strings().withChars("/~012a ").ofMaxLength(6));
        return net.jqwik.api.Combinators.combine(prefix, rest)
                .as(String::concat)
                .withoutEdgeCases();
    }

    @Property
    void anySpecParsesOrFailsWithConfigException(@ForAll("specs") String spec) {
        try {
            PartitionKey.parse(spec);
        } catch (ConfigException expected) {
            // the typed refusal
        } catch (RuntimeException e) {
            fail("only ConfigException may escape, got " + e + " for '" + spec + "'", e);
        }
    }

    @Provide
    Arbitrary<String> pointers() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().ofMaxLength(5), Arbitraries.of("~0", "~1", ""));
        return segment.list().ofMinSize(1).ofMaxSize(3).map(ss -> "/" + String.join("/", ss));
    }

    @Provide
    Arbitrary<String> headerNames() {
        return Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("-_")
                .ofMinLength(1)
                .ofMaxLength(20);
    }

    @Provide
    Arbitrary<String> blanks() {
        return Arbitraries.of("", " ", "\t", "  ");
    }

    @Property
    void eachLegalSpecParsesToItsKind(
            @ForAll("pointers") String pointer,
            @ForAll("headerNames") String header,
            @ForAll("blanks") String a,
            @ForAll("blanks") String b) {
        assertEquals(new PartitionKey.EventId(), PartitionKey.parse(a + "id" + b));
        assertEquals(new PartitionKey.Subject(), PartitionKey.parse(a + "subject" + b));
        assertEquals(new PartitionKey.Header(header), PartitionKey.parse(a + "header:" + header + b));
        assertEquals(new PartitionKey.Pointer(pointer), PartitionKey.parse(a + "pointer:" + pointer + b));
    }

    @Property
    void aPointerThatParsesIsAJsonPointer(@ForAll("specs") String spec) {
        PartitionKey k;
        try {
            k = PartitionKey.parse(spec);
        } catch (ConfigException notLoaded) {
            return;
        }
        if (k instanceof PartitionKey.Pointer p) {
            try {
                JsonPointer.from(p.pointer());
            } catch (IllegalArgumentException e) {
                fail("the key loaded, but '" + p.pointer() + "' is not a JSON pointer: " + e.getMessage());
            }
        }
    }
}
