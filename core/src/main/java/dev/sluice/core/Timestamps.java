package dev.sluice.core;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * RFC 3339 UTC timestamps with millisecond precision ({@code 2026-11-28T03:49:06.123Z}), the form
 * of {@code ce_time} and of the deadline in a 202 answer. Rendered twice per ingested event, so the
 * date and time of the current second are kept and only the milliseconds are written anew;
 * {@link java.time.Instant#toString()} costs several times more. Thread-safe: the cache is one
 * immutable object swapped whole.
 */
public final class Timestamps {

    /** The rendered {@code yyyy-MM-ddTHH:mm:ss.} of one second. */
    private record Second(long epochSecond, String prefix) {}

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private Timestamps() {}

    public static String rfc3339Millis(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = Math.floorMod(epochMillis, 1000);
        Second s = last;
        if (s.epochSecond != second) {
            s = new Second(second, prefix(second));
            last = s;
        }
        char[] out = new char[s.prefix.length() + 4];
        s.prefix.getChars(0, s.prefix.length(), out, 0);
        int i = s.prefix.length();
        out[i] = (char) ('0' + millis / 100);
        out[i + 1] = (char) ('0' + millis / 10 % 10);
        out[i + 2] = (char) ('0' + millis % 10);
        out[i + 3] = 'Z';
        return new String(out);
    }

    private static String prefix(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            // Outside RFC 3339's four-digit years: the JDK's own (extended) form.
            String iso = java.time.Instant.ofEpochSecond(epochSecond).toString();
            return iso.substring(0, iso.length() - 1) + ".";
        }
        StringBuilder b = new StringBuilder(24);
        pad(b, year, 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2).append('.');
        return b.toString();
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
