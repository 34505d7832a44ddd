package dev.sluice.executor.impl.trigger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the polls in flight against one target (host and port): past the bound a poll waits its
 * turn. Used from one event loop only.
 */
final class HostLimits {

    private final int perHost;
    private final Map<String, Slot> slots = new HashMap<>();

    HostLimits(int perHost) {
        this.perHost = perHost;
    }

    private static final class Slot {
        int inFlight;
        final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
    }

    /** Completes when the poll may start; the caller must {@link #release} exactly once afterwards. */
    Future<Void> acquire(String target) {
        Slot s = slots.computeIfAbsent(target, k -> new Slot());
        if (s.inFlight < perHost) {
            s.inFlight++;
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        s.waiting.add(p);
        return p.future();
    }

    void release(String target) {
        Slot s = slots.get(target);
        Promise<Void> next = s.waiting.poll();
        if (next != null) {
            next.complete();
        } else if (--s.inFlight == 0) {
            slots.remove(target);
        }
    }

    /** Polls running against {@code target} now. */
    int inFlight(String target) {
        Slot s = slots.get(target);
        return s == null ? 0 : s.inFlight;
    }
}
