package dev.sluice.loadgen;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one pacing thread of a run. It sleeps until the next event is due, then hands every event
 * due by now to the next sender (round robin), whatever is still outstanding: the arrival rate
 * follows the schedule, not the responses (open loop). It never measures anything itself; the
 * senders record each event against its intended time, so a late pacer shows up as send lag.
 */
final class Pacer implements Runnable {

    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Wakes at most this often: at high rates one wake-up sends the events of the last 0.5 ms together (wake-ups are costly on small VMs; the lateness shows as send lag). */
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final RunPlan plan;
    private final List<Sender> senders;
    private volatile boolean stopped;

    Pacer(RunPlan plan, List<Sender> senders) {
        this.plan = plan;
        this.senders = senders;
    }

    @Override
    public void run() {
        long total = plan.schedule.total();
        long next = 0;
        int turn = 0;
        while (next < total && !stopped) {
            long now = System.nanoTime();
            long due = plan.schedule.dueBy(now - plan.startNanos);
            if (due <= next && plan.intended(next) <= now) {
                due = next + 1; // rounding between dueBy and timeOf: the next event's time has come
            }
            if (due > next) {
                senders.get(turn).dispatch(next, due);
                turn = (turn + 1) % senders.size();
                next = due;
                continue;
            }
            long wait = plan.intended(next) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.max(MIN_PARK_NANOS, Math.min(wait, MAX_PARK_NANOS)));
            }
        }
    }

    void stop() {
        stopped = true;
    }
}
