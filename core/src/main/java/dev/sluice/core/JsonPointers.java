package dev.sluice.core;

import java.util.regex.Pattern;

/** RFC 6901 syntax for the JSON pointers a catalog names, checked when it loads rather than on every event. */
public final class JsonPointers {

    private static final Pattern POINTER = Pattern.compile("(/([^~/]|~[01])*)*");

    private JsonPointers() {}

    /** Fails with a {@link ConfigException} naming {@code what} unless {@code pointer} is an RFC 6901 JSON pointer. */
    public static void check(String pointer, String what) {
        if (pointer == null || !POINTER.matcher(pointer).matches()) {
            throw new ConfigException(
                    what + " must be an RFC 6901 JSON pointer ('/a/b', with '~0' for '~' and '~1' for '/'), got '"
                            + pointer + "'");
        }
    }
}
