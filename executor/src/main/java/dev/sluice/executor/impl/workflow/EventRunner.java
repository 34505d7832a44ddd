package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Condition;
import dev.sluice.core.Deadlines;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.StepConfig;
import dev.sluice.core.Templates;
import dev.sluice.core.Topics;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorServices;
import dev.sluice.executor.impl.ExecutorMetrics.Outcome;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every workflow subscribed to an event, under the deadline guard: an event whose deadline
 * has passed is never started and goes to {@code <topic>.expired}; each run is claimed (Redis)
 * before it starts, so a redelivered event is not run twice while live; a run that fails for good
 * goes to {@code <topic>.dlq}; every decision is written to the run log (PostgreSQL). The returned
 * future always succeeds once the event is accounted for, so the partition's offset can move past it.
 */
public final class EventRunner {

    private static final Logger LOG = LoggerFactory.getLogger(EventRunner.class);
    private static final int ACCOUNTING_ATTEMPTS = 5;
    /**
     * A retry is started only with at least this much time left before the deadline: less cannot
     * carry a request and its answer, and the attempt would only add load and a failure after it.
     */
    static final long MIN_RETRY_WINDOW_MS = 20;

    private final Vertx vertx;
    private final Context context;
    private final HttpStepRunner http;
    private final WorkflowTable workflows;
    private final AccountingProducer accounting;
    private final ExecutorMetrics metrics;
    private final ExecutorConfig config;
    private final RunClaims claims;
    private final RunLog runLog;
    private final RedisAPI state;

    public EventRunner(Vertx vertx, Context context, HttpStepRunner http, ExecutorServices services) {
        this.vertx = vertx;
        this.context = context;
        this.http = http;
        this.workflows = services.workflows();
        this.accounting = services.accounting();
        this.metrics = services.metrics();
        this.config = services.config();
        this.claims = services.claims();
        this.runLog = services.runLog();
        this.state = services.redis();
    }

    /** One event's progress. Confined to the event loop. */
    private static final class Run implements Condition.Event {
        final ConsumerRecord<byte[], byte[]> record;
        final String id;
        final String route;
        final long deadline;
        boolean started;
        private Object json;
        private boolean parsed;

        Run(ConsumerRecord<byte[], byte[]> record, String id, String route, long deadline) {
            this.record = record;
            this.id = id;
            this.route = route;
            this.deadline = deadline;
        }

        @Override
        public String attribute(String name) {
            return EventRecords.text(record.headers(), name.equals("datacontenttype") ? SluiceHeaders.CONTENT_TYPE
                    : SluiceHeaders.CE_PREFIX + name);
        }

        @Override
        public Object json() {
            if (!parsed) {
                parsed = true;
                json = parseJson(record.value());
            }
            return json;
        }
    }

    /** One workflow's run of one event: the payload as the steps reshape it. Confined to the event loop. */
    private static final class WorkflowRun implements Condition.Event, Templates.Scope {
        final Run run;
        byte[] payload;
        String contentType;
        Object response;
        private Object json;
        private boolean parsed;

        WorkflowRun(Run run) {
            this.run = run;
            this.payload = run.record.value();
        }

        void replacePayload(JsonObject next) {
            payload = next.toBuffer().getBytes();
            contentType = "application/json";
            json = next;
            parsed = true;
        }

        @Override
        public String attribute(String name) {
            if (name.equals("datacontenttype") && contentType != null) {
                return contentType;
            }
            return run.attribute(name);
        }

        @Override
        public Object json() {
            if (!parsed) {
                parsed = true;
                json = payload == run.record.value() ? run.json() : parseJson(payload);
            }
            return json;
        }

        @Override
        public Object payload() {
            return json();
        }

        @Override
        public Object response() {
            return response;
        }
    }

