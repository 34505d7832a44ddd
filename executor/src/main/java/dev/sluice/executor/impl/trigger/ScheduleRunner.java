package dev.sluice.executor.impl.trigger;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.trigger.Schedule;
import dev.sluice.core.trigger.Ticks;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires one workflow's schedule while this process holds its lease. At each wake it takes or renews
 * the lease, which returns the last tick recorded by whoever fired it; then it fires every tick due
 * since, oldest first, each by advancing the recorded tick and producing the tick's event in one
 * transaction. Ticks whose deadline passed while nobody held the lease are counted, logged and
 * handled by the schedule's policy. It wakes at the next tick, or after a third of the lease. A wake
 * that throws something unexpected is logged and counted ({@code sluice_trigger_unexpected_errors_total});
 * the tick it was firing is not recorded, so the next wake fires it.
 */
final class ScheduleRunner extends LeasedTrigger {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);

    private final Schedule schedule;
    private final Ticks ticks;
    private final RouteConfig route;
    private final TriggerProducer producer;
    private final TickLedger ledger;
    private boolean failing;
    /** Missed ticks counted so far in an outage being walked, and the tick it started after. */
    private long outage;

    private long outageFrom;

    ScheduleRunner(
            Context context,
            String workflow,
            Schedule schedule,
            RouteConfig route,
            TriggerLeases leases,
            TriggerProducer producer,
            TickLedger ledger,
            TriggerMetrics metrics,
            String holder,
            TriggerConfig config) {
        super(context, workflow, schedule.name(workflow), leases, metrics, holder, config);
        this.schedule = schedule;
        this.ticks = schedule.ticks();
        this.route = route;
        this.producer = producer;
        this.ledger = ledger;
    }

    /** A wake; the first creates the schedule's row (a new schedule starts from now: nothing before it is due). */
    @Override
    protected void woken() {
        // Anything thrown, here or in a step below, fails this wake only: it is counted, and the next wake comes as
        // always.
        acquire(System.currentTimeMillis())
                .compose(held -> {
                    if (closed()) {
                        return Future.succeededFuture(-1L);
                    }
                    boolean was = metrics.leading();
                    metrics.leading(held.isPresent());
                    if (held.isPresent() != was) {
                        LOG.info("schedule of workflow {}: {} the lease", workflow, held.isPresent() ? "took" : "lost");
                    }
                    if (held.isEmpty()) {
                        outage = 0;
                        return Future.succeededFuture(-1L);
                    }
                    long last = held.get().lastTick();
                    return (was ? Future.succeededFuture(last) : catchUp(last))
                            .compose(l -> l < 0 ? Future.succeededFuture(l) : fireDue(l));
                })
                .onComplete(ar -> {
                    if (ar.failed() && TriggerFailures.unexpected(ar.cause())) {
                        metrics.unexpected.increment();
                        metrics.leading(false);
                        LOG.error(
                                "schedule of workflow {}: a wake failed unexpectedly; its tick is tried again at the next wake",
                                workflow,
                                ar.cause());
                    } else if (ar.failed()) {
                        metrics.leaseErrors.increment();
                        metrics.leading(false);
                        if (!failing) {
                            LOG.warn(
                                    "schedule of workflow {}: lease or tick not written, trying again: {}",
                                    workflow,
                                    ar.cause().toString());
                        }
                    } else if (failing) {
                        LOG.info("schedule of workflow {}: lease and ticks written again", workflow);
                    }
                    failing = ar.failed();
                    sleepAfter(ar.succeeded() ? ar.result() : -1L);
                });
    }

    /**
     * On taking the lease: ticks a predecessor got into Kafka but did not record (it died between the two)
     * are recorded now, not sent again.
     */
    private Future<Long> catchUp(long last) {
        return ledger.latestTick(context.owner(), route.topic(), workflow, last)
                .compose(inKafka -> {
                    if (inKafka <= last) {
                        return Future.succeededFuture(last);
                    }
                    LOG.info(
                            "schedule of workflow {}: ticks up to {} are in Kafka but were not recorded; continuing after them",
                            workflow,
                            Instant.ofEpochMilli(inKafka));
                    return leases.advance(name, holder, last, inKafka, config.lease(), Future::succeededFuture)
                            .map(ok -> ok ? inKafka : lost());
                })
                .compose(at -> at < 0
                        ? Future.succeededFuture(at)
                        // The read may have taken a while: renew before firing, and continue from what is recorded now.
                        : renew().map(held -> held.isPresent() ? held.get().lastTick() : lost()));
    }

    /** Fires what is due after {@code last}; returns the tick recorded at the end, or -1 when the lease was lost. */
    private Future<Long> fireDue(long last) {
        long now = System.currentTimeMillis();
        Ticks.Due due = ticks.due(Instant.ofEpochMilli(last), Instant.ofEpochMilli(now), route.ttl());
        Future<Long> at = Future.succeededFuture(last);
        if (due.missed() > 0) {
            at = missed(last, due, now);
        }
        for (Instant t : due.live()) {
            at = at.compose(prev -> prev < 0
                    ? Future.succeededFuture(prev)
                    : fire(prev, t, 0, t.toEpochMilli() + route.ttl().toMillis()));
        }
        return at;
    }

    /**
     * Reports ticks whose deadline passed unfired, and records them as handled: one event for them all, or
     * none. A long outage is walked over several wakes; the one event and the log line come at its end.
     */
    private Future<Long> missed(long last, Ticks.Due due, long now) {
        Instant latest = due.latestMissed().orElseThrow();
        metrics.missed.increment(due.missed());
        if (outage == 0) {
            outageFrom = last;
        }
        outage += due.missed();
        if (!due.missedSpanOver()) {
            return leases.advance(name, holder, last, latest.toEpochMilli(), config.lease(), Future::succeededFuture)
                    .map(ok -> ok ? latest.toEpochMilli() : lost());
        }
        long count = outage;
        boolean once = schedule.missed() == Schedule.Missed.FIRE_ONCE;
        LOG.warn(
                "schedule of workflow {}: {} ticks missed after {} up to {} (their deadline passed while no executor held the schedule); {}",
                workflow,
                count,
                Instant.ofEpochMilli(outageFrom),
                latest,
                once ? "one event stands for them" : "skipped by the schedule's policy");
        outage = 0;
        return once
                ? fire(last, latest, count, now + route.ttl().toMillis())
                : leases.advance(name, holder, last, latest.toEpochMilli(), config.lease(), Future::succeededFuture)
                        .map(ok -> ok ? latest.toEpochMilli() : lost());
    }

    private Future<Long> fire(long prev, Instant tick, long missedTicks, long deadline) {
        return leases.advance(
                        name,
                        holder,
                        prev,
                        tick.toEpochMilli(),
                        config.lease(),
                        () -> producer.send(
                                context,
                                TriggerEvents.tick(
                                        workflow,
                                        schedule,
                                        route,
                                        tick,
                                        missedTicks,
                                        System.currentTimeMillis(),
                                        deadline)))
                .map(ok -> {
                    if (!ok) {
                        return lost();
                    }
                    metrics.fired.increment();
                    return tick.toEpochMilli();
                });
    }

    /** The lease was found lapsed or taken at a write: the next success is a takeover, with its catch-up. */
    private long lost() {
        if (metrics.leading()) {
            LOG.info("schedule of workflow {}: lost the lease", workflow);
        }
        metrics.leading(false);
        return -1L;
    }

    /** Until the next tick after {@code recorded} while leading (bounded by the renewal period), else the renewal period. */
    private void sleepAfter(long recorded) {
        if (closed()) {
            return;
        }
        long renew = config.renewEvery().toMillis();
        long delay = renew;
        if (recorded >= 0) {
            try {
                long untilTick = ticks.next(Instant.ofEpochMilli(recorded))
                        .map(t -> t.toEpochMilli() - System.currentTimeMillis() + 1)
                        .orElse(renew);
                delay = Math.max(1, Math.min(renew, untilTick));
            } catch (RuntimeException e) {
                metrics.unexpected.increment();
                LOG.error(
                        "schedule of workflow {}: its next tick could not be computed; waking after {} ms",
                        workflow,
                        renew,
                        e);
            }
        }
        sleep(delay);
    }
}
