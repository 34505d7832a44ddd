package dev.sluice.testkit;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Connection URIs of the form {@code scheme://user:password@host:port/path}. */
final class UriParts {

    private static final String UNRESERVED = "-._~";

    private UriParts() {}

    static URI parse(String uri, String... schemes) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URI: " + redact(uri), e);
        }
        for (String scheme : schemes) {
            if (scheme.equalsIgnoreCase(parsed.getScheme())) {
                if (parsed.getHost() == null) {
                    throw new IllegalArgumentException("no host in " + redact(uri));
                }
                return parsed;
            }
        }
        throw new IllegalArgumentException("expected a " + String.join(" or ", schemes) + " URI, got " + redact(uri));
    }

    /** The decoded user (index 0) or password (index 1) of the URI's user info, or null. */
    static String userInfo(URI uri, int index) {
        String raw = uri.getRawUserInfo();
        if (raw == null) {
            return null;
        }
        String[] parts = raw.split(":", 2);
        if (index >= parts.length) {
            return null;
        }
        return URLDecoder.decode(parts[index].replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters, for user info and paths. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || UNRESERVED.indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The URI without its password, for messages. */
    static String redact(String uri) {
        return uri.replaceAll("(://[^:/@]*:)[^@/]*@", "$1****@");
    }
}
