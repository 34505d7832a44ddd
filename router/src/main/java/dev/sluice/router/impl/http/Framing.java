package dev.sluice.router.impl.http;

import java.util.List;

/**
 * How an HTTP/1.x request says where its body ends (RFC 9112 §6), checked strictly. Sluice takes a
 * body framed by Content-Length, or by a Transfer-Encoding that is exactly {@code chunked}, and
 * nothing else: an unknown or stacked transfer coding, {@code chunked} that is not the only coding,
 * Content-Length together with Transfer-Encoding, or Transfer-Encoding in HTTP/1.0 is refused with
 * 400 and a closed connection. Behind a proxy, a request two parsers frame differently is how one
 * request becomes two (request smuggling), so where the RFC allows leniency Sluice refuses.
 */
public final class Framing {

    private Framing() {}

    /** A request whose framing is refused; raised inside the HTTP/1 decoder, so it carries no stack. */
    public static final class Violation extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public Violation(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * Why a request's framing is refused, or null when it is acceptable.
     *
     * @param http10            the request is HTTP/1.0 (or older)
     * @param transferEncodings every Transfer-Encoding field value, in order
     * @param contentLengths    how many Content-Length fields the request has
     */
    public static String violation(boolean http10, List<String> transferEncodings, int contentLengths) {
        if (transferEncodings.isEmpty()) {
            return null;
        }
        if (http10) {
            return "Transfer-Encoding is not defined for HTTP/1.0; frame the body with Content-Length";
        }
        if (contentLengths > 0) {
            return "a request may not carry both Content-Length and Transfer-Encoding";
        }
        int codings = 0;
        for (String value : transferEncodings) {
            for (String element : value.split(",", -1)) {
                String coding = trimOws(element);
                if (coding.isEmpty()) {
                    continue;
                }
                codings++;
                if (!coding.equalsIgnoreCase("chunked")) {
                    return "the only transfer coding accepted is chunked; got '" + printable(value) + "'";
                }
            }
        }
        if (codings != 1) {
            return "Transfer-Encoding must name chunked exactly once; got " + codings + " codings";
        }
        return null;
    }

    /** Removes optional whitespace (SP and HTAB only, RFC 9110 §5.6.3) from both ends. */
    static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) {
            start++;
        }
        while (end > start && isOws(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** The value for a problem's detail: control characters shown as {@code \xNN}, at most 64 characters. */
    static String printable(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length() && b.length() < 64; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
