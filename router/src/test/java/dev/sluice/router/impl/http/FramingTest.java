package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class FramingTest {

    @Test
    void exactlyChunkedOrContentLengthIsAccepted() {
        assertNull(Framing.violation(false, List.of(), 1));
        assertNull(Framing.violation(true, List.of(), 1));
        assertNull(Framing.violation(false, List.of("chunked"), 0));
        assertNull(Framing.violation(false, List.of("Chunked"), 0));
        assertNull(Framing.violation(false, List.of(" chunked\t"), 0));
        assertNull(Framing.violation(false, List.of("chunked, "), 0));
    }

    @Test
    void everythingElseIsAViolation() {
        for (String te : List.of(
                "xchunked",
                "chunked, gzip",
                "gzip, chunked",
                "chunked, chunked",
                "identity",
                "chunked;x=1",
                "\u000bchunked",
                "chunked\u0000",
                "",
                " , ")) {
            assertNotNull(Framing.violation(false, List.of(te), 0), te);
        }
        assertNotNull(Framing.violation(false, List.of("chunked", "chunked"), 0));
        assertNotNull(Framing.violation(false, List.of("chunked"), 1), "Content-Length with Transfer-Encoding");
        assertNotNull(Framing.violation(true, List.of("chunked"), 0), "HTTP/1.0 with Transfer-Encoding");
    }
}
