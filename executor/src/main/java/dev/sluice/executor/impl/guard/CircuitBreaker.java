package dev.sluice.executor.impl.guard;

import java.util.function.LongSupplier;

/**
 * The circuit of one target: {@link State#CLOSED} lets every call through and counts consecutive
 * failures; at {@code threshold} of them it turns {@link State#OPEN} and refuses every call for the
 * cool-down; then it turns {@link State#HALF_OPEN} and lets one call through as a probe: the
 * probe's success closes it, its failure opens it again for another cool-down. A failure is a
 * call the target did not answer usefully (a timeout, a lost connection, 408, 429, 5xx); a call
 * that ends before reaching the target (the deadline came first, the run was claimed elsewhere) is
 * neutral and changes nothing but the probe's slot.
 *
 * <p>Not thread-safe: its owner ({@link TargetGuard}) holds the lock. Time comes from a clock in
 * nanoseconds, so tests drive it.
 */
final class CircuitBreaker {

    /** The circuit's state; {@link #level} is what the gauge shows. */
    enum State {
        CLOSED(0),
        HALF_OPEN(1),
        OPEN(2);

        final int level;

        State(int level) {
            this.level = level;
        }
    }

    /** What a call may do. */
    enum Pass {
        /** Go ahead: the circuit is closed. */
        CALL,
        /** Go ahead as the half-open circuit's one probe: its outcome decides the circuit. */
        PROBE,
        /** Refused: the circuit is open, or half-open with its probe out. */
        REFUSED
    }

    /** Told of every change of state. */
    interface Listener {
        void changed(State to);
    }

    private final int threshold;
    private final long coolDownNanos;
    private final LongSupplier clock;
    private final Listener listener;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private boolean probeOut;

    CircuitBreaker(int threshold, long coolDownNanos, LongSupplier clock, Listener listener) {
        if (threshold < 1 || coolDownNanos <= 0) {
            throw new IllegalArgumentException(
                    "threshold " + threshold + " and cool-down " + coolDownNanos + " ns must be positive");
        }
        this.threshold = threshold;
        this.coolDownNanos = coolDownNanos;
        this.clock = clock;
        this.listener = listener;
    }

    /** Whether a call would be refused now; takes no probe slot. */
    boolean refuses() {
        coolDown();
        return state == State.OPEN || state == State.HALF_OPEN && probeOut;
    }

    /** Whether a call may go now, and as what. */
    Pass pass() {
        coolDown();
        return switch (state) {
            case CLOSED -> Pass.CALL;
            case OPEN -> Pass.REFUSED;
            case HALF_OPEN -> {
                if (probeOut) {
                    yield Pass.REFUSED;
                }
                probeOut = true;
                yield Pass.PROBE;
            }
        };
    }

    /**
     * The target answered: a probe's success closes the circuit, any success resets the count. A
     * late answer to a call let through before the circuit opened decides nothing.
     */
    void succeeded(Pass pass) {
        failures = 0;
        if (pass == Pass.PROBE) {
            probeOut = false;
            move(State.CLOSED);
        }
    }

    /** The target failed the call: the threshold's worth in a row, or a failed probe, opens the circuit. */
    void failed(Pass pass) {
        if (pass == Pass.PROBE) {
            probeOut = false;
            open();
            return;
        }
        if (state == State.CLOSED && ++failures >= threshold) {
            open();
        }
    }

    /** The call ended without the target's word on it: a probe's slot is free again for the next call. */
    void neutral(Pass pass) {
        if (pass == Pass.PROBE) {
            probeOut = false;
        }
    }

    private void coolDown() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= coolDownNanos) {
            move(State.HALF_OPEN);
        }
    }

    State state() {
        return state;
    }

    /** Consecutive failures counted while closed. */
    int failures() {
        return failures;
    }

    int threshold() {
        return threshold;
    }

    private void open() {
        openedAt = clock.getAsLong();
        failures = 0;
        move(State.OPEN);
    }

    private void move(State to) {
        if (to != state) {
            state = to;
            listener.changed(to);
        }
    }
}
