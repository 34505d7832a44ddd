package dev.sluice.core;

/**
 * The CloudEvents HTTP binding's header values (section 3.1.3.2): a space, {@code "}, {@code %}
 * and every byte outside printable ASCII are percent-encoded from UTF-8, so any attribute value
 * crosses into an HTTP header intact; the receiver decodes it. The router decodes the same way.
 */
public final class CloudEventsHttp {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private CloudEventsHttp() {}

    /**
     * The header value for an attribute whose UTF-8 bytes are {@code utf8}.
     *
     * @throws IllegalArgumentException for a control character (U+0000–U+001F, U+007F): no valid
     *                                  CloudEvent holds one (the router refuses them at ingest), so an
     *                                  event that does was not made by Sluice's ingest and is not sent on
     */
    public static String headerValue(byte[] utf8) {
        StringBuilder out = null;
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xFF;
            if (b < 0x20 || b == 0x7F) {
                throw new IllegalArgumentException("an attribute holds the control character 0x"
                        + Integer.toHexString(b) + ", which no CloudEvent may hold");
            }
            boolean plain = b >= 0x21 && b <= 0x7E && b != '"' && b != '%';
            if (plain && out == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(utf8.length + 16);
                for (int j = 0; j < i; j++) {
                    out.append((char) utf8[j]);
                }
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
            }
        }
        return out == null ? new String(utf8, java.nio.charset.StandardCharsets.US_ASCII) : out.toString();
    }
}
