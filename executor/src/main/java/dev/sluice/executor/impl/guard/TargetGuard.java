package dev.sluice.executor.impl.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What stands between the runs of a whole process and one target (host:port): its
 * {@link CircuitBreaker} and its {@link TargetBudget}. A call enters, gets a {@link Ticket} (or a
 * {@link Refused} failure), and leaves with the target's verdict on it. The event loops of a process
 * share one guard per target, so its state sits behind one lock, held only for a few field updates;
 * a waiter's permit is handed to it on its own event loop.
 */
public final class TargetGuard {

    /** What the target made of a call, for its circuit. */
    public enum Verdict {
        /** It answered (any status that is not a failure): the target is alive. */
        ANSWERED,
        /** It failed: no answer in time, a lost connection, 408, 429 or 5xx. */
        FAILED,
        /** The call never reached it (the deadline came first, the run's claim was lost): no word on the target. */
        NEUTRAL
    }

    /** Why a call was not let through; nothing was sent. */
    public enum Reason {
        CIRCUIT_OPEN,
        BUDGET_FULL,
        DEADLINE;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** A call refused before it was sent. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        Refused(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** A call let through; {@link #leave} it exactly once. */
    public final class Ticket {
        private final CircuitBreaker.Pass pass;
        private boolean left;

        private Ticket(CircuitBreaker.Pass pass) {
            this.pass = pass;
        }

        /** The call is over: its permit goes to the next waiter, its verdict to the circuit. */
        public void leave(Verdict verdict) {
            List<Runnable> settled;
            synchronized (TargetGuard.this) {
                if (left) {
                    return;
                }
                left = true;
                switch (verdict) {
                    case ANSWERED -> breaker.succeeded(pass);
                    case FAILED -> breaker.failed(pass);
                    case NEUTRAL -> breaker.neutral(pass);
                }
                settled = handOver();
            }
            settled.forEach(Runnable::run);
        }
    }

    /** Told when a call starts and stops waiting for the budget, so that its event gives its partition slot up meanwhile. */
    public interface Queueing {
        Queueing NONE = new Queueing() {
            @Override
            public void waiting() {}

            @Override
            public void done() {}
        };

        /** The call waits in the target's queue. */
        void waiting();

        /** It waits no more: let through, or refused. */
        void done();
    }

    private final String target;
    private final CircuitBreaker breaker;
    private final TargetBudget<Waiter> budget;
    private final Map<Reason, Counter> refused = new EnumMap<>(Reason.class);
    private final Map<CircuitBreaker.State, Counter> transitions = new EnumMap<>(CircuitBreaker.State.class);

    TargetGuard(String target, TargetLimits limits, LongSupplier clock, MeterRegistry registry) {
        this.target = target;
        for (CircuitBreaker.State s : CircuitBreaker.State.values()) {
            transitions.put(
                    s,
                    Counter.builder("sluice.executor.target.circuit.transitions")
                            .description("Changes of a target's circuit, by the state entered")
                            .tag("target", target)
                            .tag("state", s.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
        for (Reason r : Reason.values()) {
            refused.put(
                    r,
                    Counter.builder("sluice.executor.target.refused")
                            .description(
                                    "Calls to a target refused unsent: its circuit open, its budget and queue full, or the deadline"
                                            + " reached while queued")
                            .tag("target", target)
                            .tag("reason", r.tag)
                            .register(registry));
        }
        this.breaker = new CircuitBreaker(
                limits.failures(),
                limits.coolDown().toNanos(),
                clock,
                to -> transitions.get(to).increment());
        this.budget = new TargetBudget<>(limits.inFlight(), limits.queue());
        Gauge.builder("sluice.executor.target.circuit.state", this, g -> g.state().level)
                .description("A target's circuit: 0 closed, 1 half-open (probing), 2 open (calls dead-lettered unsent)")
                .tag("target", target)
                .register(registry);
        Gauge.builder("sluice.executor.target.inflight", this, TargetGuard::inFlight)
                .description("Calls in flight to a target")
                .tag("target", target)
                .register(registry);
        Gauge.builder("sluice.executor.target.waiting", this, TargetGuard::waiting)
                .description("Calls waiting for a target's budget")
                .tag("target", target)
                .register(registry);
    }

    /**
     * Lets a call through now, or once a permit is free, on {@code context}; fails with
     * {@link Refused} when the circuit is open, when the budget and its queue are full, or when
     * {@code deadline} (epoch ms) comes while the call waits. A call that has to wait tells
     * {@code queueing}, and again when it stops waiting.
     */
    public Future<Ticket> enter(Context context, long deadline, Queueing queueing) {
        Waiter waiter;
        synchronized (this) {
            if (breaker.refuses()) {
                return refuse(Reason.CIRCUIT_OPEN, circuitOpen());
            }
            if (budget.tryAcquire()) {
                return Future.succeededFuture(new Ticket(breaker.pass()));
            }
            waiter = new Waiter(context);
            if (!budget.enqueue(waiter)) {
                return refuse(
                        Reason.BUDGET_FULL,
                        target + " has " + budget.inFlight() + " calls in flight (its budget) and " + budget.waiting()
                                + " waiting (its queue is full); nothing was sent");
            }
            long wait = Math.max(1, deadline - System.currentTimeMillis());
            waiter.timer = context.owner().setTimer(wait, id -> expire(waiter));
        }
        queueing.waiting();
        return waiter.promise.future().andThen(ar -> queueing.done());
    }

    private String circuitOpen() {
        return "the circuit of " + target + " is "
                + (breaker.state() == CircuitBreaker.State.OPEN
                        ? "open after " + breaker.threshold() + " consecutive failures"
                        : "half-open with its probe out")
                + "; nothing was sent";
    }

    private Future<Ticket> refuse(Reason reason, String message) {
        refused.get(reason).increment();
        return Future.failedFuture(new Refused(reason, message));
    }

    private void expire(Waiter waiter) {
        synchronized (this) {
            if (!budget.cancel(waiter)) {
                return; // handed a permit (or refused) in the meantime
            }
        }
        refused.get(Reason.DEADLINE).increment();
        waiter.promise.tryFail(new Refused(
                Reason.DEADLINE,
                "the deadline passed while the call waited for " + target + "'s budget; nothing was sent"));
    }

    /**
     * Called with the lock held: the freed permit goes to the oldest waiter, or back to the budget.
     * While the circuit refuses, each waiter in turn is refused instead (the permit passes on). The
     * returned tasks settle the waiters on their own loops; run them once the lock is released.
     */
    private List<Runnable> handOver() {
        List<Runnable> settled = new ArrayList<>(1);
        while (true) {
            Optional<Waiter> next = budget.release();
            if (next.isEmpty()) {
                return settled;
            }
            Waiter w = next.get();
            w.context.owner().cancelTimer(w.timer);
            if (!breaker.refuses()) {
                Ticket ticket = new Ticket(breaker.pass());
                settled.add(() -> w.context.runOnContext(v -> w.promise.tryComplete(ticket)));
                return settled;
            }
            refused.get(Reason.CIRCUIT_OPEN).increment();
            Refused why = new Refused(Reason.CIRCUIT_OPEN, circuitOpen());
            // the permit it was handed is released again in the loop's next turn
            settled.add(() -> w.context.runOnContext(v -> w.promise.tryFail(why)));
        }
    }

    public String target() {
        return target;
    }

    synchronized CircuitBreaker.State state() {
        return breaker.state();
    }

    synchronized int inFlight() {
        return budget.inFlight();
    }

    synchronized int waiting() {
        return budget.waiting();
    }

    /** A call waiting for a permit, on its own event loop. */
    private static final class Waiter {
        final Context context;
        final Promise<Ticket> promise = Promise.promise();
        long timer;

        Waiter(Context context) {
            this.context = context;
        }
    }
}
