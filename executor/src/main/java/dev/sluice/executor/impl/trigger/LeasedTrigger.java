package dev.sluice.executor.impl.trigger;

import dev.sluice.executor.impl.Retry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * What a schedule and a poll share: a trigger that works only while this process holds its lease
 * in PostgreSQL. It wakes on a timer of the trigger's context; each wake takes or renews the lease
 * ({@link #acquire}, which creates the lease's row the first time) and does the trigger's work when
 * held. {@link #halt()} stops the waking; {@link #close()} also gives a held lease up.
 */
abstract class LeasedTrigger implements TriggerRunner {

    protected final Context context;
    protected final String workflow;
    protected final String name;
    protected final TriggerLeases leases;
    protected final TriggerMetrics metrics;
    protected final String holder;
    protected final TriggerConfig config;
    private long timer = -1;
    private boolean closed;
    private boolean ensured;

    LeasedTrigger(
            Context context,
            String workflow,
            String name,
            TriggerLeases leases,
            TriggerMetrics metrics,
            String holder,
            TriggerConfig config) {
        this.context = context;
        this.workflow = workflow;
        this.name = name;
        this.leases = leases;
        this.metrics = metrics;
        this.holder = holder;
        this.config = config;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean leading() {
        return metrics.leading();
    }

    @Override
    public final Future<Void> start() {
        wake();
        return Future.succeededFuture();
    }

    private void wake() {
        timer = -1;
        if (!closed) {
            woken();
        }
    }

    /** One wake, on the trigger's context; it ends by calling {@link #sleep}. */
    protected abstract void woken();

    /**
     * Takes or renews the lease; the first call creates the lease's row, starting at {@code firstTick}.
     * Anything thrown fails the returned future.
     */
    protected final Future<Optional<TriggerLeases.Held>> acquire(long firstTick) {
        return Retry.guarded(() -> ensured
                        ? Future.<Void>succeededFuture()
                        : leases.ensure(name, firstTick).onSuccess(v -> ensured = true))
                .compose(v -> renew());
    }

    /** Takes or renews the lease. */
    protected final Future<Optional<TriggerLeases.Held>> renew() {
        return leases.acquire(name, holder, config.lease());
    }

    /** Whether the trigger stopped: a wake that ends now does nothing more. */
    protected final boolean closed() {
        return closed;
    }

    /** Wakes again after {@code delayMillis}, unless the trigger stopped. */
    protected final void sleep(long delayMillis) {
        if (!closed) {
            timer = context.owner().setTimer(delayMillis, t -> wake());
        }
    }

    @Override
    public final void halt() {
        closed = true;
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
        }
    }

    @Override
    public final Future<Void> close() {
        halt();
        boolean held = metrics.leading();
        metrics.leading(false);
        return held ? leases.release(name, holder) : Future.succeededFuture();
    }
}
