package dev.sluice.executor.impl.state;

import dev.sluice.core.WorkflowConfig.Delivery;
import io.vertx.core.Future;

/**
 * Claims each (event, workflow) run just before its first side effect, so that a redelivered
 * event is not run twice while its run is live ({@link RedisRunClaims}), or, without a claim
 * store, lets every run go ahead unclaimed ({@link #none()}).
 */
public interface RunClaims {

    /** What a claim found. */
    enum State {
        /** Ours: the first send. */
        CLAIMED,
        /** Ours: an abandoned lease taken over; the run is sent again ({@link Claim#sends()} says which send). */
        RESEND,
        /** Decided elsewhere (or, at-most-once, claimed elsewhere): skip. */
        DUPLICATE,
        /** Another owner's lease was still live at the deadline: that owner decides the run. */
        HELD,
        /** The deadline had passed before the claim could be asked: nothing may be sent. */
        TOO_LATE,
        /** Redis unreachable (no answer within the claim timeout): at-least-once runs go ahead unclaimed. */
        UNAVAILABLE,
        /** At-most-once: Redis could not be reached before the deadline; the run must not be sent. */
        UNREACHABLE,
        /** No claim store is configured ({@link RunClaims#none()}): every run goes ahead unclaimed. */
        OFF
    }

    /** A claim's answer; {@code sends} counts this owner's send among every owner's (1 for the first). */
    record Claim(State state, int sends) {
        public static final Claim CLAIMED = new Claim(State.CLAIMED, 1);
        public static final Claim DUPLICATE = new Claim(State.DUPLICATE, 0);
        public static final Claim HELD = new Claim(State.HELD, 0);
        public static final Claim TOO_LATE = new Claim(State.TOO_LATE, 0);
        public static final Claim UNAVAILABLE = new Claim(State.UNAVAILABLE, 1);
        public static final Claim UNREACHABLE = new Claim(State.UNREACHABLE, 0);

        /** No claim store: the run goes ahead unclaimed, and nothing marks it decided. */
        public static final Claim OFF = new Claim(State.OFF, 1);

        public boolean ours() {
            return state == State.CLAIMED || state == State.RESEND || state == State.UNAVAILABLE;
        }
    }

    static String key(String route, String eventId, String workflow) {
        return "sluice:run:" + route + ":" + eventId + ":" + workflow;
    }

    /** Claims the run; never fails (see {@link RedisRunClaims#claim}). */
    Future<Claim> claim(
            String route, String eventId, String workflow, Delivery delivery, long leaseMillis, long deadline);

    /** Extends this owner's lease before a later side effect; false when it is no longer ours. */
    Future<Boolean> renew(String route, String eventId, String workflow, long leaseMillis, long deadline);

    /** Marks the run decided, so that a redelivery skips it. Best effort. */
    Future<Void> done(String route, String eventId, String workflow, long deadline);

    /** What readiness shows: the store, or off. */
    String describe();

    /** No claim store: every run is {@link Claim#OFF}, every lease stays ours, nothing is marked. */
    static RunClaims none() {
        return new RunClaims() {
            @Override
            public Future<Claim> claim(
                    String route, String eventId, String workflow, Delivery delivery, long leaseMillis, long deadline) {
                return Future.succeededFuture(Claim.OFF);
            }

            @Override
            public Future<Boolean> renew(
                    String route, String eventId, String workflow, long leaseMillis, long deadline) {
                return Future.succeededFuture(true);
            }

            @Override
            public Future<Void> done(String route, String eventId, String workflow, long deadline) {
                return Future.succeededFuture();
            }

            @Override
            public String describe() {
                return "off";
            }
        };
    }
}
