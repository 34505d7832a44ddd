package dev.sluice.router.impl.http;

import dev.sluice.core.Timestamps;
import io.vertx.core.json.Json;

/** The body of a single event's 202. Public for the request-path benchmark. */
public final class AcceptedBody {

    private AcceptedBody() {}

    /** The single event's 202 body, {@code {"id":"…","deadline":"…"}}, written without a JSON encoder. */
    public static String of(String id, long deadlineMillis) {
        String quoted = plain(id) ? "\"" + id + "\"" : Json.encode(id);
        return "{\"id\":" + quoted + ",\"deadline\":\"" + Timestamps.rfc3339Millis(deadlineMillis) + "\"}";
    }

    /** Whether a string needs no JSON escaping (printable ASCII without quote or backslash). */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
