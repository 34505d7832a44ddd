package dev.sluice.executor.impl.trigger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one trigger, looked up once:
 * <ul>
 *   <li>{@code sluice_trigger_ticks_total{workflow,outcome}}: a schedule's ticks, {@code fired} or {@code missed}
 *       (deadline passed while no holder was alive; counted whatever the policy);</li>
 *   <li>{@code sluice_trigger_leader{trigger}}: 1 while this process holds the trigger's lease;</li>
 *   <li>{@code sluice_trigger_polls_total{workflow,outcome}}: {@code changed}, {@code not-modified}, {@code failed};</li>
 *   <li>{@code sluice_trigger_items_total{workflow,outcome}}: polled items {@code emitted}, {@code duplicate}, {@code invalid};</li>
 *   <li>{@code sluice_trigger_lease_errors_total{trigger}}: lease or progress writes PostgreSQL did not answer;</li>
 *   <li>{@code sluice_trigger_unexpected_errors_total{trigger}}: wakes that threw something unexpected (logged; the trigger goes on).</li>
 * </ul>
 */
final class TriggerMetrics {

    static final String TICKS = "sluice.trigger.ticks";
    static final String LEADER = "sluice.trigger.leader";
    static final String POLLS = "sluice.trigger.polls";
    static final String ITEMS = "sluice.trigger.items";
    static final String LEASE_ERRORS = "sluice.trigger.lease.errors";
    static final String UNEXPECTED = "sluice.trigger.unexpected.errors";

    final Counter fired;
    final Counter missed;
    final Counter changed;
    final Counter notModified;
    final Counter pollFailed;
    final Counter emitted;
    final Counter duplicate;
    final Counter invalid;
    final Counter leaseErrors;
    /** Runs whose tick or poll threw something unexpected (a bug): logged with its stack trace, and the trigger goes on. */
    final Counter unexpected;

    private final AtomicInteger leader = new AtomicInteger();
    private final MeterRegistry registry;
    private final Gauge leaderGauge;

    TriggerMetrics(MeterRegistry registry, String trigger, String workflow) {
        fired = outcome(registry, TICKS, "Schedule ticks", workflow, "fired");
        missed = outcome(registry, TICKS, "Schedule ticks", workflow, "missed");
        changed = outcome(registry, POLLS, "Polls", workflow, "changed");
        notModified = outcome(registry, POLLS, "Polls", workflow, "not-modified");
        pollFailed = outcome(registry, POLLS, "Polls", workflow, "failed");
        emitted = outcome(registry, ITEMS, "Polled items", workflow, "emitted");
        duplicate = outcome(registry, ITEMS, "Polled items", workflow, "duplicate");
        invalid = outcome(registry, ITEMS, "Polled items", workflow, "invalid");
        leaseErrors = Counter.builder(LEASE_ERRORS)
                .tag("trigger", trigger)
                .description("Trigger lease writes that failed")
                .register(registry);
        unexpected = Counter.builder(UNEXPECTED)
                .tag("trigger", trigger)
                .description("Trigger wakes that failed with an unexpected exception")
                .register(registry);
        this.registry = registry;
        // A restarted trigger (its definition changed) registers anew: the gauge reads this object's value.
        registry.find(LEADER).tag("trigger", trigger).gauges().forEach(registry::remove);
        leaderGauge = Gauge.builder(LEADER, leader, AtomicInteger::get)
                .tag("trigger", trigger)
                .strongReference(true)
                .description("1 while this process holds the trigger's lease")
                .register(registry);
    }

    /** The counter of one outcome of a workflow's trigger. */
    private static Counter outcome(
            MeterRegistry registry, String name, String description, String workflow, String outcome) {
        return Counter.builder(name)
                .tag("workflow", workflow)
                .tag("outcome", outcome)
                .description(description)
                .register(registry);
    }

    /** The trigger stopped here: its leader gauge goes (its counters stay, as counts of what happened). */
    void remove() {
        leader.set(0);
        registry.remove(leaderGauge);
    }

    void leading(boolean on) {
        leader.set(on ? 1 : 0);
    }

    boolean leading() {
        return leader.get() == 1;
    }
}
