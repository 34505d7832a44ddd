package dev.sluice.loadgen;

import io.vertx.core.buffer.Buffer;
import java.util.UUID;

/** Event ids as the generator keeps them: a UUID when the id is one (two longs), else the string. */
final class Ids {

    private static final String ID_FIELD = "\"id\":\"";

    private Ids() {}

    static Object of(String id) {
        if (id == null) {
            return null;
        }
        if (id.length() == 36) {
            try {
                return UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                return id;
            }
        }
        return id;
    }

    /** Every id in a batch's 202 body ({@code "results":[{"index":0,"status":202,"id":"…"},…]}), added to {@code into}. */
    static void allFromAck(Buffer body, IdSet into) {
        String s = body.toString();
        int at = s.indexOf(ID_FIELD);
        while (at >= 0) {
            int from = at + ID_FIELD.length();
            int to = s.indexOf('"', from);
            if (to < 0) {
                return;
            }
            into.add(of(s.substring(from, to)));
            at = s.indexOf(ID_FIELD, to);
        }
    }

    /** The id in a 202 body {@code {"id":"…","deadline":"…"}}, or null. */
    static Object fromAck(Buffer body) {
        String s = body.toString();
        int at = s.indexOf(ID_FIELD);
        if (at < 0) {
            return null;
        }
        int from = at + ID_FIELD.length();
        int to = s.indexOf('"', from);
        return to < 0 ? null : of(s.substring(from, to));
    }
}