    private static Object parseJson(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            return Json.decodeValue(Buffer.buffer(bytes));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs the event's workflows. {@code polledAtNanos} is when the poll returned the record; the
     * time since then (the hand-off to this loop and the wait behind earlier events of its key) is
     * recorded as the event's start wait.
     */
    public Future<Void> run(ConsumerRecord<byte[], byte[]> record, long polledAtNanos) {
        metrics.startWait(System.nanoTime() - polledAtNanos);
        String route = EventRecords.text(record.headers(), SluiceHeaders.ROUTE);
        List<WorkflowConfig> workflows = route == null ? null : this.workflows.forSource(route);
        if (workflows == null || workflows.isEmpty()) {
            return Future.succeededFuture();
        }
        String id = EventRecords.text(record.headers(), SluiceHeaders.CE_ID);
        Run run = new Run(record, id == null ? record.topic() + "/" + record.partition() + "/" + record.offset() : id, route,
                EventRecords.deadline(record));
        long now = System.currentTimeMillis();
        if (Deadlines.isExpired(run.deadline, now)) {
            return expire(run, workflows, "deadline passed before start, " + (now - run.deadline) + " ms late");
        }
        List<Future<Void>> runs = new ArrayList<>(workflows.size());
        for (WorkflowConfig w : workflows) {
            if (w.filter() != null && !w.filter().test(run)) {
                metrics.filtered(w.name());
                continue;
            }
            runs.add(runWorkflow(w, run));
        }
        return Future.join(runs).transform(ar -> {
            if (run.started) {
                metrics.ended(System.currentTimeMillis() - record.timestamp());
            }
            return Future.succeededFuture();
        });
    }

    private Future<Void> expire(Run run, List<WorkflowConfig> workflows, String reason) {
        metrics.expired(run.record.topic());
        long now = System.currentTimeMillis();
        for (WorkflowConfig w : workflows) {
            metrics.run(w.name(), Outcome.EXPIRED);
            log(run, w, Outcome.EXPIRED, 0, -1, now, reason);
        }
        return account(Topics.expired(run.record.topic()), run.record, Map.of(SluiceHeaders.EXPIRED_REASON, reason), 1);
    }

    private Future<Void> runWorkflow(WorkflowConfig w, Run run) {
        long start = System.currentTimeMillis();
        if (!run.started) {
            run.started = true;
            metrics.started(start - run.record.timestamp());
        }
        int[] attempts = {0};
        // The run is claimed just before its first side effect leaves (RunClaims); a lost claim stops it there.
        java.util.function.Supplier<Future<Boolean>> mark = claims == null ? null
                : () -> claims.claim(run.route, run.id, w.name(), run.deadline - System.currentTimeMillis())
                        .map(c -> c != RunClaims.Claim.DUPLICATE);
        return runSteps(w, 0, new WorkflowRun(run), attempts, mark).transform(ar -> {
            long end = System.currentTimeMillis();
            if (ar.failed() && ar.cause() instanceof HttpStepRunner.NotSent) {
                // Its first request never left: the run did not start in time.
                return expire(run, List.of(w), ar.cause().getMessage());
            }
            if (ar.failed() && ar.cause() instanceof HttpStepRunner.ClaimLost) {
                metrics.run(w.name(), Outcome.SKIPPED_DUPLICATE);
                log(run, w, Outcome.SKIPPED_DUPLICATE, 0, start, end, ar.cause().getMessage());
                return Future.succeededFuture();
            }
            if (ar.succeeded()) {
                metrics.run(w.name(), Outcome.SUCCEEDED);
                log(run, w, Outcome.SUCCEEDED, attempts[0], start, end, null);
                return Future.succeededFuture();
            }
            metrics.run(w.name(), Outcome.DEAD_LETTERED);
            Throwable e = ar.cause();
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log(run, w, Outcome.DEAD_LETTERED, attempts[0], start, end, error);
            return account(Topics.deadLetter(run.record.topic()), run.record,
                    Map.of(SluiceHeaders.WORKFLOW, w.name(), SluiceHeaders.ERROR, error,
                            "sluice_attempts", Integer.toString(attempts[0])), 1);
        });
    }

    private void log(Run run, WorkflowConfig w, Outcome outcome, int attempts, long start, long end, String error) {
        if (runLog != null) {
            ConsumerRecord<byte[], byte[]> r = run.record;
            runLog.offer(new RunLog.Row(run.id, run.route, w.name(), outcome.name().toLowerCase(Locale.ROOT), attempts,
                    r.timestamp(), start, end, r.topic(), r.partition(), r.offset(), error));
        }
    }

    private Future<Void> runSteps(WorkflowConfig w, int index, WorkflowRun wr, int[] attempts,
                                  java.util.function.Supplier<Future<Boolean>> mark) {
        if (index == w.steps().size()) {
            return Future.succeededFuture();
        }
        StepConfig step = w.steps().get(index);
        Future<Void> done;
        java.util.function.Supplier<Future<Boolean>> markLeft = mark;
        if (step instanceof StepConfig.Http http) {
            done = attempt(http, wr, 1, attempts, mark);
            markLeft = null;
        } else if (step instanceof StepConfig.Filter f) {
            if (!f.condition().test(wr)) {
                return Future.succeededFuture();
            }
            done = Future.succeededFuture();
        } else if (step instanceof StepConfig.Transform t) {
            try {
                wr.replacePayload(Templates.build(t.set(), wr));
                done = Future.succeededFuture();
            } catch (RuntimeException e) {
                done = Future.failedFuture(StepFailure.fatal("transform failed: " + e.getMessage()));
            }
        } else if (step instanceof StepConfig.Publish p) {
            attempts[0]++;
            done = sideEffect(mark).compose(go -> accounting.publishPayload(context, p.topic(), wr.run.record, wr.payload,
                    wr.contentType)).recover(e -> Future.failedFuture(e instanceof HttpStepRunner.ClaimLost ? e
                    : StepFailure.fatal("publish to " + p.topic() + " failed: " + e.getMessage())));
            markLeft = null;
        } else {
            StepConfig.Redis r = (StepConfig.Redis) step;
            attempts[0]++;
            done = sideEffect(mark).compose(go -> redisStep(r, wr));
            markLeft = null;
        }
        java.util.function.Supplier<Future<Boolean>> next = markLeft;
        return done.compose(v -> runSteps(w, index + 1, wr, attempts, next));
    }

    /** Marks the run sent before its first side effect; a lost claim stops the run. */
    private static Future<Boolean> sideEffect(java.util.function.Supplier<Future<Boolean>> mark) {
        if (mark == null) {
            return Future.succeededFuture(true);
        }
        return mark.get().compose(go -> go ? Future.succeededFuture(true) : Future.failedFuture(new HttpStepRunner.ClaimLost()));
    }

    private Future<Void> redisStep(StepConfig.Redis r, WorkflowRun wr) {
        if (state == null) {
            return Future.failedFuture(StepFailure.fatal("redis step: no redis.url is configured"));
        }
        String key = Templates.render(r.key(), wr);
        Future<?> op = switch (r.command()) {
            case "incr" -> state.incr(key);
            case "set" -> r.ttl() == null ? state.set(List.of(key, Templates.render(r.value(), wr)))
                    : state.set(List.of(key, Templates.render(r.value(), wr), "PX", Long.toString(r.ttl().toMillis())));
            default -> state.pexpire(List.of(key, Long.toString(r.ttl().toMillis())));
        };
        Future<?> withTtl = r.command().equals("incr") && r.ttl() != null
                ? op.compose(v -> state.pexpire(List.of(key, Long.toString(r.ttl().toMillis())))) : op;
        return withTtl.<Void>mapEmpty().recover(e -> Future.failedFuture(
                StepFailure.retryable("redis " + r.command() + " failed: " + e.getMessage(), e)));
    }

    private Future<Void> attempt(StepConfig.Http step, WorkflowRun wr, int attempt, int[] attempts,
                                 java.util.function.Supplier<Future<Boolean>> mark) {
        attempts[0]++;
        Run run = wr.run;
        long timeout = Deadlines.stepTimeout(step.timeout().toMillis(), run.deadline, System.currentTimeMillis());
        boolean firstSideEffect = attempts[0] == 1;
        return http.call(step, run.record, wr.payload, wr.contentType, timeout, run.deadline, attempt == 1 ? mark : null).map(result -> {
            wr.response = result.json() == null ? null : parseJson(result.json().getBytes());
            return (Void) null;
        }).recover(err -> {
            if (err instanceof HttpStepRunner.ClaimLost) {
                return Future.failedFuture(err);
            }
            if (err instanceof HttpStepRunner.NotSent) {
                // Nothing of this run has left yet: it expired. After earlier effects, it failed.
                return Future.failedFuture(firstSideEffect ? err
                        : new StepFailure(err.getMessage() + " (attempt " + attempt + ")", false, -1, err));
            }
            StepFailure f = err instanceof StepFailure sf ? sf : StepFailure.retryable(String.valueOf(err.getMessage()), err);
            if (!f.retryable()) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (attempt " + attempt + ", not retryable)", false, -1, f));
            }
            if (attempt >= config.maxAttempts()) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (gave up after " + attempt + " attempts)", false, -1, f));
            }
            long base = config.retryBackoff().toMillis() << (attempt - 1);
            long delay = Math.max(f.retryAfterMillis(), base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
            if (System.currentTimeMillis() + delay + MIN_RETRY_WINDOW_MS >= run.deadline) {
                return Future.failedFuture(noTimeLeft(f, attempt));
            }
            metrics.retry();
            Promise<Void> later = Promise.promise();
            vertx.setTimer(delay, id -> {
                // A timer that fires late (a busy loop) must not start an attempt that cannot finish in time.
                if (System.currentTimeMillis() + MIN_RETRY_WINDOW_MS >= run.deadline) {
                    later.fail(noTimeLeft(f, attempt));
                } else {
                    attempt(step, wr, attempt + 1, attempts, null).onComplete(later);
                }
            });
            return later.future();
        });
    }

    private static StepFailure noTimeLeft(StepFailure last, int attempt) {
        return new StepFailure(last.getMessage() + " (no time left for attempt " + (attempt + 1) + " before the deadline)", false, -1, last);
    }

    /** Writes the accounting record, retrying a few times; a record that cannot be written is logged and counted. */
    private Future<Void> account(String topic, ConsumerRecord<byte[], byte[]> record, Map<String, String> headers, int attempt) {
        return accounting.publish(context, topic, record, headers).recover(err -> {
            if (attempt >= ACCOUNTING_ATTEMPTS) {
                metrics.accountingFailure();
                LOG.error("could not write {}/{}/{} to {} after {} attempts: {}", record.topic(), record.partition(),
                        record.offset(), topic, attempt, err.toString());
                return Future.succeededFuture();
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(100L << attempt, id -> account(topic, record, headers, attempt + 1).onComplete(later));
            return later.future();
        });
    }
}
