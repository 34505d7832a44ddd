package dev.sluice.core.trigger;

import dev.sluice.core.ConfigException;
import dev.sluice.core.JsonPointers;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * An API read every few seconds, one event per new item:
 * <pre>{@code
 * {"url": "https://api.example.com/orders", "every": "30s", "items": "/data", "id": "/id",
 *  "cursor": "/next", "cursorParam": "after"}
 * }</pre>
 *
 * @param url         the resource, {@code http} or {@code https}; read with GET and conditional headers
 * @param every       the time between two polls (1 s to 24 h)
 * @param items       a JSON pointer to the array of items in the response ({@code ""}: the response is the array)
 * @param id          a JSON pointer to each item's id, within the item; items are deduplicated by it
 * @param cursor      a JSON pointer to a value in the response that the next poll sends back as the query
 *                    parameter {@code cursorParam}, or {@code ""} for none
 * @param cursorParam the query parameter that carries the cursor
 * @param source      the route the items are sent to
 */
public record Poll(URI url, Duration every, String items, String id, String cursor, String cursorParam, String source)
        implements Trigger {

    public static final Duration MIN_EVERY = Duration.ofSeconds(1);
    public static final Duration MAX_EVERY = Duration.ofHours(24);

    public Poll {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(source, "source");
        if (every.compareTo(MIN_EVERY) < 0 || every.compareTo(MAX_EVERY) > 0) {
            throw new ConfigException("every: must be between 1s and 24h, got " + every);
        }
        items = pointer("items", items == null ? "" : items);
        id = pointer("id", id);
        cursor = pointer("cursor", cursor == null ? "" : cursor);
        if (!cursor.isEmpty() && (cursorParam == null || !cursorParam.matches("[A-Za-z0-9._~-]{1,64}"))) {
            throw new ConfigException("cursorParam: must be 1-64 of [A-Za-z0-9._~-], got '" + cursorParam + "'");
        }
    }

    /** An absolute {@code http} or {@code https} URL with a host. */
    public static URI parseUrl(String text) {
        if (text == null) {
            throw new ConfigException("a URL is required");
        }
        try {
            URI u = new URI(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
                throw new ConfigException("must be an absolute http or https URL with a host, got '" + text + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException("not a URL: '" + text + "' (" + e.getReason() + ")", e);
        }
    }

    private static String pointer(String field, String p) {
        if (p == null) {
            throw new ConfigException(field + ": a JSON pointer is required (e.g. \"/id\")");
        }
        if (!p.isEmpty() && !p.startsWith("/")) {
            throw new ConfigException(field + ": a JSON pointer starts with '/', got '" + p + "'");
        }
        JsonPointers.check(p, field);
        return p;
    }

    /** The host and port that bound how many polls run at once against one target. */
    public String target() {
        int port = url.getPort() != -1 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        return url.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    @Override
    public String name(String workflow) {
        return "poll/" + workflow;
    }
}
