package dev.sluice.executor.impl.kafka;

import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.Topics;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.Retry;
import dev.sluice.executor.impl.state.RunLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a dead span that the consumer skipped unread: the count in
 * {@code sluice_executor_skipped_total}, one run-log row for the span (its offsets and count), and a
 * summary on the matching partition of {@code <topic>.expired}, written again and again (backoff
 * up to 5 s) until the broker takes it. The partition's offset is committed past the span only
 * once both are recorded.
 */
public final class DeadSpanRecorder implements DeadSpanSkip.DeadSpans {

    private static final Logger LOG = LoggerFactory.getLogger(DeadSpanRecorder.class);
    /** The run log's workflow and outcome for a skipped span: it stands for every workflow of its events. */
    public static final String SPAN_WORKFLOW = "(dead span)";

    private static final long MAX_BACKOFF_MS = 5_000;

    private final Vertx vertx;
    private final AccountingProducer accounting;
    private final ExecutorMetrics metrics;
    /** The run log, or null without PostgreSQL. */
    private final RunLog runLog;

    private final Map<String, Long> ttlByTopic;
    private final BooleanSupplier closing;

    public DeadSpanRecorder(
            Vertx vertx,
            AccountingProducer accounting,
            ExecutorMetrics metrics,
            RunLog runLog,
            Map<String, Long> ttlByTopic,
            BooleanSupplier closing) {
        this.vertx = vertx;
        this.accounting = accounting;
        this.metrics = metrics;
        this.runLog = runLog;
        this.ttlByTopic = Map.copyOf(ttlByTopic);
        this.closing = closing;
    }

    @Override
    public long ttlMillis(String topic) {
        return ttlByTopic.getOrDefault(topic, -1L);
    }

    @Override
    public Future<Void> skipped(TopicPartition tp, long from, long to, long deleted) {
        long count = to - from;
        metrics.skipped(tp.topic(), count);
        long now = System.currentTimeMillis();
        String what = count + " events past their deadline skipped unread, offsets " + from + ".." + (to - 1)
                + (deleted > 0 ? "; " + deleted + " more deleted by retention before they were read" : "");
        Future<Void> row = count == 0
                ? Future.succeededFuture()
                // ingest_at: the newest ingest time the span can hold (now - TTL).
                : runLog.offer(new RunLog.Row(
                        "span:" + tp + ":" + from + "-" + (to - 1),
                        "",
                        SPAN_WORKFLOW,
                        RunLog.Outcome.SKIPPED_DEAD_SPAN,
                        0,
                        now - Math.max(0, ttlMillis(tp.topic())),
                        -1,
                        now,
                        tp.topic(),
                        tp.partition(),
                        from,
                        what,
                        Long.MAX_VALUE,
                        -1));
        byte[] summary = new JsonObject()
                .put("topic", tp.topic())
                .put("partition", tp.partition())
                .put("fromOffset", from)
                .put("toOffset", to)
                .put("skipped", count)
                .put("deletedBeforeRead", deleted)
                .encode()
                .getBytes(StandardCharsets.UTF_8);
        Future<Void> written = untilWritten(
                Topics.expired(tp.topic()),
                tp.partition(),
                summary,
                Map.of(SluiceHeaders.EXPIRED_REASON, "skipped on assignment: " + what));
        return Future.join(row, written).mapEmpty();
    }

    private Future<Void> untilWritten(String topic, int partition, byte[] summary, Map<String, String> headers) {
        // The producer may block on metadata: never on an event loop.
        return Retry.run(
                vertx,
                n -> vertx.executeBlocking(() -> accounting.publishSummary(topic, partition, summary, headers), false)
                        .compose(f -> f),
                (n, err) -> {
                    if (closing.getAsBoolean()) {
                        LOG.error(
                                "the skip summary for {}/{} was not written before shutdown: {}",
                                topic,
                                partition,
                                err.toString());
                        return new Retry.Stop(err);
                    }
                    long backoff = Retry.doubling(200, n, MAX_BACKOFF_MS);
                    LOG.warn(
                            "could not write the skip summary to {}/{} (attempt {}), again in {} ms: {}",
                            topic,
                            partition,
                            n,
                            backoff,
                            err.toString());
                    return new Retry.After(backoff);
                });
    }
}
