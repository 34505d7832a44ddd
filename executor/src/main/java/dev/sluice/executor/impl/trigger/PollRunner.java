package dev.sluice.executor.impl.trigger;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.trigger.Poll;
import dev.sluice.executor.impl.Retry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one workflow's API while this process holds the poll's lease: a conditional GET every
 * {@code every}, one event per item not seen before (item ids remembered in Redis), then the new
 * validators and cursor recorded in PostgreSQL. A failed poll waits twice as long as the last, up to
 * the configured bound, and so does a poll that throws something unexpected (also logged with its
 * stack trace and counted); polls against one host are bounded in number.
 */
final class PollRunner implements TriggerRunner {

    private static final Logger LOG = LoggerFactory.getLogger(PollRunner.class);
    private static final int MAX_ID = 256;

    private final Context context;
    private final String workflow;
    private final String name;
    private final Poll poll;
    private final RouteConfig route;
    private final Collaborators with;
    private final TriggerMetrics metrics;
    private final JsonPointer items;
    private final JsonPointer id;
    private long nextPollAt;
    private int failures;
    private long timer = -1;
    private boolean closed;
    private boolean ensured;

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
        this.context = context;
        this.workflow = workflow;
        this.name = poll.name(workflow);
        this.poll = poll;
        this.route = route;
        this.with = with;
        this.metrics = metrics;
        this.items = JsonPointer.from(poll.items());
        this.id = JsonPointer.from(poll.id());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean leading() {
        return metrics.leading();
    }

    @Override
    public Future<Void> start() {
        wake();
        return Future.succeededFuture();
    }

    private void wake() {
        timer = -1;
        if (closed) {
            return;
        }
        Retry.guarded(() -> ensured
                        ? Future.<Void>succeededFuture()
                        : with.leases().ensure(name, 0).onSuccess(v -> ensured = true))
                .compose(v ->
                        with.leases().acquire(name, with.holder(), with.config().lease()))
                .onComplete(ar -> {
                    if (closed) {
                        return;
                    }
                    if (ar.failed()) {
                        metrics.leaseErrors.increment();
                        metrics.leading(false);
                        LOG.warn(
                                "poll of workflow {}: lease not written, trying again: {}",
                                workflow,
                                ar.cause().toString());
                        sleep();
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
                        sleep();
                        return;
                    }
                    // Anything thrown during the poll fails this poll only: it is counted, and the next one comes after
                    // the back-off.
                    Retry.guarded(() -> pollOnce(ar.result().get())).onComplete(done -> {
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
                        sleep();
                    });
                });
    }

    /** The poll interval doubled per failure in a row, capped. */
    private long backoff() {
        long every = poll.every().toMillis();
        long cap = Math.max(every, with.config().pollBackoffMax().toMillis());
        return failures >= 30 ? cap : Math.min(cap, every << failures);
    }

    /** One poll; the lease is renewed while it runs, however long the target takes. */
    private Future<Void> pollOnce(TriggerLeases.Held held) {
        String target = poll.target();
        String url = PollFetch.withCursor(poll.url().toString(), poll.cursorParam(), held.cursor());
        long renewer = context.owner()
                .setPeriodic(
                        with.config().renewEvery().toMillis(),
                        id -> with.leases()
                                .acquire(name, with.holder(), with.config().lease()));
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

    private Future<Void> changed(PollFetch.Changed answer, TriggerLeases.Held held) {
        Object doc;
        try {
            doc = Json.decodeValue(answer.body());
        } catch (DecodeException e) {
            return Future.failedFuture(new PollFetch.Failed("the answer is not JSON: " + e.getMessage()));
        }
        Object found = items.queryJson(doc);
        if (!(found instanceof JsonArray list)) {
            return Future.failedFuture(
                    new PollFetch.Failed("'" + poll.items() + "' does not point to an array in the answer"));
        }
        String cursor = held.cursor();
        if (!poll.cursor().isEmpty()) {
            Object c = JsonPointer.from(poll.cursor()).queryJson(doc);
            if (c instanceof String || c instanceof Number) {
                cursor = c.toString();
            }
        }
        metrics.changed.increment();
        long now = System.currentTimeMillis();
        // In the answer's order, one after the other: the events of one page keep the order the API gave them.
        Future<Void> emitted = Future.succeededFuture();
        for (Object item : list) {
            emitted = emitted.compose(v -> emit(item, now));
        }
        String next = cursor;
        return emitted.compose(v -> with.leases()
                        .savePoll(
                                name,
                                with.holder(),
                                answer.etag(),
                                answer.lastModified(),
                                next,
                                with.config().lease()))
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

    /** One item: its id checked, skipped if Redis remembers it, else produced and then remembered. */
    private Future<Void> emit(Object item, long now) {
        Object raw =
                item instanceof io.vertx.core.json.JsonObject || item instanceof JsonArray ? id.queryJson(item) : null;
        String itemId = raw instanceof String || raw instanceof Number ? raw.toString() : "";
        if (!validId(itemId)) {
            metrics.invalid.increment();
            LOG.warn("poll of workflow {}: an item without a usable id at '{}' is not emitted", workflow, poll.id());
            return Future.succeededFuture();
        }
        String key = "sluice:poll:" + workflow + ":" + itemId;
        return with.redis().exists(List.of(key)).compose(seen -> {
            if (seen != null && seen.toLong() > 0) {
                metrics.duplicate.increment();
                return Future.succeededFuture();
            }
            return with.producer()
                    .send(
                            context,
                            TriggerEvents.item(
                                    workflow,
                                    route,
                                    itemId,
                                    Json.encodeToBuffer(item).getBytes(),
                                    now))
                    .compose(v -> with.redis()
                            .set(List.of(
                                    key,
                                    "1",
                                    "PX",
                                    Long.toString(with.config().pollDedupTtl().toMillis()))))
                    .onSuccess(v -> metrics.emitted.increment())
                    .mapEmpty();
        });
    }

    private static boolean validId(String s) {
        if (s.isEmpty() || s.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private void sleep() {
        if (closed) {
            return;
        }
        long renew = with.config().renewEvery().toMillis();
        long delay = metrics.leading() ? Math.max(1, Math.min(renew, nextPollAt - System.currentTimeMillis())) : renew;
        timer = context.owner().setTimer(delay, t -> wake());
    }

    @Override
    public void halt() {
        closed = true;
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
        }
    }

    @Override
    public Future<Void> close() {
        halt();
        boolean held = metrics.leading();
        metrics.leading(false);
        return held ? with.leases().release(name, with.holder()) : Future.succeededFuture();
    }
}
