package dev.sluice.router.impl.http;

import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** A request waiting for the acks of its events (one, or a batch), and how it is answered. Event-loop confined. */
final class Pending {
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence REPLAYED = HttpHeaders.createOptimized("idempotent-replayed");
    private static final CharSequence TRUE = HttpHeaders.createOptimized("true");

    final HttpServerRequest req;
    final RouteMeters meters;
    final boolean batch;
    final long startNanos;
    final String[] ids;
    final long[] deadlines;
    final int[] bytes;
    final boolean[] resolved;
    final String[] problems;
    final Problems.Kind[] kinds;
    /** What the producer finally reported per event, answered or not: null while unknown or never sent. */
    final Boolean[] landed;
    int outstanding;
    /** Events handed to the producer whose outcome it has not reported yet. */
    int unsettled;
    boolean done;
    private boolean settled;
    /**
     * Told once the request is answered and the producer reported every event it was handed (so
     * after a {@code produce-timeout} answer, only when the late outcome is known): claims are
     * settled on what really happened, not on what was answered.
     */
    java.util.function.Consumer<Pending> onSettled;
    /** Batch items answered from an earlier copy (idempotent ingest); null until one is. */
    boolean[] replayed;
    /** For an item repeating an earlier one of the same batch, that item's index; null until one does. */
    int[] sameAs;

    Pending(HttpServerRequest req, RouteMeters meters, boolean batch, int size, long startNanos) {
        this.req = req;
        this.meters = meters;
        this.batch = batch;
        this.startNanos = startNanos;
        this.ids = new String[size];
        this.deadlines = new long[size];
        this.bytes = new int[size];
        this.resolved = new boolean[size];
        this.problems = new String[size];
        this.kinds = new Problems.Kind[size];
        this.landed = new Boolean[size];
        this.outstanding = size;
    }

    /** Event {@code i} is handed to the producer; its outcome is awaited even past the answer. */
    void sent(int i) {
        unsettled++;
    }

    /** The producer's final word on event {@code i}. */
    void landed(int i, boolean stored) {
        landed[i] = stored;
        unsettled--;
    }

    /** Calls {@link #onSettled} once, when the request is answered and no producer outcome is outstanding. */
    void settleIfDone() {
        if (done && unsettled == 0 && !settled) {
            settled = true;
            if (onSettled != null) {
                onSettled.accept(this);
            }
        }
    }

    /** Whether event {@code i} is in Kafka, by the producer's final word. */
    boolean stored(int i) {
        return Boolean.TRUE.equals(landed[i]);
    }

    void accept(int i) {
        resolved[i] = true;
        outstanding--;
    }

    void reject(int i, Problems.Kind kind, String detail) {
        resolved[i] = true;
        kinds[i] = kind;
        problems[i] = detail;
        outstanding--;
    }

    /** Item {@code i} was stored before (a duplicate): answered with the original id, not produced. */
    void replay(int i, String id, long deadline) {
        if (replayed == null) {
            replayed = new boolean[resolved.length];
        }
        ids[i] = id;
        deadlines[i] = deadline;
        replayed[i] = true;
        resolved[i] = true;
        outstanding--;
    }

    /** Item {@code i} repeats item {@code first} of the same batch: not produced, answered as {@code first} is. */
    void repeat(int i, int first) {
        if (sameAs == null) {
            sameAs = new int[resolved.length];
            java.util.Arrays.fill(sameAs, -1);
        }
        sameAs[i] = first;
        resolved[i] = true;
        outstanding--;
    }

    /** Repeated items take their original's outcome: its id (as replayed), or its problem. */
    private void copyRepeats() {
        if (sameAs == null) {
            return;
        }
        for (int i = 0; i < sameAs.length; i++) {
            int first = sameAs[i];
            if (first < 0) {
                continue;
            }
            if (problems[first] == null) {
                if (replayed == null) {
                    replayed = new boolean[resolved.length];
                }
                ids[i] = ids[first];
                deadlines[i] = deadlines[first];
                replayed[i] = true;
            } else {
                kinds[i] = kinds[first];
                problems[i] = problems[first];
            }
        }
    }

    boolean replayed(int i) {
        return replayed != null && replayed[i];
    }

    /** Answers the request once every event is resolved: 202 or a problem; a batch is answered by {@link BatchIngest#respond}. */
    void respond(long retryAfterSeconds) {
        Pending p = this;
        if (p.done) {
            return;
        }
        p.done = true;
        copyRepeats();
        HttpServerRequest req = p.req;
        long produceNanos = System.nanoTime() - p.startNanos;
        int accepted = 0;
        int replays = 0;
        for (int i = 0; i < p.resolved.length; i++) {
            if (p.problems[i] == null) {
                accepted++;
                if (replayed(i)) {
                    replays++;
                    p.meters.replayed();
                } else {
                    p.meters.accepted(p.bytes[i], produceNanos);
                }
            } else {
                p.meters.rejected(p.kinds[i]);
            }
        }
        if (req.response().ended() || req.response().closed()) {
            // Counted above all the same: the events are in Kafka whether or not the sender heard.
            p.meters.unanswered(p.resolved.length);
            return;
        }
        if (!p.batch) {
            if (accepted == 1) {
                if (replays == 1) {
                    req.response().putHeader(REPLAYED, TRUE);
                }
                req.response().setStatusCode(202).putHeader(CONTENT_TYPE, APPLICATION_JSON).end(AcceptedBody.of(p.ids[0], p.deadlines[0]));
            } else {
                Problems.send(req.response(), p.kinds[0], p.problems[0], req.path(), retryAfterSeconds);
            }
            return;
        }
        BatchIngest.respond(p, accepted, replays, retryAfterSeconds);
    }

}
