package dev.sluice.router.impl.http;

/**
 * What became of one event of a submission: stored (with its id and deadline), answered from an
 * earlier copy (the original's id and deadline), or refused with a problem.
 */
public record Outcome(State state, String id, long deadline, Problems.Kind problem, String detail) {

    /** The three ends of an event at the router. */
    public enum State {
        ACCEPTED,
        REPLAYED,
        REFUSED
    }

    public static Outcome accepted(String id, long deadline) {
        return new Outcome(State.ACCEPTED, id, deadline, null, null);
    }

    public static Outcome replayed(String id, long deadline) {
        return new Outcome(State.REPLAYED, id, deadline, null, null);
    }

    public static Outcome refused(Problems.Kind problem, String detail) {
        return new Outcome(State.REFUSED, null, 0, problem, detail);
    }

    /** Accepted now or before: the event is in Kafka. */
    public boolean ok() {
        return state != State.REFUSED;
    }
}
