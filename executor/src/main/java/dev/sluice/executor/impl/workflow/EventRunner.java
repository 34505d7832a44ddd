package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Deadlines;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.StepConfig;
import dev.sluice.core.Topics;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorMetrics.Outcome;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every workflow subscribed to an event, under the deadline guard: an event whose deadline
 * has passed is never started and goes to {@code <topic>.expired}; a run that fails for good goes
 * to {@code <topic>.dlq}. The returned future always succeeds once the event is accounted for, so
 * the partition's offset can move past it.
 */
public final class EventRunner {

    private static final Logger LOG = LoggerFactory.getLogger(EventRunner.class);
    private static final int ACCOUNTING_ATTEMPTS = 5;

    private final Vertx vertx;
    private final Context context;
    private final Map<String, List<WorkflowConfig>> workflowsBySource;
    private final HttpStepRunner http;
    private final AccountingProducer accounting;
    private final ExecutorMetrics metrics;
    private final ExecutorConfig config;

    public EventRunner(Vertx vertx, Context context, Map<String, List<WorkflowConfig>> workflowsBySource, HttpStepRunner http,
                       AccountingProducer accounting, ExecutorMetrics metrics, ExecutorConfig config) {
        this.vertx = vertx;
        this.context = context;
        this.workflowsBySource = workflowsBySource;
        this.http = http;
        this.accounting = accounting;
        this.metrics = metrics;
        this.config = config;
    }

    public Future<Void> run(ConsumerRecord<byte[], byte[]> record) {
        String route = EventRecords.text(record.headers(), SluiceHeaders.ROUTE);
        List<WorkflowConfig> workflows = route == null ? null : workflowsBySource.get(route);
        if (workflows == null || workflows.isEmpty()) {
            return Future.succeededFuture();
        }
        long now = System.currentTimeMillis();
        long deadline = EventRecords.deadline(record);
        if (Deadlines.isExpired(deadline, now)) {
            return expire(record, workflows, "deadline passed before start, " + (now - deadline) + " ms late");
        }
        metrics.started(now - record.timestamp());
        List<Future<Void>> runs = new ArrayList<>(workflows.size());
        for (WorkflowConfig w : workflows) {
            runs.add(runWorkflow(w, record, deadline));
        }
        return Future.join(runs).transform(ar -> {
            metrics.ended(System.currentTimeMillis() - record.timestamp());
            return Future.succeededFuture();
        });
    }

    private Future<Void> expire(ConsumerRecord<byte[], byte[]> record, List<WorkflowConfig> workflows, String reason) {
        metrics.expired(record.topic());
        workflows.forEach(w -> metrics.run(w.name(), Outcome.EXPIRED));
        return account(Topics.expired(record.topic()), record, Map.of(SluiceHeaders.EXPIRED_REASON, reason), 1);
    }

    private Future<Void> runWorkflow(WorkflowConfig w, ConsumerRecord<byte[], byte[]> record, long deadline) {
        return runSteps(w, 0, record, deadline).transform(ar -> {
            if (ar.succeeded()) {
                metrics.run(w.name(), Outcome.SUCCEEDED);
                return Future.succeededFuture();
            }
            metrics.run(w.name(), Outcome.DEAD_LETTERED);
            Throwable e = ar.cause();
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return account(Topics.deadLetter(record.topic()), record,
                    Map.of(SluiceHeaders.WORKFLOW, w.name(), SluiceHeaders.ERROR, error), 1);
        });
    }

    private Future<Void> runSteps(WorkflowConfig w, int index, ConsumerRecord<byte[], byte[]> record, long deadline) {
        if (index == w.steps().size()) {
            return Future.succeededFuture();
        }
        StepConfig step = w.steps().get(index);
        return attempt((StepConfig.Http) step, record, deadline, 1).compose(v -> runSteps(w, index + 1, record, deadline));
    }

    private Future<Void> attempt(StepConfig.Http step, ConsumerRecord<byte[], byte[]> record, long deadline, int attempt) {
        long timeout = Deadlines.stepTimeout(step.timeout().toMillis(), deadline, System.currentTimeMillis());
        return http.call(step, record, timeout).<Void>mapEmpty().recover(err -> {
            StepFailure f = err instanceof StepFailure sf ? sf : StepFailure.retryable(String.valueOf(err.getMessage()), err);
            if (!f.retryable()) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (attempt " + attempt + ", not retryable)", false, -1, f));
            }
            if (attempt >= config.maxAttempts()) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (gave up after " + attempt + " attempts)", false, -1, f));
            }
            long base = config.retryBackoff().toMillis() << (attempt - 1);
            long delay = Math.max(f.retryAfterMillis(), base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
            if (System.currentTimeMillis() + delay >= deadline) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (no time left for attempt " + (attempt + 1)
                        + " before the deadline)", false, -1, f));
            }
            metrics.retry();
            Promise<Void> later = Promise.promise();
            vertx.setTimer(delay, id -> attempt(step, record, deadline, attempt + 1).onComplete(later));
            return later.future();
        });
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
