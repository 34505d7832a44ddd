package dev.sluice.executor.impl.workflow;

import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.Topics;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorMetrics.Outcome;
import dev.sluice.executor.impl.Retry;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how each run ended, in one place: the outcome's metric, its run-log row and, for an
 * expired or dead-lettered event, its record on {@code <topic>.expired} or {@code <topic>.dlq}.
 * Each method's future completes once the event is accounted for (a record that cannot be written
 * after a few tries is logged and counted) and never fails.
 */
record RunOutcomes(Context context, AccountingProducer accounting, ExecutorMetrics metrics, RunLog runLog) {

    private static final Logger LOG = LoggerFactory.getLogger(RunOutcomes.class);
    private static final int ACCOUNTING_ATTEMPTS = 5;
    /** Errors longer than this are cut (an event id of many KiB must not make a huge header or row). */
    static final int MAX_ERROR_CHARS = 2000;
    /** The workflow named in the record of an event that failed before any workflow was chosen. */
    static final String NO_WORKFLOW = "(none)";
    /** On a dead-letter record: how many of the run's requests were written to a target (each may have landed). */
    static final String ATTEMPTS_WRITTEN = "sluice_attempts_written";

    Future<Void> expired(EventRun run, List<WorkflowConfig> workflows, String reason) {
        metrics.expired(run.record.topic());
        long now = System.currentTimeMillis();
        for (WorkflowConfig w : workflows) {
            metrics.run(w.name(), Outcome.EXPIRED);
            log(run, w.name(), Outcome.EXPIRED, 0, -1, now, -1, reason);
        }
        return account(Topics.expired(run.record.topic()), run.record, Map.of(SluiceHeaders.EXPIRED_REASON, reason));
    }

    /** Succeeded; {@code resent} when the run was taken over from an executor whose lease lapsed. */
    Future<Void> succeeded(WorkflowRun wr) {
        Outcome outcome = resent(wr) ? Outcome.RESENT : Outcome.SUCCEEDED;
        metrics.run(wr.workflow.name(), outcome);
        log(
                wr.run,
                wr.workflow.name(),
                outcome,
                attempts(wr),
                wr.startMillis,
                System.currentTimeMillis(),
                wr.firstWriteMillis,
                null);
        return Future.succeededFuture();
    }

    private static boolean resent(WorkflowRun wr) {
        return wr.claim != null && wr.claim.state() == RunClaims.State.RESEND;
    }

    /** This executor's attempts plus, after a take-over, the sends of the owners before it (at least one each). */
    private static int attempts(WorkflowRun wr) {
        return resent(wr) ? wr.attempts + wr.claim.sends() - 1 : wr.attempts;
    }

    Future<Void> skippedDuplicate(WorkflowRun wr, String reason) {
        metrics.run(wr.workflow.name(), Outcome.SKIPPED_DUPLICATE);
        log(
                wr.run,
                wr.workflow.name(),
                Outcome.SKIPPED_DUPLICATE,
                0,
                wr.startMillis,
                System.currentTimeMillis(),
                -1,
                reason);
        return Future.succeededFuture();
    }

    Future<Void> deadLettered(WorkflowRun wr, String error) {
        return deadLettered(
                wr.run, wr.workflow.name(), attempts(wr), wr.written, wr.startMillis, wr.firstWriteMillis, error);
    }

    /**
     * A run that threw something no step expects (a bug, or an event a step cannot carry): it ends
     * dead-lettered with the error, is counted, and is logged once here with its stack trace.
     */
    Future<Void> unexpected(WorkflowRun wr, Throwable e) {
        LOG.error(
                "run of {} by workflow {} ({}/{}/{}) failed unexpectedly; dead-lettered",
                printable(wr.run.id),
                wr.workflow.name(),
                wr.run.record.topic(),
                wr.run.record.partition(),
                wr.run.record.offset(),
                e);
        metrics.unexpected(wr.workflow.name());
        return deadLettered(wr, "unexpected " + describe(e));
    }

    /** An event that threw before any of its workflows ran. */
    Future<Void> unexpected(EventRun run, Throwable e) {
        ConsumerRecord<byte[], byte[]> record = run.record;
        LOG.error(
                "event {}/{}/{} failed unexpectedly before its runs; dead-lettered",
                record.topic(),
                record.partition(),
                record.offset(),
                e);
        metrics.unexpected(NO_WORKFLOW);
        return deadLettered(run, NO_WORKFLOW, 0, 0, -1, -1, "unexpected " + describe(e));
    }

    /**
     * An event for one workflow ({@code sluice_target}) that its route has not here: deleted since the
     * run was accepted, or not yet loaded. It is dead-lettered under that name, so it can be re-driven.
     */
    Future<Void> unknownTarget(EventRun run) {
        LOG.warn(
                "event {} on route {} is for workflow {}, which this executor does not run on that route; dead-lettered",
                printable(run.id),
                printable(run.route),
                printable(run.target));
        return deadLettered(
                run,
                run.target,
                0,
                0,
                -1,
                -1,
                "workflow " + run.target + " is not known on route " + run.route + " (deleted or not loaded yet)");
    }

    private Future<Void> deadLettered(
            EventRun run, String workflow, int attempts, int written, long start, long firstWrite, String error) {
        String bounded = error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) + "..." : error;
        metrics.run(workflow, Outcome.DEAD_LETTERED);
        log(run, workflow, Outcome.DEAD_LETTERED, attempts, start, System.currentTimeMillis(), firstWrite, bounded);
        return account(
                Topics.deadLetter(run.record.topic()),
                run.record,
                Map.of(
                        SluiceHeaders.WORKFLOW,
                        workflow,
                        SluiceHeaders.ERROR,
                        bounded,
                        "sluice_attempts",
                        Integer.toString(attempts),
                        ATTEMPTS_WRITTEN,
                        Integer.toString(written)));
    }

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** For log lines: control characters shown escaped, so an event cannot forge log lines. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** Offers the run's row; the event's offset is committed only once the row is durable (or its loss counted). */
    private void log(
            EventRun run,
            String workflow,
            Outcome outcome,
            int attempts,
            long start,
            long end,
            long firstWrite,
            String error) {
        ConsumerRecord<byte[], byte[]> r = run.record;
        run.records.add(runLog.offer(new RunLog.Row(
                run.id,
                run.route,
                workflow,
                outcome.row(),
                attempts,
                r.timestamp(),
                start,
                end,
                r.topic(),
                r.partition(),
                r.offset(),
                error,
                run.deadline,
                firstWrite)));
    }

    /** Writes the accounting record, retrying a few times; a record that cannot be written is logged and counted. */
    private Future<Void> account(String topic, ConsumerRecord<byte[], byte[]> record, Map<String, String> headers) {
        return Retry.run(
                        context.owner(),
                        n -> accounting.publish(context, topic, record, headers),
                        (n, err) -> n >= ACCOUNTING_ATTEMPTS ? new Retry.Stop(err) : new Retry.After(100L << n))
                .recover(err -> {
                    metrics.accountingFailure();
                    LOG.error(
                            "could not write {}/{}/{} to {} after {} attempts: {}",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            topic,
                            ACCOUNTING_ATTEMPTS,
                            err.toString());
                    return Future.succeededFuture();
                });
    }
}
