package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Attribute values as the CloudEvents HTTP binding puts them in headers. */
class CloudEventsHttpTest {

    private static String enc(String s) {
        return CloudEventsHttp.headerValue(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void printableAsciiPassesAndEverythingElseIsPercentEncodedFromUtf8() {
        assertEquals("order-42/a?b=c", enc("order-42/a?b=c"));
        assertEquals("caf%C3%A9%2050%25%20%22off%22", enc("café 50% \"off\""));
        assertEquals("%E2%82%AC", enc("€"));
        assertEquals("", enc(""));
    }

    @Test
    void aControlCharacterIsNoCloudEventAndIsRefused() {
        for (String bad : new String[] {"a\r\nX-Injected: 1", "nul\u0000", "tab\there", "del\u007f"}) {
            assertThrows(IllegalArgumentException.class, () -> enc(bad), bad);
        }
    }
}
