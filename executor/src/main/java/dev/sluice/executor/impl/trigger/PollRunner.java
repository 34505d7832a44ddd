package dev.sluice.executor.impl.trigger;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.trigger.Poll;
import dev.sluice.executor.impl.Retry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one workflow's API while this process holds the poll's lease: a conditional GET every
 * {@code every}, one event per item not seen before ({@link PollItems}), then the new validators
 * and cursor recorded in PostgreSQL. A failed poll waits twice as long as the last, up to the
 * configured bound, and so does a poll that throws something unexpected (also logged with its
 * stack trace and counted); polls against one host are bounded in number.
 */
final class PollRunner extends LeasedTrigger {

    private static final Logger LOG = LoggerFactory.getLogger(PollRunner.class);

    private final Poll poll;
    private final Collaborators with;
    private final PollItems items;
    private long nextPollAt;
    private int failures;

    /** What every poll of this process shares. */
    record Collaborators(
            TriggerLeases leases,
            TriggerProducer producer,
            PollFetch fetch,
            HostLimits limits,
            RedisAPI redis,
            String holder,
            TriggerConfig config) {}

    PollRunner(
            Context context,
            String workflow,
            Poll poll,
            RouteConfig route,
            Collaborators with,
            TriggerMetrics metrics) {
        super(context, workflow, poll.name(workflow), with.leases(), metrics, with.holder(), with.config());
        this.poll = poll;
        this.with = with;
        this.items = new PollItems(context, workflow, poll, route, with, metrics);
    }

    @Override
    protected void woken() {
        acquire(0).onComplete(ar -> {
            if (!closed()) {
                leased(ar);
            }
        });
    }

    private void leased(AsyncResult<Optional<TriggerLeases.Held>> ar) {
        if (ar.failed()) {
            metrics.leaseErrors.increment();
            metrics.leading(false);
            LOG.warn(
                    "poll of workflow {}: lease not written, trying again: {}",
                    workflow,
                    ar.cause().toString());
            rest();
            return;
        }
        boolean held = ar.result().isPresent();
        if (held != metrics.leading()) {
            LOG.info("poll of workflow {}: {} the lease", workflow, held ? "took" : "lost");
            // A new holder polls at once: its predecessor's schedule is not known here.
            nextPollAt = 0;
        }
        metrics.leading(held);
        if (!held || System.currentTimeMillis() < nextPollAt) {
            rest();
            return;
        }
        // Anything thrown during the poll fails this poll only: it is counted, and the next one comes after
        // the back-off.
        Retry.guarded(() -> pollOnce(ar.result().get())).onComplete(this::polled);
    }

    private void polled(AsyncResult<Void> done) {
        long now = System.currentTimeMillis();
        if (done.succeeded()) {
            failures = 0;
            nextPollAt = now + poll.every().toMillis();
        } else {
            failures++;
            metrics.pollFailed.increment();
            long wait = backoff();
            nextPollAt = now + wait;
            if (TriggerFailures.unexpected(done.cause())) {
                metrics.unexpected.increment();
                LOG.error(
                        "poll of workflow {} failed unexpectedly ({} in a row), next in {} ms",
                        workflow,
                        failures,
                        wait,
                        done.cause());
            } else {
                LOG.warn(
                        "poll of workflow {} failed ({} in a row), next in {} ms: {}",
                        workflow,
                        failures,
                        wait,
                        done.cause().getMessage());
            }
        }
        rest();
    }

    /** The poll interval doubled per failure in a row, capped. */
    private long backoff() {
        long every = poll.every().toMillis();
        long cap = Math.max(every, config.pollBackoffMax().toMillis());
        return failures >= 30 ? cap : Math.min(cap, every << failures);
    }

    /** One poll; the lease is renewed while it runs, however long the target takes. */
    private Future<Void> pollOnce(TriggerLeases.Held held) {
        String target = poll.target();
        String url = PollFetch.withCursor(poll.url().toString(), poll.cursorParam(), held.cursor());
        long renewer = context.owner().setPeriodic(config.renewEvery().toMillis(), id -> renew());
        return with.limits()
                .acquire(target)
                .compose(v -> with.fetch()
                        .get(url, held.etag(), held.lastModified())
                        .eventually(() -> {
                            with.limits().release(target);
                            return Future.succeededFuture();
                        }))
                .compose(answer -> {
                    if (answer instanceof PollFetch.Changed c) {
                        return changed(c, held);
                    }
                    metrics.notModified.increment();
                    return Future.<Void>succeededFuture();
                })
                .eventually(() -> {
                    context.owner().cancelTimer(renewer);
                    return Future.succeededFuture();
                });
    }

    /** A new answer: its items emitted, then its validators and cursor recorded, if this process still holds the poll. */
    private Future<Void> changed(PollFetch.Changed answer, TriggerLeases.Held held) {
        return items.emit(answer.body(), held.cursor())
                .compose(next ->
                        leases.savePoll(name, holder, answer.etag(), answer.lastModified(), next, config.lease()))
                .map(saved -> {
                    if (!saved) {
                        LOG.info(
                                "poll of workflow {}: another executor took the poll over during this one; its record stands",
                                workflow);
                        metrics.leading(false);
                    }
                    return null;
                });
    }

    /** Until the next poll while leading (bounded by the renewal period), else the renewal period. */
    private void rest() {
        if (closed()) {
            return;
        }
        long renew = config.renewEvery().toMillis();
        sleep(metrics.leading() ? Math.max(1, Math.min(renew, nextPollAt - System.currentTimeMillis())) : renew);
    }
}
