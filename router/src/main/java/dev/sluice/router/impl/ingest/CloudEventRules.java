package dev.sluice.router.impl.ingest;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CloudEvents 1.0.2 rules every event attribute is checked against at ingest, in both modes,
 * plus the bounds Sluice documents:
 * <ul>
 *   <li>attribute values are strings of allowable Unicode characters: no control characters
 *       (U+0000–U+001F, U+007F–U+009F), no noncharacters, no lone surrogates. A value that passes
 *       can be carried by every protocol binding Sluice uses (Kafka headers, and the HTTP headers
 *       the executor writes);</li>
 *   <li>{@code id} is at most {@value #MAX_ID_CHARS} characters, every other value at most
 *       {@value #MAX_VALUE_CHARS};</li>
 *   <li>extension names are lower-case letters and digits, at most {@value #MAX_NAME_CHARS}
 *       characters (the spec only recommends 20; longer names are legal and accepted);</li>
 *   <li>{@code time} is an RFC 3339 date-time.</li>
 * </ul>
 */
public final class CloudEventRules {

    public static final int MAX_ID_CHARS = 256;
    public static final int MAX_VALUE_CHARS = 4096;
    public static final int MAX_NAME_CHARS = 64;

    /** The context attributes CloudEvents 1.0 defines (the rest are extensions); {@code data} is not an attribute. */
    public static final Set<String> CORE_ATTRIBUTES =
            Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema");

    private static final Pattern NAME = Pattern.compile("[a-z0-9]{1," + MAX_NAME_CHARS + "}");
    private static final Pattern RFC3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private CloudEventRules() {}

    /** A required attribute: present, non-empty, and a legal value. */
    public static void require(String name, String value) throws BadInput {
        if (value == null || value.isEmpty()) {
            throw invalid("the required attribute '" + name + "' is missing");
        }
        check(name, value, MAX_VALUE_CHARS);
    }

    /** The event id: present, non-empty, a legal value of at most {@value #MAX_ID_CHARS} characters. */
    public static void requireId(String name, String value) throws BadInput {
        if (value == null || value.isEmpty()) {
            throw invalid("the required attribute '" + name + "' is missing");
        }
        check(name, value, MAX_ID_CHARS);
    }

    /** Any other attribute value, when present. */
    public static void check(String name, String value) throws BadInput {
        check(name, value, MAX_VALUE_CHARS);
    }

    private static void check(String name, String value, int max) throws BadInput {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            throw invalid("attribute '" + name + "' is " + value.length() + " characters long; at most " + max
                    + " are accepted");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                throw invalid("attribute '" + name + "' holds the control character U+" + String.format("%04X", (int) c)
                        + " at position " + i + ", which CloudEvents forbids and HTTP headers cannot carry");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw invalid("attribute '" + name + "' holds a lone surrogate at position " + i);
                }
                int cp = Character.toCodePoint(c, value.charAt(++i));
                if ((cp & 0xFFFE) == 0xFFFE) {
                    throw invalid("attribute '" + name + "' holds the noncharacter U+"
                            + Integer.toHexString(cp).toUpperCase());
                }
            } else if (Character.isLowSurrogate(c)) {
                throw invalid("attribute '" + name + "' holds a lone surrogate at position " + i);
            } else if (c >= 0xFDD0 && c <= 0xFDEF || c == 0xFFFE || c == 0xFFFF) {
                throw invalid("attribute '" + name + "' holds the noncharacter U+"
                        + Integer.toHexString(c).toUpperCase());
            }
        }
    }

    /** {@code time}, when present: an RFC 3339 date-time (section 5.6). */
    public static void checkTime(String name, String value) throws BadInput {
        if (value == null) {
            return;
        }
        check(name, value);
        if (!RFC3339.matcher(value).matches()) {
            throw invalid("attribute '" + name + "' must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z, got '"
                    + value + "'");
        }
        // Ranges: month 1-12, day within the month, hour, minute, offset. A leap second (:60) is legal in RFC 3339.
        String normal = value.toUpperCase(java.util.Locale.ROOT);
        if (normal.regionMatches(17, "60", 0, 2)) {
            normal = normal.substring(0, 17) + "59" + normal.substring(19);
        }
        // RFC 3339 offsets reach +-23:59; java.time stops at +-18:00, so the offset is checked here and
        // the local date-time (month, day of the month, hour, minute) by java.time.
        boolean utc = normal.endsWith("Z");
        if (!utc
                && (Integer.parseInt(normal, normal.length() - 5, normal.length() - 3, 10) > 23
                        || Integer.parseInt(normal, normal.length() - 2, normal.length(), 10) > 59)) {
            throw invalid("attribute '" + name + "' has an offset out of range: '" + value + "'");
        }
        try {
            LocalDateTime.parse(normal.substring(0, normal.length() - (utc ? 1 : 6)));
        } catch (DateTimeParseException e) {
            throw invalid("attribute '" + name + "' is not a valid date-time: '" + value + "'");
        }
    }

    /** An extension attribute's name. */
    public static void checkName(String name, String where) throws BadInput {
        if (!NAME.matcher(name).matches()) {
            throw invalid(where + ": attribute names must be 1-" + MAX_NAME_CHARS + " lower-case letters or digits");
        }
    }

    private static BadInput invalid(String detail) {
        return new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, detail);
    }
}
