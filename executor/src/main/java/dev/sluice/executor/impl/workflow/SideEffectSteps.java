package dev.sluice.executor.impl.workflow;

import dev.sluice.core.StepConfig;
import dev.sluice.core.Templates;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.impl.types.ErrorType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * One attempt of a {@code publish} or {@code redis} step, bounded like an http step's: nothing is
 * sent once the event's deadline has passed ({@link StepFailure.NotSent}), and the wait for the
 * answer is bounded by the step's timeout cut to the time left (a publish never waits out Kafka's
 * own delivery timeout). No answer in time is an {@link StepFailure#unknownOutcome() unknown
 * outcome}: the record or command may still take effect.
 */
final class SideEffectSteps {

    private final Context context;
    private final AccountingProducer producer;
    /** Redis for {@code redis} steps, when one is configured. */
    private final Optional<RedisAPI> redis;

    SideEffectSteps(Context context, AccountingProducer producer, Optional<RedisAPI> redis) {
        this.context = context;
        this.producer = producer;
        this.redis = redis;
    }

    Future<Void> publish(WorkflowRun wr, StepConfig.Publish step) {
        long wait = timeLeft(wr, step.timeout().toMillis());
        if (wait <= 0) {
            return Future.failedFuture(notSent("publish to " + step.topic()));
        }
        wr.wrote();
        String what = "publish to " + step.topic();
        return producer.publishPayload(context, step.topic(), wr.run.record, wr.payload, wr.contentType)
                .timeout(wait, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(
                        e instanceof TimeoutException
                                ? StepFailure.unknownOutcome(what + ": no acknowledgement within " + wait + " ms", e)
                                : e instanceof RetriableException
                                        ? StepFailure.retryable(what + " failed: " + e, e)
                                        : StepFailure.fatal(what + " failed: " + e)));
    }

    Future<Void> redis(WorkflowRun wr, StepConfig.Redis step) {
        return redis.map(api -> redis(api, wr, step))
                .orElseGet(() -> Future.failedFuture(StepFailure.fatal("redis step: no redis.url is configured")));
    }

    private Future<Void> redis(RedisAPI redis, WorkflowRun wr, StepConfig.Redis step) {
        String what = "redis " + step.command().name().toLowerCase(java.util.Locale.ROOT);
        long wait = timeLeft(wr, step.timeout().toMillis());
        if (wait <= 0) {
            return Future.failedFuture(notSent(what));
        }
        String key = Templates.render(step.key(), wr);
        String ttl = step.ttl() == null ? null : Long.toString(step.ttl().toMillis());
        wr.wrote();
        Future<?> op = switch (step.command()) {
            case INCR -> ttl == null ? redis.incr(key) : redis.incr(key).compose(v -> redis.pexpire(List.of(key, ttl)));
            case SET ->
                ttl == null
                        ? redis.set(List.of(key, Templates.render(step.value(), wr)))
                        : redis.set(List.of(key, Templates.render(step.value(), wr), "PX", ttl));
            case EXPIRE -> redis.pexpire(List.of(key, ttl));
        };
        return op.<Void>mapEmpty()
                .timeout(wait, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(
                        e instanceof TimeoutException
                                ? StepFailure.unknownOutcome(what + ": no answer within " + wait + " ms", e)
                                : e instanceof ErrorType
                                        ? StepFailure.fatal(what + " refused: " + e.getMessage())
                                        : StepFailure.retryable(what + " failed: " + e, e)));
    }

    /** The step's timeout cut to the event's remaining time; zero or less once the deadline has passed. */
    private static long timeLeft(WorkflowRun wr, long stepTimeoutMillis) {
        return Math.min(stepTimeoutMillis, wr.run.deadline - System.currentTimeMillis());
    }

    private static StepFailure notSent(String what) {
        return StepFailure.notSent("the deadline had passed when the " + what + " was to be sent; nothing was sent");
    }
}
