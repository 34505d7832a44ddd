package dev.sluice.router.impl.http;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A submission waiting for the broker's acks of its events. Each event ends with one
 * {@link Outcome}; the submission is answered once all have one (or its produce timeout passed),
 * and settled once the producer gave its final word on every event it was handed, which may come
 * after the answer. Event-loop confined.
 */
final class Pending {

    /** What the router stamped on a produced event: its id, deadline and payload size. */
    private record Stamp(String id, long deadline, int bytes) {}

    final Submission sub;
    final long startNanos;
    private final Outcome[] outcomes;
    private final Stamp[] stamps;
    /** What the producer finally reported per event: null while unknown or never sent. */
    private final Boolean[] landed;
    /** For an event repeating an earlier one of the same submission, that one's index; else -1. */
    private final int[] sameAs;

    private int open;
    private int unsettled;
    private boolean answered;
    private boolean settled;
    /** Told once, when the submission is answered and the producer reported every event it was handed. */
    Consumer<Pending> onSettled = p -> {};

    Pending(Submission sub, int size, long startNanos) {
        this.sub = sub;
        this.startNanos = startNanos;
        this.outcomes = new Outcome[size];
        this.stamps = new Stamp[size];
        this.landed = new Boolean[size];
        this.sameAs = new int[size];
        Arrays.fill(sameAs, -1);
        this.open = size;
    }

    int size() {
        return outcomes.length;
    }

    /** Whether event {@code i} needs nothing more before the answer. */
    boolean resolved(int i) {
        return outcomes[i] != null || sameAs[i] >= 0;
    }

    boolean answered() {
        return answered;
    }

    boolean allResolved() {
        return open == 0;
    }

    /** Event {@code i}'s outcome; once given, it stands. */
    void resolve(int i, Outcome o) {
        if (!resolved(i)) {
            outcomes[i] = o;
            open--;
        }
    }

    /** Event {@code i} repeats event {@code first} of the same submission: not produced, answered as {@code first} is. */
    void repeat(int i, int first) {
        if (!resolved(i)) {
            sameAs[i] = first;
            open--;
        }
    }

    /** Event {@code i} was stamped and handed to the producer; its final word is awaited even past the answer. */
    void sent(int i, String id, long deadline, int bytes) {
        stamps[i] = new Stamp(id, deadline, bytes);
        unsettled++;
    }

    /** The producer's final word on event {@code i}: stored, not stored, or null when even it cannot tell (its own timeout). */
    void landed(int i, Boolean stored) {
        landed[i] = stored;
        unsettled--;
    }

    /** Whether the producer could not tell for event {@code i} whether it was stored. */
    boolean unknown(int i) {
        return stamps[i] != null && landed[i] == null && unsettled == 0;
    }

    /** Event {@code i} is acknowledged: accepted under the id it was stamped with. */
    void accept(int i) {
        resolve(i, Outcome.accepted(stamps[i].id(), stamps[i].deadline()));
    }

    /** Whether event {@code i} is in Kafka, by the producer's final word. */
    boolean stored(int i) {
        return Boolean.TRUE.equals(landed[i]);
    }

    /** The id and deadline event {@code i} is in Kafka under (stamped, or its original's), or null. */
    Outcome inKafka(int i) {
        if (stored(i)) {
            return Outcome.accepted(stamps[i].id(), stamps[i].deadline());
        }
        Outcome o = outcomes[i];
        return o != null && o.state() == Outcome.State.REPLAYED ? o : null;
    }

    /** Answers the sender, once: the outcomes counted in the route's meters, then handed to the transport. */
    void answer() {
        if (answered) {
            return;
        }
        answered = true;
        for (int i = 0; i < sameAs.length; i++) {
            if (sameAs[i] >= 0) {
                Outcome first = outcomes[sameAs[i]];
                outcomes[i] = first.ok() ? Outcome.replayed(first.id(), first.deadline()) : first;
            }
        }
        long produceNanos = System.nanoTime() - startNanos;
        for (int i = 0; i < outcomes.length; i++) {
            Outcome o = outcomes[i];
            switch (o.state()) {
                case ACCEPTED -> sub.meters().accepted(stamps[i].bytes(), produceNanos);
                case REPLAYED -> sub.meters().replayed();
                default -> sub.meters().rejected(o.problem());
            }
        }
        if (sub.answer().gone()) {
            // Counted above all the same: the events are in Kafka whether or not the sender heard.
            sub.meters().unanswered(outcomes.length);
        } else {
            try {
                sub.answer().outcomes(List.of(outcomes), sub.batch());
            } catch (RuntimeException | StackOverflowError e) {
                // A fault while writing the answer (this runs on a broker ack, outside every other
                // stage's guard): the sender still hears, and the submission still settles.
                Gate.failed(
                        sub.answer(),
                        sub.meters(),
                        e,
                        "its events may have been stored: retry with the same event ids or Idempotency-Key");
            }
        }
        settleIfDone();
    }

    /** Calls {@link #onSettled} once, when the submission is answered and no producer outcome is outstanding. */
    void settleIfDone() {
        if (answered && unsettled == 0 && !settled) {
            settled = true;
            onSettled.accept(this);
        }
    }
}
